#!/usr/bin/env bash
# osb-sandbox serve: GET /v1/sandboxes/{id} throughput with wrk, 64
# connections for $WRK_SECONDS (default 60 s), each request logged
# (target: >= 5,000 requests/s, 0 errors).
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-serve.sh"
. "$T_DIR/../lib-wrk.sh"
start_serve
id=$(new_sandbox) || { echo "create failed"; exit 1; }
wrk_bench "serve GET /v1/sandboxes/{id}" "$SERVE_URL/v1/sandboxes/$id"
