#!/usr/bin/env bash
# Whole-process latency of `osb-exec URL -- true` (target: median <= 15 ms).
. "$(dirname "$0")/../lib.sh"
start_execd
hyperfine -N --warmup 20 --runs 300 --export-json lat.json \
	"osb-exec $EXECD_URL -- true" >/dev/null 2>&1 || {
	echo "exec latency: hyperfine failed"; exit 1; }
median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' lat.json | head -1)
awk -v m="$median" 'BEGIN { printf "exec latency: osb-exec URL -- true, median %.1f ms over 300 runs (target <= 15 ms)\n", m * 1000 }'
