#!/usr/bin/env bash
# Throughput with wrk, 64 connections for $WRK_SECONDS (default 60 s):
# osb-execd GET /ping (target: >= 10,000 requests/s) and serve GET
# /v1/sandboxes/{id}; both with 0 errors.
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-serve.sh"

SECS=${WRK_SECONDS:-60}

# bench NAME URL: wrk's requests/s and its errors, in one line.
bench() {
	wrk -t2 -c64 -d"${SECS}s" "$2" >wrk.out 2>&1
	awk -v name="$1" -v secs="$SECS" '
		/Requests\/sec/ { rps = $2 }
		/requests in/ { total = $1 }
		/Socket errors/ { for (i = 3; i <= NF; i += 2) errors += $(i + 1) }
		/Non-2xx/ { errors += $NF }
		END { printf "%s: %s requests/s with 64 connections over %d s, %s requests, %d errors\n", name, rps, secs, total, errors }' wrk.out
}

start_execd
bench "execd GET /ping" "$EXECD_URL/ping"
stop_execd >/dev/null

if S=$(new_sandbox 2>sandbox.err); then
	start_serve --quiet
	bench "serve GET /v1/sandboxes/{id}" "$SERVE_URL/v1/sandboxes/$S"
	stop_serve >/dev/null
else
	echo "serve GET /v1/sandboxes/{id}: skipped, no sandbox: $(head -n 1 sandbox.err)"
fi
