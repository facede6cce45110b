#!/usr/bin/env bash
# osb-sandbox serve: the lifecycle API over the local runtime, with an API
# key: every endpoint of specs/sandbox-lifecycle.yml, its errors in the
# {"code","message"} envelope, X-Request-ID on every reply, the log, and
# a stop that leaves the sandboxes running.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

start_serve --api-key "key-$$"
SERVE_KEY=key-$$
REQ='{"image":{"uri":"/"},"entrypoint":["tail","-f","/dev/null"],"timeout":600'

# create_sb [,"metadata":{...}...]: POST a sandbox; its id printed.
create_sb() {
	lcall 202 POST /sandboxes -H "Content-Type: application/json" \
		-d "$REQ$1}" >&2 && json_get body id
}

# header NAME: the value of reply header NAME in ./headers.
header() {
	tr -d '\r' <headers | sed -n "s/^$1: //Ip"
}

test_expect_success '/health answers without a key' '
	curl -s "$SERVE_URL/health" >body &&
	test "$(json_get body status)" = healthy
'

test_expect_success 'no API key: 401 MISSING_API_KEY; a wrong one: 401 INVALID_API_KEY' '
	SERVE_KEY= lcall 401 GET /sandboxes &&
	error_is MISSING_API_KEY "OPEN-SANDBOX-API-KEY" &&
	SERVE_KEY=nope lcall 401 GET /sandboxes &&
	error_is INVALID_API_KEY "invalid" &&
	SERVE_KEY= lcall 401 GET /no/such/thing &&
	SERVE_KEY= lcall 401 DELETE /sandboxes/x
'

test_expect_success 'X-Request-ID: echoed when given, 32 hex digits when not' '
	lcall 200 GET /sandboxes -H "X-Request-ID: trace-42" &&
	test "$(header X-Request-ID)" = trace-42 &&
	SERVE_KEY= lcall 401 GET /sandboxes &&
	header X-Request-ID | grep -qx "[0-9a-f]\{32\}" &&
	lcall 404 GET /sandboxes/nope -H "X-Request-ID:  spaced  " &&
	test "$(header X-Request-ID)" = spaced
'

test_expect_success 'an unknown endpoint: 404 NOT_FOUND; a wrong method: 405' '
	lcall 404 GET /nothing/here &&
	error_is NOT_FOUND "no such endpoint: GET /v1/nothing/here" &&
	lcall 405 PUT /sandboxes &&
	error_is METHOD_NOT_ALLOWED "method PUT not allowed on /v1/sandboxes"
'

test_expect_success 'create: 202 with the sandbox, Running, and its Location' '
	A=$(create_sb ",\"metadata\":{\"team\":\"a\",\"env\":\"x\"}") &&
	test "$(json_get body status state)" = Running &&
	test "$(json_get body metadata team)" = a &&
	json_get body createdAt | grep -q "^20..-..-..T" &&
	test "$(header Location)" = "/v1/sandboxes/$A" &&
	grep_q "^Content-Type: application/json" headers
'

test_expect_success 'create: bad bodies are 400 INVALID_REQUEST, no sandbox made' '
	lcall 400 POST /sandboxes -d "{\"image\":" &&
	error_is INVALID_REQUEST "request body: invalid JSON: .*line 1" &&
	lcall 400 POST /sandboxes -d "[1,2]" &&
	error_is INVALID_REQUEST "a JSON object is needed" &&
	lcall 400 POST /sandboxes &&
	error_is INVALID_REQUEST "request body: empty" &&
	lcall 200 GET /sandboxes &&
	test "$(json_get body pagination totalItems)" = 1
'

test_expect_success 'get: the whole Sandbox; an unknown id: 404' '
	lcall 200 GET "/sandboxes/$A" &&
	test "$(json_get body id)" = "$A" &&
	test "$(json_get body image uri)" = / &&
	test "$(json_get body entrypoint 0)" = tail &&
	lcall 404 GET /sandboxes/no-such-sandbox &&
	test -n "$(json_get body code)" &&
	grep_q "no-such-sandbox" body
'

