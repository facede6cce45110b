#!/usr/bin/env bash
# 500 concurrent GET /metrics/watch streams held for 10 s (target: none
# dropped: every stream gets its ~10 samples and is still open at the end).
. "$(dirname "$0")/../lib.sh"
ulimit -n 4096
start_execd
n=500
mkdir -p w
pids=
for i in $(seq $n); do
	curl -sN --max-time 10.5 "$EXECD_URL/metrics/watch" >"w/$i" 2>/dev/null &
	pids="$pids $!"
done
sleep 9
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$EXECD_PID/status")
wait $pids
short=0 total=0
for i in $(seq $n); do
	c=$(grep -c '^data: ' "w/$i")
	total=$((total + c))
	[ "$c" -ge 9 ] || short=$((short + 1))
done
echo "watch: $n streams for 10 s: $total samples, $short streams with fewer than 9, daemon RSS $((rss / 1024)) MiB (target: 0 dropped)"
