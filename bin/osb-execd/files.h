/* files.h — the file and directory endpoints of osb-execd. */
#ifndef EXECD_FILES_H
#define EXECD_FILES_H

#include "server.h"

/*
 * GET /files/info, DELETE /files, POST /files/permissions, POST /files/mv,
 * GET /files/search, POST /files/replace, POST /files/upload,
 * GET /files/download, GET /directories/list, POST /directories,
 * DELETE /directories. Ends with a NULL method.
 */
extern const struct osb_route file_routes[];

#endif
