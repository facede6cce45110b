#!/usr/bin/env bash
# Egress policy of local sandboxes, enforced by their supervisors: test
# hosts of our own in a network namespace (a DNS server answering
# allowed.test, denied.test, *.wild.test, other.test, and HTTP at their
# addresses) stand for the world; the sandbox's filter forwards to that
# DNS server. Names are enforced at DNS (NXDOMAIN) and at the IP layer;
# the sandbox's root cannot go round the filter.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"
. "$T_DIR/lib-egress.sh"

# query SANDBOX PROTO SERVER NAME: the DNS rcode (0 found, 3 NXDOMAIN)
# of a query for NAME's A record sent straight to SERVER over udp|tcp.
query() {
	osb-exec "$1" -- python3 -c '
import socket, struct, sys
proto, server, name = sys.argv[1:]
q = struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"".join(
    bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0\0\1\0\1"
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, (server, 53))
    r = s.recv(512)
else:
    s = socket.create_connection((server, 53), 3)
    s.sendall(struct.pack(">H", len(q)) + q)
    r = s.recv(514)[2:]
print(r[3] & 15)' "$2" "$3" "$4"
}

test_expect_success 'a policy with rules is accepted and shown' '
	policy p.json "{\"defaultAction\": \"deny\", \"egress\": [
		{\"action\": \"allow\", \"target\": \"allowed.test\"},
		{\"action\": \"allow\", \"target\": \"*.wild.test\"},
		{\"action\": \"allow\", \"target\": \"$NET.13/32\"},
		{\"action\": \"deny\", \"target\": \"allowed.test\"}]}" &&
	S=$(osb-sandbox create -q --network-policy-file p.json) &&
	osb-sandbox get -o json "$S" >s.json &&
	test "$(json_get s.json networkPolicy egress 0 target)" = allowed.test &&
	test "$(json_get s.json networkPolicy egress 2 target)" = "$NET.13/32"
'

test_expect_success 'an allowed name resolves and is reached, not names under it' '
	osb-exec "$S" -- getent hosts allowed.test >out &&
	printf "%-15s %s\n" "$NET.10" allowed.test >expect && test_cmp expect out &&
	test "$(reach "$S" allowed.test)" = 200 &&
	expect_code 2 osb-exec "$S" -- getent hosts sub.allowed.test
'

test_expect_success 'a denied name is NXDOMAIN' '
	expect_code 2 osb-exec "$S" -- getent hosts denied.test &&
	test "$(query "$S" udp 10.0.2.3 denied.test)" = 3
'

test_expect_success 'a denied host is out of reach by its address' '
	test "$(reach "$S" "$NET.11")" = 000
'

test_expect_success 'a wildcard allows the names under it, not itself' '
	osb-exec "$S" -- getent hosts a.wild.test >out &&
	printf "%-15s %s\n" "$NET.12" a.wild.test >expect && test_cmp expect out &&
	test "$(reach "$S" a.wild.test)" = 200 &&
	expect_code 2 osb-exec "$S" -- getent hosts wild.test
'

test_expect_success 'an allowed CIDR is reached without DNS' '
	test "$(reach "$S" "$NET.13")" = 200 &&
	expect_code 2 osb-exec "$S" -- getent hosts other.test
'

test_expect_success 'another resolver is the filter too, over UDP and TCP' '
	test "$(query "$S" udp "$NET.2" denied.test)" = 3 &&
	test "$(query "$S" tcp "$NET.2" denied.test)" = 3 &&
	test "$(query "$S" tcp "$NET.2" allowed.test)" = 0 &&
	test "$(query "$S" udp 192.0.2.53 allowed.test)" = 0
'

test_expect_success 'the sandbox root cannot change the rules' '
	expect_code 1 osb-exec "$S" -- nft flush ruleset &&
	grep -q "Operation not permitted" err &&
	test "$(reach "$S" "$NET.11")" = 000
'

# egress SANDBOX METHOD [BODY]: METHOD /policy on the sandbox's egress
# API, with the token the endpoint gives; the reply in ./reply, its
# status printed.
egress() {
	osb-sandbox endpoint "$1" -p 18080 -o json >ep.json &&
	curl -s -o reply -w "%{http_code}" -X "$2" ${3:+-d "$3"} \
	    -H "OPENSANDBOX-EGRESS-AUTH: $(json_get ep.json headers OPENSANDBOX-EGRESS-AUTH)" \
	    "http://$(json_get ep.json endpoint)/policy"
}

test_expect_success 'the egress API: endpoint 18080, the policy enforced' '
	osb-sandbox endpoint "$S" -p 18080 -o json >ep.json &&
	test "$(json_get ep.json headers)" = 1 &&
	test "$(egress "$S" GET)" = 200 &&
	test "$(json_get reply mode)" = deny_all &&
	test "$(json_get reply enforcementMode)" = dns+nft &&
	test "$(json_get reply policy egress)" = 3 &&
	test "$(json_get reply policy egress 1 target)" = "*.wild.test"
'

test_expect_success 'the egress API needs its token' '
	test "$(curl -s -o reply -w "%{http_code}" "http://$(json_get ep.json endpoint)/policy")" = 401 &&
	test "$(curl -s -o reply -w "%{http_code}" -H "OPENSANDBOX-EGRESS-AUTH: x" "http://$(json_get ep.json endpoint)/policy")" = 401 &&
	! osb-exec "$S" -- cat /proc/1/environ | grep -q "$(json_get ep.json headers OPENSANDBOX-EGRESS-AUTH)"
'

test_expect_success 'a PATCH is enforced before its reply: new rules first' '
	test "$(egress "$S" PATCH "[{\"action\": \"allow\", \"target\": \"other.test\"}, {\"action\": \"deny\", \"target\": \"allowed.test\"}, {\"action\": \"allow\", \"target\": \"other.test\"}]")" = 200 &&
	test "$(json_get reply policy egress 0 target)" = other.test &&
	test "$(json_get reply policy egress 1 action)" = deny &&
	test "$(json_get reply policy egress)" = 4 &&
	expect_code 2 osb-exec "$S" -- getent hosts allowed.test &&
	test "$(reach "$S" allowed.test)" = 000 &&
	test "$(reach "$S" "$NET.10")" = 000 &&
	test "$(reach "$S" other.test)" = 200
'

test_expect_success 'a connection made before a PATCH denies its host goes on' '
	test "$(egress "$S" PATCH "[{\"action\": \"allow\", \"target\": \"$NET.13/32\"}]")" = 200 &&
	osb-exec "$S" -- "rm -f /tmp/go /tmp/open /tmp/got; setsid python3 -c \"
import os, socket, time
s = socket.create_connection((\\\"$NET.13\\\", 80), 5)
open(\\\"/tmp/open\\\", \\\"w\\\").close()
while not os.path.exists(\\\"/tmp/go\\\"):
    time.sleep(0.05)
s.sendall(b\\\"GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n\\\")
open(\\\"/tmp/got\\\", \\\"wb\\\").write(s.recv(12))
\" </dev/null >/dev/null 2>&1 &" &&
	wait_for 50 osb-exec "$S" -- test -e /tmp/open &&
	test "$(egress "$S" PATCH "[{\"action\": \"deny\", \"target\": \"$NET.13/32\"}]")" = 200 &&
	test "$(reach "$S" "$NET.13")" = 000 &&
	osb-exec "$S" -- touch /tmp/go &&
	wait_for 50 osb-exec "$S" -- test -s /tmp/got &&
	osb-exec "$S" -- cat /tmp/got >out &&
	printf "HTTP/1.0 200" >expect && test_cmp expect out &&
	test "$(egress "$S" PATCH "[{\"action\": \"allow\", \"target\": \"$NET.13/32\"}]")" = 200
'

test_expect_success 'a DELETE removes rules by target, absent ones too' '
	egress "$S" DELETE "[\"allowed.test\", \"absent.test\"]" >code && cat code reply && test "$(cat code)" = 200 &&
	test "$(json_get reply policy egress)" = 3 &&
	test "$(reach "$S" "$NET.13")" = 200 &&
	test "$(egress "$S" DELETE "[\"$NET.13/32\"]")" = 200 &&
	test "$(reach "$S" "$NET.13")" = 000 &&
	osb-exec "$S" -- getent hosts other.test &&
	test "$(reach "$S" "$NET.13")" = 200 &&
	test "$(egress "$S" DELETE "[\"other.test\"]")" = 200 &&
	test "$(reach "$S" "$NET.13")" = 000
'

test_expect_success 'bad bodies get a 400, the vault a 501' '
	test "$(egress "$S" PATCH "[]")" = 400 &&
	test "$(egress "$S" PATCH "[{\"action\": \"allow\", \"target\": \"a b\"}]")" = 400 &&
	grep -q "policy.egress\[0\].target: must be a name" reply &&
	test "$(egress "$S" DELETE "{}")" = 400 &&
	osb-sandbox endpoint "$S" -p 18080 -o json >ep.json &&
	test "$(curl -s -o reply -w "%{http_code}" -H "OPENSANDBOX-EGRESS-AUTH: $(json_get ep.json headers OPENSANDBOX-EGRESS-AUTH)" "http://$(json_get ep.json endpoint)/credential-vault")" = 501
'

test_expect_success 'osb-policy: allow, deny, rm, get by an id prefix' '
	osb-policy allow "${S:0:8}" allowed.test >out &&
	printf "default: deny\nACTION  TARGET\nallow   allowed.test\nallow   *.wild.test\n" >expect &&
	test_cmp expect out &&
	test "$(reach "$S" allowed.test)" = 200 &&
	osb-policy deny "$S" allowed.test >/dev/null &&
	test "$(reach "$S" allowed.test)" = 000 &&
	osb-policy rm "$S" allowed.test >/dev/null &&
	osb egress get "$S" -o json >p.json &&
	test "$(json_get p.json egress)" = 1 &&
	test "$(json_get p.json egress 0 target)" = "*.wild.test" &&
	osb egress patch "$S" "$NET.13" >/dev/null &&
	test "$(reach "$S" "$NET.13")" = 200
'

test_expect_success 'osb-policy check: the rule a name meets, in the exit' '
	osb-policy check "$S" a.wild.test >out &&
	echo "a.wild.test: allow (*.wild.test)" >expect && test_cmp expect out &&
	expect_code 1 osb-policy check "$S" denied.test &&
	echo "denied.test: deny (the default)" >expect && test_cmp expect out &&
	osb-policy check -o json "$S" "$NET.13" >c.json &&
	test "$(json_get c.json rule)" = "$NET.13"
'

test_expect_success 'osb-policy usage errors' '
	expect_code 2 osb-policy allow "$S" &&
	stderr_is "osb-policy: allow: missing TARGET
Try '"'"'osb-policy --help'"'"'." &&
	expect_code 2 osb-policy frob "$S" &&
	stderr_is "osb-policy: unknown command '"'"'frob'"'"'
Try '"'"'osb-policy --help'"'"'."
'

test_expect_success 'default allow: only what is denied is not reached' '
	policy a.json "{\"defaultAction\": \"allow\", \"egress\": [
		{\"action\": \"deny\", \"target\": \"denied.test\"},
		{\"action\": \"deny\", \"target\": \"$NET.13/32\"}]}" &&
	A=$(osb-sandbox create -q --network-policy-file a.json) &&
	test "$(reach "$A" allowed.test)" = 200 &&
	test "$(reach "$A" "$NET.11")" = 200 &&
	expect_code 2 osb-exec "$A" -- getent hosts denied.test &&
	osb-exec "$A" -- getent hosts sub.denied.test &&
	test "$(reach "$A" other.test)" = 000
'

test_expect_success 'serve: a create-time policy, the egress API through it' '
	start_serve &&
	lcall 202 POST /sandboxes -H "Content-Type: application/json" -d "{\"image\": {\"uri\": \"/\"}, \"timeout\": 600, \"resourceLimits\": {}, \"entrypoint\": [\"tail\", \"-f\", \"/dev/null\"], \"networkPolicy\": {\"defaultAction\": \"deny\", \"egress\": [{\"action\": \"allow\", \"target\": \"allowed.test\"}]}}" &&
	R=$(json_get body id) &&
	osb-policy --domain "$SERVE_DOMAIN" get "$R" >out &&
	printf "default: deny\nACTION  TARGET\nallow   allowed.test\n" >expect &&
	test_cmp expect out &&
	osb-policy --domain "$SERVE_DOMAIN" deny "$R" allowed.test >/dev/null &&
	expect_code 2 osb-exec "$R" -- getent hosts allowed.test &&
	osb-sandbox kill "$R" >/dev/null
'

test_expect_success 'a bad target is refused with a 400 saying which' '
	policy b.json "{\"egress\": [{\"action\": \"allow\", \"target\": \"no such\"}]}" &&
	expect_code 1 osb-sandbox create --network-policy-file b.json &&
	stderr_is "osb-sandbox: create sandbox: networkPolicy.egress[0].target: must be a name, *.name, an IP address or a CIDR (400 INVALID_REQUEST)"
'

test_expect_success 'the filter ends with its sandbox' '
	osb-sandbox kill "$S" "$A" >/dev/null &&
	! pgrep -a -f "dnsmasq.*$XDG_STATE_HOME/osb/"
'

test_done
