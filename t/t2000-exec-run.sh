#!/usr/bin/env bash
# osb-exec in the foreground: output byte for byte, exit status, quoting,
# options that shape the command, JSON lines.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL

test_expect_success 'stdout arrives, exit 0' '
	osb-exec "$S" -- echo hello >out &&
	echo hello >expect && test_cmp expect out
'

test_expect_success 'the remote exit status is ours' '
	expect_code 3 osb-exec "$S" "exit 3" &&
	expect_code 1 osb-exec "$S" -- false &&
	expect_code 255 osb-exec "$S" "exit 255" &&
	! test -s err
'

test_expect_success '127 for a command that is not there, as a shell says' '
	expect_code 127 osb-exec "$S" -- no-such-command-osb &&
	grep_q "no-such-command-osb" err
'

test_expect_success '126 for a command that cannot be executed' '
	printf "echo x\n" >"$TMP/noexec" && chmod 644 "$TMP/noexec" &&
	expect_code 126 osb-exec "$S" -- "$TMP/noexec"
'

test_expect_success 'a command killed by a signal exits 128+N' '
	expect_code 143 osb-exec "$S" "kill -TERM \$\$" &&
	expect_code 137 osb-exec "$S" "kill -KILL \$\$"
'

test_expect_success 'stdout and stderr stay apart, byte for byte' '
	osb-exec "$S" "printf \"o1\\n\"; printf \"e1\" >&2; printf \"o2\"" \
		>out 2>err &&
	printf "o1\no2" >expect && test_cmp expect out &&
	printf "e1" >expect && test_cmp expect err
'

test_expect_success 'control bytes, NUL and UTF-8 pass through, no newline added' '
	osb-exec "$S" "printf \"a\\000b\\001\\tc\\342\\202\\254\"" >out &&
	printf "a\000b\001\tc\342\202\254" >expect &&
	cmp expect out
'

test_expect_success 'large output arrives whole' '
	osb-exec "$S" "seq 1 200000" >out &&
	seq 1 200000 >expect && cmp expect out
'

test_expect_success 'one argument is a shell command line: pipes, ; and $' '
	osb-exec "$S" "echo b a | tr \" \" \"\\n\" | sort; echo \$((6*7))" >out &&
	printf "a\nb\n42\n" >expect && test_cmp expect out
'

test_expect_success 'several arguments arrive as the same words' '
	osb-exec "$S" -- printf "[%s]\n" "a b" "it'\''s" "\$HOME" "*" "" \
		"x;y|z" "new
line" >out &&
	printf "[a b]\n[it'\''s]\n[\$HOME]\n[*]\n[]\n[x;y|z]\n[new\nline]\n" \
		>expect &&
	test_cmp expect out
'

test_expect_success 'without --, the command still starts at its first word' '
	osb-exec "$S" ls -d / >out &&
	echo / >expect && test_cmp expect out
'

test_expect_success 'the run subcommand means the same' '
	osb-exec run "$S" -- echo via run >out &&
	echo via run >expect && test_cmp expect out
'

test_expect_success 'options of the command are not ours' '
	osb-exec "$S" ls -a -d -o / >out 2>err &&
	grep_q "/" out
'

test_expect_success '-e sets variables, repeatable; values keep = and spaces' '
	osb-exec -e A=1 -e "B=x = y" "$S" "echo \$A-\$B" >out &&
	echo "1-x = y" >expect && test_cmp expect out &&
	osb-exec "$S" -e A=2 -- "echo \$A" >out &&
	echo 2 >expect && test_cmp expect out
'

test_expect_success '-w sets the working directory' '
	mkdir -p "$TMP/wd" &&
	osb-exec -w "$TMP/wd" "$S" pwd >out &&
	echo "$TMP/wd" >expect && test_cmp expect out &&
	osb-exec --workdir="$TMP/wd" "$S" pwd >out && test_cmp expect out
'

test_expect_success '-w to a missing directory: the server says so, exit 125' '
	expect_code 125 osb-exec -w "$TMP/none" "$S" pwd &&
	stderr_is "osb-exec: run: invalid request: working directory does not exist: $TMP/none (400 INVALID_REQUEST_BODY)"
'

