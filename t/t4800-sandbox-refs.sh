#!/usr/bin/env bash
# Sandbox references in osb-exec and osb-file: a full id, a unique id
# prefix, an ambiguous prefix (an error listing the matches), an unknown
# id; the same in local mode and in remote mode against `osb-sandbox serve`.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

# Sandboxes until two share a first digit: A and B.
ids=
while [ -z "${B:-}" ]; do
	id=$(new_sandbox) || { echo "Bail out! osb-sandbox create failed"; exit 1; }
	for o in $ids; do
		[ "${o:0:1}" = "${id:0:1}" ] && { A=$o; B=$id; break; }
	done
	ids="$ids $id"
done
# The longest prefix they share; one digit more names A alone. Errors
# list the matches in order.
MATCHES=$(printf '%s\n' "$A" "$B" | sort | paste -sd, | sed 's/,/, /')
n=1
while [ "${A:0:n+1}" = "${B:0:n+1}" ]; do n=$((n + 1)); done
SHARED=${A:0:n} UNIQUE=${A:0:n+1}

# refs_checks MODE: the checks, in local or remote mode.
refs_checks() {
	test_expect_success "$1: a full id" '
		osb-exec "$A" -- echo by id >out &&
		echo by id >expect && test_cmp expect out &&
		echo "$A" | osb-file write "$A" /tmp/whoami &&
		osb-file cat "$A" /tmp/whoami >out &&
		echo "$A" >expect && test_cmp expect out
	'

	test_expect_success "$1: a unique prefix is that sandbox" '
		osb-exec "$UNIQUE" -- cat /tmp/whoami >out &&
		echo "$A" >expect && test_cmp expect out &&
		osb-file cat "$UNIQUE" /tmp/whoami >out &&
		test_cmp expect out &&
		expect_code 1 osb-file cat "${B:0:n+1}" /tmp/whoami &&
		grep_q "no such file" err
	'

	test_expect_success "$1: an ambiguous prefix lists the matches" '
		msg="$SHARED: ambiguous id prefix: 2 sandboxes match: $MATCHES" &&
		expect_code 125 osb-exec "$SHARED" -- true &&
		stderr_is "osb-exec: $msg" &&
		expect_code 1 osb-exec status "$SHARED" x &&
		stderr_is "osb-exec: $msg" &&
		expect_code 1 osb-file cat "$SHARED" /tmp/whoami &&
		stderr_is "osb-file: $msg"
	'

	test_expect_success "$1: an unknown id: 404, said plainly" '
		expect_code 125 osb-exec ffffffffff-none -- true &&
		stderr_is "osb-exec: ffffffffff-none: no such sandbox (404 SANDBOX_NOT_FOUND)" &&
		expect_code 1 osb-file ls nothing-here / &&
		stderr_is "osb-file: nothing-here: no such sandbox (404 SANDBOX_NOT_FOUND)"
	'
}

refs_checks local

start_serve --api-key "key-$$"
export OPEN_SANDBOX_DOMAIN=$SERVE_DOMAIN OPEN_SANDBOX_API_KEY=key-$$

refs_checks remote

test_expect_success 'remote: an exact id costs one lookup, a prefix a listing' '
	served " GET /v1/sandboxes/$A 200 " &&
	served " GET /v1/sandboxes/$UNIQUE 404 " &&
	served " GET /v1/sandboxes 200 "
'

test_expect_success 'serve stops cleanly' '
	stop_serve
'

test_done
