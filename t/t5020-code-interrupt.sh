#!/usr/bin/env bash
# osb-execd DELETE /code?id=: a running cell interrupted ends its stream
# with KeyboardInterrupt and the context lives on; a client that goes away
# interrupts its cell; bad and unknown ids.
. "$(dirname "$0")/lib.sh"

require KERNEL
export TMPDIR=$TMP

LOOP='print("started", flush=True)
while True: pass'

# start_cell FILE CODE: run CODE in context $C in the background, its
# stream in FILE, curl's pid in $cell_pid; returns once it has started
# (printed "started").
start_cell() {
	rm -f "$1"
	curl -sN --max-time 30 -o "$1" -d "$(json code "$2" context "={\"id\":\"$C\"}")" \
		"$EXECD_URL/code" &
	cell_pid=$!
	wait_for 100 grep -qs '"text":"started' "$1"
}

# run_in CODE: run CODE in context $C (10 s at most); stream in ./out.
run_in() {
	curl -sN --max-time 10 -o out -d "$(json code "$1" context "={\"id\":\"$C\"}")" \
		"$EXECD_URL/code"
}

start_execd
call 200 POST /code/context -d '{"language":"python"}' &&
C=$(json_get body id) || { echo "Bail out! no context"; exit 1; }

test_expect_success 'an endless cell is interrupted: KeyboardInterrupt ends its stream' '
	run_in "kept = 1" &&
	start_cell loop "$LOOP" &&
	call 200 DELETE "/code?id=$C" &&
	! test -s body &&
	wait $cell_pid &&
	ev_is loop types init stdout status error &&
	ev loop error | grep -q "^KeyboardInterrupt "
'

test_expect_success 'the context lives on, its state kept' '
	run_in "kept + 1" &&
	grep_q "\"text\":\"2\"" out &&
	test "$(ev out types | tail -n 1)" = execution_complete
'

test_expect_success 'a cell waiting behind the interrupted one runs after it' '
	start_cell loop "$LOOP" || return 1
	curl -sN --max-time 30 -o queued \
		-d "$(json code "print(\"queued\")" context "={\"id\":\"$C\"}")" \
		"$EXECD_URL/code" &
	q=$!
	wait_for 50 grep -q "\"type\":\"init\"" queued &&
	call 200 DELETE "/code?id=$C" &&
	wait $cell_pid && wait $q &&
	ev loop error | grep -q "^KeyboardInterrupt " &&
	test "$(ev queued text stdout)" = queued
'

test_expect_success 'an interrupt when nothing runs does nothing' '
	call 200 DELETE "/code?id=$C" &&
	run_in "kept" && grep_q "\"text\":\"1\"" out
'

test_expect_success 'a client that goes away interrupts its cell' '
	start_cell gone "$LOOP" &&
	kill $cell_pid && { wait $cell_pid || :; } &&
	run_in "\"after\"" &&
	grep_q "\"text\":\"'"'"'after'"'"'\"" out &&
	grep_q "context $C: interrupting the kernel" "$TMP/execd.log"
'

test_expect_success 'DELETE /code without an id: 400' '
	call 400 DELETE /code &&
	error_is MISSING_QUERY "missing query parameter '"'"'id'"'"'" &&
	call 400 DELETE "/code?id=" &&
	error_is MISSING_QUERY "id"
'

test_expect_success 'an id that is no context nor command: 404' '
	call 404 DELETE "/code?id=nosuchcontext" &&
	grep_q "nosuchcontext" body
'

test_expect_success 'a shell command is interrupted through /code too' '
	curl -sN --max-time 30 -o cmd -d "{\"command\":\"echo started; sleep 20\"}" \
		"$EXECD_URL/command" &
	p=$!
	wait_for 100 grep -q "\"text\":\"started" cmd &&
	id=$(ev cmd text init) &&
	call 200 DELETE "/code?id=$id" &&
	wait $p &&
	test "$(ev cmd types | tail -n 1)" = error
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
