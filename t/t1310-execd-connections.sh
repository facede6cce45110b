#!/usr/bin/env bash
# osb-execd and serve against clients that hold connections: idle ones
# are closed after --idle-timeout, one client address holds at most
# --max-client-connections, descriptors past 1024 work, garbage gets a
# 400 and a close, and many concurrent command streams all complete.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

# Each idle connection is a descriptor of this script's perl as well.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge 4096 ] || skip_all "descriptor limit below 4096"
perl -MSocket -e 'socket(my $s, PF_INET, SOCK_STREAM, 0) or exit 1;
	bind($s, sockaddr_in(0, inet_aton("127.0.0.2"))) or exit 1' ||
	skip_all "cannot bind 127.0.0.2"

# hold FROM COUNT SECONDS [SEND]: hold-connections.pl in the background
# against $PORT (osb-execd's unless set); ./conns.state follows.
hold() {
	rm -f conns.state
	perl "$T_DIR/hold-connections.pl" "$1" "${PORT:-$EXECD_PORT}" "$2" \
		"$3" ${4:+"$4"} >hold.out &
	HOLD_PID=$!
	T_PIDS="$T_PIDS $HOLD_PID"
}

# conns_are CONNECTED CLOSED: ./conns.state says so.
conns_are() {
	test "$(cat conns.state 2>/dev/null)" = "connected $1 closed $2"
}

# ping_ms: /ping from 127.0.0.1 answers 200; the time it took printed.
ping_ms() {
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 \
		"$EXECD_URL/ping" >ping.out &&
	read -r code secs <ping.out &&
	test "$code" = 200 &&
	perl -e 'printf "%d\n", $ARGV[0] * 1000' "$secs"
}

start_execd --idle-timeout 2s

test_expect_success '1,200 idle connections from 127.0.0.2 leave /ping answering' '
	hold 127.0.0.2 1200 20 &&
	wait_for 100 grep -q "^connected 1200 " conns.state &&
	ms=$(ping_ms) &&
	say "/ping with 1,200 idle connections open: $ms ms" &&
	test "$ms" -lt 1000
'

test_expect_success 'the idle connections are closed after --idle-timeout' '
	wait_for 100 conns_are 1200 1200 &&
	wait "$HOLD_PID"
'

test_expect_success 'half a request line is closed after --idle-timeout' '
	hold 127.0.0.1 1 10 "GET /pi" &&
	wait_for 100 conns_are 1 1 &&
	wait "$HOLD_PID"
'

# garbage_gets_400 PORT: a request line that is no request, to the
# daemon on PORT, is answered 400 and closed.
garbage_gets_400() {
	perl -MSocket -e "
		socket(my \$s, PF_INET, SOCK_STREAM, 0) or die;
		connect(\$s, sockaddr_in($1, inet_aton(q(127.0.0.1))))
		    or die;
		syswrite(\$s, qq(hello there, server\r\n\r\n));
		alarm 5;
		print while sysread(\$s, \$_, 4096);" >reply &&
	head -n 1 reply | tr -d "\r" >actual &&
	echo "HTTP/1.1 400 Bad Request" >expect &&
	test_cmp expect actual
}

test_expect_success 'a garbage request line gets 400 and a close' '
	garbage_gets_400 "$EXECD_PORT"
'

test_expect_success 'a path with an escaped NUL is a 400, not another path' '
	call 400 GET "/ping%00x" &&
	error_is INVALID_REQUEST_BODY "the path holds a NUL byte (%00)" &&
	call 404 GET "/ping%01x"
'

test_expect_success 'a stream quiet for longer than --idle-timeout is not cut' '
	sse out /command command "sleep 3; echo late" &&
	ev out text stdout >actual &&
	echo late >expect &&
	test_cmp expect actual &&
	ev out types | grep -v "^ping\$" >actual &&
	printf "%s\n" init stdout execution_complete >expect &&
	test_cmp expect actual
'

test_expect_success '200 concurrent streaming commands all complete' '
	perl "$T_DIR/many-commands.pl" "$EXECD_PORT" 200 \
		"sleep 1; echo done" 60 >many.out &&
	say "$(cat many.out)" &&
	grep_q "^streams 200 complete 200 output-lines 200 " many.out
'

test_expect_success 'stop' 'stop_execd'

start_execd --max-client-connections 20

test_expect_success '--max-client-connections 20: the 21st from one address is closed at once' '
	hold 127.0.0.2 30 20 &&
	wait_for 50 conns_are 30 10 &&
	call 200 GET /ping &&
	kill "$HOLD_PID" &&
	wait "$HOLD_PID"; true
'

test_expect_success 'stop' 'stop_execd'

start_serve --idle-timeout 2s --max-client-connections 1000

test_expect_success 'serve: 1,200 idle connections from 127.0.0.2 leave /health answering' '
	PORT=$SERVE_PORT hold 127.0.0.2 1200 20 &&
	wait_for 100 grep -q "^connected 1200 " conns.state &&
	curl -s --max-time 5 "$SERVE_URL/health" >body &&
	test "$(json_get body status)" = healthy
'

test_expect_success 'serve: 200 past --max-client-connections closed at once, the rest after --idle-timeout' '
	wait_for 10 grep -q "^connected 1200 closed 200$" conns.state &&
	wait_for 100 conns_are 1200 1200 &&
	wait "$HOLD_PID"
'

test_expect_success 'serve: a garbage request line gets 400 and a close' '
	garbage_gets_400 "$SERVE_PORT"
'

test_expect_success 'serve: stop' 'stop_serve'

test_expect_success 'serve: bad --idle-timeout and --max-client-connections are usage errors' '
	expect_code 2 osb-sandbox serve --idle-timeout 2d &&
	stderr_is "osb-sandbox serve: idle timeout 2d: not a duration from 1s to 24h" &&
	expect_code 2 osb-sandbox serve --max-client-connections 70000 &&
	stderr_is "osb-sandbox serve: connection limit 70000: too large (1-65535)"
'

test_expect_success 'bad --idle-timeout and --max-client-connections are usage errors' '
	expect_code 2 osb-execd --idle-timeout 0s &&
	stderr_is "osb-execd: idle timeout 0s: not a duration from 1s to 24h" &&
	expect_code 2 osb-execd --max-client-connections 0 &&
	stderr_is "osb-execd: connection limit 0: too small (1-65535)"
'

test_done