test_expect_success 'list: pages, with their pagination' '
	B=$(create_sb ",\"metadata\":{\"team\":\"a\",\"env\":\"y\"}") &&
	C=$(create_sb ",\"metadata\":{\"team\":\"b\",\"note\":\"x&y=z\"}") &&
	lcall 200 GET "/sandboxes?pageSize=2" &&
	test "$(json_get body items)" = 2 &&
	test "$(json_get body pagination page)" = 1 &&
	test "$(json_get body pagination pageSize)" = 2 &&
	test "$(json_get body pagination totalItems)" = 3 &&
	test "$(json_get body pagination totalPages)" = 2 &&
	test "$(json_get body pagination hasNextPage)" = true &&
	lcall 200 GET "/sandboxes?pageSize=2&page=2" &&
	test "$(json_get body items)" = 1 &&
	test "$(json_get body pagination hasNextPage)" = false &&
	lcall 200 GET "/sandboxes?page=9" &&
	test "$(json_get body items)" = 0 &&
	test "$(json_get body pagination pageSize)" = 20
'

test_expect_success 'list: bad page, pageSize or metadata filter: 400' '
	lcall 400 GET "/sandboxes?page=0" &&
	error_is INVALID_PARAMETER "page: 0 is not an integer from 1" &&
	lcall 400 GET "/sandboxes?pageSize=201" &&
	error_is INVALID_PARAMETER "pageSize: 201 is not an integer from 1 to 200" &&
	lcall 400 GET "/sandboxes?pageSize=x" &&
	lcall 400 GET "/sandboxes?metadata=team%3Da%26broken" &&
	error_is INVALID_METADATA_FORMAT "bad field .broken." &&
	lcall 400 GET "/sandboxes?metadata=team%3Da%26%26env%3Dx"
'

test_expect_success 'list: metadata pairs AND, each encoded inside the one value' '
	lcall 200 GET "/sandboxes?metadata=team%3Da" &&
	test "$(json_get body items)" = 2 &&
	lcall 200 GET "/sandboxes?metadata=team%3Da%26env%3Dy" &&
	test "$(json_get body items)" = 1 &&
	test "$(json_get body items 0 id)" = "$B" &&
	lcall 200 GET "/sandboxes?metadata=team%3Da%26env%3Dz" &&
	test "$(json_get body items)" = 0 &&
	lcall 200 GET "/sandboxes?metadata=note%3Dx%2526y%253Dz" &&
	test "$(json_get body items 0 id)" = "$C"
'

test_expect_success 'pause and resume: 202; Paused, then Running; 409 when it cannot' '
	lcall 202 POST "/sandboxes/$B/pause" &&
	! test -s body &&
	lcall 200 GET "/sandboxes/$B" &&
	test "$(json_get body status state)" = Paused &&
	lcall 409 POST "/sandboxes/$C/resume" &&
	lcall 404 POST /sandboxes/nope/pause &&
	lcall 404 POST /sandboxes/nope/resume
'

test_expect_success 'list: states OR' '
	lcall 200 GET "/sandboxes?state=Paused" &&
	test "$(json_get body items)" = 1 &&
	test "$(json_get body items 0 id)" = "$B" &&
	lcall 200 GET "/sandboxes?state=Paused&state=Running" &&
	test "$(json_get body items)" = 3 &&
	lcall 200 GET "/sandboxes?state=Failed" &&
	test "$(json_get body items)" = 0 &&
	lcall 200 GET "/sandboxes?state=Running&metadata=team%3Da" &&
	test "$(json_get body items 0 id)" = "$A" &&
	lcall 202 POST "/sandboxes/$B/resume" &&
	lcall 200 GET "/sandboxes/$B" &&
	test "$(json_get body status state)" = Running
'

