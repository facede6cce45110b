#!/usr/bin/env bash
# The floor under a local sandbox: a bare `runc run` of a static program
# that exits at once, in a bundle of the runtime's own making (runc spec),
# beside the figures of osb-sandbox create.
. "$(dirname "$0")/../lib.sh"
command -v runc >/dev/null || { echo "runc baseline: no runc"; exit 0; }
mkdir -p bundle/rootfs && cd bundle || exit 1
printf 'int main(void) { return 0; }\n' | cc -static -x c -o rootfs/true - &&
	runc spec &&
	perl -0pi -e 's/"sh"/"\/true"/; s/"terminal": true/"terminal": false/' config.json || {
	echo "runc baseline: no bundle"; exit 1; }
hyperfine -N --warmup 3 --runs 40 --export-json ../runc.json \
	"runc --root $TMP/runc-state run osb-perf-true" >/dev/null 2>&1 || {
	echo "runc baseline: hyperfine failed"; exit 1; }
median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' ../runc.json | head -1)
awk -v m="$median" 'BEGIN { printf "runc baseline: runc run /true, median %.1f ms over 40 runs\n", m * 1000 }'
