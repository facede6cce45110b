#!/usr/bin/env bash
# When a command cannot run or its sandbox goes away: osb-exec and
# osb-file fail fast with the reason (a paused sandbox, a server that
# never answers, a transfer that broke), end promptly on a signal, and
# exit as a shell would: 124 for --timeout, the command's own status
# through logs -f.
. "$(dirname "$0")/lib.sh"
LISTENERS=
trap 'kill $LISTENERS 2>/dev/null; stop_sandboxes; t_cleanup' EXIT
start_execd

test_expect_success '--timeout: said, and exit 124 as timeout(1)' '
	start=$(now_ms) &&
	expect_code 124 osb-exec "$EXECD_URL" --timeout 1s -- sleep 10 &&
	stderr_is "osb-exec: the command timed out after 1s" &&
	test $(( $(now_ms) - start )) -lt 5000 &&
	expect_code 124 osb-exec "$EXECD_URL" --timeout 700ms -- sleep 10 &&
	stderr_is "osb-exec: the command timed out after 700ms"
'

test_expect_success 'a command killed otherwise is 137, not a timeout' '
	expect_code 137 osb-exec "$EXECD_URL" --timeout 10s -- "kill -9 \$\$" &&
	! test -s err
'

test_expect_success 'logs -f ends with the command'"'"'s status' '
	id=$(osb-exec -d "$EXECD_URL" -- "echo x; sleep 0.3; exit 3") &&
	expect_code 3 osb-exec logs -f "$EXECD_URL" "$id" &&
	echo x >expect && test_cmp expect out &&
	id=$(osb-exec -d "$EXECD_URL" -- true) &&
	wait_for 50 sh -c "osb-exec status -o json $EXECD_URL $id | grep -q \"running.: false\"" &&
	osb-exec logs -f "$EXECD_URL" "$id"
'

# A server that takes connections and never says a word.
python3 -c "
import os, socket
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen()
open(\"mute.tmp\", \"w\").write(str(s.getsockname()[1])); os.rename(\"mute.tmp\", \"mute\")
held = []
while True:
    held.append(s.accept()[0])
" &
LISTENERS=$!
wait_for 50 test -s "$TMP/mute" && MUTE=http://127.0.0.1:$(cat "$TMP/mute")

test_expect_success 'a server that never answers: the request timeout, then why' '
	start=$(now_ms) &&
	expect_code 125 osb-exec --request-timeout 1 "$MUTE" -- echo hi &&
	stderr_is "osb-exec: run: no reply within 1 s ($MUTE)" &&
	expect_code 1 osb-file --request-timeout 1 cat "$MUTE" /etc/hostname &&
	grep_q "Timeout was reached\|timed out" err &&
	test $(( $(now_ms) - start )) -lt 6000
'

test_expect_success 'SIGTERM while waiting for a reply ends it at once' '
	osb-exec "$MUTE" -- echo hi >out 2>err &
	pid=$!
	sleep_until_waiting() { test -n "$(ss -tnp 2>/dev/null | grep "pid=$pid,")"; } &&
	wait_for 50 sleep_until_waiting &&
	start=$(now_ms) && kill -TERM $pid && wait $pid; rc=$? &&
	test $rc = 143 &&
	test $(( $(now_ms) - start )) -lt 2000
'

# half_uploaded: has the daemon written 50 MB of the upload's temp file?
half_uploaded() {
	test "$(stat -c %s /tmp/.osb-broken-$$.osb-* 2>/dev/null | head -1)" \
		-gt 50000000 2>/dev/null
}

test_expect_success 'a transfer that breaks says how far it got' '
	truncate -s 1G big &&
	osb-file upload "$EXECD_URL" big /tmp/osb-broken-$$ 2>err &
	pid=$!
	wait_for 100 half_uploaded || { kill $pid; return 1; }
	kill -KILL $EXECD_PID &&
	{ wait $pid; rc=$?; } ; test $rc = 1 &&
	grep -Eq "^osb-file: upload /tmp/osb-broken-$$: the transfer broke after [0-9]+ of [0-9]+ bytes sent: .* \($EXECD_URL\)$" err &&
	! test -e /tmp/osb-broken-$$ &&
	rm -f big /tmp/.osb-broken-$$.osb-*
'

test_expect_success 'a paused sandbox: osb-exec and osb-file say so at once' '
	S=$(osb-sandbox create -q) &&
	osb-sandbox pause "$S" >/dev/null &&
	start=$(now_ms) &&
	expect_code 125 osb-exec "$S" -- echo hi &&
	stderr_is "osb-exec: sandbox $S is paused (osb-sandbox resume it first) (409 SANDBOX_STATE_CONFLICT)" &&
	expect_code 1 osb-file cat "$S" /etc/hostname &&
	stderr_is "osb-file: sandbox $S is paused (osb-sandbox resume it first) (409 SANDBOX_STATE_CONFLICT)" &&
	test $(( $(now_ms) - start )) -lt 3000 &&
	osb-sandbox resume "$S" >/dev/null &&
	osb-exec "$S" -- echo back >out && echo back >expect && test_cmp expect out
'

test_expect_success 'a sandbox killed under a running command: said so' '
	osb-exec "$S" -- "echo started; sleep 60" >out 2>err &
	pid=$!
	wait_for 100 grep -q started out &&
	osb-sandbox kill -q "$S" >/dev/null &&
	{ wait $pid; rc=$?; } ; test $rc = 125 &&
	echo "osb-exec: $S: the sandbox or its execd went away before the command ended" >expect &&
	test_cmp expect err
'

test_done
