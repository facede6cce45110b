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
# The helpers, each described where it is defined:
#   tests             test_expect_success [PREREQ] TITLE BODY, test_skip,
#                     skip_all, require PREREQ..., have PREREQ, test_done
#   files and exits   test_cmp, grep_q, expect_code, stderr_is, mode_is
#   waiting           wait_for, t_wait_gone, wait_http
#   osb-execd         start_execd, stop_execd, free_port, api, call, error_is
#   JSON and SSE      json, json_get, sse, ev, ev_is
#
# A command put in the background (&) must stand alone on its line: the
# &&-chain before it would go to the background with it.
# Each test body is eval'd in the script's own shell (variables it sets
# last), with the test's scratch directory $TMP as cwd; the
# programs under test are first on PATH. Servers started here are stopped
# and $TMP removed when the script exits, however it exits. A script that
# runs longer than $T_TIMEOUT seconds (default 600; set it before sourcing
# this) is ended with a "Bail out!".

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
T_COUNT=0 T_FAILED=0 T_PIDS="" T_WATCHDOG=""

# The watchdog: after $T_TIMEOUT seconds, say so, end what the script is
# waiting on (bash runs a trap only once the command in hand is over),
# then the script, whose EXIT trap cleans up. Not a child of the script,
# so that a bare `wait` in a test does not wait for it.
exec 3>&1
T_WATCHDOG=$(perl -e '
	my ($secs, $pid) = @ARGV;
	$SIG{TERM} = sub { exit 0 };
	sleep $secs;
	print "Bail out! the script ran longer than $secs s\n";
	system("pkill", "-TERM", "-P", $pid);
	kill "TERM", $pid;' "${T_TIMEOUT:-600}" $$ >&3 3>&- & echo $!)
exec 3>&-

t_cleanup() {
	local p
	kill "$T_WATCHDOG" 2>/dev/null
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

# wait_for TENTHS CMD...: until CMD succeeds, asking every 0.1 s; fails
# when it still does not after TENTHS/10 s.
wait_for() {
	local i=0 tenths=$1
	shift
	until "$@"; do
		[ $i -ge "$tenths" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# t_gone PID: PID is not running.
t_gone() { ! kill -0 "$1" 2>/dev/null; }

# t_wait_gone PID TENTHS: wait up to TENTHS/10 s for PID to exit.
t_wait_gone() { wait_for "$2" t_gone "$1"; }

say() { printf '# %s\n' "$*"; }

# The body runs in a function of its own so that `return 1` ends the body.
t_run_body() {
	eval "$1"
}

# test_expect_success [PREREQ[,PREREQ...]] TITLE BODY: run BODY as test
# TITLE; skipped, saying why, when a prerequisite is missing (see have).
test_expect_success() {
	if [ $# -eq 3 ]; then
		local p
		for p in ${1//,/ }; do
			have "$p" || { test_skip "$2" "$T_WHY"; return 0; }
		done
		shift
	fi
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
		sed 's/^/#   /' "$TMP/.test-output" >&2
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

# have PREREQ: this machine has it; otherwise fails with the reason in
# $T_WHY. ROOT, NOT_ROOT, CGROUPS (v1 memory or v2), KERNEL (the python3
# kernelspec), NODE (node and npm), ZSH, FISH, SANITIZE (a sanitizer
# build), NO_SANITIZE.
have() {
	case $1 in
	ROOT) T_WHY="needs root"; [ "$(id -u)" = 0 ] ;;
	NOT_ROOT) T_WHY="root may do anything"; [ "$(id -u)" != 0 ] ;;
	CGROUPS) T_WHY="no cgroups"
		grep -q " - cgroup .*[ ,]memory" /proc/self/mountinfo ||
		    [ -f /sys/fs/cgroup/cgroup.controllers ] ;;
	KERNEL) T_WHY="no python3 kernelspec (python3-ipykernel)"
		[ -f /usr/share/jupyter/kernels/python3/kernel.json ] ;;
	NODE) T_WHY="node or npm not installed"
		command -v node >/dev/null && command -v npm >/dev/null ;;
	ZSH) T_WHY="no zsh"; command -v zsh >/dev/null ;;
	FISH) T_WHY="no fish"; command -v fish >/dev/null ;;
	SANITIZE) T_WHY="not a sanitizer build"; [ -n "${OSB_SANITIZE:-}" ] ;;
	NO_SANITIZE) T_WHY="sanitizers change the numbers"
		[ -z "${OSB_SANITIZE:-}" ] ;;
	*) echo "Bail out! unknown prerequisite $1"; exit 1 ;;
	esac
}

# require PREREQ...: skip the whole script, saying why, unless each is had.
require() {
	local p
	for p in "$@"; do
		have "$p" || skip_all "$T_WHY"
	done
}

