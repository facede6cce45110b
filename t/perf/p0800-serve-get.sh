#!/usr/bin/env bash
# osb-sandbox serve: GET /v1/sandboxes/{id} throughput with 64 connections,
# each request logged (target: >= 5,000 requests/s).
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-serve.sh"
start_serve
id=$(new_sandbox) || { echo "create failed"; exit 1; }
rps=$(wrk -t2 -c64 -d5s "$SERVE_URL/v1/sandboxes/$id" |
	awk '/Requests\/sec/ { print $2 }')
echo "serve GET /v1/sandboxes/{id}: $rps requests/s with 64 connections over 5 s (target >= 5000)"
