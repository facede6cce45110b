# t/lib-serve.sh — helpers for the tests of `osb-sandbox serve` and of
# remote mode, sourced after lib.sh:
#
#   start_serve [ARGS...]      serve on a free loopback port: SERVE_URL
#                              (http://127.0.0.1:PORT), SERVE_DOMAIN
#                              (127.0.0.1:PORT), SERVE_PID; its log in
#                              $TMP/serve.log
#   stop_serve                 SIGTERM it; fails unless it exits 0
#   lapi METHOD PATH [ARGS]    curl the lifecycle API under /v1: body in
#                              ./body, headers in ./headers, the status
#                              printed; the key in $SERVE_KEY is sent
#   lcall STATUS METHOD PATH [ARGS]   lapi, answering STATUS
#   served PATTERN             serve's log has such a line (5 s at most)
#   new_sandbox [ARGS...]      osb-sandbox create -q in local mode: the id
#
# Every sandbox the script made in its state directory is killed when it
# exits, before lib.sh's own cleanup.

SERVE_KEY=

# start_serve [ARGS...]: osb-sandbox serve on a free loopback port.
start_serve() {
	local try
	for try in 1 2 3; do
		SERVE_PORT=$(free_port)
		osb-sandbox serve --listen "127.0.0.1:$SERVE_PORT" "$@" \
			2>>"$TMP/serve.log" &
		SERVE_PID=$!
		SERVE_DOMAIN=127.0.0.1:$SERVE_PORT
		SERVE_URL=http://$SERVE_DOMAIN
		if wait_http "$SERVE_URL/health" && kill -0 $SERVE_PID 2>/dev/null; then
			T_PIDS="$T_PIDS $SERVE_PID"
			export SERVE_URL SERVE_DOMAIN SERVE_PID SERVE_PORT
			return 0
		fi
		kill $SERVE_PID 2>/dev/null
		wait $SERVE_PID 2>/dev/null
	done
	echo "Bail out! osb-sandbox serve did not start"
	cat "$TMP/serve.log"
	exit 1
}

# stop_serve: stop_pid serve (10 s at most), its log shown on stderr
# when that fails.
stop_serve() {
	stop_pid "$SERVE_PID" "osb-sandbox serve" && return 0
	sed 's/^/serve.log: /' "$TMP/serve.log" >&2
	return 1
}

# lapi METHOD PATH [CURL ARGS...]: the lifecycle API under /v1.
lapi() {
	local m=$1 p=$2
	shift 2
	curl -s -D headers -o body -w '%{http_code}' -X "$m" \
		${SERVE_KEY:+-H "OPEN-SANDBOX-API-KEY: $SERVE_KEY"} "$@" \
		"$SERVE_URL/v1$p"
}

# lcall STATUS METHOD PATH [CURL ARGS...]: lapi, answering STATUS (the
# status and ./body shown otherwise).
lcall() {
	local want=$1 got
	shift
	got=$(lapi "$@")
	[ "$got" = "$want" ] && return 0
	echo "expected $want, got $got from $*"
	cat body
	return 1
}

# served PATTERN: serve's log has a line matching PATTERN, within 5 s:
# a request's line is written once its reply is all sent, which can be
# just after the client has it.
served() {
	wait_for 50 grep -q -e "$1" "$TMP/serve.log" && return 0
	echo "no '$1' in serve.log:"
	cat "$TMP/serve.log"
	return 1
}

# new_sandbox [ARGS...]: a sandbox of the local runtime; its id printed.
new_sandbox() {
	(unset OPEN_SANDBOX_DOMAIN; osb-sandbox create -q "$@")
}

# Kill what the script left running in its state directory, then clean
# up as lib.sh does.
serve_cleanup() {
	[ -d "$XDG_STATE_HOME" ] &&
		(unset OPEN_SANDBOX_DOMAIN; osb-sandbox kill --all) >/dev/null 2>&1
	t_cleanup
}
trap serve_cleanup EXIT
