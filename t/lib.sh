# t/lib.sh — the test library every t/tNNNN-*.sh sources.
#
#   . "$(dirname "$0")/lib.sh"
#   start_execd                     # EXECD_URL, EXECD_PID, EXECD_PORT
#   test_expect_success 'what' '
#           osb-exec "$EXECD_URL" -- echo hi >out &&
#           echo hi >expect &&
#           test_cmp expect out
#   '
#   test_done
#
# A command put in the background (&) must stand alone on its line: the
# &&-chain before it would go to the background with it.
# Each test body is eval'd in the script's own shell (variables it sets
# last), with the test's scratch directory $TMP as cwd; the
# programs under test are first on PATH. Servers started here are stopped
# and $TMP removed when the script exits, however it exits.

set -u
export LC_ALL=C NO_COLOR=1
unset OPEN_SANDBOX_DOMAIN OPEN_SANDBOX_API_KEY OSB_EXECD_TOKEN EXECD_ACCESS_TOKEN

: "${OSB_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build/bin}"
PATH=$OSB_BIN:$PATH
export PATH OSB_BIN
T_DIR=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/osb-test.XXXXXX")
export TMP HOME=$TMP/home XDG_STATE_HOME=$TMP/state
mkdir -p "$HOME"
T_COUNT=0 T_FAILED=0 T_PIDS=""

t_cleanup() {
	local p
	for p in $T_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		t_wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null
	done
	cd / && rm -rf "$TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM
cd "$TMP" || exit 1

# t_wait_gone PID TENTHS: wait up to TENTHS/10 s for PID to exit.
t_wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge "$2" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

say() { printf '# %s\n' "$*"; }

# The body runs in a function of its own so that `return 1` ends the body.
t_run_body() {
	eval "$1"
}

test_expect_success() {
	T_COUNT=$((T_COUNT + 1))
	local rc
	cd "$TMP" || exit 1
	t_run_body "$2" >"$TMP/.test-output" 2>&1
	rc=$?
	cd "$TMP" || exit 1
	if [ $rc -eq 0 ]; then
		echo "ok $T_COUNT - $1"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_COUNT - $1"
		sed 's/^/#   /' "$TMP/.test-output"
	fi
}

test_skip() {
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # skip $1 ($2)"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

test_done() {
	echo "1..$T_COUNT"
	[ $T_FAILED -eq 0 ]
	exit $?
}

# test_cmp EXPECTED ACTUAL: the files are the same (diff shown otherwise).
test_cmp() { diff -u "$1" "$2"; }

# expect_code N CMD...: CMD exits with status N (its output goes to out/err).
expect_code() {
	local want=$1 got
	shift
	"$@" >out 2>err
	got=$?
	[ "$got" -eq "$want" ] && return 0
	echo "expected exit $want, got $got from: $*"
	sed 's/^/stdout: /' out
	sed 's/^/stderr: /' err
	return 1
}

# grep_q PATTERN FILE: like grep -q, but shows the file when it fails.
grep_q() {
	grep -q -e "$1" "$2" && return 0
	echo "no '$1' in $2:"
	cat "$2"
	return 1
}

# free_port: a TCP port nobody listens on at the moment.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# wait_http URL: until URL answers at all (10 s at most).
wait_http() {
	local i=0
	while [ $i -lt 100 ]; do
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# start_execd [ARGS...]: osb-execd on a free loopback port, logging to
# $TMP/execd.log. Sets EXECD_URL, EXECD_PORT, EXECD_PID.
start_execd() {
	local try
	for try in 1 2 3; do
		EXECD_PORT=$(free_port)
		osb-execd --listen 127.0.0.1 --port "$EXECD_PORT" "$@" \
			>>"$TMP/execd.log" 2>&1 &
		EXECD_PID=$!
		EXECD_URL=http://127.0.0.1:$EXECD_PORT
		if wait_http "$EXECD_URL/ping" && kill -0 $EXECD_PID 2>/dev/null; then
			T_PIDS="$T_PIDS $EXECD_PID"
			export EXECD_URL EXECD_PORT EXECD_PID
			return 0
		fi
		kill $EXECD_PID 2>/dev/null
		wait $EXECD_PID 2>/dev/null
	done
	echo "Bail out! osb-execd did not start"
	cat "$TMP/execd.log"
	exit 1
}

# stop_execd: SIGTERM it and wait; fails unless it exits 0 within 10 s.
stop_execd() {
	kill -TERM "$EXECD_PID" || return 1
	wait "$EXECD_PID"
}

# api METHOD PATH [CURL ARGS...]: call the execd API; body in ./body,
# the status code printed.
api() {
	local m=$1 p=$2
	shift 2
	curl -s -o body -w '%{http_code}' -X "$m" "$@" "$EXECD_URL$p"
}
