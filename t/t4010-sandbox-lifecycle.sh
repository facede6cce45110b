#!/usr/bin/env bash
# osb-sandbox pause, resume, renew, kill, endpoint, health and metrics in
# the local runtime: the state changes, expiry at expiresAt, what kill
# leaves (nothing), and the refusals of each.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

S=$(osb-sandbox create -q) || { echo "Bail out! create failed"; exit 1; }

# state ID: the state of sandbox ID.
state() {
	osb-sandbox get -o json "$1" >st.json && json_get st.json status state
}

test_expect_success 'pause freezes the whole tree: Paused, execd silent' '
	osb-sandbox pause "$S" >out &&
	echo "Sandbox paused: $S" >expect && test_cmp expect out &&
	test "$(state "$S")" = Paused &&
	init=$(sandbox_runtime "$S" init) &&
	grep -q "^State:[[:space:]]*[DST]" /proc/$init/status &&
	expect_code 1 osb-sandbox health "$S" &&
	stderr_is "osb-sandbox: sandbox $S is unhealthy: it is Paused"
'

test_expect_success 'pausing a paused sandbox is a 409' '
	expect_code 1 osb-sandbox pause "$S" &&
	stderr_is "osb-sandbox: pause sandbox $S: it is Paused, and only a Running sandbox can be paused (409 SANDBOX_STATE_CONFLICT)"
'

test_expect_success 'resume thaws it: Running, execd answers at once' '
	osb-sandbox resume "${S:0:10}" >out &&
	echo "Sandbox resumed: $S" >expect && test_cmp expect out &&
	test "$(state "$S")" = Running &&
	osb-exec "$S" -- echo awake >out &&
	echo awake >expect && test_cmp expect out
'

test_expect_success 'resuming a running sandbox is a 409' '
	expect_code 1 osb-sandbox resume "$S" &&
	stderr_is "osb-sandbox: resume sandbox $S: it is Running, and only a Paused sandbox can be resumed (409 SANDBOX_STATE_CONFLICT)"
'

test_expect_success 'pause and resume -o json, -q' '
	osb-sandbox pause -o json "$S" >p.json &&
	test "$(json_get p.json sandbox_id)" = "$S" &&
	test "$(json_get p.json status)" = paused &&
	osb-sandbox resume -q "$S" >out &&
	echo "$S" >expect && test_cmp expect out
'

test_expect_success 'renew moves expiresAt: table, json (the API object)' '
	osb-sandbox renew "$S" -t 2h >out &&
	grep -q "^SANDBOX_ID  *$S$" out &&
	grep -q "^EXPIRES_AT  *20" out &&
	osb-sandbox renew -o json "$S" -t 3h >r.json &&
	when=$(json_get r.json expiresAt) &&
	test "$(osb-sandbox get -o json "$S" >g.json && json_get g.json expiresAt)" = "$when" &&
	left=$(( $(date -d "$when" +%s) - $(date +%s) )) &&
	test $left -gt 10700 && test $left -le 10800
'

test_expect_success 'renew needs -t, a duration' '
	expect_code 2 osb-sandbox renew "$S" &&
	grep -q "renew: missing -t DURATION" err &&
	expect_code 2 osb-sandbox renew "$S" -t none &&
	grep -q "renew: -t: not a duration: .none." err
'

test_expect_success 'the supervisor ends the sandbox at expiresAt' '
	E=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$E" supervisor) &&
	osb-sandbox renew -q "$E" -t 1s >/dev/null &&
	wait_for 50 proc_gone "$sup" &&
	expect_code 1 osb-sandbox get "$E" &&
	grep -q "no such sandbox (404 SANDBOX_NOT_FOUND)" err &&
	! test -e "$XDG_STATE_HOME/osb/$E"
'

