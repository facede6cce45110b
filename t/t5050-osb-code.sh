#!/usr/bin/env bash
# osb-code: runs (code from -c, a file, stdin), output streamed, results
# printed or saved, tracebacks and exit status, JSON lines; contexts
# created, listed, got and removed; interrupts; usage and server errors.
. "$(dirname "$0")/lib.sh"

require KERNEL
export TMPDIR=$TMP

LOOP='print("started", flush=True)
while True: pass'

start_execd
S=$EXECD_URL

test_expect_success 'run -c: state kept from one run to the next' '
	osb-code run "$S" -c "x = 6 * 7" >out &&
	! test -s out &&
	osb-code run "$S" -c "print(x)" >out &&
	echo 42 >expect && test_cmp expect out
'

test_expect_success 'a result'"'"'s text is printed, after the output' '
	osb-code run "$S" -c "print(\"out\"); x + 1" >out &&
	printf "out\n43\n" >expect && test_cmp expect out
'

test_expect_success 'stdout and stderr stay apart' '
	osb-code run "$S" -c "import sys; print(\"o\"); print(\"e\", file=sys.stderr)" \
		>out 2>err &&
	echo o >expect && test_cmp expect out &&
	echo e >expect && test_cmp expect err
'

test_expect_success 'output holding a NUL byte comes through whole, and what follows' '
	osb-code run "$S" -c "print(\"a\\x00b\"); print(\"after\")" >out 2>err &&
	printf "a\0b\nafter\n" >expect && cmp expect out &&
	! test -s err &&
	! grep -q "dropped" "$TMP/execd.log"
'

test_expect_success 'code from a file, from stdin, and from -' '
	printf "a = 1\nprint(a + 1)\n" >code.py &&
	osb-code run "$S" code.py >out && echo 2 >expect && test_cmp expect out &&
	echo "print(a + 2)" | osb-code run "$S" >out &&
	echo 3 >expect && test_cmp expect out &&
	echo "print(a + 3)" | osb-code run "$S" - >out &&
	echo 4 >expect && test_cmp expect out
'

test_expect_success 'an error: the traceback on stderr, without colours, exit 1' '
	expect_code 1 osb-code run "$S" -c "print(\"before\")
1 / 0" &&
	echo before >expect && test_cmp expect out &&
	grep_q "^ZeroDivisionError" err &&
	tail -n 1 err >last && echo "ZeroDivisionError: division by zero" >expect &&
	test_cmp expect last &&
	! grep -q "$(printf "\033")" err
'

test_expect_success 'display data: the text, and a note for what is not text' '
	expect_code 0 osb-code run "$S" -c "from IPython.display import display
