/* osb.h — libosb, the library under every osb program. */
#ifndef OSB_H
#define OSB_H

#include "error.h"
#include "http.h"
#include "output.h"
#include "config.h"
#include "cli.h"
#include "resolve.h"
#include "sse.h"
#include "util.h"
#include "execd.h"
#include "files.h"
#include "code.h"

#endif
