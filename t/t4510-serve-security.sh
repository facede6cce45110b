#!/usr/bin/env bash
# What serve lets an API client do to this host: nothing beyond its
# sandboxes. Host volumes only under --allow-host-path, image directories
# only under --allow-image-path, a subPath never out of its volume (not
# even by a symlink a sandbox planted), and the proxy reaching only the
# sandbox's own published ports: never a host service, never serve.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

ALLOWED=$(mktemp -d /var/tmp/osb-allowed.XXXXXX) || exit 1
OTHER=$(mktemp -d /var/tmp/osb-other.XXXXXX) || exit 1
LISTENERS=
trap 'kill $LISTENERS 2>/dev/null; stop_sandboxes; rm -rf "$ALLOWED" "$OTHER"; t_cleanup' EXIT
echo allowed >"$ALLOWED/file" && mkdir "$ALLOWED/image" && echo secret >"$OTHER/file" || exit 1

start_serve --allow-host-path "$ALLOWED" --allow-image-path "$ALLOWED/image"

# create JSON-FIELDS: POST a sandbox with these fields; the status.
create() {
	lapi POST /sandboxes -H "Content-Type: application/json" \
		-d "{\"image\":{\"uri\":\"/\"},\"entrypoint\":[\"tail\",\"-f\",\"/dev/null\"]$1}"
}

test_expect_success 'a host volume outside the allowed paths: 400, no sandbox' '
	test "$(create ",\"volumes\":[{\"name\":\"h\",\"host\":{\"path\":\"/\"},\"mountPath\":\"/h\",\"readOnly\":false}]")" = 400 &&
	error_is INVALID_REQUEST "volume h: host path / is not allowed: serve mounts only what is under --allow-host-path" &&
	test "$(create ",\"volumes\":[{\"name\":\"h\",\"host\":{\"path\":\"$OTHER\"},\"mountPath\":\"/h\"}]")" = 400 &&
	test "$(create ",\"volumes\":[{\"name\":\"h\",\"host\":{\"path\":\"$ALLOWED/../$(basename "$OTHER")\"},\"mountPath\":\"/h\"}]")" = 400 &&
	test -z "$(osb-sandbox list -a -q)"
'

test_expect_success 'a link out of an allowed path is judged by where it leads' '
	ln -s "$OTHER" "$ALLOWED/link" &&
	test "$(create ",\"volumes\":[{\"name\":\"h\",\"host\":{\"path\":\"$ALLOWED/link\"},\"mountPath\":\"/h\"}]")" = 400 &&
	error_is INVALID_REQUEST "host path $OTHER is not allowed"
'

test_expect_success 'under an allowed path: mounted' '
	test "$(create ",\"volumes\":[{\"name\":\"h\",\"host\":{\"path\":\"$ALLOWED\"},\"mountPath\":\"/h\",\"readOnly\":true}]")" = 202 &&
	H=$(json_get body id) &&
	osb-exec "$H" -- cat /h/file >out &&
	echo allowed >expect && test_cmp expect out
'

test_expect_success 'an image directory outside the allowed paths: 400' '
	test "$(lapi POST /sandboxes -d "{\"image\":{\"uri\":\"/etc\"}}")" = 400 &&
	error_is INVALID_REQUEST "image.uri: /etc: not under an allowed image path (serve --allow-image-path)"
'

test_expect_success 'a registry image name: 400 saying so, never the host root' '
	test "$(lapi POST /sandboxes -d "{\"image\":{\"uri\":\"python:3.12\"}}")" = 400 &&
	error_is INVALID_REQUEST "image.uri: python:3.12: serve does not pull registry images yet; give a rootfs directory under --allow-image-path"
'

test_expect_success 'a symlink planted in a named volume does not lead a subPath out' '
	test "$(create ",\"volumes\":[{\"name\":\"v\",\"pvc\":{\"claimName\":\"shared\"},\"mountPath\":\"/m\"}]")" = 202 &&
	P1=$(json_get body id) &&
	osb-exec "$P1" -- "ln -s / /m/rootlink && ln -s ../../.. /m/uplink && mkdir /m/ok" &&
	test "$(create ",\"volumes\":[{\"name\":\"v\",\"pvc\":{\"claimName\":\"shared\"},\"subPath\":\"rootlink\",\"mountPath\":\"/m\"}]")" = 400 &&
	error_is INVALID_REQUEST "volume v: $XDG_STATE_HOME/osb/volumes/shared/rootlink: it leads out of the volume" &&
	test "$(create ",\"volumes\":[{\"name\":\"v\",\"pvc\":{\"claimName\":\"shared\"},\"subPath\":\"uplink/etc\",\"mountPath\":\"/m\"}]")" = 400 &&
	test "$(create ",\"volumes\":[{\"name\":\"v\",\"pvc\":{\"claimName\":\"shared\"},\"subPath\":\"ok\",\"mountPath\":\"/m\"}]")" = 202
'

# A host service the proxy must never reach: on the host's loopback,
# and on every address.
HOSTPORT=$(free_port)
python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen()
while True:
    c, _ = s.accept(); c.recv(65536)
    c.sendall(b\"HTTP/1.0 200 OK\\r\\nContent-Length: 11\\r\\n\\r\\nhost secret\"); c.close()
" 0.0.0.0 "$HOSTPORT" &
LISTENERS=$!
wait_for 50 sh -c "curl -s --max-time 1 http://127.0.0.1:$HOSTPORT/ | grep -q secret"

test_expect_success 'the proxy reaches no host service, on any address' '
	code=$(curl -s -o body -w "%{http_code}" \
		"$SERVE_URL/v1/sandboxes/$H/proxy/$HOSTPORT/") &&
	test "$code" = 500 &&
	error_is RUNTIME_ERROR "publish port $HOSTPORT at 127\.[0-9.]*: the port is taken on the host" &&
	! grep -q secret body
'

test_expect_success 'nor serve itself, nor through itself again' '
	code=$(curl -s -o body -w "%{http_code}" \
		"$SERVE_URL/v1/sandboxes/$H/proxy/$SERVE_PORT/v1/sandboxes/$H/proxy/$SERVE_PORT/health") &&
	test "$code" = 502 &&
	! grep -q healthy body
'

test_expect_success 'no API key on the proxy (as upstream): the sandbox decides' '
	SERVE_KEY= &&
	curl -s -o /dev/null -w "%{http_code}" \
		"$SERVE_URL/v1/sandboxes/$H/proxy/44772/ping" >code &&
	test "$(cat code)" = 401
'

test_done