display({\"image/png\": \"aGVsbG8A/w==\", \"text/plain\": \"<an image>\"}, raw=True)" &&
	echo "<an image>" >expect && test_cmp expect out &&
	echo "osb-code: image/png result not shown (--save-dir DIR saves it)" >expect &&
	test_cmp expect err
'

test_expect_success '--save-dir: images decoded into files, their names printed' '
	osb-code run "$S" --save-dir saved -c "from IPython.display import display
display({\"image/png\": \"aGVsbG8A/w==\", \"text/plain\": \"<an image>\"}, raw=True)
display({\"image/svg+xml\": \"<svg/>\", \"application/json\": {\"a\": 1}}, raw=True)" >out &&
	printf "<an image>\nsaved/result-1.png\nsaved/result-2.svg\nsaved/result-3.json\n" >expect &&
	test_cmp expect out &&
	printf "hello\000\377" >expect && cmp expect saved/result-1.png &&
	printf "<svg/>" >expect && cmp expect saved/result-2.svg &&
	grep_q "\"a\": 1" saved/result-3.json
'

test_expect_success '--save-dir: files already there are not overwritten' '
	osb-code run "$S" --save-dir saved -c "from IPython.display import display
display({\"image/png\": \"AAEC\"}, raw=True)" >out &&
	echo saved/result-2.png >expect && test_cmp expect out &&
	printf "\000\001\002" >expect && cmp expect saved/result-2.png &&
	printf "hello\000\377" >expect && cmp expect saved/result-1.png
'

test_expect_success '--save-dir that cannot be made: exit 1 before running' '
	: >afile &&
	expect_code 1 osb-code run "$S" --save-dir afile -c "print(1)" &&
	stderr_is "osb-code: --save-dir afile: not a directory" &&
	! test -s out
'

test_expect_success '-o json: the events as JSON lines' '
	osb-code -o json run "$S" -c "print(1); 2" >out &&
	test "$(head -n 1 out | json_get /dev/stdin type)" = init &&
	test "$(sed -n 2p out | json_get /dev/stdin text)" = 1 &&
	test "$(sed -n 3p out | json_get /dev/stdin type)" = execution_count &&
	test "$(sed -n 4p out | json_get /dev/stdin results text)" = 2 &&
	test "$(tail -n 1 out | json_get /dev/stdin type)" = execution_complete
'

test_expect_success 'context create, and a run in it, apart from the default' '
	c=$(osb-code context create "$S") &&
	echo "$c" | grep -qE "^[0-9a-f]{32}$" &&
	expect_code 1 osb-code run "$S" --context "$c" -c "x" &&
	grep_q "^NameError: name .x. is not defined" err &&
	osb-code run "$S" --context "$c" -c "x = \"mine\"" &&
	osb-code run "$S" -c "x" >out && echo 42 >expect && test_cmp expect out
'

test_expect_success 'context create -o json: the whole context' '
	osb-code -o json context create "$S" --cwd "$TMP/wd" >out &&
	test "$(json_get out language)" = python &&
	test "$(json_get out cwd)" = "$TMP/wd" &&
	test -d "$TMP/wd"
'

test_expect_success 'context list: a table, -q ids, -o json, -l filters' '
	osb-code context list "$S" >out &&
	head -n 1 out | grep -q "^ID  *LANGUAGE  *STATE$" &&
	test "$(wc -l <out)" = 4 &&
	grep_q "^$c  *python  *idle$" out &&
	osb-code -q context ls "$S" >ids &&
	test "$(wc -l <ids)" = 3 && grep_q "^$c$" ids &&
	osb-code -o json context list "$S" >out &&
	test "$(json_get out)" = 3 &&
	osb-code context list "$S" -l bash >out && test "$(wc -l <out)" = 1
'

test_expect_success 'context get: one context' '
	osb-code context get "$S" "$c" >out &&
	printf "ID        %s\nLANGUAGE  python\nSTATE     idle\n" "$c" >expect &&
	test_cmp expect out &&
	osb-code -o json context get "$S" "$c" >out &&
	test "$(json_get out id)" = "$c"
'

test_expect_success 'bash: -l bash keeps its state' '
	osb-code run "$S" -l bash -c "B=bee; cd /" &&
	osb-code run "$S" -l bash -c "echo \$B; pwd" >out &&
	printf "bee\n/\n" >expect && test_cmp expect out &&
	expect_code 1 osb-code run "$S" -l bash -c "exit 3" &&
	stderr_is "command exited with code 3"
'

test_expect_success 'interrupt: a running cell ends with KeyboardInterrupt' '
	osb-code run "$S" --context "$c" -c "$LOOP" >loop.out 2>loop.err &
	p=$!
	wait_for 100 grep -qs started loop.out &&
	osb-code interrupt "$S" "$c" &&
	{ wait $p; test $? = 1; } &&
	grep_q "^KeyboardInterrupt" loop.err
'

test_expect_success 'SIGINT to run interrupts the cell, exits 130' '
	osb-code run "$S" --context "$c" -c "$LOOP" >loop.out 2>loop.err &
	p=$!
	wait_for 100 grep -qs started loop.out &&
	kill -INT $p &&
	{ wait $p; test $? = 130; } &&
	grep_q "^KeyboardInterrupt" loop.err &&
	osb-code run "$S" --context "$c" -c "x" >out &&
	echo "'"'"'mine'"'"'" >expect && test_cmp expect out
'

test_expect_success 'context rm: by id; gone afterwards' '
	osb-code context rm "$S" "$c" &&
	expect_code 1 osb-code context get "$S" "$c" &&
	stderr_is "osb-code: context $c not found (404 CONTEXT_NOT_FOUND)" &&
	expect_code 1 osb-code context rm "$S" "$c" &&
	stderr_is "osb-code: delete context $c: context $c not found (404 CONTEXT_NOT_FOUND)"
'

test_expect_success 'context rm --all -l LANG: that language'"'"'s; --all: every one' '
	osb-code context create "$S" -l bash >/dev/null &&
	osb-code context rm --all -l python "$S" &&
	osb-code -q context list "$S" -l python >out && ! test -s out &&
	osb-code -q context list "$S" >out && test -s out &&
	osb-code context rm --all "$S" &&
	osb-code -q context list "$S" >out && ! test -s out
'

test_expect_success 'an unknown language: exit 1 naming those there are' '
	expect_code 1 osb-code run "$S" -l cobol -c 1 &&
	stderr_is "osb-code: run: unsupported language '"'"'cobol'"'"': this execd runs bash, python (400 INVALID_REQUEST_BODY)"
'

test_expect_success 'an unknown context: exit 1' '
	expect_code 1 osb-code run "$S" --context nosuch -c 1 &&
	stderr_is "osb-code: run: context nosuch not found (404 CONTEXT_NOT_FOUND)" &&
	expect_code 1 osb-code interrupt "$S" nosuch &&
	grep_q "nosuch" err
'

test_expect_success 'a file that is not there: exit 1' '
	expect_code 1 osb-code run "$S" no-such-file.py &&
	stderr_is "osb-code: no-such-file.py: No such file or directory"
'

test_expect_success 'usage errors exit 2' '
	expect_code 2 osb-code &&
	grep_q "missing command" err &&
	expect_code 2 osb-code frob "$S" &&
	grep_q "unknown command '"'"'frob'"'"'" err &&
	expect_code 2 osb-code context &&
	expect_code 2 osb-code context frob "$S" &&
	grep_q "context: unknown command '"'"'frob'"'"'" err &&
	expect_code 2 osb-code run &&
	grep_q "run: missing SANDBOX" err &&
	expect_code 2 osb-code run "$S" -c 1 code.py &&
	grep_q "give one" err &&
	expect_code 2 osb-code context get "$S" &&
	grep_q "context get: missing ID" err &&
	expect_code 2 osb-code context get "$S" a b &&
	grep_q "too many operands" err &&
	expect_code 2 osb-code interrupt "$S" &&
	grep_q "interrupt: missing CONTEXT" err &&
	expect_code 2 osb-code context rm "$S" &&
	expect_code 2 osb-code context rm --all "$S" x &&
	expect_code 2 osb-code context rm -l python "$S" x &&
	grep_q "goes with --all" err &&
	expect_code 2 osb-code context list "$S" --save-dir d &&
	grep_q "save-dir does not apply" err &&
	expect_code 2 osb-code run "$S" --bogus
'

test_expect_success '--help names the commands; --version' '
	osb-code --help >out &&
	grep_q "osb-code \[options\] context create SANDBOX" out &&
	grep_q "save-dir DIR" out &&
	osb-code --version >out && grep_q "^osb-code " out
'

test_expect_success 'a server that is not there: exit 1 naming it' '
	port=$(free_port) &&
	expect_code 1 osb-code run "http://127.0.0.1:$port" -c 1 &&
	grep_q "127.0.0.1:$port" err
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

start_execd --access-token sekrit
S=$EXECD_URL

test_expect_success 'a token the daemon wants: asked for, then given' '
	expect_code 1 osb-code run "$S" -c 1 &&
	grep_q "401 UNAUTHORIZED" err &&
	grep_q "wants an access token: give it with --execd-token" err &&
	osb-code run "$S" --execd-token sekrit -c "6 * 7" >out &&
	echo 42 >expect && test_cmp expect out &&
	OSB_EXECD_TOKEN=sekrit osb-code context list "$S" >out &&
	grep_q python out
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