test_expect_success 'endpoint -p 44772 is the execd, with its token' '
	osb-sandbox endpoint -o json "$S" -p 44772 >ep.json &&
	addr=$(sandbox_runtime "$S" address) &&
	case $addr in 127.0.*|127.*.*.1) false ;; 127.*) true ;; *) false ;; esac &&
	test "$(json_get ep.json endpoint)" = "$addr:44772" &&
	token=$(json_get ep.json headers X-EXECD-ACCESS-TOKEN) &&
	test ${#token} -eq 32 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		-H "X-EXECD-ACCESS-TOKEN: $token" "http://$addr:44772/ping")" = 200 &&
	test "$(curl -s -o /dev/null -w "%{http_code}" \
		-H "X-EXECD-ACCESS-TOKEN: wrong" "http://$addr:44772/ping")" = 401 &&
	osb-sandbox endpoint -q "$S" -p 44772 >out &&
	echo "$addr:44772" >expect && test_cmp expect out
'

test_expect_success 'endpoint of another port: published at the same number on its address' '
	P=$(free_port) &&
	osb-sandbox endpoint -o json "$S" -p $P >ep.json &&
	addr=$(sandbox_runtime "$S" address) &&
	test "$(json_get ep.json endpoint)" = "$addr:$P" &&
	test "$(json_get ep.json headers)" = 0 &&
	osb-sandbox endpoint "$S" -p $P >out &&
	grep -qx "ENDPOINT  *$addr:$P" out &&
	osb-exec "$S" -- "python3 -c \"
import socket
s = socket.socket(); s.bind((\\\"0.0.0.0\\\", $P)); s.listen()
c, _ = s.accept(); c.sendall(b\\\"from inside\\\")\" >/dev/null 2>&1 &" &&
	wait_for 50 sh -c "curl -s --max-time 2 telnet://$addr:$P </dev/null | grep -q \"from inside\""
'

test_expect_success 'endpoint needs -p PORT in 1-65535' '
	expect_code 2 osb-sandbox endpoint "$S" &&
	grep -q "endpoint: missing -p PORT" err &&
	expect_code 2 osb-sandbox endpoint "$S" -p 70000 &&
	grep -q -e "-p: .70000. is not a number from 1 to 65535" err
'

test_expect_success 'health: healthy, and as JSON' '
	osb-sandbox health "$S" >out &&
	echo "Sandbox $S is healthy" >expect && test_cmp expect out &&
	osb-sandbox health -o json "$S" >h.json &&
	test "$(json_get h.json healthy)" = true
'

test_expect_success 'metrics: the execd numbers, table and json' '
	osb-sandbox metrics "$S" >out &&
	grep -q "^CPU_COUNT  *[0-9]" out &&
	grep -q "^MEM_TOTAL_MIB  *[0-9]" out &&
	osb-sandbox metrics -o json "$S" >m.json &&
	json_get m.json mem_used_mib >/dev/null &&
	json_get m.json timestamp >/dev/null
'

test_expect_success 'metrics --watch: a line per sample until interrupted' '
	osb-sandbox metrics --watch "$S" >out 2>err &
	pid=$!
	wait_for 50 grep -q "mem=" out &&
	kill -INT $pid && wait $pid &&
	grep -Eq "^\[20[-0-9T:]*Z\] cpu=[0-9.]+% cores=[0-9]+ mem=[0-9.]+/[0-9.]+MiB$" out &&
	! test -s err
'

test_expect_success 'metrics --watch -o json: JSON lines' '
	osb-sandbox metrics --watch -o json "$S" >out &
	pid=$!
	wait_for 50 grep -q cpu_used_pct out &&
	kill -TERM $pid && wait $pid &&
	head -1 out | perl -MJSON::PP -ne "decode_json(\$_)->{mem_total_mib} > 0 or exit 1"
'

test_expect_success 'kill: Stopping, then gone: processes, cgroups, files' '
	K=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$K" supervisor) &&
	init=$(sandbox_runtime "$K" init) &&
	addr=$(sandbox_runtime "$K" address) &&
	osb-sandbox kill "$K" >out &&
	grep -q "^$K  *terminated$" out &&
	proc_gone "$init" && proc_gone "$sup" &&
	! test -e "$XDG_STATE_HOME/osb/$K" &&
	! test -e "$XDG_STATE_HOME/osb/runtime/$K" &&
	! find /sys/fs/cgroup -maxdepth 4 -name "$K" | grep -q . &&
	! grep -q "$K" /proc/self/mountinfo &&
	! pgrep -f "slirp4netns.*$K" &&
	! curl -s -m 1 "http://$addr:44772/ping" 2>/dev/null &&
	expect_code 1 osb-sandbox get "$K" &&
	grep -q "no such sandbox (404 SANDBOX_NOT_FOUND)" err
'

test_expect_success 'kill several: each is tried, a bad one fails alone' '
	A=$(osb-sandbox create -q) && B=$(osb-sandbox create -q) &&
	expect_code 1 osb-sandbox kill -q "$A" nosuchid "$B" &&
	printf "%s\n" "$A" "$B" >expect && test_cmp expect out &&
	grep -q "nosuchid: no such sandbox (404" err &&
	osb-sandbox list -q >out && ! grep -q "$A\|$B" out
'

test_expect_success 'kill needs ids or --all, not both' '
	expect_code 2 osb-sandbox kill &&
	grep -q "kill: give SANDBOX... or --all" err &&
	expect_code 2 osb-sandbox kill --all "$S" &&
	grep -q "kill: give SANDBOX... or --all" err
'

test_expect_success 'kill --all ends every sandbox, -o json rows' '
	osb-sandbox create -q >/dev/null &&
	osb-sandbox kill --all -o json >k.json &&
	test "$(json_get k.json)" = 2 &&
	test "$(json_get k.json 0 status)" = terminated &&
	osb-sandbox list -q >out && ! test -s out &&
	test -z "$(sandbox_pids)"
'

test_expect_success 'a killed sandbox cannot be paused, resumed or renewed' '
	expect_code 1 osb-sandbox pause "$S" &&
	grep -q "no such sandbox (404" err &&
	expect_code 1 osb-sandbox resume "$S" &&
	expect_code 1 osb-sandbox renew "$S" -t 1h &&
	expect_code 1 osb-sandbox endpoint "$S" -p 44772 &&
	expect_code 1 osb-sandbox health "$S"
'

test_done
