#!/usr/bin/env bash
# Volumes of local sandboxes (host binds, read-only, subPath; named pvc
# volumes under the state directory, shared) and their networks (each its
# own, the host's loopback out of reach; deny all: nothing leaves, its
# ports still published); what the local runtime cannot do is refused
# with a 400 saying so.
. "$(dirname "$0")/lib.sh"
# A host directory outside /tmp, which sandboxes have of their own.
HOSTDIR=$(mktemp -d /var/tmp/osb-test.XXXXXX) || exit 1
trap 'stop_sandboxes; rm -rf "$HOSTDIR"; t_cleanup' EXIT
mkdir -p "$HOSTDIR/sub" && echo top >"$HOSTDIR/top" &&
echo inner >"$HOSTDIR/sub/inner" || exit 1

# volumes FILE JSON: write a volumes file.
volumes() {
	printf "%s\n" "$2" >"$1"
}

test_expect_success 'a host volume: the directory, writes land on the host' '
	volumes v.json "[{\"name\": \"data\", \"host\": {\"path\": \"$HOSTDIR\"}, \"mountPath\": \"/mnt/data\"}]" &&
	H=$(osb-sandbox create -q --volumes-file v.json) &&
	osb-exec "$H" -- "cat /mnt/data/top; echo from-sandbox >/mnt/data/new" >out &&
	echo top >expect && test_cmp expect out &&
	echo from-sandbox >expect && test_cmp expect "$HOSTDIR/new" &&
	osb-sandbox get -o json "$H" >h.json &&
	test "$(json_get h.json volumes 0 mountPath)" = /mnt/data
'

