#!/usr/bin/env bash
# Remote mode: with a domain configured (--domain, OPEN_SANDBOX_DOMAIN)
# osb-sandbox, osb-exec and osb-file talk to a lifecycle server, here a
# real `osb-sandbox serve` with an API key, and reach each sandbox's execd
# through the endpoint it names; what the user sees when the key is wrong
# or the server is down.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

start_serve --api-key "key-$$"
export OPEN_SANDBOX_DOMAIN=$SERVE_DOMAIN OPEN_SANDBOX_API_KEY=key-$$

test_expect_success 'create -q: the id of a Running sandbox, made by the server' '
	osb-sandbox create -q -i / -m owner=remote -t 10m >id &&
	S=$(cat id) && test -n "$S" &&
	served " POST /v1/sandboxes 202 " &&
	osb-sandbox get "$S" -o json >out &&
	test "$(json_get out status state)" = Running &&
	test "$(json_get out metadata owner)" = remote
'

test_expect_success 'the sandbox is this host'"'"'s: local mode sees it too' '
	(unset OPEN_SANDBOX_DOMAIN; osb-sandbox get "$S" -o json) >out &&
	test "$(json_get out id)" = "$S"
'

test_expect_success 'osb-exec by id: output and exit status through the endpoint' '
	osb-exec "$S" -- echo hello remote >out &&
	echo hello remote >expect && test_cmp expect out &&
	expect_code 7 osb-exec "$S" "exit 7" &&
	served " GET /v1/sandboxes/$S/endpoints/44772 200 "
'

test_expect_success 'use_server_proxy: execd reached through the server'"'"'s proxy' '
	OPEN_SANDBOX_USE_SERVER_PROXY=true osb-exec "$S" -- echo proxied >out &&
	echo proxied >expect && test_cmp expect out &&
	served " POST /sandboxes/$S/proxy/44772/command 200 "
'

test_expect_success 'osb-exec -i by id: stdin there, whole, directly and proxied' '
	head -c 1048576 /dev/urandom >rand &&
	osb-exec -i "$S" -- sha256sum <rand >out &&
	sha256sum <rand >expect && test_cmp expect out &&
	OPEN_SANDBOX_USE_SERVER_PROXY=true osb-exec -i "$S" -- sha256sum \
		<rand >out &&
	test_cmp expect out
'

test_expect_success 'osb-file by id: write, cat, stat' '
	echo data >f &&
	osb-file upload "$S" f /tmp/remote.txt &&
	osb-file cat "$S" /tmp/remote.txt >out &&
	test_cmp f out
'

test_expect_success '--domain on the command line works the same' '
	(unset OPEN_SANDBOX_DOMAIN
	 osb-exec --domain "$SERVE_DOMAIN" "$S" -- cat /tmp/remote.txt) >out &&
	test_cmp f out &&
	(unset OPEN_SANDBOX_DOMAIN
	 osb-sandbox --domain "http://$SERVE_DOMAIN/v1" get "$S" -o json) >out &&
	test "$(json_get out id)" = "$S"
'

test_expect_success 'list: the server'"'"'s sandboxes, filters sent as the spec says' '
	T=$(osb-sandbox create -q -i / -m owner=other) &&
	osb-sandbox list -o json -m owner=remote >out &&
	test "$(json_get out items)" = 1 &&
	test "$(json_get out items 0 id)" = "$S" &&
	osb-sandbox list -o json -s Running -s Paused >out &&
	test "$(json_get out items)" = 2 &&
	served " GET /v1/sandboxes?\?.* 200 "
'

test_expect_success 'pause, resume, renew, endpoint through the server' '
	osb-sandbox pause "$S" &&
	osb-sandbox get "$S" -o json >out &&
	test "$(json_get out status state)" = Paused &&
	osb-sandbox resume "$S" &&
	osb-sandbox get "$S" -o json >out &&
	test "$(json_get out status state)" = Running &&
	osb-sandbox renew "$S" -t 2h &&
	served " POST /v1/sandboxes/$S/renew-expiration 200 " &&
	osb-sandbox endpoint "$S" -p 44772 -o json >out &&
	test "$(json_get out endpoint)" = "$(sandbox_runtime "$S" address):44772"
'

test_expect_success 'a wrong API key: the server'"'"'s 401, exit 1' '
	OPEN_SANDBOX_API_KEY=wrong expect_code 1 osb-sandbox get "$S" &&
	grep_q "(401 INVALID_API_KEY)$" err &&
	OPEN_SANDBOX_API_KEY=wrong expect_code 125 osb-exec "$S" -- true &&
	grep_q "(401 INVALID_API_KEY)$" err &&
	OPEN_SANDBOX_API_KEY= expect_code 1 osb-file cat "$S" /tmp/remote.txt &&
	grep_q "(401 MISSING_API_KEY)$" err
'

test_expect_success 'an unknown id: 404 from the server, exit 1' '
	expect_code 1 osb-sandbox get no-such-sandbox &&
	grep_q "no-such-sandbox" err &&
	expect_code 1 osb-file cat no-such-sandbox /x &&
	stderr_is "osb-file: no-such-sandbox: no such sandbox (404 SANDBOX_NOT_FOUND)"
'

test_expect_success 'kill through the server: gone for both modes' '
	osb-sandbox kill "$S" "$T" &&
	served " DELETE /v1/sandboxes/$S 204 " &&
	expect_code 1 osb-sandbox get "$S" &&
	(unset OPEN_SANDBOX_DOMAIN; osb-sandbox list -o json) >out &&
	test "$(json_get out items)" = 0
'

test_expect_success 'the server down: each program says what it could not reach' '
	stop_serve &&
	expect_code 1 osb-sandbox list &&
	grep_q "cannot connect: connection refused (http://$SERVE_DOMAIN/v1)" err &&
	expect_code 125 osb-exec some-id -- true &&
	grep_q "cannot connect: connection refused (http://$SERVE_DOMAIN/v1)" err
'

test_done
