# t/lib-egress.sh — test hosts of our own for the egress tests, sourced
# after lib.sh: a network namespace reached from the host by a veth pair,
# with a DNS server at $NET.2 answering allowed.test ($NET.10),
# denied.test (.11), wild.test and the names under it (.12), other.test
# (.13), and one HTTP server on all those addresses. OSB_EGRESS_DNS
# points new sandboxes' filters at that DNS server. Everything is gone
# when the script exits (the trap set here).
#
#   policy FILE JSON       write a network policy file
#   reach SANDBOX HOST     the HTTP status of http://HOST/ from the
#                          sandbox (000: no connection)

require ROOT CGROUPS
for tool in ip nft dnsmasq python3 curl getent; do
	command -v "$tool" >/dev/null || skip_all "no $tool"
done

NS=osbeg$$ VH=oe$$h VN=oe$$n
NET=10.213.$(($$ % 250))
trap 'stop_sandboxes; t_cleanup; ip netns pids "$NS" 2>/dev/null |
	xargs -r kill -KILL; ip link del "$VH" 2>/dev/null;
	ip netns del "$NS" 2>/dev/null' EXIT

# The test hosts: .2 the DNS server, .10 allowed, .11 denied, .12 under
# wild.test, .13 other.test; HTTP on each.
ip netns add "$NS" && ip link add "$VH" type veth peer name "$VN" &&
ip link set "$VN" netns "$NS" && ip addr add "$NET.1/24" dev "$VH" &&
ip link set "$VH" up && ip -n "$NS" link set lo up &&
ip -n "$NS" link set "$VN" up || exit 1
for h in 2 10 11 12 13; do
	ip -n "$NS" addr add "$NET.$h/24" dev "$VN" || exit 1
done
ip netns exec "$NS" dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$NET.2" --bind-interfaces --pid-file="$TMP/dns.pid" \
    --address=/allowed.test/"$NET.10" --address=/denied.test/"$NET.11" \
    --address=/wild.test/"$NET.12" --address=/other.test/"$NET.13" || exit 1
mkdir -p "$TMP/www" && echo hello >"$TMP/www/index.html"
# One HTTP server for every host: it listens on all their addresses.
ip netns exec "$NS" python3 -m http.server 80 --bind 0.0.0.0 \
    --directory "$TMP/www" >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
up() { curl -s -m 1 -o /dev/null "http://$NET.10/"; }
wait_for 50 up || { echo "Bail out! the test hosts do not answer"; exit 1; }
export OSB_EGRESS_DNS=$NET.2

# policy FILE JSON: a network policy file.
policy() {
	printf '%s\n' "$2" >"$1"
}

# reach SANDBOX HOST: the HTTP status of http://HOST/ from the sandbox
# (000: no connection).
reach() {
	osb-exec "$1" -- curl -s -m 2 -o /dev/null -w '%{http_code}' \
	    "http://$2/"
}

