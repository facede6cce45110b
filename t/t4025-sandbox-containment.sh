#!/usr/bin/env bash
# Containment, as root (the usual case on a server): from inside a
# sandbox, every way out this suite knows fails and the sandbox runs on
# (t/lib-contain.sh); and the limits hold: a fork bomb stops at the pids
# limit, the memory limit kills inside only.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-contain.sh"
[ "$(id -u)" = 0 ] || skip_all "runs as root"
trap 'stop_sandboxes; rm -f /root/osb-marker-$$ /home/osb-marker-$$; t_cleanup' EXIT
AS=

contain_suite

test_expect_success 'a fork bomb stops at the pids limit, and the host does not see it' '
	F=$(osb-sandbox create -q --resource pids=64) &&
	osb-exec "$F" -- "timeout 5 bash -c \":(){ :|:& };:\" 2>/dev/null; true" &&
	test "$(cat /sys/fs/cgroup/pids/osb/$F/pids.current 2>/dev/null ||
		cat /sys/fs/cgroup/osb/$F/pids.current)" -le 64 &&
	osb-sandbox kill -q "$F" >/dev/null &&
	! test -e "$XDG_STATE_HOME/osb/$F"
'

test_expect_success 'the memory limit kills inside only' '
	G=$(osb-sandbox create -q --resource memory=128Mi) &&
	expect_code 137 osb-exec "$G" -- python3 -c "x = bytearray(400 << 20)" &&
	alive "$G" && alive "$C"
'

test_done
