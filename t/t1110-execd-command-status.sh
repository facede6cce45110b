#!/usr/bin/env bash
# osb-execd: background commands, status, logs with a cursor, interrupt,
# and what SIGTERM does to commands still running.
. "$(dirname "$0")/lib.sh"

# status ID: GET /command/status/ID answers 200, the status in ./body.
status() {
	call 200 GET "/command/status/$1"
}

# logs ID [?QUERY]: GET /command/ID/logs; the log in ./log, the headers
# in ./headers.
logs() {
	curl -s -D headers -o log "$EXECD_URL/command/$1/logs${2-}"
}

# bg COMMAND [KEY VALUE...]: start it in the background, in $TMP; its id
# in $id.
bg() {
	sse bg.out /command command "$@" background =true cwd "$TMP" &&
	id=$(ev bg.out text init)
}

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
RFC3339=$RFC3339'(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

start_execd

test_expect_success 'background: init then execution_complete at once' '
	start=$(now_ms) &&
	bg "sleep 2; echo late" &&
	test $(($(now_ms) - start)) -lt 2000 &&
	ev_is bg.out types init execution_complete &&
	echo "$id" | grep -qE "^[0-9a-f]{32}$"
'

test_expect_success 'status while running: running, no exit code, no finish' '
	status "$id" &&
	test "$(json_get body id)" = "$id" &&
	test "$(json_get body content)" = "sleep 2; echo late" &&
	test "$(json_get body running)" = true &&
	test "$(json_get body exit_code)" = null &&
	test "$(json_get body finished_at)" = null &&
	json_get body started_at | grep -qE "$RFC3339"
'

test_expect_success 'status once finished: exit code and times' '
	bg "echo out; echo err >&2; exit 4" &&
	sleep 0.3 &&
	status "$id" &&
	test "$(json_get body running)" = false &&
	test "$(json_get body exit_code)" = 4 &&
	test "$(json_get body error)" = "exit status 4" &&
	json_get body finished_at | grep -qE "$RFC3339"
'

test_expect_success 'logs: stdout and stderr in one, the cursor in a header' '
	logs "$id" &&
	printf "out\nerr\n" >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers &&
	grep_q "^Content-Type: text/plain; charset=utf-8" headers
'

test_expect_success 'logs?cursor=N: what came after N, and where it ends' '
	logs "$id" "?cursor=4" &&
	echo err >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers &&
	logs "$id" "?cursor=8" &&
	test ! -s log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers
'

test_expect_success 'logs: a cursor past the end: nothing, and itself back' '
	logs "$id" "?cursor=100" &&
	test ! -s log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 100" headers
'

test_expect_success 'logs: a cursor that is no number reads from the start' '
	logs "$id" "?cursor=abc" &&
	printf "out\nerr\n" >expect && test_cmp expect log
'

test_expect_success 'logs: a negative cursor is 400' '
	call 400 GET "/command/$id/logs?cursor=-1" &&
	error_is INVALID_REQUEST_BODY "invalid cursor -1"
'

test_expect_success 'logs follow a running command' '
	bg "echo one; sleep 0.6; echo two" &&
	sleep 0.3 &&
	logs "$id" &&
	echo one >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 4" headers &&
	sleep 0.6 &&
	logs "$id" "?cursor=4" &&
	echo two >expect && test_cmp expect log
'

test_expect_success 'logs of an unknown id: 400 command not found' '
	call 400 GET /command/nosuchid/logs &&
	error_is INVALID_REQUEST_BODY "command not found: nosuchid"
'

test_expect_success 'logs of a foreground command: 400 not in background' '
	sse fg.out /command command "echo fg" &&
	fid=$(ev fg.out text init) &&
	call 400 GET "/command/$fid/logs" &&
	grep_q "command $fid is not running in background" body &&
	status "$fid" &&
	test "$(json_get body exit_code)" = 0
'

test_expect_success 'status of an unknown id: 404' '
	call 404 GET /command/status/nosuchid &&
	grep_q "command not found: nosuchid" body
'

test_expect_success 'a background command is killed at its timeout' '
	bg "sleep 30" timeout =200 &&
	sleep 0.6 &&
	status "$id" &&
	test "$(json_get body running)" = false &&
	test "$(json_get body exit_code)" = -1 &&
	test "$(json_get body error)" = "signal: killed"
'

test_expect_success 'interrupt: SIGINT ends it and what it left in its group' '
	sse int.out /command command "sleep 30 & echo \$! >left.pid; sleep 30" \
		cwd "$TMP" &
	pid=$! &&
	wait_for 50 test -s left.pid &&
	id=$(ev int.out text init) &&
	start=$(now_ms) &&
	call 200 DELETE "/command?id=$id" &&
	test ! -s body &&
	test $(($(now_ms) - start)) -lt 2000 &&
	wait $pid &&
	ev_is int.out error "CommandExecError -1 signal: interrupt" &&
	t_wait_gone "$(cat left.pid)" 20 &&
	status "$id" &&
	test "$(json_get body running)" = false
'

test_expect_success 'interrupt: SIGTERM when SIGINT is not enough' '
	bg "trap \"\" INT; sleep 30" &&
	sleep 0.2 &&
	call 200 DELETE "/command?id=$id" &&
	status "$id" &&
	test "$(json_get body running)" = false &&
	test "$(json_get body error)" = "signal: terminated"
'

test_expect_success 'interrupt: no id is 400, unknown 404, finished 409' '
	call 400 DELETE /command &&
	error_is MISSING_QUERY "missing query parameter .id." &&
	call 404 DELETE "/command?id=nosuchid" &&
	grep_q "command not found: nosuchid" body &&
	call 409 DELETE "/command?id=$id" &&
	grep_q "command $id is not running" body
'

test_expect_success 'only the latest 128 finished commands are kept' '
	sse first.out /command command true &&
	first=$(ev first.out text init) &&
	status "$first" &&
	(for i in $(seq 127); do
		sse /dev/null /command command true || exit 1
	done) &&
	status "$first" &&
	sse /dev/null /command command true &&
	call 404 GET "/command/status/$first"
'

test_expect_success 'SIGTERM to the daemon ends the commands still running' '
	bg "echo \$\$ >cmd.pid; exec sleep 30" &&
	sleep 0.3 &&
	kill -0 "$(cat cmd.pid)" &&
	stop_execd &&
	t_wait_gone "$(cat cmd.pid)" 20
'

test_done
