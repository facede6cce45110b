#!/usr/bin/env bash
# What a local sandbox is isolated from: its writes stay in it (not on
# the host, not in another sandbox), it sees only its own processes, has
# its own hostname, /tmp, /dev and /proc, and its resource limits hold.
# An image that is a rootfs directory is its root.
. "$(dirname "$0")/lib.sh"
# The sandboxes see the host's software (/usr, /etc, /opt), not its data:
# a host file they can see is there.
HOSTDIR=$(mktemp -d /opt/osb-test.XXXXXX) || exit 1
trap 'stop_sandboxes; rm -rf "$HOSTDIR"; t_cleanup' EXIT
echo host >"$HOSTDIR/hostfile"

A=$(osb-sandbox create -q) && B=$(osb-sandbox create -q) ||
	{ echo "Bail out! create failed"; exit 1; }

test_expect_success 'a file written in a sandbox is in it, not on the host' '
	osb-exec "$A" -- "echo secret >/root/osb-isolation-$A; echo t >/tmp/t-$A" &&
	osb-exec "$A" -- cat "/root/osb-isolation-$A" >out &&
	echo secret >expect && test_cmp expect out &&
	! test -e "/root/osb-isolation-$A" &&
	! test -e "/tmp/t-$A"
'

test_expect_success 'nor in another sandbox' '
	expect_code 1 osb-exec "$B" -- test -e "/root/osb-isolation-$A" &&
	expect_code 1 osb-exec "$B" -- test -e "/tmp/t-$A"
'

test_expect_success 'a file of the host is there to read, and a change to it stays in' '
	osb-exec "$A" -- cat "$HOSTDIR/hostfile" >out &&
	echo host >expect && test_cmp expect out &&
	osb-exec "$A" -- "echo changed >$HOSTDIR/hostfile" &&
	osb-exec "$A" -- cat "$HOSTDIR/hostfile" >out &&
	echo changed >expect && test_cmp expect out &&
	echo host >expect && test_cmp expect "$HOSTDIR/hostfile" &&
	osb-exec "$B" -- cat "$HOSTDIR/hostfile" >out && test_cmp expect out
'

test_expect_success 'the host software is its root'"'"'s to change, copy-on-write: /usr/local takes a module' '
	site=$(python3 -c "import sysconfig; print(sysconfig.get_paths()[\"purelib\"])" | sed "s|^/usr/lib|/usr/local/lib|") &&
	osb-exec "$A" -- "mkdir -p $site && echo \"print(6 * 7)\" >$site/osb_demo_mod.py && python3 -c \"import sys; sys.path.insert(0, \\\"$site\\\"); import osb_demo_mod\" && stat -c %U /usr/local/bin" >out &&
	printf "42\nroot\n" >expect && test_cmp expect out &&
	! test -e "$site/osb_demo_mod.py" &&
	osb-exec "$A" -- "echo changed >>/usr/share/osb-demo-$A && chown root /usr/share/osb-demo-$A" &&
	! test -e "/usr/share/osb-demo-$A"
'

test_expect_success 'deleting a host file in the sandbox leaves it on the host' '
	osb-exec "$B" -- rm "$HOSTDIR/hostfile" &&
	expect_code 1 osb-exec "$B" -- test -e "$HOSTDIR/hostfile" &&
	test -e "$HOSTDIR/hostfile"
'

test_expect_success 'ps inside shows only the sandbox: init, execd, entrypoint' '
	osb-exec "$A" -- ps -eo pid=,comm= >out &&
	grep -q "^ *1 osb-init$" out &&
	grep -q " osb-execd$" out &&
	grep -q " tail$" out &&
	! grep -q "osb-supervise\|prove" out &&
	test $(wc -l <out) -le 6
'

test_expect_success 'the hostname is the short id' '
	osb-exec "$A" -- hostname >out &&
	echo "${A:0:12}" >expect && test_cmp expect out &&
	osb-exec "$A" -- "echo \$HOSTNAME" >out && test_cmp expect out
'

test_expect_success '/tmp, /dev and /proc are its own' '
	osb-exec "$A" -- "df --output=fstype /tmp | tail -1; ls /dev | tr \"\\n\" \" \"" >out &&
	grep -qx "tmpfs" <(head -1 out) &&
	sed -n 2p out | grep -q "^fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero $" &&
	osb-exec "$A" -- "test \$(ls -d /proc/[0-9]* | wc -l) -lt 10"
'

test_expect_success 'the host software is an overlay; the host sees none of its mounts' '
	osb-exec "$A" -- "findmnt -no FSTYPE /usr; findmnt -no FSTYPE /etc" >out &&
	printf "overlay\noverlay\n" >expect && test_cmp expect out &&
	! grep -q "$XDG_STATE_HOME" /proc/self/mountinfo
'

# Which cgroups this machine has: v1 controllers, the v2 tree, or none
# (then limits fall back to rlimits, which neither kill nor count alike).
if grep -q " - cgroup .*[ ,]memory" /proc/self/mountinfo; then
	CGROUPS=v1
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	CGROUPS=v2
else
	CGROUPS=
fi

