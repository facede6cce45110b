#!/usr/bin/env bash
# osb-execd POST /command in the foreground: events, output, cwd, envs,
# timeout, credentials and bad requests.
. "$(dirname "$0")/lib.sh"

# run KEY VALUE...: POST /command with json KEY VALUE...; the stream in
# ./out, the headers in ./headers.
run() {
	sse out /command "$@"
}

# post KEY VALUE...: POST /command, the status printed, the reply in ./body.
post() {
	api POST /command -d "$(json "$@")"
}

start_execd

test_expect_success 'events: init (the id), stdout, execution_complete' '
	run command "echo hello" &&
	grep_q "^Content-Type: text/event-stream" headers &&
	ev_is out runs init stdout execution_complete &&
	ev out text init | grep -qE "^[0-9a-f]{32}$" &&
	test "$(ev out text stdout)" = hello &&
	ev out field execution_time | grep -qE "^[0-9]+$" &&
	test "$(ev out field timestamp | wc -l)" -eq 3 &&
	test "$(grep -c "^data: {" out)" -eq 3
'

test_expect_success 'stdout and stderr are separate events' '
	run command "echo out; echo err >&2" &&
	test "$(ev out text stdout)" = out &&
	test "$(ev out text stderr)" = err
'

test_expect_success 'a non-zero exit: error with the status, no complete' '
	run command "echo partial; exit 3" &&
	ev_is out runs init stdout error &&
	ev_is out error "CommandExecError 3 exit status 3"
'

test_expect_success 'killed by a signal: evalue -1, the signal named' '
	run command "kill -TERM \$\$" &&
	ev_is out error "CommandExecError -1 signal: terminated"
'

test_expect_success 'output streams as it is written, not at the end' '
	sse live /command command "echo a; sleep 1; echo b" &
	pid=$! &&
	sleep 0.5 &&
	test "$(ev live text stdout)" = a &&
	wait $pid &&
	printf "a\nb\n" >expect &&
	ev live text stdout >actual && test_cmp expect actual
'

test_expect_success 'text is UTF-8: split sequences joined, bad bytes U+FFFD' '
	run command "printf \"\\303\"; sleep 0.2; printf \"\\251 ok \\377\"" &&
	printf "\303\251 ok \357\277\275\n" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success 'large output arrives whole' '
	run command "head -c 300000 /dev/zero | tr \"\\0\" a" &&
	test "$(ev out raw stdout | wc -c)" -eq 300000 &&
	test "$(ev out types | grep -c stdout)" -eq 1 &&
	test "$(ev out types | tail -n 1)" = execution_complete
'

test_expect_success 'cwd sets the working directory' '
	mkdir -p "$TMP/wd" &&
	run command pwd cwd "$TMP/wd" &&
	test "$(ev out text stdout)" = "$TMP/wd"
'

test_expect_success 'cwd: ~ and $VAR are expanded, envs included' '
	run command pwd cwd "~" &&
	test "$(ev out text stdout)" = "$HOME" &&
	run command pwd cwd "\$D/wd" envs "={\"D\":\"$TMP\"}" &&
	test "$(ev out text stdout)" = "$TMP/wd"
'

test_expect_success 'a missing or non-directory cwd is 400 before any event' '
	test "$(post command true cwd "$TMP/none")" = 400 &&
	error_is INVALID_REQUEST_BODY "working directory does not exist: $TMP/none" &&
	: >"$TMP/file" &&
	test "$(post command true cwd "$TMP/file")" = 400 &&
	grep_q "working directory path is not a directory: $TMP/file" body &&
	test "$(post command true cwd "\$NOPE_X")" = 400 &&
	grep_q "undefined environment variable: NOPE_X" body
'

test_expect_success 'envs are added to the daemon environment' '
	run command "echo \$FOO-\$HOME" envs "={\"FOO\":\"bar baz\"}" &&
	test "$(ev out text stdout)" = "bar baz-$HOME"
'

test_expect_success 'stdin is /dev/null' '
	run command "cat; echo done" &&
	test "$(ev out text stdout)" = done
'

test_expect_success 'timeout kills the command and everything in its group' '
	start=$(now_ms) &&
	run command "(sleep 30; echo never) & echo \$! >gc.pid; sleep 30" \
		cwd "$TMP" timeout =300 &&
	test $(($(now_ms) - start)) -lt 5000 &&
	ev_is out error "CommandExecError -1 signal: killed" &&
	t_wait_gone "$(cat gc.pid)" 20
'

test_expect_success 'what it leaves running does not hold the stream' '
	start=$(now_ms) &&
	run command "sleep 5 & echo \$! >left.pid; echo done" cwd "$TMP" &&
	test $(($(now_ms) - start)) -lt 3000 &&
	test "$(ev out text stdout)" = done &&
	test "$(ev out types | tail -n 1)" = execution_complete &&
	kill -0 "$(cat left.pid)" &&
	kill "$(cat left.pid)"
'

test_expect_success 'malformed JSON is 400 INVALID_REQUEST_BODY' '
	call 400 POST /command -d "{\"command\":" &&
	error_is INVALID_REQUEST_BODY "invalid JSON" &&
	call 400 POST /command &&
	grep_q "empty body" body
'

test_expect_success 'a missing, empty or non-string command is 400' '
	test "$(post)" = 400 &&
	grep_q "invalid request: \\\\\"command\\\\\" is required" body &&
	test "$(post command "")" = 400 &&
	grep_q "\\\\\"command\\\\\" is required" body &&
	test "$(post command =5)" = 400 &&
	grep_q "\\\\\"command\\\\\" is required" body &&
	call 400 POST /command -d "[1]" &&
	grep_q "the body must be a JSON object" body
'

test_expect_success 'fields of the wrong type are 400, naming the field' '
	(for f in "background =\"yes\"" "timeout =-1" "timeout =1.5" \
		"uid =-1" "uid =\"0\"" "gid =4294967296" "cwd =7" \
		"envs =[1]" "envs ={\"A\":1}" "envs ={\"A=B\":\"x\"}"; do
		test "$(post command true $f)" = 400 &&
		grep_q "invalid request: \\\\\"${f%% *}\\\\\"" body ||
		{ echo "for $f"; exit 1; }
	done)
'

test_expect_success 'gid without uid is 400' '
	test "$(post command id gid =0)" = 400 &&
	grep_q "uid is required when gid is provided" body
'

test_expect_success ROOT 'uid runs as that user, with its groups' '
	run command "id -u; id -g" uid =65534 &&
	printf "65534\n%s\n" "$(id -g nobody)" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success ROOT 'gid with uid sets the group' '
	run command "id -u; id -g" uid =65534 gid =100 &&
	printf "65534\n100\n" >expect &&
	ev out text stdout >actual && test_cmp expect actual
'

test_expect_success ROOT 'cannot start: init, then an error saying why' '
	chmod 700 "$TMP" && mkdir -p "$TMP/private" &&
	run command true uid =65534 cwd "$TMP/private" &&
	ev_is out runs init error &&
	why="chdir $TMP/private: Permission denied" &&
	ev_is out error "CommandExecError $why $why" &&
	call 200 GET "/command/status/$(ev out text init)" &&
	grep_q "\"exit_code\":255" body
'

test_expect_success 'a slow command gets keep-alive pings every 3 s' '
	run command "sleep 3.3" &&
	ev_is out runs init ping execution_complete &&
	grep_q "\"text\":\"pong\"" out
'

test_expect_success 'EXECD_ENVS: variables from a file, request envs win' '
	stop_execd &&
	printf "# comment\nFROM_FILE=one\nBOTH=file\n\nEXPANDED=\$HOME/x\n" \
		>"$TMP/envs" &&
	EXECD_ENVS=$TMP/envs start_execd &&
	run command "echo \$FROM_FILE \$BOTH \$EXPANDED" \
		envs "={\"BOTH\":\"req\"}" &&
	test "$(ev out text stdout)" = "one req $HOME/x"
'

test_done
