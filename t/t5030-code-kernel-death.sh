#!/usr/bin/env bash
# osb-execd when a kernel dies: killed mid-cell, silent on its heartbeat;
# the stream ends with an error saying so, the context is reported dead
# and can be deleted. No kernel outlives the daemon: stopped, or killed.
. "$(dirname "$0")/lib.sh"

require KERNEL
export TMPDIR=$TMP

# new_context: a python context; its id in $C, its kernel's pid in $K.
new_context() {
	call 200 POST /code/context -d '{"language":"python"}' &&
	C=$(json_get body id) &&
	run_in "import os; os.getpid()" &&
	K=$(sed -n 's/.*"results":{"text":"\([0-9]*\)"}.*/\1/p' out) &&
	test -n "$K"
}

# run_in CODE [FILE]: run CODE in context $C (20 s at most); stream in
# FILE (./out).
run_in() {
	curl -sN --max-time 20 -o "${2:-out}" \
		-d "$(json code "$1" context "={\"id\":\"$C\"}")" "$EXECD_URL/code"
}

# start_cell FILE CODE: run CODE in $C in the background (pid in
# $cell_pid), its stream in FILE; returns once it printed "started".
start_cell() {
	rm -f "$1"
	run_in "$2" "$1" &
	cell_pid=$!
	wait_for 100 grep -qs '"text":"started' "$1"
}

SLEEPER='print("started", flush=True)
import time
time.sleep(60)'

start_execd

test_expect_success 'a kernel killed mid-cell ends the stream with an error' '
	new_context &&
	start_cell cell "$SLEEPER" &&
	kill -KILL "$K" &&
	wait $cell_pid &&
	ev_is cell types init stdout error &&
	ev_is cell error "DeadKernelError the kernel died (signal: killed) "
'

test_expect_success 'the context is reported dead, saying why' '
	call 200 GET "/code/contexts/$C" &&
	test "$(json_get body state)" = dead &&
	test "$(json_get body error)" = "the kernel died (signal: killed)" &&
	call 200 GET /code/contexts &&
	test "$(json_get body 0 state)" = dead
'

test_expect_success 'a run in a dead context: 409 saying what to do' '
	call 409 POST /code -d "$(json code 1 context "={\"id\":\"$C\"}")" &&
	error_is RUNTIME_ERROR "context $C: the kernel died (signal: killed); delete it and create another" &&
	call 409 DELETE "/code?id=$C" &&
	error_is RUNTIME_ERROR "the kernel died"
'

test_expect_success 'a dead context can be deleted' '
	call 200 DELETE "/code/contexts/$C" &&
	call 404 GET "/code/contexts/$C"
'

test_expect_success 'cells queued behind the one running end with the error too' '
	new_context && start_cell cell "$SLEEPER" || return 1
	run_in "print(\"never\")" queued &
	q=$!
	wait_for 50 grep -q "\"type\":\"init\"" queued &&
	kill -KILL "$K" &&
	wait $cell_pid && wait $q &&
	ev_is queued types init error &&
	ev queued error | grep -q "^DeadKernelError the kernel died"
'

test_expect_success 'a dead default context gives way to a new one' '
	sse out /code code "import os; os.getpid()" context "={\"language\":\"python\"}" &&
	d=$(ev out text init) &&
	dk=$(sed -n "s/.*\"text\":\"\([0-9]*\)\"}.*/\1/p" out) &&
	kill -KILL "$dk" &&
	wait_for 50 eval "call 200 GET /code/contexts/$d && grep -q dead body" &&
	sse out /code code "1 + 1" context "={\"language\":\"python\"}" &&
	test "$(ev out text init)" != "$d" &&
	grep_q "\"text\":\"2\"" out
'

test_expect_success 'the daemon stops: every kernel with it, nothing left behind' '
	new_context && k1=$K &&
	new_context && k2=$K &&
	start_cell cell "$SLEEPER" &&
	stop_execd &&
	wait $cell_pid &&
	ev cell error | grep -q "^DeadKernelError the kernel was shut down" &&
	! kill -0 "$k1" 2>/dev/null && ! kill -0 "$k2" 2>/dev/null &&
	! ls -d "$TMP"/osb-kernel-* 2>/dev/null
'

export EXECD_KERNEL_HEARTBEAT_TIMEOUT=1s
start_execd

test_expect_success 'a kernel silent on its heartbeat is dead, and killed' '
	new_context &&
	start_cell cell "$SLEEPER" &&
	kill -STOP "$K" &&
	wait $cell_pid &&
	ev_is cell error "DeadKernelError the kernel did not answer its heartbeat for 1 s " &&
	t_wait_gone "$K" 50 &&
	call 200 GET "/code/contexts/$C" &&
	test "$(json_get body state)" = dead
'

test_expect_success 'a kernel dies with a daemon killed outright' '
	new_context &&
	kill -KILL "$EXECD_PID" &&
	t_wait_gone "$K" 50
'

test_done
