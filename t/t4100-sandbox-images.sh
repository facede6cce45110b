#!/usr/bin/env bash
# Registry images: pulled with skopeo from a registry of our own on
# loopback (with and without htpasswd auth), unpacked once into the cache
# under the state directory, their layers and whiteouts honoured and
# their config (Env, WorkingDir, User, Entrypoint/Cmd) applied; the
# cache commands (image pull, ls, rm, prune); without root too.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-images.sh"
for tool in skopeo umoci docker-registry busybox htpasswd; do
	command -v "$tool" >/dev/null ||
		skip_all "no $tool (make deps installs it)"
done
trap 'stop_sandboxes; stop_registries; t_cleanup' EXIT

make_image >"$TMP/make.log" 2>&1 ||
	{ echo "Bail out! building the test image failed"; exit 1; }
start_registry open && OPEN=$REG && OPEN_PID=$! && push v1 && push user &&
	push conc && push cut ||
	{ echo "Bail out! the registry did not take the image"; exit 1; }
htpasswd -Bbc "$TMP/htpasswd" tester s3cret 2>/dev/null &&
	start_registry locked "$TMP/htpasswd" && LOCKED=$REG &&
	push v1 --dest-creds tester:s3cret ||
	{ echo "Bail out! the registry with auth did not take the image"; exit 1; }
IMG=$OPEN/test/img:v1
CACHE=$XDG_STATE_HOME/osb/images

test_expect_success 'create pulls the image; the sandbox runs its Cmd' '
	S=$(osb-sandbox create -q -i "$IMG") &&
	osb-exec "$S" -- "cat /etc/one /etc/two; readlink /proc/1/exe" >out &&
	printf "one\ntwo\n/.osb/osb-init\n" >expect && test_cmp expect out &&
	osb-sandbox get -o json "$S" >get.json &&
	json_get get.json image uri >out && echo "$IMG" >expect &&
	test_cmp expect out &&
	echo "$(json_get get.json entrypoint 0) $(json_get get.json entrypoint 1)" >out &&
	echo "sleep 86400" >expect && test_cmp expect out
'

test_expect_success 'the whiteout of the second layer is honoured' '
	expect_code 1 osb-exec "$S" -- test -e /gone
'

test_expect_success 'the image config applies: Env, WorkingDir; the request env wins' '
	osb-exec "$S" -- "echo \$GREETING \$WHO \$PATH" >out &&
	echo "hello image /bin" >expect && test_cmp expect out &&
	osb-exec "$S" -- "readlink /proc/\$(cat /proc/1/task/1/children | cut -d\" \" -f2)/cwd" >out &&
	echo /work >expect && test_cmp expect out &&
	T=$(osb-sandbox create -q -i "$IMG" -e WHO=request) &&
	osb-exec "$T" -- "echo \$GREETING \$WHO" >out &&
	echo "hello request" >expect && test_cmp expect out
'

test_expect_success 'the image'"'"'s User runs the entrypoint; execd stays root' '
	X=$(osb-sandbox create -q -i "$OPEN/test/img:user") &&
	osb-exec "$X" -- "set -- \$(cat /proc/1/task/1/children); grep -E \"^(Uid|Gid):\" /proc/\$2/status | cut -f1,2; id -u" >out &&
	printf "Uid:\t1234\nGid:\t5678\n0\n" >expect && test_cmp expect out
'

test_expect_success 'layers shared between images are fetched once' '
	grep -o "GET /v2/test/img/blobs/sha256:[0-9a-f]*" "$TMP/open/log" |
		sort >gets &&
	test $(wc -l <gets) -ge 3 &&
	uniq -d gets >twice && test_cmp /dev/null twice
'

test_expect_success 'the second create is a cache hit: nothing is pulled again' '
	ls "$CACHE/roots" >roots.before &&
	test $(wc -l <roots.before) = 2 &&
	kill -STOP ${REG_PIDS%% *} &&
	U=$(osb-sandbox create -q -i "$IMG" --entrypoint tail \
		--entrypoint -f --entrypoint /dev/null); rc=$?
	kill -CONT ${REG_PIDS%% *} &&
	test $rc = 0 &&
	osb-exec "$U" -- cat /etc/two >out && echo two >expect &&
	test_cmp expect out &&
	ls "$CACHE/roots" >roots.after && test_cmp roots.before roots.after &&
	osb-sandbox get -o json "$U" >get.json &&
	json_get get.json entrypoint 0 >out && echo tail >expect &&
	test_cmp expect out
