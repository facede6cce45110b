# t/lib-contain.sh — the containment suite: every way out of a sandbox
# that this suite knows is tried from inside, and must fail with the
# sandbox still running. Sourced after lib.sh by the scripts that run it
# as root and as an unprivileged user; they set
#
#   AS        the command prefix to run osb as that user ("" for root)
#   ROOTLESS  1 when the sandbox has no idmapped root and no cgroups
#
# and call contain_suite.

# escape_py NAME: a Python attempt at a system call, printing OK when it
# worked and the errno's name when it did not.
cat >"$TMP/syscall.py" <<'PY'
import ctypes, errno, os, platform, sys
libc = ctypes.CDLL(None, use_errno=True)
nr = {"x86_64": {"init_module": 175, "finit_module": 313, "keyctl": 250,
                 "add_key": 248, "reboot": 169, "kexec_load": 246,
                 "open_by_handle_at": 304, "bpf": 321},
      "aarch64": {"init_module": 105, "finit_module": 273, "keyctl": 219,
                  "add_key": 217, "reboot": 142, "kexec_load": 104,
                  "open_by_handle_at": 265, "bpf": 280}}[platform.machine()]
name = sys.argv[1]
if name == "init_module":
    r = libc.syscall(nr[name], b"\0" * 64, 64, b"")
elif name == "finit_module":
    fd = os.open("/dev/null", os.O_RDONLY)
    r = libc.syscall(nr[name], fd, b"", 0)
elif name == "keyctl":   # KEYCTL_JOIN_SESSION_KEYRING
    r = libc.syscall(nr[name], 1, b"osb-escape")
elif name == "add_key":
    r = libc.syscall(nr[name], b"user", b"osb", b"x", 1, -3)
elif name == "reboot":   # LINUX_REBOOT_CMD_CAD_OFF: harmless if it worked
    r = libc.syscall(nr[name], 0xfee1dead, 672274793, 0, None)
elif name == "kexec_load":
    r = libc.syscall(nr[name], 0, 0, None, 0)
elif name == "bpf":
    r = libc.syscall(nr[name], 0, None, 0)
elif name == "mount":
    r = libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)
elif name == "unshare_user":
    r = libc.unshare(0x10000000)
elif name == "mknod_block":
    r = libc.mknod(b"/tmp/osb-blk", 0o60600, os.makedev(254, 0))
print("OK" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), "?"))
PY

# inside SANDBOX CMD: CMD in the sandbox, as the suite's user.
inside() {
	local s=$1
	shift
	$AS osb-exec "$s" -- "$@"
}

# refused SANDBOX SYSCALL: the attempt fails (EPERM, or as seccomp says).
refused() {
	local got
	got=$(inside "$1" python3 /tmp/syscall.py "$2") || return 1
	case $got in
	OK) echo "$2 worked in the sandbox"; return 1 ;;
	EPERM|EACCES|ENOSYS|EINVAL) return 0 ;;
	*) echo "$2: $got"; return 1 ;;
	esac
}

# alive SANDBOX: it still runs and answers.
alive() {
	test "$(inside "$1" echo alive)" = alive
}

