#!/usr/bin/env bash
# osb-execd bash sessions: state between runs, events, timeouts,
# interrupts, a shell that exits, and bad requests.
. "$(dirname "$0")/lib.sh"

# new_session [KEY VALUE...]: POST /session (no body without arguments);
# the id in $sid.
new_session() {
	call 200 POST /session ${1:+-d "$(json "$@")"} &&
	sid=$(json_get body session_id)
}

# srun KEY VALUE...: run in session $sid; the stream in ./out.
srun() {
	sse out "/session/$sid/run" "$@"
}

# spost KEY VALUE...: POST /session/$sid/run, status printed, reply in body.
spost() {
	api POST "/session/$sid/run" -d "$(json "$@")"
}

# v_kept: a run in session $sid still sees v=42, set by an earlier run.
v_kept() {
	srun command "echo \$v" &&
	test "$(ev out text stdout)" = 42
}

UUID='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

start_execd

test_expect_success 'POST /session without a body gives a session id' '
	new_session &&
	echo "$sid" | grep -qE "$UUID"
'

test_expect_success 'a run: init (the session id), stdout, stderr, complete' '
	srun command "echo out; echo err >&2" &&
	test "$(ev out text init)" = "$sid" &&
	test "$(ev out text stdout)" = out &&
	test "$(ev out text stderr)" = err &&
	test "$(ev out types | tail -n 1)" = execution_complete
'

test_expect_success 'directory, variables, functions and aliases stay' '
	mkdir -p "$TMP/d" &&
	srun command "cd $TMP/d; v=42; export E=e; f() { echo f\$1; }
alias hi=\"echo hi\"" &&
	srun command "pwd; echo \$v \$E; f 1; hi" &&
	printf "%s\n42 e\nf1\nhi\n" "$TMP/d" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success 'a failing command: an error with its status; shell lives on' '
	srun command "echo x; false" &&
	ev_is out runs init stdout error &&
	ev_is out error "CommandExecError 1 command exited with code 1" &&
	v_kept
'

test_expect_success 'quotes, backslashes, newlines and UTF-8 run as written' '
	cat >cmd <<-\EOF &&
	printf "%s|" "a'\''b" '\''c\d'\'' "$v" "\$x"
	echo é
	EOF
	srun command "$(cat cmd)" &&
	printf "%s\n" "a'\''b|c\\d|42|\$x|é" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success 'a syntax error is an error event; the session goes on' '
	srun command "echo \"unterminated" &&
	ev_is out error "CommandExecError 2 command exited with code 2" &&
	grep_q "unexpected EOF" out &&
	v_kept
'

test_expect_success 'run cwd: the run starts there and the session stays' '
	mkdir -p "$TMP/e" &&
	srun command pwd cwd "$TMP/e" &&
	test "$(ev out text stdout)" = "$TMP/e" &&
	srun command pwd &&
	test "$(ev out text stdout)" = "$TMP/e"
'

test_expect_success 'stdin is /dev/null; a run can not break the session fds' '
	srun command "cat; exec 2>/dev/null; echo lost >&2" &&
	test "$(ev out types | tail -n 1)" = execution_complete &&
	srun command "echo back >&2" &&
	test "$(ev out text stderr)" = back
'

test_expect_success 'timeout interrupts the command; the state stays' '
	start=$(now_ms) &&
	srun command "echo before; sleep 30; echo after" timeout =300 &&
	test $(($(now_ms) - start)) -lt 3000 &&
	test "$(ev out text stdout)" = before &&
	ev_is out error "CommandExecError 130 command timed out after 300 ms" &&
	v_kept
'

test_expect_success 'timeout ends a loop in the shell itself' '
	srun command "while :; do :; done" timeout =200 &&
	ev_is out error "CommandExecError 130 command timed out after 200 ms"
'

test_expect_success 'DELETE /command?id=SESSION interrupts the run only' '
	sse int.out "/session/$sid/run" command "sleep 30" &
	pid=$! &&
	wait_for 50 grep -q "\"type\":\"init\"" int.out &&
	call 200 DELETE "/command?id=$sid" &&
	wait $pid &&
	ev_is int.out error "CommandExecError 130 command exited with code 130" &&
	call 409 DELETE "/command?id=$sid" &&
	grep_q "session $sid is not running a command" body &&
	v_kept