'

test_expect_success 'writes stay in the sandbox, never in the cached image' '
	osb-exec "$U" -- "echo changed >/etc/one" &&
	osb-exec "$S" -- cat /etc/one >out && echo one >expect &&
	test_cmp expect out &&
	cat "$CACHE"/roots/*/rootfs/etc/one >out && printf "one\none\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a missing tag: the registry'"'"'s reason' '
	expect_code 1 osb-sandbox create -i "$OPEN/test/img:nope" &&
	stderr_is "osb-sandbox: create sandbox: image $OPEN/test/img:nope: reading manifest nope in $OPEN/test/img: manifest unknown (400 INVALID_REQUEST)" &&
	test -z "$(ls "$CACHE/tmp")"
'

test_expect_success 'a registry that wants auth: refused without it, pulled with it' '
	expect_code 1 osb-sandbox create -i "$LOCKED/test/img:v1" &&
	grep_q "^osb-sandbox: create sandbox: image $LOCKED/test/img:v1: .*unauthorized.* (400 INVALID_REQUEST)$" err &&
	expect_code 1 osb-sandbox create -i "$LOCKED/test/img:v1" \
		--image-auth-username tester --image-auth-password wrong &&
	grep_q "unauthorized" err &&
	V=$(osb-sandbox create -q -i "$LOCKED/test/img:v1" \
		--image-auth-username tester --image-auth-password s3cret) &&
	osb-exec "$V" -- "echo \$GREETING" >out && echo hello >expect &&
	test_cmp expect out &&
	! grep -rq s3cret "$CACHE/refs"
'

test_expect_success 'the same image under another name is unpacked once' '
	test $(ls "$CACHE/roots" | wc -l) = 2 &&
	test $(ls "$CACHE/refs" | wc -l) = 3
'

test_expect_success 'an oci-archive is an image too' '
	skopeo copy -q "oci:$TMP/layout:img" "oci-archive:$TMP/img.tar" >/dev/null &&
	W=$(osb-sandbox create -q -i "oci-archive:$TMP/img.tar") &&
	osb-exec "$W" -- cat /etc/two >out && echo two >expect &&
	test_cmp expect out
'

test_expect_success 'concurrent creates of an image pull it once' '
	osb-sandbox create -q -i "$OPEN/test/img:conc" >c1 2>e1 &
	p1=$!
	osb-sandbox create -q -i "$OPEN/test/img:conc" >c2 2>e2 &
	p2=$!
	wait $p1 && wait $p2 &&
	osb-exec "$(cat c1)" -- cat /etc/two >out && osb-exec "$(cat c2)" -- cat /etc/two >>out &&
	printf "two\ntwo\n" >expect && test_cmp expect out &&
	grep -c "GET /v2/test/img/manifests/v1 " "$TMP/open/log" >once &&
	grep -c "GET /v2/test/img/manifests/conc " "$TMP/open/log" >twice &&
	test_cmp once twice
'

test_expect_success 'a pull cut off half-way leaves nothing taken for complete' '
	kill -STOP $OPEN_PID
	osb-sandbox image pull "$OPEN/test/img:cut" >/dev/null 2>&1 &
	p=$!
	wait_for 100 pgrep -P $p skopeo &&
	kill -KILL $(pgrep -P $p skopeo) $p; wait $p
	kill -CONT $OPEN_PID &&
	osb-sandbox image ls -q >out && ! grep -q ":cut$" out &&
	test -n "$(ls "$CACHE/tmp")" &&
	C=$(osb-sandbox create -q -i "$OPEN/test/img:cut") &&
	osb-exec "$C" -- cat /etc/two >out && echo two >expect &&
	test_cmp expect out
'

test_expect_success 'image ls: the cached images, as a table, -q or -o json' '
	osb-sandbox image ls -q >out &&
	printf "%s\n" "$OPEN/test/img:conc" "$OPEN/test/img:cut" \
		"$OPEN/test/img:user" "$OPEN/test/img:v1" \
		"$LOCKED/test/img:v1" "oci-archive:$TMP/img.tar" | sort >expect &&
	test_cmp expect out &&
	osb-sandbox image ls >out &&
	head -1 out | grep -q "^IMAGE  *DIGEST  *PULLED$" &&
	grep -q "^$OPEN/test/img:v1  *sha256:[0-9a-f]\{64\}  *20" out &&
	osb-sandbox image ls -o json >ls.json &&
	json_get ls.json >out && echo 6 >expect && test_cmp expect out
'

test_expect_success 'image pull: a cached image is not pulled again; -q prints its digest' '
	osb-sandbox image pull -o json "$IMG" >pull.json &&
	json_get pull.json pulled >out && echo false >expect &&
	test_cmp expect out &&
	osb-sandbox image pull -q "$IMG" >out &&
	grep -qx "$(json_get pull.json digest)" out
'

test_expect_success 'image rm forgets an image; prune removes what nothing uses, not what runs' '
	osb-sandbox image rm "$OPEN/test/img:user" &&
	expect_code 1 osb-sandbox image rm "$OPEN/test/img:user" &&
	stderr_is "osb-sandbox: image $OPEN/test/img:user: not in the cache (404 IMAGE_NOT_FOUND)" &&
	osb-sandbox image prune >out &&
	echo "Removed 0 unpacked images." >expect && test_cmp expect out &&
	test -z "$(ls "$CACHE/tmp")" &&
	osb-sandbox kill "$X" &&
	osb-sandbox image prune -o json >out &&
	echo "{\"removed\":1}" | tr -d "\n" >expect && tr -d " \n" <out >got &&
	test_cmp expect got &&
	osb-exec "$S" -- cat /etc/two >out && echo two >expect &&
	test_cmp expect out
'

# bash_complete WORD...: the candidates bash offers for the last WORD.
bash_complete() {
	bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_osb_sandbox osb-sandbox "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bash_complete "$T_DIR/../completions/osb-sandbox.bash" osb-sandbox "$@"
}

test_expect_success 'bash completes the actions of image, and cached images' '
	bash_complete image p >out &&
	printf "%s\n" pull prune >expect && test_cmp expect out &&
	bash_complete create -i "$OPEN/test/img:v" >out &&
	echo "$OPEN/test/img:v1" >expect && test_cmp expect out &&
	bash_complete image rm "$LOCKED" >out &&
	echo "$LOCKED/test/img:v1" >expect && test_cmp expect out
'

# as_nobody CMD...: CMD as user and group 65534, with its own state.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$TMP/nobody" XDG_STATE_HOME="$TMP/nobody/state" \
		PATH="$PATH" "$@"
}

if have ROOT && command -v setpriv >/dev/null &&
    mkdir -p "$TMP/nobody" && chmod 755 "$TMP" &&
    chown 65534:65534 "$TMP/nobody" && chmod 644 "$TMP/img.tar" &&
    as_nobody unshare -Ur true 2>/dev/null &&
    TUN_MODE=$(stat -c %a /dev/net/tun 2>/dev/null); then
	test_expect_success 'without root, an image is unpacked rootless and runs' '
		chmod 0666 /dev/net/tun &&
		N=$(as_nobody osb-sandbox create -q --resource cpu=1 \
			-i "oci-archive:$TMP/img.tar") &&
		as_nobody osb-exec "$N" -- "cat /etc/two; test -e /gone; echo \$? \$GREETING" >out
		rc=$?
		as_nobody osb-sandbox kill --all >/dev/null
		chmod "$TUN_MODE" /dev/net/tun
		test $rc = 0 && printf "two\n1 hello\n" >expect && test_cmp expect out
	'
else
	test_skip 'without root, an image is unpacked rootless and runs' \
		'needs root, setpriv and user namespaces'
fi

test_expect_success 'image usage errors exit 2' '
	expect_code 2 osb-sandbox image &&
	grep -q "^osb-sandbox: image: missing action (pull, ls, rm, prune)$" err &&
	expect_code 2 osb-sandbox image pull &&
	grep -q "^osb-sandbox: image pull: missing IMAGE$" err &&
	expect_code 2 osb-sandbox image frob &&
	grep -q "^osb-sandbox: image: unknown action .frob. (pull, ls, rm, prune)$" err
'

test_done
