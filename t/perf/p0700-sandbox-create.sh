#!/usr/bin/env bash
# `osb-sandbox create -q` until the sandbox runs and its execd answers,
# local runtime (target: median <= 150 ms).
. "$(dirname "$0")/../lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT
hyperfine -N --warmup 3 --runs 40 --export-json create.json \
	--cleanup "osb-sandbox kill --all" "osb-sandbox create -q" >/dev/null 2>&1 || {
	echo "sandbox create: hyperfine failed"; exit 1; }
median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' create.json | head -1)
awk -v m="$median" 'BEGIN { printf "sandbox create: osb-sandbox create -q, median %.1f ms over 40 runs (target <= 150 ms)\n", m * 1000 }'