test_expect_success '-t kills a command that runs too long: said, exit 124' '
	start=$(now_ms) &&
	expect_code 124 osb-exec -t 300ms "$S" "sleep 10" &&
	stderr_is "osb-exec: the command timed out after 300ms" &&
	test $(($(now_ms) - start)) -lt 5000 &&
	osb-exec -t 10s "$S" "echo in time" >out &&
	echo "in time" >expect && test_cmp expect out &&
	osb-exec -t none "$S" true
'

test_expect_success '-u runs as that user' '
	if [ "$(id -u)" = 0 ]; then
		osb-exec -u 65534 "$S" "id -u" >out &&
		echo 65534 >expect && test_cmp expect out &&
		osb-exec -u 65534:100 "$S" "id -g" >out &&
		echo 100 >expect && test_cmp expect out
	else
		osb-exec -u "$(id -u):$(id -g)" "$S" "id -u" >out &&
		id -u >expect && test_cmp expect out
	fi
'

test_expect_success 'stdin is not read, the command gets none' '
	echo never | osb-exec "$S" "cat; echo done" >out &&
	echo done >expect && test_cmp expect out
'

test_expect_success '-o json: the events as JSON lines, the status still ours' '
	expect_code 4 osb-exec -o json "$S" "echo hi; exit 4" &&
	test "$(wc -l <out)" -eq 3 &&
	sed -n 1p out | grep_q "^{\"type\":\"init\",\"text\":\"[0-9a-f]*\"" - &&
	sed -n 2p out | grep_q "^{\"type\":\"stdout\",\"text\":\"hi\\\\n\"" - &&
	sed -n 3p out | grep_q "^{\"type\":\"error\",\"error\":{\"ename\":\"CommandExecError\",\"evalue\":\"4\"" -
'

test_expect_success 'output shows up while the command runs' '
	osb-exec "$S" "echo first; sleep 2; echo second" >live &
	pid=$! &&
	wait_for 15 test -s live &&
	echo first >expect && test_cmp expect live &&
	wait $pid &&
	printf "first\nsecond\n" >expect && test_cmp expect live
'

test_expect_success 'Ctrl-C interrupts the remote command, exit 130' '
	osb-exec "$S" "trap \"echo got INT; exit 9\" INT; echo \$\$ >$TMP/sh.pid; sleep 30 & wait" >out &
	pid=$! &&
	wait_for 30 test -s "$TMP/sh.pid" &&
	kill -INT $pid &&
	t_wait_gone $pid 50 &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 130 &&
	echo "got INT" >expect && test_cmp expect out &&
	t_wait_gone "$(cat "$TMP/sh.pid")" 50
'

test_expect_success 'a reader that goes away stops the remote command' '
	osb-exec "$S" "echo \$\$ >$TMP/yes.pid; exec yes" | head -n 2 >out &&
	printf "y\ny\n" >expect && test_cmp expect out &&
	t_wait_gone "$(cat "$TMP/yes.pid")" 50
'

test_expect_success 'the daemon stopping mid-command: the command is ended, 143' '
	start_execd --graceful-shutdown-timeout 300ms || return 1
	osb-exec "$EXECD_URL" -- "echo go; sleep 30" >stop.out 2>stop.err &
	pid=$! &&
	wait_for 30 test -s stop.out &&
	stop_execd &&
	{ wait $pid; rc=$?; } && test $rc -eq 143 &&
	echo go >expect && test_cmp expect stop.out &&
	test ! -s stop.err
'

test_expect_success 'the server dying mid-command: 125, naming it' '
	start_execd || return 1
	osb-exec "$EXECD_URL" -- "echo \$\$ >$TMP/gone.pid; echo go; exec sleep 30" \
		>gone.out 2>gone.err &
	pid=$! &&
	wait_for 30 test -s gone.out &&
	kill -KILL $EXECD_PID &&
	{ wait $pid; rc=$?; } &&
	kill -KILL -$(cat gone.pid) &&
	test $rc -eq 125 &&
	echo go >expect && test_cmp expect gone.out &&
	echo "osb-exec: $EXECD_URL: the sandbox or its execd went away before the command ended" >expect &&
	test_cmp expect gone.err
'

test_done
