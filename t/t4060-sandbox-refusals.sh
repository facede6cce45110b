#!/usr/bin/env bash
# Create requests the local runtime refuses, each a 400 naming the field,
# and what it never keeps: registry credentials.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

# refused MESSAGE OSB-SANDBOX-ARGS...: create fails, exit 1, with MESSAGE
# (400 INVALID_REQUEST) and no sandbox is left.
refused() {
	local msg=$1
	shift
	expect_code 1 osb-sandbox create "$@" &&
	stderr_is "osb-sandbox: create sandbox: $msg (400 INVALID_REQUEST)" &&
	test -z "$(osb-sandbox list -a -q)"
}

test_expect_success 'a timeout under 60 seconds' '
	refused "timeout: must be a number of seconds, at least 60, or null for no expiry" -t 30s
'

test_expect_success 'quantities that are not quantities' '
	refused "resourceLimits.memory: '\''lots'\'' is not a memory quantity (512Mi, 1Gi)" --resource memory=lots &&
	refused "resourceLimits.memory: '\''-1Gi'\'' is not a memory quantity (512Mi, 1Gi)" --resource memory=-1Gi &&
	refused "resourceLimits.cpu: '\''0'\'' is not a CPU quantity (500m, 2)" --resource cpu=0 &&
	refused "resourceLimits.cpu: '\''1.5x'\'' is not a CPU quantity (500m, 2)" --resource cpu=1.5x &&
	refused "resourceLimits.pids: '\''0'\'' is not a number of processes" --resource pids=0
'

test_expect_success 'quantities in their forms: 1.5, 750m, 1G, 1536Mi' '
	S=$(osb-sandbox create -q --resource cpu=1.5 --resource memory=1G) &&
	T=$(osb-sandbox create -q --resource cpu=750m --resource memory=1536Mi) &&
	osb-sandbox kill -q "$S" "$T" >/dev/null
'

test_expect_success 'too little memory to start the sandbox: create says so' '
	expect_code 1 osb-sandbox create --resource memory=512Ki &&
	grep -q "^osb-sandbox: create sandbox: .*runc create: .*unable to set memory limit to 524288 (current usage: [0-9]*.*(500 RUNTIME_ERROR)$" err &&
	test -z "$(osb-sandbox list -a -q)"
'

test_expect_success 'an empty entrypoint program' '
	refused "entrypoint[0]: must be a string naming a program" --entrypoint ""
'

test_expect_success 'registry credentials: both or neither' '
	expect_code 2 osb-sandbox create --image-auth-username u &&
	grep -q "create: pass both --image-auth-username and --image-auth-password together" err
'

test_expect_success 'registry credentials are accepted, never stored or shown' '
	S=$(osb-sandbox create -q -i / --image-auth-username user \
		--image-auth-password hunter2-secret) &&
	! grep -rq hunter2-secret "$XDG_STATE_HOME" &&
	osb-sandbox get -o json "$S" >out &&
	! grep -q "hunter2-secret\|\"auth\"" out &&
	test "$(json_get out image uri)" = /
'

test_expect_success 'a lifecycle server needs an image: the host root is local only' '
	expect_code 2 osb-sandbox --domain 127.0.0.1:9 create &&
	grep -q "create: sandbox image is required: pass --image or set defaults.image" err
'

test_expect_success 'without osb-execd next to osb-sandbox, create says where it looked' '
	mkdir alone && cp "$OSB_BIN/osb-sandbox" alone/ &&
	expect_code 1 alone/osb-sandbox create &&
	stderr_is "osb-sandbox: create sandbox: $TMP/alone/osb-execd: No such file or directory (it must be next to this program) (500 RUNTIME_ERROR)" &&
	mkdir -p t/bin && cp "$OSB_BIN/osb-sandbox" "$OSB_BIN/osb-execd" t/bin/ &&
	expect_code 1 t/bin/osb-sandbox create &&
	stderr_is "osb-sandbox: create sandbox: $TMP/t/libexec/osb/osb-init: No such file or directory (the sandboxes'"'"' init, installed with osb) (500 RUNTIME_ERROR)"
'

test_expect_success 'a runtime that is not there: what to install; one that fails: what it said' '
	osb-sandbox list -a -q >before &&
	OSB_RUNTIME=crun-not-here expect_code 1 osb-sandbox create &&
	stderr_is "osb-sandbox: create sandbox: crun-not-here not found: apt-get install crun-not-here (500 RUNTIME_ERROR)" &&
	OSB_RUNTIME=crun expect_code 1 osb-sandbox create &&
	stderr_is "osb-sandbox: create sandbox: crun not found: apt-get install crun (500 RUNTIME_ERROR)" &&
	cat >broken <<-\EOF &&
	#!/bin/sh
	# A runtime that refuses, saying so in its JSON log (--log is $4).
	echo "{\"level\":\"error\",\"msg\":\"this runtime refuses\"}" >>"$4"
	exit 1
	EOF
	chmod +x broken &&
	OSB_RUNTIME=$TMP/broken expect_code 1 osb-sandbox create &&
	stderr_is "osb-sandbox: create sandbox: $TMP/broken create: this runtime refuses (500 RUNTIME_ERROR)" &&
	osb-sandbox list -a -q >after && test_cmp before after
'

test_expect_success 'a state directory that cannot be made is an error' '
	: >notadir &&
	XDG_STATE_HOME=$TMP/notadir expect_code 1 osb-sandbox list &&
	stderr_is "osb-sandbox: local runtime: $TMP/notadir/osb: Not a directory"
'

test_done
