#!/usr/bin/env bash
# osb-execd's /pty API, as upstream's: sessions, their WebSocket (frames,
# replay, one client and takeover, pipe mode), and bad requests.
. "$(dirname "$0")/lib.sh"

# wspy: run the Python on stdin with ws.py importable, $PORT and $SID
# set, for 20 s at most; what it prints is the test's to check.
wspy() {
	PYTHONPATH=$T_DIR PORT=$EXECD_PORT SID=${SID:-} timeout 20 python3 - "$@"
}

# new_pty KEY VALUE...: POST /pty with json KEY VALUE...; the id in $SID.
new_pty() {
	call 201 POST /pty -d "$(json "$@")" &&
	SID=$(json_get body session_id)
}

start_execd

test_expect_success 'create: 201 and a uuid; not running until a client comes' '
	new_pty &&
	echo "$SID" | grep -qE "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" &&
	call 200 GET "/pty/$SID" &&
	test "$(json_get body session_id)" = "$SID" &&
	test "$(json_get body running)" = false &&
	test "$(json_get body output_offset)" = 0
'

test_expect_success 'create without a body at all' '
	call 201 POST /pty
'

test_expect_success 'bad create bodies are 400, naming the fault' '
	call 400 POST /pty -d "{\"cwd\": 1}" &&
	error_is INVALID_REQUEST_BODY "error parsing request: .*cwd.* must be a string" &&
	call 400 POST /pty -d "[1]" &&
	error_is INVALID_REQUEST_BODY "the body must be a JSON object" &&
	call 400 POST /pty -d "{bad" &&
	error_is INVALID_REQUEST_BODY .
'

test_expect_success 'a cwd that is missing is made; one that is a file is 500' '
	new_pty cwd "$TMP/made/here" && test -d made/here &&
	: >afile &&
	call 500 POST /pty -d "$(json cwd "$TMP/afile")" &&
	error_is RUNTIME_ERROR "error creating pty session: .*afile"
'

test_expect_success 'unknown sessions: 404 for status, delete and the socket' '
	for m in GET DELETE; do
		call 404 $m /pty/nope &&
		error_is CONTEXT_NOT_FOUND "pty session nope not found" || return 1
	done &&
	wspy <<-\EOF >out &&
	import ws
	c = ws.Conn(int(__import__("os").environ["PORT"]), "/pty/nope/ws")
	print(c.status, c.body.decode())
	EOF
	grep_q "^404 .*pty session nope not found" out
'

test_expect_success 'not a WebSocket handshake: 400 saying what is wrong' '
	new_pty &&
	call 400 GET "/pty/$SID/ws" &&
	error_is INVALID_REQUEST_BODY "not a WebSocket handshake: no .websocket. in the Upgrade header" &&
	call 400 GET "/pty/$SID/ws" -H "Upgrade: websocket" -H "Connection: Upgrade" \
		-H "Sec-WebSocket-Version: 8" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" &&
	error_is INVALID_REQUEST_BODY "Sec-WebSocket-Version is not 13" &&
	call 400 GET "/pty/$SID/ws" -H "Upgrade: websocket" -H "Connection: Upgrade" \
		-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: short" &&
	error_is INVALID_REQUEST_BODY "Sec-WebSocket-Key is not 16 bytes"
'