contain_suite() {
	local markers="$TMP/markers"

	# No memory limit: without cgroups it is an address space rlimit,
	# which AddressSanitizer cannot live with.
	test_expect_success 'setup: a sandbox, and markers of the host' '
		C=$($AS osb-sandbox create -q -t 10m --resource cpu=1) &&
		$AS osb-file write "$C" /tmp/syscall.py <"$TMP/syscall.py" &&
		M=osb-marker-$$ &&
		echo secret >"/root/$M" && echo secret >"/home/$M" &&
		echo secret >"$XDG_STATE_HOME/osb/$M" &&
		echo "/root/$M /home/$M $XDG_STATE_HOME/osb/$M" >"$markers"
	'

	test_expect_success 'the host'"'"'s /root, /home and osb'"'"'s state are not there' '
		for f in $(cat "$markers"); do
			expect_code 1 inside "$C" cat "$f" || return 1
		done &&
		inside "$C" "ls -A /root /home" >out && ! grep -q osb-marker out &&
		inside "$C" "find / -xdev -name \"osb-marker-*\" 2>/dev/null" >out &&
		! test -s out &&
		expect_code 1 inside "$C" test -e "$XDG_STATE_HOME/osb" &&
		alive "$C"
	'

	test_expect_success 'a write to the host'"'"'s files stays in the sandbox' '
		inside "$C" "echo x >/etc/$M; echo x >/opt/$M; echo x >/usr/$M; mkdir -p /var/lib && echo x >/var/lib/$M" >/dev/null 2>&1
		! test -e "/etc/$M" && ! test -e "/opt/$M" && ! test -e "/usr/$M" &&
		! test -e "/var/lib/$M" &&
		inside "$C" "echo osb-x >>/etc/passwd" >/dev/null 2>&1
		! grep -q osb-x /etc/passwd &&
		alive "$C"
	'

	test_expect_success 'mknod of a block device fails; no device to open' '
		refused "$C" mknod_block &&
		expect_code 2 inside "$C" "ls /dev/vd* /dev/sd* /dev/nvme* /dev/mem /dev/kmsg 2>/dev/null" &&
		alive "$C"
	'

	test_expect_success 'mount fails, and no user namespace to mount in' '
		refused "$C" mount && refused "$C" unshare_user &&
		expect_code 1 inside "$C" unshare -Urm true &&
		alive "$C"
	'

	test_expect_success 'kernel modules, kexec, keyrings, bpf, reboot: refused' '
		for call in init_module finit_module kexec_load keyctl add_key bpf reboot; do
			refused "$C" "$call" || return 1
		done &&
		alive "$C"
	'

	test_expect_success '/proc/kcore and the other masked paths read as nothing' '
		inside "$C" "head -c 16 /proc/kcore | wc -c; cat /proc/keys /proc/timer_list 2>/dev/null | wc -c" >out &&
		printf "0\n0\n" >expect && test_cmp expect out &&
		expect_code 1 inside "$C" "echo 1 >/proc/sys/kernel/panic" &&
		expect_code 1 inside "$C" "echo b >/proc/sysrq-trigger" &&
		alive "$C"
	'

	test_expect_success 'a host process is neither seen nor signalled' '
		sleep 600 & hp=$! &&
		expect_code 1 inside "$C" "kill -0 $hp" &&
		inside "$C" "ps -eo comm=" >out && ! grep -q "^sleep$" out &&
		kill -0 $hp && kill $hp &&
		alive "$C"
	'

	test_expect_success 'a hard limit cannot be raised' '
		hard=$(inside "$C" "ulimit -Hn") &&
		expect_code 1 inside "$C" "ulimit -Hn $((hard + 1))" &&
		alive "$C"
	'

	test_expect_success 'the host loopback and another sandbox are out of reach' '
		rm -f hp &&
		python3 -c "
import os, socket
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen()
open(\"hp.tmp\", \"w\").write(str(s.getsockname()[1])); os.rename(\"hp.tmp\", \"hp\")
c, _ = s.accept(); c.sendall(b\"host\\n\")
" & lp=$! &&
		wait_for 50 test -s hp && hp=$(cat hp) &&
		O=$($AS osb-sandbox create -q -t 10m --resource cpu=1) &&
		op=$(free_port) &&
		inside "$O" "python3 -c \"
import socket
s = socket.socket(); s.bind((\\\"0.0.0.0\\\", $op)); s.listen()
c, _ = s.accept(); c.sendall(b\\\"other\\\\n\\\")
\" >/dev/null 2>&1 &" &&
		oaddr=$($AS osb-sandbox endpoint -q "$O" -p $op) &&
		wait_for 50 sh -c "curl -s --max-time 1 telnet://$oaddr </dev/null | grep -q other" ||
			{ kill $lp; return 1; }
		for target in 127.0.0.1:$hp 10.0.2.2:$hp $oaddr; do
			inside "$C" "timeout 3 bash -c \"exec 3<>/dev/tcp/${target%:*}/${target#*:} && head -1 <&3\"" >out 2>&1
			grep -q "host\|other" out && { echo "reached $target"; kill $lp; return 1; }
		done
		kill $lp 2>/dev/null
		alive "$C"
	'

	test_expect_success 'capabilities as Docker'"'"'s, no new privileges, seccomp filtering' '
		inside "$C" "grep -E \"^(CapEff|CapBnd|NoNewPrivs|Seccomp):\" /proc/self/status" >out &&
		printf "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n" >expect &&
		test_cmp expect out
	'

	test_expect_success 'cleanup: the markers' '
		rm -f $(cat "$markers") "/etc/$M" "/opt/$M" "/usr/$M"
	'
}
