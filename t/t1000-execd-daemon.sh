#!/usr/bin/env bash
# osb-execd as a daemon: flags, ping, routing errors, access token, signals.
. "$(dirname "$0")/lib.sh"

test_expect_success '--help prints usage and every flag, exits 0' '
	osb-execd --help >out &&
	for f in --listen --port --access-token --log-level \
		--graceful-shutdown-timeout EXECD_LOG_FILE; do
		grep_q "$f" out || return 1
	done
'

test_expect_success 'an unknown flag is a usage error (exit 2)' '
	expect_code 2 osb-execd --no-such-flag &&
	grep_q "usage: osb-execd" err
'

test_expect_success 'a bad port or log level is a usage error' '
	expect_code 2 osb-execd --port 70000 &&
	grep_q "port 70000: too large" err &&
	expect_code 2 osb-execd --log-level 9 &&
	grep_q "log level 9" err &&
	expect_code 2 osb-execd --graceful-shutdown-timeout soon &&
	grep_q "soon: not a duration" err
'

start_execd

test_expect_success 'GET /ping answers 200 with an empty body' '
	call 200 GET /ping &&
	test ! -s body
'

test_expect_success 'an unknown path is 404 with a JSON error' '
	call 404 GET /nope &&
	error_is NOT_FOUND "no such endpoint: GET /nope"
'

test_expect_success 'a known path with the wrong method is 405' '
	call 405 POST /ping &&
	grep_q "method POST not allowed on /ping" body
'

test_expect_success 'a port already taken: exit 1 naming the address' '
	expect_code 1 osb-execd --listen 127.0.0.1 --port "$EXECD_PORT" &&
	grep_q "listen on 127.0.0.1 port $EXECD_PORT" err
'

test_expect_success 'a bad --listen address: exit 1' '
	expect_code 1 osb-execd --listen no.such.host.invalid --port 1 &&
	grep_q "listen no.such.host.invalid" err
'

test_expect_success 'SIGTERM: exits 0 and logs the shutdown' '
	stop_execd &&
	grep_q "shutting down" "$TMP/execd.log"
'

start_execd --access-token s3cret

test_expect_success 'with a token: no header is 401' '
	call 401 GET /ping &&
	error_is UNAUTHORIZED "X-EXECD-ACCESS-TOKEN"
'

test_expect_success 'with a token: a wrong token is 401, also for uploads' '
	call 401 GET /ping -H "X-EXECD-ACCESS-TOKEN: s3cret!" &&
	call 401 GET /ping -H "X-EXECD-ACCESS-TOKEN: s3cre" &&
	call 401 POST /files/upload -H "X-EXECD-ACCESS-TOKEN: x" \
		-F file=@/dev/null
'

test_expect_success 'with a token: the right one is let in' '
	call 200 GET /ping -H "X-EXECD-ACCESS-TOKEN: s3cret"
'
stop_execd

test_expect_success 'EXECD_ACCESS_TOKEN sets the token; -port works Go style' '
	port=$(free_port)
	EXECD_ACCESS_TOKEN=envtok EXECD_LOG_FILE=$TMP/file.log \
		osb-execd -listen 127.0.0.1 -port $port 2>stderr &
	pid=$! &&
	wait_http http://127.0.0.1:$port/ping &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		http://127.0.0.1:$port/ping)" = 401 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		-H "X-EXECD-ACCESS-TOKEN: envtok" http://127.0.0.1:$port/ping)" = 200 &&
	kill -TERM $pid && wait $pid &&
	grep_q "listening on 127.0.0.1 port $port" file.log &&
	test ! -s stderr
'

test_expect_success 'SIGTERM with a stream open: gone within the grace window' '
	start_execd --graceful-shutdown-timeout 300ms
	curl -sN "$EXECD_URL/metrics/watch" >watch &
	cpid=$! &&
	wait_for 50 grep -q "^data: " watch &&
	start=$(date +%s%N) &&
	kill -TERM $EXECD_PID && wait $EXECD_PID &&
	end=$(date +%s%N) &&
	wait $cpid;
	test $(( (end - start) / 1000000 )) -lt 2500
'

test_expect_success 'the descriptor limit: raised for the daemon, as it was for commands' '
	hard=$(ulimit -Hn) &&
	if [ "$hard" = unlimited ] || [ "$hard" -le 256 ]; then
		say "hard limit $hard: nothing to raise"; return 0
	fi
	ulimit -Sn 256 &&
	start_execd &&
	soft=$(awk "/Max open files/ { print \$4 }" "/proc/$EXECD_PID/limits") &&
	test "$soft" = "$hard" &&
	curl -sN -d "{\"command\":\"ulimit -n\"}" "$EXECD_URL/command" >out &&
	test "$(ev out text stdout)" = 256 &&
	stop_execd
'

test_done