test_expect_success 'connect: 101 with the right accept, connected, a terminal' '
	new_pty &&
	wspy <<-\EOF >out &&
	import base64, hashlib, json, os, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"],
	            handshake=False)
	key = base64.b64encode(os.urandom(16)).decode()
	c.handshake(c and "/pty/%s/ws" % os.environ["SID"], {
	    "Upgrade": "websocket", "Connection": "Upgrade",
	    "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"})
	want = base64.b64encode(hashlib.sha1((key +
	    "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
	print(c.status, c.headers["Sec-WebSocket-Accept"] == want)
	op, data = c.recv()
	print(op, data.decode())
	c.send_binary(b"\x00tty; echo $((6*7))\n")
	print("42" in c.output_until("42\r\n").decode())
	EOF
	cat >expect <<-EOF &&
	101 True
	1 {"type":"connected","session_id":"$SID","mode":"pty"}
	True
	EOF
	test_cmp expect out &&
	call 200 GET "/pty/$SID" &&
	test "$(json_get body running)" = true &&
	test "$(json_get body output_offset)" -gt 0
'

test_expect_success 'JSON frames: stdin, ping, resize; unknown types are errors' '
	new_pty &&
	wspy <<-\EOF >out &&
	import json, os, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"])
	c.recv()
	text = lambda op, d: op == 1
	c.send_json({"type": "ping"})
	print(c.until(text)[-1][1].decode())
	c.send_json({"type": "bogus"})
	print(c.until(text)[-1][1].decode())
	c.send_text("not json: ignored")
	c.send_json({"type": "resize", "cols": 123, "rows": 45})
	c.send_json({"type": "stdin", "data": "stty size\n"})
	c.output_until("45 123")
	print("sized")
	EOF
	cat >expect <<-\EOF &&
	{"type":"pong"}
	{"type":"error","error":"unknown frame type \"bogus\"","code":"INVALID_FRAME"}
	sized
	EOF
	test_cmp expect out
'

# exit_frames: connect to $SID, send what $1 says (Python), print the
# last text frame and the close frame's code and reason.
exit_frames() {
	wspy "$1" <<-\EOF
	import json, os, struct, sys, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"])
	c.recv()
	exec(sys.argv[1])
	frames = c.until(lambda op, d: op == 8)
	text = [d for op, d in frames if op == 1]
	close = frames[-1][1]
	print(text[-1].decode(), struct.unpack(">H", close[:2])[0],
	      close[2:].decode())
	EOF
}

test_expect_success 'the exit frame has the status, then a normal close' '
	new_pty command "exit 3" &&
	exit_frames "" >out &&
	echo "{\"type\":\"exit\",\"exit_code\":3} 1000 process exited" >expect &&
	test_cmp expect out &&
	call 200 GET "/pty/$SID" && test "$(json_get body running)" = false
'

test_expect_success 'killed by a signal: exit_code -1, osb_signal says which' '
	new_pty command "kill -KILL \$\$" &&
	exit_frames "" >out &&
	grep_q "^{\"type\":\"exit\",\"exit_code\":-1,\"osb_signal\":9} 1000" out
'

test_expect_success 'signal frames go to the process group' '
	new_pty command "trap \"echo got; exit 5\" INT; echo ready; while :; do sleep 0.05; done" &&
	exit_frames "c.output_until(\"ready\"); c.send_json({\"type\": \"signal\", \"signal\": \"SIGINT\"})" >out &&
	grep_q "^{\"type\":\"exit\",\"exit_code\":5} 1000" out
'

test_expect_success 'one client at a time: 409, unless it takes over' '
	new_pty &&
	wspy <<-\EOF >out &&
	import json, os, struct, ws
	port, path = int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"]
	a = ws.Conn(port, path)
	a.recv()
	a.send_binary(b"\x00echo first\n")
	a.output_until("first\r\n")
	b = ws.Conn(port, path)
	print(b.status, json.loads(b.body)["code"])
	c = ws.Conn(port, path + "?takeover=1")
	op, close = a.until(lambda op, d: op == 8)[-1]
	print(c.status, struct.unpack(">H", close[:2])[0], close[2:].decode())
	op, replay = c.recv()
	print(replay[0], struct.unpack(">Q", replay[1:9])[0], b"first" in replay)
	print(json.loads(c.recv()[1])["type"])
	c.send_binary(b"\x00echo second\n")
	print("second" in c.output_until("second\r\n").decode())
	EOF
	cat >expect <<-\EOF &&
	409 ALREADY_CONNECTED
	101 4001 TAKEN_OVER
	3 0 True
	connected
	True
	EOF
	test_cmp expect out
'

test_expect_success 'a client that comes back gets what it missed from since' '
	new_pty command "echo one; read x; echo two; read y" &&
	wspy <<-\EOF >out &&
	import json, os, struct, ws
	port, path = int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"]
	a = ws.Conn(port, path)
	a.output_until("one")
	a.sock.close()
	off = 0
	while True:
	    b = ws.Conn(port, path + "?since=3")
	    if b.status == 101:
	        break
	op, replay = b.recv()
	print(replay[0], struct.unpack(">Q", replay[1:9])[0], replay[9:].hex())
	EOF
	echo "3 3 0d0a" >expect && test_cmp expect out
'

test_expect_success 'pipe mode (?pty=0): stderr apart, osb_eof ends stdin' '
	new_pty command "cat; echo done >&2" &&
	wspy <<-\EOF >out &&
	import json, os, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws?pty=0" % os.environ["SID"])
	print(json.loads(c.recv()[1])["mode"])
	c.send_binary(b"\x00abc")
	c.send_json({"type": "osb_eof"})
	frames = c.until(lambda op, d: op == 1 and b"exit" in d)
	print([d for op, d in frames if op == 2])
	EOF
	cat >expect <<-\EOF &&
	pipe
	[b'"'"'\x01abc'"'"', b'"'"'\x02done\n'"'"']
	EOF
	test_cmp expect out
'

test_expect_success 'stdin the process no longer takes: told once, output and exit still come' '
	new_pty command "exec 0<&-; echo closed; sleep 0.5; exit 4" &&
	wspy <<-\EOF >out &&
	import json, os, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws?pty=0" % os.environ["SID"])
	c.output_until("closed")
	c.send_binary(b"\x00abc")
	c.send_binary(b"\x00def")
	frames = c.until(lambda op, d: op == 1 and b"exit" in d)
	for op, d in frames:
	    if op == 1:
	        f = json.loads(d)
	        print(f["type"], f.get("code", f.get("exit_code")))
	EOF
	cat >expect <<-\EOF &&
	error STDIN_WRITE_FAILED
	exit 4
	EOF
	test_cmp expect out
'

test_expect_success 'delete: the process is killed, the client told, then 404' '
	new_pty command "echo up; sleep 100.$$" &&
	exit_frames "c.output_until(\"up\"); __import__(\"subprocess\").run([\"curl\", \"-s\", \"-X\", \"DELETE\", \"http://127.0.0.1:%s/pty/%s\" % (os.environ[\"PORT\"], os.environ[\"SID\"])])" >out &&
	grep_q "^{\"type\":\"exit\",\"exit_code\":-1,\"osb_signal\":9} 1000" out &&
	call 404 GET "/pty/$SID" &&
	! pgrep -f "sleep 100.$$" >/dev/null
'

test_expect_success 'an unmasked frame from the client: closed with 1002' '
	new_pty &&
	wspy <<-\EOF >out &&
	import os, struct, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"])
	c.recv()
	c.send(1, b"{}", mask=False)
	op, close = c.until(lambda op, d: op == 8)[-1]
	print(struct.unpack(">H", close[:2])[0], close[2:].decode())
	EOF
	echo "1002 an unmasked frame from the client" >expect &&
	test_cmp expect out
'

test_expect_success 'the daemon stops cleanly with a terminal open' '
	new_pty || return 1
	wspy <<-\EOF >attached &
	import os, ws
	c = ws.Conn(int(os.environ["PORT"]), "/pty/%s/ws" % os.environ["SID"])
	c.recv()
	print("attached", flush=True)
	c.until(lambda op, d: op == 8)
	EOF
	pid=$! &&
	wait_for 50 eval "api GET /pty/$SID >/dev/null && test \"\$(json_get body running)\" = true" &&
	stop_execd || { cat "$TMP/execd.log"; false; } &&
	wait "$pid"
'

test_done
