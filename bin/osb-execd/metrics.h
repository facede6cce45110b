/* metrics.h — GET /metrics and GET /metrics/watch. */
#ifndef EXECD_METRICS_H
#define EXECD_METRICS_H

#include "server.h"

extern const struct osb_route metrics_routes[];

#endif
