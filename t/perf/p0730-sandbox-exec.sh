#!/usr/bin/env bash
# `osb-exec ID -- true` into a running local sandbox (through its
# published address and slirp4netns), beside the same command against an
# osb-execd on the host's loopback (target: within 1.2x of it).
. "$(dirname "$0")/../lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT
start_execd
S=$(osb-sandbox create -q) || { echo "sandbox exec: create failed"; exit 1; }
hyperfine -N --warmup 20 --runs 200 --export-json sb.json \
	"osb-exec $S -- true" >/dev/null 2>&1 &&
hyperfine -N --warmup 20 --runs 200 --export-json host.json \
	"osb-exec $EXECD_URL -- true" >/dev/null 2>&1 || {
	echo "sandbox exec: hyperfine failed"; exit 1; }
sb=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' sb.json | head -1)
host=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' host.json | head -1)
awk -v s="$sb" -v h="$host" 'BEGIN { printf "sandbox exec: osb-exec ID -- true, median %.1f ms over 200 runs; an execd on the host loopback %.1f ms (%.2fx, target <= 1.2x)\n", s * 1000, h * 1000, s / h }'