# cgroup_value ID CONTROLLER FILE1 FILE2: the limit in sandbox ID's cgroup,
# FILE1 under v1's CONTROLLER, FILE2 under v2.
cgroup_value() {
	local d
	if [ $CGROUPS = v1 ]; then
		cat "/sys/fs/cgroup/$2/osb/$1/$3"
	else
		cat "/sys/fs/cgroup/osb/$1/$4"
	fi
}

test_expect_success CGROUPS 'the memory limit kills an allocation past it' '
	M=$(osb-sandbox create -q --resource memory=128Mi) &&
	expect_code 137 osb-exec "$M" -- python3 -c "x = bytearray(300 << 20)" &&
	osb-exec "$M" -- python3 -c "x = bytearray(16 << 20); print(len(x))" >out &&
	echo 16777216 >expect && test_cmp expect out &&
	test "$(osb-sandbox get -o json "$M" >m.json && json_get m.json status state)" = Running
'

test_expect_success CGROUPS "the limits are in its cgroups ($CGROUPS here), and in get" '
	L=$(osb-sandbox create -q --resource cpu=250m --resource memory=64Mi --resource pids=40) &&
	test "$(cgroup_value "$L" memory memory.limit_in_bytes memory.max)" = 67108864 &&
	cgroup_value "$L" cpu cpu.cfs_quota_us cpu.max | grep -q "^25000\( 100000\)\{0,1\}$" &&
	test "$(cgroup_value "$L" pids pids.max pids.max)" = 40 &&
	osb-sandbox get -o json "$L" >l.json &&
	test "$(json_get l.json resourceLimits cpu)" = 250m &&
	test "$(json_get l.json resourceLimits pids)" = 40
'

cat >"$TMP/forks.py" <<'EOF'
import os, signal
pids = []
try:
    for i in range(100):
        pid = os.fork()
        if pid == 0:
            signal.pause()
        pids.append(pid)
except OSError as e:
    print("fork failed after", len(pids), "-", e.strerror)
for pid in pids:
    os.kill(pid, signal.SIGKILL)
EOF

test_expect_success CGROUPS 'the pids limit stops a fork bomb at the limit' '
	osb-exec "$L" -- python3 -c "$(cat "$TMP/forks.py")" >out &&
	grep -q "^fork failed after [0-9]* - Resource temporarily unavailable$" out &&
	test "$(cut -d" " -f4 out)" -lt 40
'

test_expect_success 'a limit this runtime does not know is kept and reported' '
	G=$(osb-sandbox create -q --resource gpu=1) &&
	osb-sandbox get -o json "$G" >g.json &&
	test "$(json_get g.json resourceLimits gpu)" = 1 &&
	test "$(json_get g.json status message)" = "resourceLimits not enforced here: gpu"
'

test_expect_success 'env reaches the entrypoint and the commands' '
	V=$(osb-sandbox create -q -e ANSWER=42 --entrypoint sh --entrypoint -c \
		--entrypoint "echo entry \$ANSWER; exec sleep 600") &&
	osb-exec "$V" -- "echo \$ANSWER" >out &&
	echo 42 >expect && test_cmp expect out &&
	wait_for 20 grep -q "entry 42" "$XDG_STATE_HOME/osb/$V/entrypoint.log"
'

# make_rootfs DIR: a small root file system: sh, cat, ls from the host
# with the libraries they need, and a marker file.
make_rootfs() {
	local b l
	mkdir -p "$1/bin" "$1/etc" &&
	for b in /bin/sh /bin/cat /bin/ls; do
		cp "$b" "$1/bin/" || return 1
		for l in $(ldd "$b" | grep -o "/[^ ]*"); do
			mkdir -p "$1${l%/*}" && cp -n "$l" "$1$l" || return 1
		done
	done &&
	echo "osb test rootfs" >"$1/etc/issue"
}

test_expect_success 'an image that is a rootfs directory is the root' '
	make_rootfs "$TMP/rootfs" &&
	R=$(osb-sandbox create -q -i "$TMP/rootfs" --entrypoint /bin/sh \
		--entrypoint -c --entrypoint "exec cat") &&
	osb-exec "$R" -- "cat /etc/issue; ls -A /" >out &&
	printf "osb test rootfs\n.osb\nbin\ndev\netc\nlib\nlib64\nproc\nsys\ntmp\n" >expect &&
	sort out >sorted && sort expect >want && test_cmp want sorted &&
	osb-exec "$R" -- "echo new >/etc/issue" &&
	echo "osb test rootfs" >expect && test_cmp expect "$TMP/rootfs/etc/issue"
'

test_expect_success 'osb-execd and what it needs are read-only under /.osb there' '
	expect_code 2 osb-exec "$R" -- "echo x >/.osb/osb-execd" &&
	grep -q "Read-only file system" err
'

test_expect_success 'an image path that is not a directory is refused' '
	expect_code 1 osb-sandbox create -i "$TMP/no/such/dir" &&
	stderr_is "osb-sandbox: create sandbox: image.uri: $TMP/no/such/dir: not a rootfs directory (400 INVALID_REQUEST)"
'

test_done
