#!/usr/bin/env bash
# Egress policy figures, on the egress tests' own hosts: a PATCH until
# its reply (enforced by then; target <= 100 ms), a DNS lookup of an
# allowed name through the filter against one straight to the same
# server (target: <= 2 ms added), and a bulk HTTP transfer from an
# allowed host with and without a policy (target: within 10%).
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-egress.sh"

dd if=/dev/zero of="$TMP/www/big" bs=1M count=256 status=none || exit 1
policy p.json "{\"defaultAction\": \"deny\", \"egress\": [
	{\"action\": \"allow\", \"target\": \"allowed.test\"},
	{\"action\": \"allow\", \"target\": \"$NET.10/32\"}]}"
F=$(osb-sandbox create -q --network-policy-file p.json) &&
U=$(osb-sandbox create -q) || { echo "perf: no sandboxes"; exit 1; }

# A PATCH's reply, the rule enforced: the median of 50, in ms.
osb-sandbox endpoint "$F" -p 18080 -o json >ep.json
url=http://$(json_get ep.json endpoint)/policy
tok=$(json_get ep.json headers OPENSANDBOX-EGRESS-AUTH)
for i in $(seq 50); do
	curl -s -o /dev/null -w '%{time_total}\n' -X PATCH \
	    -H "OPENSANDBOX-EGRESS-AUTH: $tok" \
	    -d "[{\"action\": \"allow\", \"target\": \"n$i.test\"}]" "$url"
done | sort -n | awk '{ t[NR] = $1 } END {
	printf "egress: PATCH enforced, median %.1f ms over %d (target <= 100 ms)\n",
	    t[int((NR + 1) / 2)] * 1000, NR }'

# dns SANDBOX SERVER: the median of 200 lookups of allowed.test, in ms.
dns() {
	osb-exec "$1" -- python3 -c '
import socket, struct, sys, time
q = struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + \
    b"\7allowed\4test\0\0\1\0\1"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
t = []
for i in range(200):
    a = time.monotonic()
    s.sendto(q, (sys.argv[1], 53))
    s.recv(512)
    t.append(time.monotonic() - a)
t.sort()
print("%.3f" % (t[100] * 1000))' "$2"
}
via=$(dns "$F" "$NET.2") && direct=$(dns "$U" "$NET.2") &&
awk -v f="$via" -v d="$direct" 'BEGIN {
	printf "egress: DNS lookup through the filter %.2f ms, straight %.2f ms: %.2f ms added (target <= 2 ms)\n",
	    f, d, f - d }'

# get SANDBOX: the best of 3 downloads of 256 MiB, in MB/s.
get() {
	for i in 1 2 3; do
		osb-exec "$1" -- curl -s -o /dev/null -w '%{speed_download}\n' \
		    "http://$NET.10/big"
	done | sort -n | tail -1
}
with=$(get "$F") && without=$(get "$U") &&
awk -v w="$with" -v o="$without" 'BEGIN {
	printf "egress: bulk transfer %.0f MB/s with a policy, %.0f MB/s without: %.1f%% (target within 10%%)\n",
	    w / 1e6, o / 1e6, (w - o) / o * 100 }'