# now_ms: a clock in milliseconds, for timing what tests do.
now_ms() {
	local t=$EPOCHREALTIME
	echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 ))
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

# stderr_is LINE: ./err (as expect_code leaves it) is just LINE.
stderr_is() {
	echo "$1" >expect &&
	test_cmp expect err
}

# mode_is FILE MODE: the permission bits of FILE are MODE (octal, as
# stat %a prints them).
mode_is() {
	local got
	got=$(stat -c %a "$1") || return 1
	[ "$got" = "$2" ] && return 0
	echo "$1: mode $got, expected $2"
	return 1
}

# grep_q PATTERN FILE: like grep -q, but shows the file when it fails.
grep_q() {
	grep -q -e "$1" "$2" && return 0
	echo "no '$1' in $2:"
	cat "$2"
	return 1
}

# free_port: a TCP port nobody listens on at the moment, below the
# kernel's ephemeral range (32768 up), where the source port of some
# test's client connection could take it before the server binds it.
free_port() {
	local p
	while :; do
		p=$((10000 + RANDOM % 22000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# wait_http URL: until URL answers at all (10 s at most).
wait_http() {
	wait_for 100 curl -s -o /dev/null --max-time 1 "$1"
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

# stop_pid PID NAME: SIGTERM PID and wait for it; fails unless it exits 0
# within $T_STOP_TENTHS/10 s, default 10 (a leak the sanitizers find makes
# it exit 99). One that ignores SIGTERM is killed and fails, rather than
# hang the suite.
stop_pid() {
	local rc
	kill -TERM "$1" 2>/dev/null || { echo "$2 ($1) is not running"; return 1; }
	if ! t_wait_gone "$1" "${T_STOP_TENTHS:-100}"; then
		echo "$2 ($1) still running $((${T_STOP_TENTHS:-100} / 10)) s after SIGTERM: killed"
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 1
	fi
	wait "$1"
	rc=$?
	[ $rc -eq 0 ] && return 0
	echo "$2 ($1) exited $rc after SIGTERM"
	return 1
}

# stop_execd: stop_pid osb-execd, its log shown on stderr when that fails.
stop_execd() {
	stop_pid "$EXECD_PID" osb-execd && return 0
	sed 's/^/execd.log: /' "$TMP/execd.log" >&2
	return 1
}

# api METHOD PATH [CURL ARGS...]: call the execd API; body in ./body,
# the status code printed.
api() {
	local m=$1 p=$2
	shift 2
	curl -s -o body -w '%{http_code}' -X "$m" "$@" "$EXECD_URL$p"
}

# call STATUS METHOD PATH [CURL ARGS...]: api, answering STATUS (the
# status and ./body shown otherwise).
call() {
	local want=$1 got
	shift
	got=$(api "$@")
	[ "$got" = "$want" ] && return 0
	echo "expected $want, got $got from $*"
	cat body
	return 1
}

# error_is CODE TEXT: ./body is the API error {"code": CODE, "message":
# ...} with TEXT (a grep pattern) in it.
error_is() {
	local got
	got=$(json_get body code)
	[ "$got" = "$1" ] || { echo "code $got, expected $1:"; cat body; return 1; }
	grep_q "$2" body
}

# json KEY VALUE...: a JSON object of those members; VALUE is a string, or
# JSON as it is when written =JSON (=300, =true, ={"A":"b"}).
json() {
	perl -MJSON::PP -e '
		my $j = JSON::PP->new->allow_nonref->canonical;
		my %o;
		while (my ($k, $v) = splice @ARGV, 0, 2) {
			$o{$k} = $v =~ /^=(.*)/s ? $j->decode($1) : $v;
		}
		print $j->encode(\%o);' "$@"
}

# json_get FILE KEY...: the value at that path (object keys, array
# indexes) of the JSON document in FILE: strings and numbers bare, true,
# false, null; an array or object prints its length. Fails, saying so,
# when the path is not there.
json_get() {
	perl -MJSON::PP -e '
		my $file = shift;
		open my $h, "<", $file or die "$file: $!\n";
		my $d = JSON::PP->new->allow_nonref->decode(join "", <$h>);
		for my $k (@ARGV) {
			if (ref $d eq "ARRAY" && $k =~ /^\d+$/ && $k < @$d) {
				$d = $d->[$k];
			} elsif (ref $d eq "HASH" && exists $d->{$k}) {
				$d = $d->{$k};
			} else {
				die "$file: no \"$k\" in the path @ARGV\n";
			}
		}
		print !defined $d ? "null" :
		    JSON::PP::is_bool($d) ? ($d ? "true" : "false") :
		    ref $d eq "ARRAY" ? scalar @$d :
		    ref $d eq "HASH" ? scalar keys %$d : $d, "\n";' "$@"
}

# sse FILE PATH KEY VALUE...: POST json KEY VALUE... to PATH; the event
# stream in FILE, the headers in ./headers.
sse() {
	local file=$1 path=$2
	shift 2
	curl -sN -D headers -o "$file" -d "$(json "$@")" "$EXECD_URL$path"
}

# ev FILE types | runs | text TYPE | raw TYPE | each TYPE | error |
# field NAME: what the SSE stream in FILE holds: the event types in order,
# one a line (types) or a run of one type as one line (runs); the TYPE
# events' lines (text: each event's text and a newline, an empty line's
# "\n" as one), their text joined as it is (raw), or each text as a JSON
# string on a line of its own (each);
# "ename evalue traceback" of the error events; or member NAME of the
# events that have it.
ev() {
	perl -MJSON::PP -e '
		my ($file, $mode, $arg) = @ARGV;
		my ($j, $last) = (JSON::PP->new->utf8, "");
		binmode STDOUT, ":utf8";
		open my $fh, "<", $file or die "$file: $!\n";
		while (<$fh>) {
			next unless s/^data: //;
			my $e = $j->decode($_);
			my $t = $e->{type};
			if ($mode eq "types" || $mode eq "runs" && $t ne $last) {
				print "$t\n";
			} elsif ($mode eq "text" && $t eq $arg) {
				print $e->{text};
				print "\n" unless $e->{text} eq "\n";
			} elsif ($mode eq "raw") {
				print $e->{text} if $t eq $arg;
			} elsif ($mode eq "each" && $t eq $arg) {
				print JSON::PP->new->ascii->allow_nonref
				    ->encode($e->{text}), "\n";
			} elsif ($mode eq "error" && $t eq "error") {
				my $r = $e->{error};
				print "$r->{ename} $r->{evalue} ",
				    join("|", @{$r->{traceback}}), "\n";
			} elsif ($mode eq "field" && exists $e->{$arg}) {
				print "$e->{$arg}\n";
			}
			$last = $t;
		}' "$@"
}

# ev_is FILE types|runs|error LINE...: ev FILE prints just these lines
# (left in ./expect and ./actual).
ev_is() {
	local file=$1 mode=$2
	shift 2
	printf '%s\n' "$@" >expect &&
	ev "$file" "$mode" >actual &&
	test_cmp expect actual
}

# ---- sandboxes of the local runtime (osb-sandbox) ----
#
# A script that creates sandboxes stops them at its end:
#   trap 'stop_sandboxes; t_cleanup' EXIT

# sandbox_pids: the supervisors (not yet reaped) of the sandboxes under
# this script's $XDG_STATE_HOME, their inits and slirp4netns: three a
# sandbox, and the dnsmasq of an egress policy.
sandbox_pids() {
	local d sups=" "
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = osb-supervise ] || continue
		grep -q '^State:[[:space:]]*Z' "$d/status" 2>/dev/null && continue
		tr '\0' '\n' 2>/dev/null <"$d/environ" |
		    grep -qxF "XDG_STATE_HOME=$XDG_STATE_HOME" || continue
		echo "${d#/proc/}"
		sups="$sups${d#/proc/} "
	done
	# Their sandboxes' inits and networks, and a network left behind.
	for d in /proc/[0-9]*; do
		case $(cat "$d/comm" 2>/dev/null) in
		osb-init|slirp4netns|dnsmasq) ;;
		*) continue ;;
		esac
		grep -q '^State:[[:space:]]*Z' "$d/status" 2>/dev/null && continue
		case $sups in
		*" $(awk '/^PPid:/ { print $2 }' "$d/status" 2>/dev/null) "*)
			echo "${d#/proc/}" ;;
		*)	tr '\0' ' ' 2>/dev/null <"$d/cmdline" |
			    grep -qF "$XDG_STATE_HOME/" && echo "${d#/proc/}" ;;
		esac
	done
}

# proc_gone PID: PID has ended (a zombie not yet reaped counts as ended).
proc_gone() {
	! kill -0 "$1" 2>/dev/null ||
	    grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# stop_sandboxes: kill every sandbox of this script, then whatever of
# theirs is still there (the tree of a supervisor dies with it).
stop_sandboxes() {
	local p
	osb-sandbox kill --all >/dev/null 2>&1
	for p in $(sandbox_pids); do
		kill -KILL "$p" 2>/dev/null
	done
}

# sandbox_runtime ID KEY: what the local runtime keeps about sandbox ID
# (supervisor, init, port, token...).
sandbox_runtime() {
	json_get "$XDG_STATE_HOME/osb/$1/state.json" runtime "$2"
}
