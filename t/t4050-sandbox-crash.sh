#!/usr/bin/env bash
# When things die: a CLI killed while it creates leaves no orphan (the
# supervisor owns the tree), a supervisor that dies takes the tree with it
# and the sandbox reads Failed, an init or an execd that dies fails the
# sandbox, and an entrypoint that ends is reported while execd goes on.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

# state ID: the state of sandbox ID ("reason: message" in ./why).
state() {
	osb-sandbox get -o json "$1" >st.json &&
	echo "$(json_get st.json status reason): $(json_get st.json status message)" >why &&
	json_get st.json status state
}

# settled: every sandbox is Running, a supervisor, an init and a network each, and
# no supervisor is still on its way (a CLI killed just after its fork
# leaves one that has not written its record yet).
settled() {
	osb-sandbox list -a -o json >l.json &&
	test -z "$(osb-sandbox list -a -q -s Pending)" &&
	test "$(sandbox_pids | wc -l)" -eq $((3 * $(json_get l.json items)))
}

test_expect_success 'a CLI killed during create leaves a sandbox or nothing' '
	for d in 0.005 0.01 0.02 0.03 0.05; do
		osb-sandbox create -q >/dev/null 2>&1 &
		pid=$!
		sleep $d
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
	done
	sleep 0.2 && wait_for 50 settled &&
	perl -MJSON::PP -e "
		for (@{decode_json(join q(), <STDIN>)->{items}}) {
			\$_->{status}{state} eq q(Running) or die join(q( ),
			    \$_->{id}, map { \$_ // q(-) } @{\$_->{status}}{qw(state reason message)}) . qq(\n);
		}" <l.json &&
	osb-sandbox kill --all >/dev/null &&
	test -z "$(sandbox_pids)" &&
	test -z "$(ls "$XDG_STATE_HOME/osb" | grep -v "^runtime$")"
'

test_expect_success 'a supervisor killed: the tree goes, the sandbox is Failed' '
	S=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$S" supervisor) &&
	init=$(sandbox_runtime "$S" init) &&
	addr=$(sandbox_runtime "$S" address) &&
	kill -KILL "$sup" &&
	wait_for 50 proc_gone "$init" &&
	test "$(state "$S")" = Failed &&
	echo "supervisor_died: its supervisor (pid $sup) is gone" >expect &&
	test_cmp expect why &&
	! curl -s -m 1 "http://$addr:44772/ping" 2>/dev/null &&
	test -z "$(sandbox_pids)" &&
	osb-sandbox list -q -s failed >out &&
	echo "$S" >expect && test_cmp expect out
'

test_expect_success 'a failed sandbox refuses pause, and kill removes it all' '
	expect_code 1 osb-sandbox pause "$S" &&
	grep -q "it is Failed, and only a Running sandbox can be paused (409" err &&
	osb-sandbox kill -q "$S" >/dev/null &&
	! test -e "$XDG_STATE_HOME/osb/$S" &&
	! test -e "$XDG_STATE_HOME/osb/runtime/$S" &&
	! find /sys/fs/cgroup -maxdepth 4 -name "$S" | grep -q .
'

test_expect_success 'an init killed from the host fails the sandbox' '
	S=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$S" supervisor) &&
	kill -KILL "$(sandbox_runtime "$S" init)" &&
	wait_for 50 proc_gone "$sup" &&
	test "$(state "$S")" = Failed &&
	echo "runtime_error: the sandbox'\''s init killed by signal 9 (Killed)" >expect &&
	test_cmp expect why &&
	osb-sandbox kill -q "$S" >/dev/null
'

test_expect_success 'an execd that dies fails the sandbox, saying how' '
	S=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$S" supervisor) &&
	osb-exec -d "$S" -- "sleep 0.2; kill -KILL \$(pgrep -x osb-execd)" >/dev/null &&
	wait_for 50 proc_gone "$sup" &&
	test "$(state "$S")" = Failed &&
	grep -q "^execd_exited: osb-execd killed by signal 9 (Killed)" why &&
	osb-sandbox kill -q "$S" >/dev/null
'

test_expect_success 'an entrypoint that ends is reported; execd goes on' '
	S=$(osb-sandbox create -q --entrypoint sh --entrypoint -c \
		--entrypoint "sleep 0.3; exit 3") &&
	wait_for 50 grep -q "exited with status 3" "$XDG_STATE_HOME/osb/$S/supervisor.log" &&
	test "$(state "$S")" = Running &&
	echo "entrypoint_exited: entrypoint exited with status 3" >expect &&
	test_cmp expect why &&
	osb-exec "$S" -- echo alive >out &&
	echo alive >expect && test_cmp expect out
'

test_expect_success 'an entrypoint that cannot start: no sandbox, and why' '
	osb-sandbox list -a -q >before &&
	expect_code 1 osb-sandbox create -q --entrypoint /no/such/program &&
	stderr_is "osb-sandbox: create sandbox: entrypoint /no/such/program: No such file or directory (500 RUNTIME_ERROR)" &&
	expect_code 1 osb-sandbox create -q --entrypoint /etc/passwd &&
	stderr_is "osb-sandbox: create sandbox: entrypoint /etc/passwd: Permission denied (500 RUNTIME_ERROR)" &&
	osb-sandbox list -a -q >after && test_cmp before after
'

test_expect_success 'an entrypoint killed by a signal is told so' '
	S=$(osb-sandbox create -q --entrypoint sleep --entrypoint 600) &&
	osb-exec "$S" -- pkill -TERM -x sleep &&
	wait_for 50 grep -q "killed by signal" "$XDG_STATE_HOME/osb/$S/supervisor.log" &&
	test "$(state "$S")" = Running &&
	echo "entrypoint_exited: entrypoint killed by signal 15 (Terminated)" >expect &&
	test_cmp expect why
'

test_expect_success 'a sandbox whose CLI is gone still expires on time' '
	S=$(osb-sandbox create -q) &&
	sup=$(sandbox_runtime "$S" supervisor) &&
	osb-sandbox renew -q "$S" -t 1s >/dev/null &&
	wait_for 50 proc_gone "$sup" &&
	expect_code 1 osb-sandbox get "$S"
'

test_done
