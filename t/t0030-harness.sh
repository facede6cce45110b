#!/usr/bin/env bash
# The test library itself: a script that runs too long is ended, a daemon
# that ignores SIGTERM fails its stop instead of hanging, prerequisites
# skip with their reason, and times are in milliseconds.
. "$(dirname "$0")/lib.sh"

# a_script BODY: a test script of its own in ./s.sh, sourcing lib.sh.
a_script() {
	printf '%s\n' "#!/usr/bin/env bash" ". \"$T_DIR/lib.sh\"" "$1" >s.sh
}

test_expect_success 'a script running past T_TIMEOUT bails out and ends' '
	a_script "sleep 30 & wait \$!; test_done" &&
	start=$(now_ms) &&
	T_TIMEOUT=1 bash s.sh >out 2>&1
	took=$(($(now_ms) - start)) &&
	say "ended after $took ms" &&
	grep_q "^Bail out! the script ran longer than 1 s$" out &&
	test "$took" -lt 5000
'

test_expect_success 'the watchdog is gone once a script ends' '
	a_script "echo \$T_WATCHDOG >$TMP/wd; test_done" &&
	bash s.sh >out 2>&1 &&
	wd=$(cat wd) && test -n "$wd" &&
	wait_for 20 t_gone "$wd"
'

test_expect_success 'stop_pid of a process that ignores SIGTERM fails, killing it' '
	(trap "" TERM; exec sleep 60) &
	pid=$!
	start=$(now_ms) &&
	! T_STOP_TENTHS=10 stop_pid "$pid" stubborn >out &&
	took=$(($(now_ms) - start)) &&
	grep_q "^stubborn ($pid) still running 1 s after SIGTERM: killed$" out &&
	t_gone "$pid" &&
	test "$took" -lt 3000
'

test_expect_success 'stop_pid of a process exiting nonzero fails, saying so' '
	perl -e "\$SIG{TERM} = sub { exit 3 }; open(F, \">ready\"); sleep 60" &
	pid=$!
	wait_for 50 test -e ready &&
	! stop_pid "$pid" three >out &&
	grep_q "^three ($pid) exited 3 after SIGTERM$" out
'

test_expect_success 'a test with a missing prerequisite is skipped with the reason' '
	a_script "have() { T_WHY=\"not here\"; return 1; }
test_expect_success ROOT \"needs it\" \"false\"
test_done" &&
	bash s.sh >out 2>&1 &&
	grep_q "^ok 1 # skip needs it (not here)$" out
'

test_expect_success 'require skips the whole script with the reason' '
	a_script "have() { T_WHY=\"no such thing\"; return 1; }
require NODE
test_expect_success \"never\" \"false\"
test_done" &&
	bash s.sh >out 2>&1 &&
	grep_q "^1..0 # SKIP no such thing$" out &&
	! grep -q never out
'

test_expect_success 'an unknown prerequisite bails out' '
	a_script "require NOSUCH" &&
	! bash s.sh >out 2>&1 &&
	grep_q "^Bail out! unknown prerequisite NOSUCH$" out
'

test_expect_success 'now_ms counts milliseconds' '
	a=$(now_ms) && sleep 0.2 && b=$(now_ms) &&
	test $((b - a)) -ge 190 && test $((b - a)) -lt 2000
'

test_done
