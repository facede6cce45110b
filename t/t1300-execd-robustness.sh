#!/usr/bin/env bash
# osb-execd under strain: many and concurrent commands, clients that go
# away or stall, hostile query arguments and patterns, sessions whose
# shell dies or that are deleted at a bad moment; nothing may leak.
. "$(dirname "$0")/lib.sh"

# fds: how many descriptors osb-execd has open.
fds() {
	ls /proc/"$EXECD_PID"/fd | wc -l
}

# fds_are N: osb-execd has no more than N descriptors open (again); N
# may have been counted while an earlier request was still closing its.
fds_are() {
	test "$(fds)" -le "$1"
}

# no_zombies: osb-execd has reaped every child that ended.
no_zombies() {
	! ps --ppid "$EXECD_PID" -o stat= | grep -q Z
}

# threads_in WCHAN N: at least N threads of osb-execd wait in the kernel
# at a place whose name ends in WCHAN.
threads_in() {
	local f n=0
	for f in /proc/"$EXECD_PID"/task/*/wchan; do
		case $(cat "$f" 2>/dev/null) in
		*"$1") n=$((n + 1)) ;;
		esac
	done
	test $n -ge "$2"
}

# run_ok FILE: the stream in FILE ended with execution_complete.
run_ok() {
	sed -n "s/^data: //p" "$1" | tail -n 1 |
	grep -q "^{\"type\":\"execution_complete\""
}

# lazy_post PATH JSON: POST JSON to PATH over a connection with a small
# receive buffer, read nothing until ./go exists (20 s at most), then the
# whole reply (HTTP/1.0: no chunks) into ./lazy.out.
lazy_post() {
	perl -MSocket -e '
		my ($port, $path, $body) = @ARGV;
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
		connect($s, sockaddr_in($port, inet_aton("127.0.0.1")))
		    or die "connect: $!\n";
		syswrite($s, "POST $path HTTP/1.0\r\nContent-Type: " .
		    "application/json\r\nContent-Length: " . length($body) .
		    "\r\n\r\n$body");
		for (my $i = 0; $i < 200 && ! -e "go"; $i++) {
			select(undef, undef, undef, 0.1);
		}
		binmode STDOUT;
		print $_ while sysread($s, $_, 65536);' \
		"$EXECD_PORT" "$@" >lazy.out
}

# digits_out FILE: the stdout lines of the stream in FILE, which holds
# only lines of digits: read without a JSON parser, as many megabytes of
# it would take one written in Perl long.
digits_out() {
	perl -ne 'while (/"type":"stdout","text":"([0-9]*)"/g) {
		print "$1\n" }' "$1"
}

# progress_stalls: ./progress, which the command of the back-pressure
# test rewrites after each line, stays put for more than a second.
progress_stalls() {
	local p
	p=$(cat progress 2>/dev/null) && test -n "$p" &&
	sleep 1.2 &&
	test "$(cat progress)" = "$p"
}

start_execd

test_expect_success 'a NUL byte in a query argument is refused, not cut short' '
	mkdir -p victim/sub &&
	call 400 DELETE "/directories?path=$TMP/victim/%00x" &&
	error_is INVALID_REQUEST_BODY "parameter .path. holds a NUL byte" &&
	test -d victim/sub &&
	call 400 GET "/files/info?path=$TMP/victim&path=$TMP/x%00" &&
	call 400 GET "/files/download?pa%00th=$TMP/victim" &&
	error_is INVALID_REQUEST_BODY "query parameter .pa. holds"
'

test_expect_success 'bytes that are not UTF-8 in a path get a reply' '
	call 404 GET /command/status/%FF -m 5 &&
	error_is INVALID_REQUEST_BODY "command not found: $(printf "\357\277\275")" &&
	call 400 GET /command/%FF/logs -m 5 &&
	call 404 POST /session/%FF/run -m 5 -d "{\"command\":\"true\"}" &&
	error_is CONTEXT_NOT_FOUND "session $(printf "\357\277\275") not found" &&
	call 404 GET "/files/download?path=$TMP/%FF" -m 5 &&
	error_is FILE_NOT_FOUND "open $TMP/$(printf "\357\277\275"): no such file"
'

test_expect_success 'a long query gets an answer; past 64 KiB a 414' '
	long=$(head -c 41000 /dev/zero | tr "\\0" a) &&
	call 500 GET "/files/info?path=/$long" -m 5 &&
	error_is RUNTIME_ERROR "stat /a*\\.\\.\\.a*: file name too long" &&
	long=$(head -c 70000 /dev/zero | tr "\\0" a) &&
	call 414 GET "/files/info?path=/$long" -m 5 &&
	call 200 GET /ping -m 5
'

test_expect_success 'a file name that is not UTF-8 is listed as U+FFFD' '
	mkdir latin1 &&
	printf hi >"latin1/caf$(printf "\351")" &&
	call 200 GET "/files/info?path=$TMP/latin1/caf%E9" -m 5 &&
	grep_q "^{\"$TMP/latin1/caf$(printf "\357\277\275")\":{" body &&
	call 200 GET "/directories/list?path=$TMP/latin1" -m 5 &&
	grep_q "\"path\":\"$TMP/latin1/caf$(printf "\357\277\275")\"" body &&
	call 200 GET "/files/search?path=$TMP/latin1&pattern=caf*" -m 5 &&
	grep_q "latin1/caf$(printf "\357\277\275")" body
'

test_expect_success 'a pattern with too many groups is refused' '
	a64=$(printf "a%.0s" $(seq 64)) &&
	: >"$a64" &&
	p=$(printf "{a}%.0s" $(seq 65)) &&
	call 400 GET "/files/search?path=$TMP&pattern=$p" -g &&
	error_is INVALID_REQUEST_BODY "more than 64 groups" &&
	p=$(printf "{a}%.0s" $(seq 3000)) &&
	call 400 GET "/files/search?path=$TMP&pattern=$p" -g &&
	p=$(printf "!()%.0s" $(seq 3000)) &&
	call 400 GET "/files/search?path=$TMP&pattern=$p" -g &&
	p=$(printf "{a}%.0s" $(seq 64)) &&
	call 200 GET "/files/search?path=$TMP&pattern=$p" -g &&
	test "$(json_get body 0 path)" = "$TMP/$a64" &&
	call 200 GET /ping
'

test_expect_success '100 commands in a row: no descriptor or child left' '
	call 200 POST /command -d "{\"command\":\"true\"}" &&
	n=$(fds) &&
	for i in $(seq 100); do
		call 200 POST /command -d "{\"command\":\"echo $i\"}" &&
		grep -q "\"text\":\"$i\"" body || return 1
	done &&
	wait_for 100 fds_are "$n" &&
	no_zombies
'

test_expect_success '50 commands at once each get their own whole output' '
	pids= &&
	for i in $(seq 50); do
		sse "c$i.out" /command command "sleep 0.2; seq $i 5000" &
		pids="$pids $!"
	done &&
	for p in $pids; do
		wait "$p" || return 1
	done &&
	for i in $(seq 50); do
		seq $i 5000 >expect &&
		digits_out "c$i.out" >actual &&
		test_cmp expect actual && run_ok "c$i.out" || return 1
	done &&
	no_zombies
'

# idle_conns N: N more connections to osb-execd, held open by this shell
# (their descriptors added to $conns) until close_conns.
idle_conns() {
	local n c i
	n=$(fds) &&
	for i in $(seq "$1"); do
		exec {c}<>"/dev/tcp/127.0.0.1/$EXECD_PORT" || return 1
		conns="$conns $c"
	done &&
	wait_for 50 eval "test \$(fds) -ge $((n + $1))"
}

# close_conns N: close the connections idle_conns opened; osb-execd has N
# descriptors open again.
close_conns() {
	local c
	for c in $conns; do
		exec {c}>&-
	done
	conns=
	wait_for 50 fds_are "$1"
}

# Idle connections push the descriptors of each new command up, one at a
# time, past the numbers its child moves them to (0-2, 100-102).
test_expect_success 'a command gets its own fds whatever their numbers' '
	conns= &&
	n=$(fds) &&
	idle_conns $((93 - n)) || { close_conns "$n"; return 1; }
	for i in $(seq 10); do
		sse out /command command "cat; echo out; echo err >&2" &&
		test "$(ev out text stdout)" = out &&
		test "$(ev out text stderr)" = err &&
		run_ok out && idle_conns 1 || { close_conns "$n"; return 1; }
	done &&
	close_conns "$n"
'

test_expect_success 'a client gone mid-stream: the command ends, no leak' '
	n=$(fds) &&
	curl -sN -m 0.5 -d "$(json command "echo go; sleep 1; echo done")" \
		"$EXECD_URL/command" >gone.out
	test $? -eq 28 &&
	id=$(ev gone.out text init) &&
	call 200 GET "/command/status/$id" &&
	test "$(json_get body running)" = true &&
	wait_for 100 eval "api GET /command/status/$id >/dev/null &&
		test \"\$(json_get body running)\" = false" &&
	test "$(json_get body exit_code)" = 0 &&
	wait_for 100 fds_are "$n" &&
	no_zombies
'

test_expect_success 'uploads, downloads, failed requests: no descriptor left' '
	n=$(fds) &&
	head -c 300000 /dev/urandom >big &&
	for i in 1 2 3 4 5; do
		call 200 POST /files/upload \
			-F "metadata={\"path\":\"$TMP/up$i\"}" -F "file=@big" &&
		call 200 GET "/files/download?path=$TMP/up$i" &&
		call 206 GET "/files/download?path=$TMP/big" \
			-H "Range: bytes=5-" &&
		call 416 GET "/files/download?path=$TMP/big" \
			-H "Range: bytes=9-2" &&
		call 404 GET "/files/download?path=$TMP/none" &&
		call 400 POST /command -d "{bad" &&
		call 400 POST /files/upload -F "file=@big" || return 1
	done &&
	cmp big up5 &&
	wait_for 30 fds_are "$n" &&
	! ls -a | grep -q "\.osb-"
'

# 1500 lines of 8 KiB, the number of lines written so far in ./progress
LOOP='i=0; while [ $i -lt 1500 ]; do printf "%08191d\n" $i;'
LOOP="$LOOP"' echo $i >progress; i=$((i + 1)); done'

# The client reads nothing for a while: once the socket buffers and the
# queue are full, the command must wait (./progress stays put).
test_expect_success 'a stalled client holds its command up; no queue grows' '
	lazy_post /command "$(json command "$LOOP" cwd "$TMP")" &
	lazy=$! &&
	{ wait_for 30 progress_stalls && test "$(cat progress)" -lt 1499 ||
		{ : >go; wait "$lazy"; return 1; }; } &&
	: >go &&
	wait "$lazy" &&
	digits_out lazy.out >got &&
	test "$(wc -c <got)" -eq $((1500 * 8192)) &&
	test "$(tail -n 1 got)" = "$(printf "%08191d" 1499)" &&
	run_ok lazy.out
'

test_expect_success 'the daemon stops cleanly after all that' '
	stop_execd
'

# $EXECD_ENVS, a FIFO, holds the start of a new shell (the environment is
# read first) until this script writes to it: the session is deleted in
# between.
test_expect_success 'a session deleted while its shell starts gets none' '
	mkfifo envs &&
	EXECD_ENVS=$TMP/envs start_execd || return 1
	curl -s -X POST "$EXECD_URL/session" >sess.json &
	pid=$! &&
	: >envs &&
	wait "$pid" &&
	sid=$(json_get sess.json session_id) &&
	sse out "/session/$sid/run" command "kill -9 \$\$" &&
	ev_is out error "CommandExecError -1 signal: killed" &&
	wait_for 50 grep -q "session $sid: shell ended" "$TMP/execd.log" ||
	return 1
	curl -s -d "$(json command "echo hi")" \
		"$EXECD_URL/session/$sid/run" >out &
	pid=$! &&
	wait_for 50 threads_in wait_for_partner 1 &&
	call 200 DELETE "/session/$sid" &&
	: >envs &&
	wait "$pid" &&
	test "$(json_get out code)" = CONTEXT_NOT_FOUND &&
	! ps --ppid "$EXECD_PID" -o comm= | grep -q bash &&
	stop_execd
'

# The log is a pipe whose reader is stopped, filled with log lines of the
# most a line can be (2047 bytes, two to a page), so that the shell
# thread of a session, ending, blocks on its "shell ended" line: the next
# run comes while the session still looks as if it had that shell.
test_expect_success 'a run that comes as its shell dies gets a new shell' '
	mkfifo logpipe || return 1
	cat logpipe >>"$TMP/execd.log" &
	logcat=$! &&
	T_PIDS="$T_PIDS $logcat" &&
	EXECD_LOG_FILE=$TMP/logpipe start_execd &&
	call 200 POST /session &&
	sid=$(json_get body session_id) &&
	kill -STOP "$logcat" &&
	perl -e "print qq({\"$TMP/p\":{\"owner\":\"), q(x) x 2000, q(\"}})" \
		>perms.json || return 1
	fillers= &&
	for i in $(seq 40); do
		curl -s -o /dev/null -d @perms.json "$EXECD_URL/files/permissions" &
		fillers="$fillers $!"
	done &&
	wait_for 50 threads_in pipe_write 1 &&
	sse out "/session/$sid/run" command "kill -9 \$\$" &&
	ev_is out error "CommandExecError -1 signal: killed" || return 1
	curl -sN -m 10 -d "$(json command "echo hi")" \
		"$EXECD_URL/session/$sid/run" >out2 &
	run=$! &&
	wait_for 50 eval "grep -q init out2 || threads_in pipe_write 3" &&
	kill -CONT "$logcat" &&
	wait "$run" &&
	wait $fillers &&
	test "$(ev out2 text stdout)" = hi &&
	run_ok out2 &&
	stop_execd
'

test_done
