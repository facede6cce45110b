#!/usr/bin/env bash
# The local runtime without root: a user namespace in which the user is
# root makes the other namespaces and the mounts and runs the OCI runtime
# (rootless); no cgroups, so limits are rlimits and pause stops every
# process of the sandbox. The host's software is read-only inside.
. "$(dirname "$0")/lib.sh"

require ROOT
command -v setpriv >/dev/null || skip_all "no setpriv"
NOBODY_HOME=$TMP/nobody
mkdir -p "$NOBODY_HOME" && chmod 755 "$TMP" && chown 65534:65534 "$NOBODY_HOME" ||
	skip_all "cannot make a home for nobody"

# as_nobody CMD...: CMD as user and group 65534, with its own state.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$NOBODY_HOME" XDG_STATE_HOME="$NOBODY_HOME/state" \
		PATH="$PATH" "$@"
}

as_nobody osb-sandbox --version >/dev/null 2>&1 ||
	skip_all "nobody cannot run $OSB_BIN/osb-sandbox"
as_nobody unshare -Ur true 2>/dev/null ||
	skip_all "no user namespaces for unprivileged users here"
# slirp4netns opens /dev/net/tun as the user: a machine that keeps it
# root's (0600, as some containers do) is made to give it as Debian does
# while the test runs.
TUN_MODE=$(stat -c %a /dev/net/tun 2>/dev/null) ||
	skip_all "no /dev/net/tun for slirp4netns"
chmod 0666 /dev/net/tun || skip_all "cannot open /dev/net/tun to users"

trap 'as_nobody osb-sandbox kill --all >/dev/null 2>&1;
	XDG_STATE_HOME=$NOBODY_HOME/state stop_sandboxes;
	chmod "$TUN_MODE" /dev/net/tun; t_cleanup' EXIT

# No memory limit (the SDKs' default 2Gi would be an address space
# rlimit, which AddressSanitizer cannot live with).
test_expect_success 'nobody creates a sandbox, and is root in it' '
	S=$(as_nobody osb-sandbox create -q --resource cpu=1) &&
	as_nobody osb-exec "$S" -- "id -u; hostname" >out &&
	printf "0\n%s\n" "${S:0:12}" >expect && test_cmp expect out &&
	ps -o user= -p "$(XDG_STATE_HOME=$NOBODY_HOME/state sandbox_runtime "$S" supervisor)" >out &&
	echo nobody >expect && test_cmp expect out
'

test_expect_success 'its writes stay in it, even to what nobody may not touch' '
	as_nobody osb-exec "$S" -- "echo x >/etc/osb-unprivileged-$S && cat /etc/osb-unprivileged-$S" >out &&
	echo x >expect && test_cmp expect out &&
	! test -e "/etc/osb-unprivileged-$S"
'

test_expect_success 'it sees only its own processes' '
	as_nobody osb-exec "$S" -- ps -eo comm= >out &&
	grep -qx osb-init out && grep -qx osb-execd out &&
	test $(wc -l <out) -le 5
'

test_expect_success 'without cgroups, the status says what is not enforced' '
	as_nobody osb-sandbox get -o json "$S" >s.json &&
	json_get s.json status message >out &&
	echo "resourceLimits.cpu not enforced (no cgroup cpu controller)" >expect &&
	test_cmp expect out
'

if [ -z "${OSB_SANITIZE:-}" ]; then
	test_expect_success 'memory is limited by an rlimit, and the status says so' '
		M=$(as_nobody osb-sandbox create -q --resource memory=256Mi) &&
		as_nobody osb-exec "$M" -- ulimit -v >out &&
		echo 262144 >expect && test_cmp expect out &&
		as_nobody osb-sandbox get -o json "$M" >m.json &&
		json_get m.json status message >out &&
		echo "resourceLimits.memory set as an address space rlimit (no cgroup memory controller)" >expect &&
		test_cmp expect out &&
		as_nobody osb-sandbox kill -q "$M" >/dev/null
	'
else
	test_skip 'memory is limited by an rlimit' 'AddressSanitizer needs more address space'
fi

test_expect_success 'pause stops every process of it, resume continues them' '
	as_nobody osb-sandbox pause "$S" >/dev/null &&
	init=$(XDG_STATE_HOME=$NOBODY_HOME/state sandbox_runtime "$S" init) &&
	grep -q "^State:[[:space:]]*T" /proc/$init/status &&
	as_nobody osb-sandbox resume "$S" >/dev/null &&
	as_nobody osb-exec "$S" -- echo back >out &&
	echo back >expect && test_cmp expect out
'

test_expect_success 'kill leaves nothing of it' '
	as_nobody osb-sandbox kill -q "$S" >/dev/null &&
	test -z "$(XDG_STATE_HOME=$NOBODY_HOME/state sandbox_pids)" &&
	! test -e "$NOBODY_HOME/state/osb/$S"
'

test_done
