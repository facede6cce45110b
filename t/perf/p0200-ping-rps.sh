#!/usr/bin/env bash
# GET /ping throughput with wrk, 64 connections for $WRK_SECONDS (default
# 60 s; target: >= 10,000 requests/s, 0 errors).
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-wrk.sh"
start_execd
wrk_bench "execd GET /ping" "$EXECD_URL/ping"
