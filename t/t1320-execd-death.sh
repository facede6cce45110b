#!/usr/bin/env bash
# osb-execd killed outright (kill -9): the commands and session shells it
# started die with it, every process of their groups, within a second.
. "$(dirname "$0")/lib.sh"

# all_gone FILE: no pid listed in FILE is running.
all_gone() {
	local p
	for p in $(cat "$1"); do
		proc_gone "$p" || return 1
	done
}

# all_running FILE N: FILE lists N pids, each running.
all_running() {
	local p
	test "$(wc -l <"$1")" -eq "$2" || return 1
	for p in $(cat "$1"); do
		proc_gone "$p" && return 1
	done
	return 0
}

start_execd

test_expect_success 'a command, its background child and a session shell run' '
	call 200 POST /command -d "$(json command "echo \$\$ >$TMP/pids; sleep 300 & echo \$! >>$TMP/pids; wait" background =true)" &&
	wait_for 50 all_running pids 2 &&
	call 200 POST /session -d "{}" &&
	sid=$(json_get body session_id) &&
	sse out "/session/$sid/run" command "echo \$\$ >$TMP/shell" &&
	wait_for 50 all_running shell 1 &&
	cat shell >>pids &&
	ps --ppid "$EXECD_PID" -o pid=,comm= | awk "\$2 == \"osb-execd-guard\" {print \$1}" >guard &&
	all_running guard 1
'

test_expect_success 'kill -9 osb-execd: all of them are gone within a second' '
	kill -KILL "$EXECD_PID" &&
	wait_for 10 all_gone pids
'

test_expect_success 'the guard is gone too' '
	wait_for 10 all_gone guard
'

test_expect_success 'a clean stop leaves no guard behind' '
	start_execd &&
	ps --ppid "$EXECD_PID" -o pid=,comm= | awk "\$2 == \"osb-execd-guard\" {print \$1}" >guard &&
	all_running guard 1 &&
	stop_execd &&
	wait_for 10 all_gone guard
'

test_done