test_expect_success 'renew-expiration: the new expiresAt; bad bodies 400; unknown 404' '
	at=$(date -u -d "+2 hours" +%Y-%m-%dT%H:%M:%SZ) &&
	lcall 200 POST "/sandboxes/$A/renew-expiration" \
		-d "{\"expiresAt\":\"$at\"}" &&
	test "$(json_get body expiresAt)" = "$at" &&
	lcall 200 GET "/sandboxes/$A" &&
	test "$(json_get body expiresAt)" = "$at" &&
	lcall 400 POST "/sandboxes/$A/renew-expiration" -d "{}" &&
	error_is INVALID_REQUEST "expiresAt (an RFC 3339 time) is required" &&
	lcall 400 POST "/sandboxes/$A/renew-expiration" -d "{\"expiresAt\":" &&
	lcall 404 POST /sandboxes/nope/renew-expiration \
		-d "{\"expiresAt\":\"$at\"}"
'

test_expect_success 'metadata PATCH: merge patch, the Sandbox back; bad ones 400' '
	lcall 200 PATCH "/sandboxes/$A/metadata" \
		-d "{\"env\":null,\"owner\":\"me\",\"gone\":null}" &&
	test "$(json_get body id)" = "$A" &&
	test "$(json_get body metadata)" = 2 &&
	test "$(json_get body metadata owner)" = me &&
	test "$(json_get body metadata team)" = a &&
	lcall 200 PATCH "/sandboxes/$A/metadata" -d "{}" &&
	test "$(json_get body metadata)" = 2 &&
	lcall 400 PATCH "/sandboxes/$A/metadata" -d "{\"n\":1}" &&
	error_is INVALID_REQUEST "metadata n: the value must be a string or null" &&
	lcall 400 PATCH "/sandboxes/$A/metadata" \
		-d "{\"opensandbox.io/id\":\"x\"}" &&
	error_is INVALID_REQUEST "reserved" &&
	lcall 400 POST /sandboxes -d "$REQ,\"metadata\":{\"opensandbox.io/id\":\"x\"}}" &&
	error_is INVALID_REQUEST "metadata opensandbox.io/id: keys under opensandbox.io/ are reserved" &&
	lcall 400 PATCH "/sandboxes/$A/metadata" -d "\"x\"" &&
	lcall 404 PATCH /sandboxes/nope/metadata -d "{}"
'

test_expect_success 'endpoints/44772: host:port and the token execd wants' '
	lcall 200 GET "/sandboxes/$A/endpoints/44772" &&
	ep=$(json_get body endpoint) &&
	tok=$(json_get body headers X-EXECD-ACCESS-TOKEN) &&
	test "$ep" = "$(sandbox_runtime "$A" address):44772" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		-H "X-EXECD-ACCESS-TOKEN: $tok" "http://$ep/ping")" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "http://$ep/ping")" = 401
'

test_expect_success 'endpoints: use_server_proxy names the proxy, same headers' '
	lcall 200 GET "/sandboxes/$A/endpoints/44772?use_server_proxy=true" &&
	test "$(json_get body endpoint)" = \
		"$SERVE_DOMAIN/sandboxes/$A/proxy/44772" &&
	lcall 200 GET "/sandboxes/$A/endpoints/44772?use_server_proxy=true" \
		-H "Host: attacker.example" &&
	test "$(json_get body endpoint)" = \
		"$SERVE_DOMAIN/sandboxes/$A/proxy/44772" &&
	test "$(json_get body headers X-EXECD-ACCESS-TOKEN)" = "$tok" &&
	lcall 200 GET "/sandboxes/$A/endpoints/8000?use_server_proxy=false" &&
	test "$(json_get body endpoint)" = "$(sandbox_runtime "$A" address):8000"
'

test_expect_success 'endpoints: bad port, bad flag, expires: 400; unknown id: 404' '
	lcall 400 GET "/sandboxes/$A/endpoints/0" &&
	error_is INVALID_PARAMETER "port 0: not a port number" &&
	lcall 400 GET "/sandboxes/$A/endpoints/65536" &&
	lcall 400 GET "/sandboxes/$A/endpoints/http" &&
	lcall 400 GET "/sandboxes/$A/endpoints/80?use_server_proxy=maybe" &&
	error_is INVALID_PARAMETER "use_server_proxy: maybe is not a boolean" &&
	lcall 400 GET "/sandboxes/$A/endpoints/80?expires=1999999999" &&
	error_is INVALID_PARAMETER "not supported by the local runtime" &&
	lcall 400 GET "/sandboxes/$A/endpoints/80?expires=1&use_server_proxy=1" &&
	error_is INVALID_PARAMETER "cannot be combined" &&
	lcall 404 GET /sandboxes/nope/endpoints/44772
