#!/usr/bin/env bash
# osb-sandbox create, get and list in the local runtime: what a new
# sandbox is made of, the fields get shows, list's filters and pages, ids
# by prefix, and the usage errors.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

test_expect_success 'create -q prints the id of a running sandbox' '
	S=$(osb-sandbox create -q) &&
	echo "$S" | grep -qx "[0-9a-f]\{32\}" &&
	osb-sandbox get "$S" -o json >sb.json &&
	test "$(json_get sb.json status state)" = Running &&
	test "$(json_get sb.json id)" = "$S"
'

test_expect_success 'its defaults are the SDKs: 10 minutes, tail -f, 1 cpu, 2Gi' '
	test "$(json_get sb.json image uri)" = / &&
	test "$(json_get sb.json entrypoint 0)" = tail &&
	test "$(json_get sb.json entrypoint 2)" = /dev/null &&
	test "$(json_get sb.json resourceLimits cpu)" = 1 &&
	test "$(json_get sb.json resourceLimits memory)" = 2Gi &&
	created=$(date -d "$(json_get sb.json createdAt)" +%s) &&
	expires=$(date -d "$(json_get sb.json expiresAt)" +%s) &&
	test $((expires - created)) -eq 600
'

test_expect_success 'a command runs in it, by id and by prefix' '
	osb-exec "$S" -- echo hello >out &&
	echo hello >expect && test_cmp expect out &&
	osb-exec "${S:0:6}" -- echo prefix >out &&
	echo prefix >expect && test_cmp expect out
'

test_expect_success 'get shows the fields as a table, status flattened' '
	osb-sandbox get "${S:0:8}" >out &&
	grep -qx "ID  *$S" out &&
	grep -qx "STATUS  *Running" out &&
	grep -qx "IMAGE  */" out &&
	grep -q "^ENTRYPOINT  *\[\"tail\",\"-f\",\"/dev/null\"\]$" out &&
	grep -q "^EXPIRES_AT  *20[0-9-]*T" out
'

test_expect_success 'get -o yaml is the API object' '
	osb-sandbox get -o yaml "$S" >out &&
	grep -qx "id: $S" out &&
	grep -qx "  state: Running" out
'

test_expect_success 'options make the request: env, metadata, limits, extensions, entrypoint' '
	T=$(osb-sandbox create -q -e GREETING=hi -m team=blue -m tier=1 \
		--resource cpu=500m --resource memory=256Mi --extension a.b=c \
		--entrypoint sleep --entrypoint 600 -t 2h) &&
	osb-sandbox get -o json "$T" >t.json &&
	test "$(json_get t.json env GREETING)" = hi &&
	test "$(json_get t.json metadata team)" = blue &&
	test "$(json_get t.json metadata tier)" = 1 &&
	test "$(json_get t.json resourceLimits cpu)" = 500m &&
	test "$(json_get t.json resourceLimits memory)" = 256Mi &&
	test "$(json_get t.json extensions a.b)" = c &&
	test "$(json_get t.json entrypoint 0)" = sleep &&
	test "$(json_get t.json entrypoint 1)" = 600 &&
	created=$(date -d "$(json_get t.json createdAt)" +%s) &&
	expires=$(date -d "$(json_get t.json expiresAt)" +%s) &&
	test $((expires - created)) -eq 7200 &&
	osb-exec "$T" -- "echo \$GREETING; ps -eo args | grep -c \"^sleep 600\"" >out &&
	printf "hi\n1\n" >expect && test_cmp expect out
'

test_expect_success '-t none: no expiry' '
	N=$(osb-sandbox create -q -t none) &&
	osb-sandbox get -o json "$N" >n.json &&
	! json_get n.json expiresAt 2>/dev/null &&
	osb-sandbox get "$N" >out &&
	grep -qx "EXPIRES_AT  *never" out
'

test_expect_success 'the config file gives the default image and timeout' '
	mkdir -p rootfs home/.opensandbox &&
	printf "[defaults]\nimage = \"/\"\ntimeout = \"5m\"\n" \
		>home/.opensandbox/config.toml &&
	C=$(HOME=$TMP/home osb-sandbox create -q) &&
	osb-sandbox get -o json "$C" >c.json &&
	test "$(json_get c.json image uri)" = / &&
	created=$(date -d "$(json_get c.json createdAt)" +%s) &&
	expires=$(date -d "$(json_get c.json expiresAt)" +%s) &&
	test $((expires - created)) -eq 300
'

test_expect_success 'a registry image that cannot be pulled is refused, never taken for the host root' '
	port=$(free_port) &&
	expect_code 1 osb-sandbox create -i 127.0.0.1:$port/python:3.12 &&
	stderr_is "osb-sandbox: create sandbox: image 127.0.0.1:$port/python:3.12: pinging container registry 127.0.0.1:$port: Get \"http://127.0.0.1:$port/v2/\": dial tcp 127.0.0.1:$port: connect: connection refused (400 INVALID_REQUEST)"
'

test_expect_success 'create prints the sandbox as a table, or the API object' '
	osb-sandbox create -t 1m >out &&
	grep -q "^STATUS  *Running$" out &&
	osb-sandbox create -o json --skip-health-check >out &&
	perl -MJSON::PP -e "
		my \$d = decode_json(join q(), <STDIN>);
		exit(\$d->{status}{state} eq q(Running) ? 0 : 1)" <out
'