'

test_expect_success 'a second run while one is going is 409' '
	sse slow.out "/session/$sid/run" command "sleep 0.5" &
	pid=$! &&
	wait_for 50 grep -q "\"type\":\"init\"" slow.out &&
	test "$(spost command true)" = 409 &&
	grep_q "session $sid is busy" body &&
	wait $pid &&
	test "$(ev slow.out types | tail -n 1)" = execution_complete
'

# session_free: the session takes a run again (./body holds its stream).
session_free() {
	test "$(spost command "echo \$v")" != 409
}

test_expect_success 'a client that goes away: its run stops at the next ping' '
	curl -sN -m 0.5 -o /dev/null -d "$(json command "sleep 30")" \
		"$EXECD_URL/session/$sid/run"
	wait_for 60 session_free &&
	test "$(ev body text stdout)" = 42
'

test_expect_success 'output of background jobs between runs never blocks them' '
	srun command "(sleep 0.2; head -c 300000 /dev/zero) &
echo \$! >job.pid" cwd "$TMP" &&
	t_wait_gone "$(cat job.pid)" 30
'

test_expect_success 'exit ends the run, not the shell: its state stays' '
	new_session cwd "$TMP/d" &&
	srun command "cd /; w=1; f() { echo f; }; echo bye; exit 3; echo not" &&
	ev_is out error "CommandExecError 3 command exited with code 3" &&
	test "$(ev out text stdout)" = bye &&
	test "$(ev out text stderr)" = "" &&
	srun command "pwd; echo w=\$w; f; (exit 4); echo \$?" &&
	printf "/\nw=1\nf\n4\n" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success 'a shell that does exit: the next run gets a new one' '
	new_session cwd "$TMP/d" &&
	srun command "cd /; w=1; builtin exit 3" &&
	ev_is out error "CommandExecError 3 command exited with code 3" &&
	srun command "pwd; echo w=\$w" &&
	printf "%s\nw=\n" "$TMP/d" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success 'POST /session with a cwd creates it' '
	new_session cwd "$TMP/new/deep" &&
	test -d "$TMP/new/deep" &&
	srun command pwd &&
	test "$(ev out text stdout)" = "$TMP/new/deep"
'

test_expect_success 'DELETE /session ends the shell and its jobs' '
	srun command "sleep 30 & echo \$! >$TMP/sjob.pid" &&
	kill -0 "$(cat sjob.pid)" &&
	call 200 DELETE "/session/$sid" &&
	test ! -s body &&
	t_wait_gone "$(cat sjob.pid)" 20 &&
	test "$(spost command true)" = 404
'

test_expect_success 'an unknown session: 404 CONTEXT_NOT_FOUND' '
	sid=nosuch &&
	test "$(spost command true)" = 404 &&
	error_is CONTEXT_NOT_FOUND "session nosuch not found" &&
	call 404 DELETE /session/nosuch &&
	grep_q "session nosuch not found" body
'

test_expect_success 'bad run bodies are 400' '
	new_session &&
	call 400 POST "/session/$sid/run" -d "{\"command\"" &&
	grep_q "invalid JSON" body &&
	test "$(spost)" = 400 &&
	grep_q "command.* is required" body &&
	test "$(spost command true timeout =-5)" = 400 &&
	grep_q "timeout.* must be a non-negative integer" body &&
	test "$(spost command true cwd "$TMP/none")" = 400 &&
	grep_q "working directory does not exist: $TMP/none" body
'

test_expect_success 'bad session bodies are 400' '
	call 400 POST /session -d "{\"cwd\"" &&
	error_is INVALID_REQUEST_BODY "invalid JSON" &&
	call 400 POST /session -d "$(json cwd =1)" &&
	grep_q "cwd.* must be a string" body &&
	: >"$TMP/f" &&
	call 400 POST /session -d "$(json cwd "$TMP/f/x")" &&
	grep_q "create working directory $TMP/f/x" body
'

test_expect_success 'SIGTERM to the daemon ends every session shell' '
	srun command "echo \$\$ >$TMP/shell.pid" &&
	kill -0 "$(cat shell.pid)" &&
	stop_execd &&
	t_wait_gone "$(cat shell.pid)" 20
'

test_done