test_expect_success 'readOnly and subPath' '
	volumes v.json "[{\"name\": \"ro\", \"host\": {\"path\": \"$HOSTDIR\"}, \"mountPath\": \"/ro\", \"readOnly\": true},
		{\"name\": \"sub\", \"host\": {\"path\": \"$HOSTDIR\"}, \"subPath\": \"sub\", \"mountPath\": \"/opt/sub\"}]" &&
	R=$(osb-sandbox create -q --volumes-file v.json) &&
	expect_code 1 osb-exec "$R" -- touch /ro/x &&
	grep -q "Read-only file system" err &&
	osb-exec "$R" -- "ls /opt/sub; cat /ro/sub/inner" >out &&
	printf "inner\ninner\n" >expect && test_cmp expect out
'

test_expect_success 'a pvc volume is made on first use and shared by name' '
	volumes p.json "[{\"name\": \"cache\", \"pvc\": {\"claimName\": \"shared-cache\"}, \"mountPath\": \"/cache\"}]" &&
	P1=$(osb-sandbox create -q --volumes-file p.json) &&
	test -d "$XDG_STATE_HOME/osb/volumes/shared-cache" &&
	osb-exec "$P1" -- "echo kept >/cache/f" &&
	P2=$(osb-sandbox create -q --volumes-file p.json) &&
	osb-exec "$P2" -- cat /cache/f >out &&
	echo kept >expect && test_cmp expect out
'

test_expect_success 'a pvc volume outlives its sandboxes' '
	osb-sandbox kill "$P1" "$P2" >/dev/null &&
	test "$(cat "$XDG_STATE_HOME/osb/volumes/shared-cache/f")" = kept
'

test_expect_success 'createIfNotExists false needs the volume there' '
	volumes p.json "[{\"name\": \"x\", \"pvc\": {\"claimName\": \"absent\", \"createIfNotExists\": false}, \"mountPath\": \"/x\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file p.json &&
	stderr_is "osb-sandbox: create sandbox: volume x: pvc absent does not exist and createIfNotExists is false (400 INVALID_REQUEST)"
'

test_expect_success 'ossfs is refused: not supported by the local runtime' '
	volumes o.json "[{\"name\": \"oss\", \"ossfs\": {\"bucket\": \"b\", \"endpoint\": \"e\", \"accessKeyId\": \"i\", \"accessKeySecret\": \"s\"}, \"mountPath\": \"/oss\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file o.json &&
	stderr_is "osb-sandbox: create sandbox: volume oss: ossfs is not supported by the local runtime (400 INVALID_REQUEST)"
'

test_expect_success 'bad volumes are refused, naming the field' '
	volumes b.json "[{\"name\": \"Bad_Name\", \"host\": {\"path\": \"/\"}, \"mountPath\": \"/b\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volumes[0].name: must be a DNS label (400 INVALID_REQUEST)" &&
	volumes b.json "[{\"name\": \"b\", \"host\": {\"path\": \"/\"}, \"mountPath\": \"relative\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volume b: mountPath must be an absolute path below / without '\''..'\'' (400 INVALID_REQUEST)" &&
	volumes b.json "[{\"name\": \"b\", \"mountPath\": \"/b\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volume b: must name exactly one backend (host or pvc) (400 INVALID_REQUEST)" &&
	volumes b.json "[{\"name\": \"b\", \"host\": {\"path\": \"$HOSTDIR/none\"}, \"mountPath\": \"/b\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volume b: $HOSTDIR/none: No such file or directory (400 INVALID_REQUEST)" &&
	volumes b.json "[{\"name\": \"b\", \"host\": {\"path\": \"/\"}, \"subPath\": \"../etc\", \"mountPath\": \"/b\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volume b: subPath must be a relative path without '\''..'\'' (400 INVALID_REQUEST)" &&
	volumes b.json "[{\"name\": \"b\", \"host\": {\"path\": \"/\"}, \"mountPath\": \"/b\"}, {\"name\": \"b\", \"host\": {\"path\": \"/\"}, \"mountPath\": \"/c\"}]" &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: create sandbox: volume b: the name is used twice (400 INVALID_REQUEST)"
'

test_expect_success 'the volumes file must be a JSON array, and JSON' '
	echo "{}" >b.json &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	stderr_is "osb-sandbox: --volumes-file b.json: must hold a JSON array of volumes" &&
	echo "[{" >b.json &&
	expect_code 1 osb-sandbox create --volumes-file b.json &&
	grep -q "^osb-sandbox: --volumes-file b.json: line 2: " err &&
	expect_code 1 osb-sandbox create --volumes-file nonexistent.json &&
	grep -q "^osb-sandbox: --volumes-file nonexistent.json: unable to open" err
'

# A listener of the host's on its first address that is not loopback:
# what a sandbox with a network reaches, and one without must not.
LISTENERS=
HOSTIP=$(hostname -I 2>/dev/null | tr " " "\n" | grep -m1 "^[0-9.]*$")
listen_host() { # ADDR VAR: a port of ADDR in VAR, answering "host" once per connection
	rm -f "$2.port"
	python3 -c "
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen()
open(sys.argv[2] + \".port.tmp\", \"w\").write(str(s.getsockname()[1]))
__import__(\"os\").rename(sys.argv[2] + \".port.tmp\", sys.argv[2] + \".port\")
while True:
    c, _ = s.accept(); c.sendall(b\"host\\n\"); c.close()
" "$1" "$2" &
	LISTENERS="$LISTENERS $!"
	wait_for 50 test -s "$2.port" && eval "$2=\$(cat \"$2.port\")"
}
# reach SANDBOX ADDR PORT: does the sandbox get the host's answer?
reach() {
	osb-exec "$1" -- "timeout 3 bash -c \"exec 3<>/dev/tcp/$2/$3 && head -1 <&3\"" 2>/dev/null |
		grep -q "^host$"
}
trap 'kill $LISTENERS 2>/dev/null; stop_sandboxes; rm -rf "$HOSTDIR"; t_cleanup' EXIT

test_expect_success 'every sandbox has a network of its own: lo and tap0' '
	N=$(osb-sandbox create -q) &&
	osb-exec "$N" -- "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \" | sort" >out &&
	printf "lo\ntap0\n" >expect && test_cmp expect out
'

test_expect_success 'the host loopback is out of reach, by any address' '
	listen_host 127.0.0.1 P &&
	! reach "$N" 127.0.0.1 $P && ! reach "$N" 10.0.2.2 $P
'

if [ -n "$HOSTIP" ]; then
	test_expect_success 'the host is reached at its own address, with the default policy' '
		listen_host "$HOSTIP" Q &&
		reach "$N" "$HOSTIP" $Q
	'
else
	test_skip 'the host is reached at its own address' 'no address but loopback here'
fi

test_expect_success 'networkPolicy deny, no rules: nothing leaves the sandbox' '
	echo "{\"defaultAction\": \"deny\"}" >np.json &&
	D=$(osb-sandbox create -q --network-policy-file np.json) &&
	if [ -n "$HOSTIP" ]; then ! reach "$D" "$HOSTIP" $Q; fi &&
	expect_code 124 osb-exec "$D" -- "timeout 3 bash -c \"exec 3<>/dev/tcp/10.0.2.3/53\"" &&
	osb-exec "$D" -- "python3 -c \"import socket; s = socket.socket(); s.bind((\\\"127.0.0.1\\\", 7000)); s.listen(); socket.create_connection((\\\"127.0.0.1\\\", 7000)); print(\\\"loopback\\\")\"" >out &&
	echo loopback >expect && test_cmp expect out &&
	osb-sandbox get -o json "$D" >d.json &&
	test "$(json_get d.json networkPolicy defaultAction)" = deny
'

test_expect_success 'its root cannot lift the rules: no CAP_NET_ADMIN' '
	expect_code 1 osb-exec "$D" -- nft flush ruleset &&
	grep -q "Operation not permitted" err &&
	expect_code 2 osb-exec "$D" -- ip link set tap0 down &&
	grep -q "Operation not permitted" err &&
	if [ -n "$HOSTIP" ]; then ! reach "$D" "$HOSTIP" $Q; fi
'

test_expect_success 'a deny-all sandbox still has its execd and its ports published' '
	osb-sandbox endpoint -o json "$D" -p 44772 >ep.json &&
	addr=$(sandbox_runtime "$D" address) &&
	test "$(json_get ep.json endpoint)" = "$addr:44772" &&
	osb-exec "$D" -- "seq 1 100000 | wc -l" >out &&
	echo 100000 >expect && test_cmp expect out &&
	head -c 3000000 /dev/urandom >big &&
	osb-file upload "$D" big /root/big &&
	osb-file download "$D" /root/big back &&
	cmp big back &&
	P=$(free_port) &&
	osb-sandbox endpoint -q "$D" -p $P >out &&
	echo "$addr:$P" >expect && test_cmp expect out
'

test_expect_success 'allow-all policies are kept' '
	echo "{\"defaultAction\": \"allow\"}" >np.json &&
	A=$(osb-sandbox create -q --network-policy-file np.json) &&
	osb-sandbox get -o json "$A" >a.json &&
	test "$(json_get a.json networkPolicy defaultAction)" = allow &&
	if [ -n "$HOSTIP" ]; then reach "$A" "$HOSTIP" $Q; fi
'

test_expect_success 'a policy that is not one: a 400 saying why' '
	echo "{\"defaultAction\": \"deny\", \"egress\": [{\"action\": \"let\", \"target\": \"pypi.org\"}]}" >np.json &&
	expect_code 1 osb-sandbox create --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: networkPolicy.egress[0].action: must be allow or deny (400 INVALID_REQUEST)" &&
	echo "{\"defaultAction\": \"block\"}" >np.json &&
	expect_code 1 osb-sandbox create --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: networkPolicy.defaultAction: must be allow or deny (400 INVALID_REQUEST)" &&
	echo "{\"defaultAction\": \"deny\", \"ingress\": []}" >np.json &&
	expect_code 1 osb-sandbox create --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: networkPolicy.ingress: unknown field (400 INVALID_REQUEST)"
'

test_expect_success 'a policy file without defaultAction means deny, as the SDKs send it' '
	echo "{}" >np.json &&
	E=$(osb-sandbox create -q --network-policy-file np.json) &&
	expect_code 124 osb-exec "$E" -- "timeout 3 bash -c \"exec 3<>/dev/tcp/10.0.2.3/53\"" &&
	osb-exec "$N" -- "timeout 3 bash -c \"exec 3<>/dev/tcp/10.0.2.3/53\""
'

test_expect_success 'the credential proxy is refused here, and needs a policy' '
	expect_code 2 osb-sandbox create --credential-proxy &&
	grep -q "create: --credential-proxy requires --network-policy-file" err &&
	expect_code 1 osb-sandbox create --credential-proxy --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: credentialProxy: not supported by the local runtime (400 INVALID_REQUEST)"
'

test_done
