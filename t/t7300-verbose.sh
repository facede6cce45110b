#!/usr/bin/env bash
# -v, the HTTP trace: request and reply headers shown as curl -v shows
# them, the execd token and the API key never, and no alarm from curl
# when a stream ends as it should.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

start_execd --access-token "tok-$$-secret"
S=$EXECD_URL

test_expect_success 'osb-exec -v: headers traced, the execd token redacted' '
	osb-exec -v --execd-token "tok-$$-secret" "$S" -- echo hi >out 2>trace &&
	echo hi >expect && test_cmp expect out &&
	grep_q "^> POST /command HTTP/1.1" trace &&
	grep_q "^> X-EXECD-ACCESS-TOKEN: \[redacted\]$" trace &&
	grep_q "^< HTTP/1.1 200 OK" trace &&
	! grep -q "tok-$$-secret" trace
'

test_expect_success 'osb-exec -v: a stream ended at its last event is no failure' '
	osb-exec -v --execd-token "tok-$$-secret" "$S" -- echo hi >out 2>trace &&
	! grep -q "Fail" trace
'

test_expect_success 'osb-file -v: the token redacted too' '
	echo data >f &&
	osb-file -v --execd-token "tok-$$-secret" cat "$S" "$TMP/f" >out 2>trace &&
	test_cmp f out &&
	grep_q "^> X-EXECD-ACCESS-TOKEN: \[redacted\]$" trace &&
	! grep -q "tok-$$-secret" trace
'

start_serve --api-key "key-$$-secret"

test_expect_success 'osb-sandbox -v: the API key redacted' '
	osb-sandbox -v --domain "$SERVE_DOMAIN" --api-key "key-$$-secret" \
		list >out 2>trace &&
	grep_q "^> OPEN-SANDBOX-API-KEY: \[redacted\]$" trace &&
	grep_q "^< X-Request-ID: " trace &&
	! grep -q "key-$$-secret" trace
'

test_expect_success 'stop' 'stop_serve && stop_execd'

test_done
