#!/usr/bin/env bash
# 10,000 idle connections from 127.0.0.2 against osb-execd and serve:
# /ping (/health) from 127.0.0.1 must still answer (target: median
# <= 50 ms); those past --max-client-connections are closed at once, the
# rest after --idle-timeout.
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-serve.sh"

N=10000
IDLE=10
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge $((N + 100)) ] || { echo "idle connections: skipped, descriptor limit below $((N + 100))"; exit 0; }

# state: the hold-connections.pl state line, "connected N closed M".
state() { cat conns.state 2>/dev/null; }

# measure NAME PORT URL: the figures for one daemon.
measure() {
	local name=$1 port=$2 url=$3 t0 t_all closed_now i ms
	rm -f conns.state
	t0=$(now_ms)
	perl "$T_DIR/../hold-connections.pl" 127.0.0.2 "$port" $N $((IDLE * 3)) >hold.out &
	local hp=$!
	wait_for 600 grep -qs "^connected $N " conns.state ||
		{ echo "$name: could not open $N connections: $(state)"; kill $hp; return 1; }
	sleep 1
	closed_now=$(state | awk '{ print $4 }')
	: >lat
	for i in $(seq 50); do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 "$url" >>lat
	done
	t_all=
	wait_for $((IDLE * 30)) grep -qs "closed $N\$" conns.state && t_all=$(($(now_ms) - t0))
	wait $hp
	awk '$1 == 200 { print $2 * 1000 }' lat | sort -n >ok.ms
	local ok med max
	ok=$(wc -l <ok.ms)
	med=$(sed -n "$(((ok + 1) / 2))p" ok.ms)
	max=$(tail -n 1 ok.ms)
	echo "$name: $N idle connections from 127.0.0.2: $closed_now closed at once (per-address cap), all closed after ${t_all:-never} ms (--idle-timeout ${IDLE}s)"
	echo "$name: ${url##*/} from 127.0.0.1 meanwhile: $ok/50 answered, median ${med:-?} ms, max ${max:-?} ms (target: median <= 50 ms)"
}

start_execd --idle-timeout ${IDLE}s
measure osb-execd "$EXECD_PORT" "$EXECD_URL/ping"
stop_execd >/dev/null
start_serve --quiet --idle-timeout ${IDLE}s
measure serve "$SERVE_PORT" "$SERVE_URL/health"
stop_serve >/dev/null
