#!/usr/bin/env bash
# Volumes of local sandboxes (host binds, read-only, subPath; named pvc
# volumes under the state directory, shared) and network policies (deny
# all: loopback only, execd through a unix socket); what the local
# runtime cannot do is refused with a 400 saying so.
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

test_expect_success 'networkPolicy deny, no rules: loopback only' '
	echo "{\"defaultAction\": \"deny\"}" >np.json &&
	D=$(osb-sandbox create -q --network-policy-file np.json) &&
	osb-exec "$D" -- "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"" >out &&
	echo lo >expect && test_cmp expect out &&
	expect_code 7 osb-exec "$D" -- curl -s -m 2 http://1.1.1.1/ &&
	osb-sandbox get -o json "$D" >d.json &&
	test "$(json_get d.json networkPolicy defaultAction)" = deny
'

test_expect_success 'its execd is reached through a unix socket in the state dir' '
	osb-sandbox endpoint -o json "$D" -p 44772 >ep.json &&
	test "$(json_get ep.json endpoint)" = "unix://$XDG_STATE_HOME/osb/$D/execd.sock" &&
	test -S "$XDG_STATE_HOME/osb/$D/execd.sock" &&
	token=$(json_get ep.json headers X-EXECD-ACCESS-TOKEN) &&
	curl -s --unix-socket "$XDG_STATE_HOME/osb/$D/execd.sock" \
		-H "X-EXECD-ACCESS-TOKEN: $token" -o /dev/null -w "%{http_code}" \
		http://localhost/ping >out &&
	test "$(cat out)" = 200 &&
	osb-exec "$D" -- "seq 1 100000 | wc -l" >out &&
	echo 100000 >expect && test_cmp expect out &&
	osb-sandbox health "$D" >/dev/null
'

test_expect_success 'files move through the socket both ways' '
	head -c 3000000 /dev/urandom >big &&
	osb-file upload "$D" big /root/big &&
	osb-file download "$D" /root/big back &&
	cmp big back
'

test_expect_success 'other ports of a deny-all sandbox are not reachable' '
	expect_code 1 osb-sandbox endpoint "$D" -p 8080 &&
	stderr_is "osb-sandbox: endpoint of sandbox $D: port 8080 is not reachable from the host: the sandbox has no network (networkPolicy deny); only its execd (port 44772) is (400 INVALID_REQUEST)"
'

test_expect_success 'allow-all policies are kept, and the host network shared' '
	echo "{\"defaultAction\": \"allow\"}" >np.json &&
	N=$(osb-sandbox create -q --network-policy-file np.json) &&
	osb-exec "$N" -- "grep -c : /proc/net/dev" >out &&
	test "$(cat out)" = "$(grep -c : /proc/net/dev)"
'

test_expect_success 'egress rules cannot be enforced here: a 400, never ignored' '
	echo "{\"defaultAction\": \"deny\", \"egress\": [{\"action\": \"allow\", \"target\": \"pypi.org\"}]}" >np.json &&
	expect_code 1 osb-sandbox create --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: networkPolicy.egress: the local runtime cannot enforce egress rules yet; it enforces allow-all, or defaultAction deny with no rules (loopback only) (400 INVALID_REQUEST)" &&
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
	osb-sandbox endpoint -q "$E" -p 44772 | grep -q "^unix://"
'

test_expect_success 'the credential proxy is refused here, and needs a policy' '
	expect_code 2 osb-sandbox create --credential-proxy &&
	grep -q "create: --credential-proxy requires --network-policy-file" err &&
	expect_code 1 osb-sandbox create --credential-proxy --network-policy-file np.json &&
	stderr_is "osb-sandbox: create sandbox: credentialProxy: not supported by the local runtime (400 INVALID_REQUEST)"
'

test_done