test_expect_success 'list: one row per sandbox, oldest first' '
	osb-sandbox list >out &&
	head -1 out | grep -qx "ID  *STATE  *IMAGE  *AGE  *EXPIRES" &&
	test $(wc -l <out) -eq 7 &&
	sed -n 2p out | grep -Eq "^$S +Running +/ +[0-9]+s +in (9|10)m$" &&
	grep -q "^$N .* never$" out &&
	osb-sandbox list -q >ids &&
	test $(wc -l <ids) -eq 6 && head -1 ids | grep -qx "$S"
'

test_expect_success 'list -o json is a ListSandboxesResponse' '
	osb-sandbox list -o json >l.json &&
	test "$(json_get l.json items)" = 6 &&
	test "$(json_get l.json pagination totalItems)" = 6 &&
	test "$(json_get l.json pagination page)" = 1 &&
	test "$(json_get l.json pagination pageSize)" = 20 &&
	test "$(json_get l.json pagination hasNextPage)" = false
'

test_expect_success 'list -m: metadata filters AND, -s: states OR (any case)' '
	osb-sandbox list -q -m team=blue >out &&
	echo "$T" >expect && test_cmp expect out &&
	osb-sandbox list -q -m team=blue -m tier=2 >out &&
	! test -s out &&
	osb-sandbox pause "$N" >/dev/null &&
	osb-sandbox list -q -s paused >out &&
	echo "$N" >expect && test_cmp expect out &&
	osb-sandbox list -q -s Paused -s RUNNING >out &&
	test $(wc -l <out) -eq 6 &&
	osb-sandbox list -q -s Failed >out && ! test -s out
'

test_expect_success 'list --page and --page-size; -a gathers every page' '
	osb-sandbox list -q --page-size 4 >out &&
	test $(wc -l <out) -eq 4 &&
	osb-sandbox list -q --page-size 4 --page 2 >out &&
	test $(wc -l <out) -eq 2 &&
	osb-sandbox list -o json --page-size 4 --page 2 >p.json &&
	test "$(json_get p.json pagination totalPages)" = 2 &&
	test "$(json_get p.json pagination hasNextPage)" = false &&
	osb-sandbox list -q --page 3 --page-size 4 >out && ! test -s out &&
	osb-sandbox list -a -q >out && test $(wc -l <out) -eq 6
'

test_expect_success 'no sandboxes matching: a word on stderr, nothing on stdout' '
	osb-sandbox list -m none=such >out 2>err &&
	! test -s out &&
	echo "No sandboxes found." >expect && test_cmp expect err
'

test_expect_success 'an unknown id or prefix is 404, exit 1' '
	expect_code 1 osb-sandbox get ffff0000 &&
	stderr_is "osb-sandbox: ffff0000: no such sandbox (404 SANDBOX_NOT_FOUND)"
'

test_expect_success 'an ambiguous prefix lists the matches' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do
		osb-sandbox list -q | cut -c1 | sort | uniq -d | grep -q . && break
		osb-sandbox create -q -t 1m --skip-health-check >/dev/null || return 1
	done &&
	p=$(osb-sandbox list -q | cut -c1 | sort | uniq -d | head -1) &&
	expect_code 1 osb-sandbox get "$p" &&
	grep -q "^osb-sandbox: $p: ambiguous id prefix: [0-9]* sandboxes match: $p" err
'

test_expect_success 'usage errors exit 2 and say what is wrong' '
	expect_code 2 osb-sandbox &&
	grep -q "missing command" err &&
	expect_code 2 osb-sandbox frobnicate &&
	grep -q "unknown command .frobnicate." err &&
	expect_code 2 osb-sandbox get &&
	grep -q "get: missing SANDBOX" err &&
	expect_code 2 osb-sandbox get a b &&
	grep -q "get: too many operands: .b." err &&
	expect_code 2 osb-sandbox list -p 80 &&
	grep -q "list: -p/--port does not apply" err &&
	expect_code 2 osb-sandbox list -s sleeping &&
	grep -q "invalid sandbox state .sleeping.. Valid values: Failed, Paused" err &&
	expect_code 2 osb-sandbox list --page 0 &&
	grep -q -e "--page: .0. is not a number from 1" err &&
	expect_code 2 osb-sandbox create -e NOEQUALS &&
	grep -q -e "-e: expected KEY=VALUE, got .NOEQUALS." err &&
	expect_code 2 osb-sandbox create -t soon &&
	grep -q "create: -t: not a duration: .soon." err &&
	expect_code 2 osb-sandbox create --ready-timeout x &&
	grep -q -e "--ready-timeout: not a duration" err
'

test_expect_success '--help prints the usage and exits 0' '
	osb-sandbox --help >out &&
	grep -q "^usage: osb-sandbox \[options\] create" out &&
	grep -q "^Global options:" out
'

# The README opens with the main job in one line; after its build step it
# must print what the README shows, with this run's id.
test_expect_success "the README's first command does the main job" '
	line=$(sed -n 1p "$T_DIR/../README") &&
	case $line in
	"    make deps all && b=build/bin && "*) ;;
	*) echo "README line 1 is not the main job: $line" >&2; false ;;
	esac &&
	job=${line#"    make deps all && b=build/bin && "} &&
	b=$OSB_BIN && eval "$job" >out &&
	id=$(sed -n 4p out | cut -d" " -f1) &&
	printf "%s\nhi\nSANDBOX_ID                        STATUS\n%s  terminated\n" \
	    "${id:0:12}" "$id" >expect &&
	test_cmp expect out &&
	expect_code 1 osb-sandbox get "$id" &&
	stderr_is "osb-sandbox: $id: no such sandbox (404 SANDBOX_NOT_FOUND)"
'

test_done
