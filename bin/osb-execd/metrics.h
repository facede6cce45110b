/* metrics.h — GET /metrics and GET /metrics/watch. */
#ifndef EXECD_METRICS_H
#define EXECD_METRICS_H

#include "server.h"

int metrics_get(struct osb_req *);
int metrics_watch(struct osb_req *);

#endif
