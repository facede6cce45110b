#!/usr/bin/env bash
# osb-exec -i, -t, -it: stdin forwarded until its end (binary, big), and
# a real terminal (tmux) driving -it: keys, screen, resize, Ctrl-C, TERM,
# the exit status, and our terminal as it was afterwards.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || skip_all "no tmux"

# tmux on a socket of this script's own, no configuration read.
TMUX_SOCK=$TMP/tmux.sock
tm() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT

start_execd
S=$EXECD_URL

test_expect_success '-i: stdin to the command until its end' '
	printf "b\na\n" | osb-exec -i "$S" -- sort >out &&
	printf "a\nb\n" >expect && test_cmp expect out
'

test_expect_success '-i: 10 MB of random bytes arrive whole (sha256)' '
	head -c 10485760 /dev/urandom >rand &&
	osb-exec -i "$S" -- sha256sum <rand >out &&
	sha256sum <rand >expect && test_cmp expect out &&
	osb-exec -i "$S" -- cat <rand >back && cmp rand back
'

test_expect_success '-i: a tar stream unpacks there' '
	mkdir -p src/sub dst && printf "x\0y" >src/sub/bin && echo t >src/t &&
	tar -C src -c . | osb-exec -i "$S" -- tar -x -C "$TMP/dst" &&
	diff -r src dst
'

test_expect_success '-i: stderr apart, the exit status, -e and -w' '
	mkdir -p wd &&
	echo in | expect_code 4 osb-exec -i -e K=v -w "$TMP/wd" "$S" -- \
		"cat; echo \$K \$PWD >&2; exit 4" &&
	echo in >expect && test_cmp expect out &&
	echo "v $TMP/wd" >expect && test_cmp expect err
'

test_expect_success '-i: a command that reads little still gives its status' '
	head -c 20000000 /dev/zero |
		expect_code 5 osb-exec -i "$S" -- "head -c 10 >/dev/null; exit 5" &&
	! test -s err
'

test_expect_success '-i: our output going away ends the command there (141)' '
	osb-exec -i "$S" -- "echo \$\$ >\"$TMP/pid\"; yes" </dev/null |
		head -n 1 >out
	test "${PIPESTATUS[0]}" = 141 && test "$(cat out)" = y &&
	wait_for 50 eval "! kill -0 \$(cat pid) 2>/dev/null"
'

test_expect_success 'without -i, stdin is not read' '
	echo unread | osb-exec "$S" -- cat >out &&
	! test -s out
'

test_expect_success '-t alone: a terminal there, stdin not read, the status ours' '
	echo unread | expect_code 3 osb-exec -t "$S" -- "tty; exit 3" &&
	grep_q "^/dev/pts/[0-9]*.\$" out &&
	! grep -q unread out
'

test_expect_success '-it wants a terminal here' '
	expect_code 125 osb-exec -it "$S" -- true </dev/null &&
	stderr_is "osb-exec: -it: the input is not a terminal (use -i alone for a pipe or a file)"
'

test_expect_success '-i and -t take only -w and -e' '
	expect_code 2 osb-exec -i -d "$S" true &&
	grep_q "^osb-exec: run: -d/--background does not apply with -i or -t$" err &&
	expect_code 2 osb-exec -t -u 1 "$S" true &&
	grep_q "^osb-exec: run: -u/--user does not apply with -i or -t$" err &&
	expect_code 2 osb-exec -it --timeout 5s "$S" true &&
	grep_q "^osb-exec: run: -t/--timeout does not apply with -i or -t$" err
'

test_expect_success '-t followed by a duration is still the timeout' '
	expect_code 124 osb-exec -t 300ms "$S" "sleep 10"
'

# pane ARGS...: a tmux window of 80x24 running osb-exec -it ARGS; our
# terminal's settings before and after in ./before and ./after, the exit
# status in ./status. Windows stay (a server with none left exits, and a
# new one might meet it on its way out) until the end of the script.
pane() {
	rm -f before after status &&
	cat >pane.sh <<-EOF &&
	stty -g >"$TMP/before"
	osb-exec -it "$S" $([ $# -eq 0 ] || printf "%q " "$@")
	echo \$? >"$TMP/status.tmp"
	stty -g >"$TMP/after"
	mv "$TMP/status.tmp" "$TMP/status"
	exec sleep 600
	EOF
	PANE=p$((${PANE#p} + 1)) &&
	tm new-session -d -s "$PANE" -x 80 -y 24 "sh $TMP/pane.sh"
}
PANE=p0

# screen_has TEXT: the pane shows TEXT (fixed string); what is typed is
# on the screen too, so TEXT must be what only the output can show.
screen_has() { tm capture-pane -p -t "$PANE" | grep -qF -- "$1"; }

# type KEYS...: send keys to the pane (tmux key names).
type_keys() { tm send-keys -t "$PANE" "$@"; }

# ended N: osb-exec ended with status N and our terminal is as it was.
ended() {
	wait_for 100 test -s status &&
	test "$(cat status)" = "$1" &&
	test_cmp before after
}

test_expect_success '-it: type, read the screen, TERM and the size' '
	pane -- bash --norc -i &&
	wait_for 100 screen_has "bash" &&
	type_keys "echo T=\$TERM; stty size" Enter &&
	wait_for 100 screen_has "24 80" &&
	screen_has "T=$(tm show-options -gv default-terminal)" &&
	type_keys "tty" Enter &&
	wait_for 100 screen_has "/dev/pts/"
'

test_expect_success '-it: a resize reaches the terminal there' '
	tm resize-window -t "$PANE" -x 100 -y 30 &&
	type_keys "clear; stty size" Enter &&
	wait_for 100 screen_has "30 100"
'

test_expect_success '-it: Ctrl-C goes to the program there, not to us' '
	type_keys "sleep 100.$$" Enter &&
	wait_for 100 eval "pgrep -f \"^sleep 100.$$\" >/dev/null" &&
	type_keys C-c &&
	type_keys "echo after-\$?" Enter &&
	wait_for 100 screen_has "after-130"
'

test_expect_success '-it: the exit status passes through, the terminal is restored' '
	type_keys "exit 7" Enter &&
	ended 7
'

test_expect_success '-it: no command is the login shell' '
	pane &&
	type_keys "shopt -q login_shell && echo login\"=\"yes" Enter &&
	wait_for 100 screen_has "login=yes" &&
	type_keys "exit" Enter &&
	ended 0
'

test_expect_success '-it: SIGTERM ends it as 143, the terminal restored' '
	pane -- "echo ready; sleep 100" &&
	wait_for 100 screen_has "ready" &&
	pkill -TERM -f "^osb-exec -it $S" &&
	ended 143
'

test_expect_success '-it: the server going away ends it as 125, terminal restored' '
	pane -- "echo ready; sleep 100" &&
	wait_for 100 screen_has "ready" &&
	kill -KILL "$EXECD_PID" &&
	ended 125
'

test_done
