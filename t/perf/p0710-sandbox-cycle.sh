#!/usr/bin/env bash
# A sandbox's whole life: create, `osb-exec ID -- true`, kill, local
# runtime (target: median <= 300 ms). The cycle runs in a bash -c, whose
# own start (a millisecond or two) is counted too.
. "$(dirname "$0")/../lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT
hyperfine -N --warmup 3 --runs 40 --export-json cycle.json \
	"bash -c 'id=\$(osb-sandbox create -q) && osb-exec \$id -- true && osb-sandbox kill -q \$id'" \
	>/dev/null 2>&1 || { echo "sandbox cycle: hyperfine failed"; exit 1; }
median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' cycle.json | head -1)
awk -v m="$median" 'BEGIN { printf "sandbox cycle: create + osb-exec ID -- true + kill, median %.1f ms over 40 runs (target <= 300 ms)\n", m * 1000 }'