'

test_expect_success 'snapshots: 501, not supported by the local runtime' '
	lcall 501 POST "/sandboxes/$A/snapshots" -d "{}" &&
	error_is SNAPSHOT_NOT_SUPPORTED "not supported by the local runtime" &&
	lcall 501 GET /snapshots &&
	lcall 501 GET /snapshots/s1 &&
	lcall 501 DELETE /snapshots/s1
'

test_expect_success 'a body too large for the API: 413' '
	head -c 2000000 /dev/zero | tr "\0" " " >big &&
	lcall 413 POST /sandboxes --data-binary @big &&
	error_is INVALID_REQUEST "too large: 2000000 bytes (limit 1048576)" &&
	header X-Request-ID | grep -qx "[0-9a-f]\{32\}" &&
	lcall 413 POST /sandboxes -H "Transfer-Encoding: chunked" \
		--data-binary @big &&
	error_is INVALID_REQUEST "too large (limit 1048576 bytes)" &&
	header X-Request-ID | grep -qx "[0-9a-f]\{32\}"
'

test_expect_success 'a path with an escaped NUL: 400, with its X-Request-ID' '
	lcall 400 GET "/sandboxes%00x" &&
	error_is INVALID_REQUEST "the path holds a NUL byte" &&
	header X-Request-ID | grep -qx "[0-9a-f]\{32\}"
'

test_expect_success 'the paths without /v1 are the same API' '
	code=$(curl -s -o body -H "OPEN-SANDBOX-API-KEY: $SERVE_KEY" \
		-w "%{http_code}" "$SERVE_URL/sandboxes/$A") &&
	test "$code" = 200 && test "$(json_get body id)" = "$A"
'

test_expect_success 'delete: 204, then the sandbox is gone everywhere' '
	lcall 204 DELETE "/sandboxes/$C" &&
	! test -s body &&
	lcall 404 GET "/sandboxes/$C" &&
	lcall 404 DELETE "/sandboxes/$C" &&
	lcall 404 GET "/sandboxes/$C/endpoints/44772" &&
	lcall 200 GET /sandboxes &&
	test "$(json_get body pagination totalItems)" = 2
'

test_expect_success 'the log: one line per request, with status and request id' '
	lcall 200 GET "/sandboxes/$A" -H "X-Request-ID: log-me" &&
	wait_for 20 grep -q " GET /v1/sandboxes/$A 200 [0-9]*ms log-me$" \
		"$TMP/serve.log" &&
	grep_q "^20..-..-..T..:..:..Z 127.0.0.1 POST /v1/sandboxes 202 " \
		"$TMP/serve.log" &&
	served " PUT /v1/sandboxes 405 "
'

test_expect_success 'SIGTERM: serve exits 0 and the sandboxes keep running' '
	stop_serve &&
	served "stopping; sandboxes keep running" &&
	start_serve --api-key "$SERVE_KEY" &&
	lcall 200 GET "/sandboxes/$A" &&
	test "$(json_get body status state)" = Running &&
	lcall 200 GET "/sandboxes/$A/endpoints/44772" &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		-H "X-EXECD-ACCESS-TOKEN: $tok" "http://$ep/ping")" = 200
'

test_expect_success 'usage: a bad option or address is refused' '
	expect_code 2 osb-sandbox serve --bogus &&
	grep_q "unknown option --bogus" err &&
	expect_code 2 osb-sandbox serve extra &&
	expect_code 1 osb-sandbox serve --listen "127.0.0.1:$SERVE_PORT" &&
	grep_q "listen on 127.0.0.1:$SERVE_PORT" err &&
	osb-sandbox serve --help >out &&
	grep_q "^usage: osb-sandbox serve" out
'

test_expect_success 'serve stops cleanly' '
	stop_serve
'

test_done
