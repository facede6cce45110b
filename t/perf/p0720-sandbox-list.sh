#!/usr/bin/env bash
# `osb-sandbox list` with 200 sandboxes running, local runtime (target:
# <= 50 ms): the first page (20 rows, as the API pages), and -a (all 200).
. "$(dirname "$0")/../lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT
for batch in 1 2 3 4 5 6 7 8 9 10; do
	for i in $(seq 20); do
		osb-sandbox create -q -t 10m --skip-health-check >/dev/null &
	done
	wait
done
n=$(osb-sandbox list -a -q | wc -l)
[ "$n" -eq 200 ] || { echo "sandbox list: only $n sandboxes made"; exit 1; }
hyperfine -N --warmup 5 --runs 50 --export-json list.json \
	"osb-sandbox list" "osb-sandbox list -a" >/dev/null 2>&1 || {
	echo "sandbox list: hyperfine failed"; exit 1; }
sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' list.json | head -2 >medians
awk 'NR == 1 { page = $1 } NR == 2 { all = $1 }
	END { printf "sandbox list: 200 sandboxes, median %.1f ms for list (a page of 20), %.1f ms for list -a (all 200) (target <= 50 ms)\n", page * 1000, all * 1000 }' medians
