#!/usr/bin/env bash
# osb-sandbox serve's proxy, /v1/sandboxes/{id}/proxy/{port}/...: requests
# reach a port of the sandbox with their method, path, query, headers and
# body; replies come back with their status, headers and body, streamed
# both ways (SSE as it happens, a chunked upload, large files); what the
# proxy refuses, and what it keeps to itself.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

start_serve --api-key "key-$$"
SERVE_KEY=key-$$
S=$(new_sandbox) || { echo "Bail out! osb-sandbox create failed"; exit 1; }
P=$SERVE_URL/v1/sandboxes/$S/proxy
EP=$(free_port)

# An HTTP server for the sandbox, on all its addresses (its published
# ports reach it from outside, not on its loopback, as with Docker): each
# request is answered with what it
# was, as JSON; /sse streams three events, chunked, 300 ms apart; /close
# answers with no length, ending at the close; /teapot is a 418; /hop
# names a header of its reply hop-by-hop.
cat >echo.py <<'EOF'
import hashlib, http.server, json, sys, time

class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        n = self.headers.get("Content-Length")
        if n:
            return self.rfile.read(int(n))
        if self.headers.get("Transfer-Encoding") != "chunked":
            return b""
        data = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0], 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    def stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(3):
            frame = ("data: {\"n\": %d}\n\n" % i).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            self.wfile.flush()
            time.sleep(0.3)
        self.wfile.write(b"0\r\n\r\n")

    def answer(self):
        if self.path.startswith("/sse"):
            return self.stream()
        body = self.body()
        out = json.dumps({
            "method": self.command, "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }).encode()
        self.send_response(418 if self.path.startswith("/teapot") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo", "yes")
        if self.path.startswith("/hop"):
            self.send_header("Connection", "X-Hop")
            self.send_header("X-Hop", "1")
        if self.path.startswith("/close"):
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer

http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Echo).serve_forever()
EOF

test_expect_success 'an HTTP server runs in the sandbox' '
	osb-file write "$S" /tmp/echo.py <echo.py &&
	osb-exec -d "$S" -- python3 /tmp/echo.py "$EP" >id &&
	wait_for 100 curl -sf -o /dev/null "$P/$EP/up"
'

test_expect_success 'the method, path and query reach it; no API key is needed' '
	curl -s -X PATCH "$P/$EP/a/b%20c?x=1&y=two%20words&flag" >out &&
	test "$(json_get out method)" = PATCH &&
	test "$(json_get out path)" = "/a/b%20c?x=1&y=two%20words&flag" &&
	curl -s "$SERVE_URL/sandboxes/$S/proxy/$EP" >out &&
	test "$(json_get out path)" = /
'

test_expect_success 'headers go on, but not hop-by-hop ones, the API key, cookies or credentials' '
	curl -s -H "X-Custom: kept" -H "OPEN-SANDBOX-API-KEY: $SERVE_KEY" \
		-H "Cookie: c=1" -H "Authorization: Bearer t" "$P/$EP/h" >out &&
	test "$(json_get out headers x-custom)" = kept &&
	test "$(json_get out headers x-forwarded-for)" = 127.0.0.1 &&
	test "$(json_get out headers x-forwarded-proto)" = http &&
	test "$(json_get out headers x-forwarded-host)" = "$SERVE_DOMAIN" &&
	test "$(json_get out headers host)" = "$(sandbox_runtime "$S" address):$EP" &&
	test "$(json_get out headers connection)" = close &&
	! json_get out headers open-sandbox-api-key &&
	! json_get out headers cookie &&
	! json_get out headers authorization &&
	curl -s -H "Connection: X-Hop" -H "X-Hop: 1" "$P/$EP/h" >out &&
	! json_get out headers x-hop &&
	curl -s -H "X-Forwarded-For: 203.0.113.9" "$P/$EP/h" >out &&
	test "$(json_get out headers x-forwarded-for)" = 127.0.0.1 &&
	curl -s -D headers -o out "$P/$EP/hop" &&
	grep_q "^X-Echo: yes" headers &&
	! grep -qi "^x-hop:" headers
'

test_expect_success 'the reply comes back with its status and headers' '
	code=$(curl -s -D headers -o out -w "%{http_code}" "$P/$EP/teapot") &&
	test "$code" = 418 &&
	grep_q "^X-Echo: yes" headers &&
	grep_q "^X-Request-ID: [0-9a-f]\{32\}" headers &&
	test "$(grep -ci "^x-request-id:" headers)" = 1 &&
	test "$(json_get out path)" = /teapot
'

test_expect_success 'a body with a length, and a chunked one, arrive whole' '
	head -c 3000000 /dev/urandom >blob &&
	sum=$(sha256sum <blob | cut -d" " -f1) &&
	curl -s --data-binary @blob "$P/$EP/up" >out &&
	test "$(json_get out length)" = 3000000 &&
	test "$(json_get out sha256)" = "$sum" &&
	curl -s -H "Transfer-Encoding: chunked" --data-binary @blob \
		"$P/$EP/up" >out &&
	test "$(json_get out length)" = 3000000 &&
	test "$(json_get out sha256)" = "$sum" &&
	test "$(json_get out headers transfer-encoding)" = chunked
'

test_expect_success 'a reply ended by closing, and a HEAD, come back right' '
	curl -s "$P/$EP/close" >out &&
	test "$(json_get out path)" = /close &&
	curl -s -I "$P/$EP/x" >headers &&
	grep_q "^HTTP/1.1 200" headers &&
	grep_q "^X-Echo: yes" headers
'

test_expect_success 'SSE streams through: each event as it is sent' '
	curl -sN "$P/$EP/sse" | while IFS= read -r line; do
		[ -z "$line" ] || echo "$(date +%s%N) $line"
	done >events &&
	test "$(wc -l <events)" = 3 &&
	grep_q "data: {\"n\": 2}" events &&
	first=$(sed -n "1s/ .*//p" events) && last=$(sed -n "3s/ .*//p" events) &&
	test $(( (last - first) / 1000000 )) -ge 450
'

test_expect_success 'execd through the proxy: a command streams, files go both ways' '
	lcall 200 GET "/sandboxes/$S/endpoints/44772?use_server_proxy=true" &&
	tok=$(json_get body headers X-EXECD-ACCESS-TOKEN) &&
	X="$SERVE_URL/v1/sandboxes/$S/proxy/44772" &&
	osb-exec --execd-token "$tok" "$X" -- "echo one; sleep 0.5; echo two" >out &&
	printf "one\ntwo\n" >expect && test_cmp expect out &&
	head -c 20000000 /dev/urandom >large &&
	osb-file --execd-token "$tok" upload "$X" large /tmp/large &&
	osb-file --execd-token "$tok" download "$X" /tmp/large back &&
	cmp large back &&
	code=$(curl -s -o /dev/null -w "%{http_code}" "$X/ping") &&
	test "$code" = 401
'

test_expect_success 'a sandbox with no network out: its execd reached all the same' '
	lcall 202 POST /sandboxes -d "{\"image\":{\"uri\":\"/\"},
		\"entrypoint\":[\"tail\",\"-f\",\"/dev/null\"],
		\"networkPolicy\":{\"defaultAction\":\"deny\"}}" &&
	N=$(json_get body id) &&
	lcall 200 GET "/sandboxes/$N/endpoints/44772?use_server_proxy=true" &&
	test "$(json_get body endpoint)" = "$SERVE_DOMAIN/sandboxes/$N/proxy/44772" &&
	OPEN_SANDBOX_DOMAIN=$SERVE_DOMAIN OPEN_SANDBOX_API_KEY=$SERVE_KEY \
		osb-exec "${N:0:12}" -- echo isolated >out &&
	echo isolated >expect && test_cmp expect out
'

test_expect_success 'an unknown sandbox: 404; a port nobody listens on: 502' '
	code=$(curl -s -o body -w "%{http_code}" \
		"$SERVE_URL/v1/sandboxes/nope/proxy/$EP/x") &&
	test "$code" = 404 &&
	dead=$(free_port) &&
	code=$(curl -s -o body -w "%{http_code}" "$P/$dead/x") &&
	test "$code" = 502 &&
	error_is PROXY_ERROR "port $dead: no reply"
'

test_expect_success 'refused: ".." in the path, protocol upgrades' '
	code=$(curl -s --path-as-is -o body -w "%{http_code}" \
		"$P/$EP/a/../b") &&
	test "$code" = 400 &&
	error_is INVALID_REQUEST "proxy path /a/../b: .*is not allowed" &&
	code=$(curl -s -o body -w "%{http_code}" -H "Connection: Upgrade" \
		-H "Upgrade: h2c" "$P/$EP/x") &&
	test "$code" = 400 &&
	error_is INVALID_REQUEST "protocol upgrades other than websocket are not supported"
'

# osb-exec in remote mode, through this server's proxy.
proxied() {
	OPEN_SANDBOX_DOMAIN=$SERVE_DOMAIN OPEN_SANDBOX_API_KEY=$SERVE_KEY \
	OPEN_SANDBOX_USE_SERVER_PROXY=true "$@"
}

test_expect_success 'a WebSocket passes through: osb-exec -i reaches the execd' '
	printf "b\na\n" | proxied osb-exec -i "$S" -- sort >out &&
	printf "a\nb\n" >expect && test_cmp expect out &&
	grep_q " GET /sandboxes/$S/proxy/44772/pty/[^ ]*/ws " "$TMP/serve.log"
'

test_expect_success 'through the proxy: 5 MB both ways, whole; the exit status' '
	head -c 5242880 /dev/urandom >rand &&
	proxied osb-exec -i "$S" -- "cat; exit 3" <rand >back
	test $? = 3 && cmp rand back
'

test_expect_success 'a proxy path with a port that is not a number is not one' '
	lcall 404 GET "/sandboxes/$S/proxy/http/x" &&
	error_is NOT_FOUND "no such endpoint"
'

test_expect_success 'the proxied requests are in the log' '
	served " PATCH /v1/sandboxes/$S/proxy/$EP/a/b%20c 200 " &&
	served " GET /v1/sandboxes/$S/proxy/$EP/teapot 418 "
'

test_expect_success 'SIGTERM with a stream open: serve ends it, exits 0' '
	curl -sN -H "X-EXECD-ACCESS-TOKEN: $tok" -d "{\"command\":\"sleep 30\"}" \
		"$X/command" >stream 2>&1 &
	wait_for 50 grep -q "\"init\"" stream &&
	start=$(now_ms) &&
	stop_serve &&
	test $(( $(now_ms) - start )) -le 5000 &&
	wait_for 50 test "$(jobs -r)" = ""
'

test_done
