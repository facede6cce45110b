#!/usr/bin/env bash
# osb-execd code contexts: create, list, get, delete (one and by
# language), the working directory, kernelspecs found along JUPYTER_PATH,
# kernels that cannot start, the kernel libraries loaded only when a
# kernel starts, and bad requests.
. "$(dirname "$0")/lib.sh"

require KERNEL
python3_kernel=/usr/share/jupyter/kernels/python3/kernel.json

# Kernel processes and their private directories go under $TMP.
export TMPDIR=$TMP

# kernelspec NAME LANGUAGE ARGV-JSON [EXTRA-JSON-MEMBERS]: a kernelspec
# in $TMP/jupyter/kernels/NAME.
kernelspec() {
	mkdir -p "$TMP/jupyter/kernels/$1" &&
	printf '{"argv": %s, "language": "%s", "display_name": "%s"%s}\n' \
		"$3" "$2" "$1" "${4:+, $4}" >"$TMP/jupyter/kernels/$1/kernel.json"
}

IPYKERNEL='["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]'
kernelspec fakelang fakelang "$IPYKERNEL" '"env": {"OSB_TEST_ENV": "from the kernelspec"}'
kernelspec broken brokenlang '["/bin/sh", "-c", "echo the kernel is broken >&2; exit 3", "{connection_file}"]'
kernelspec missing missinglang '["no-such-kernel-program-osb", "{connection_file}"]'
kernelspec invalid invalidlang '"not an array"'
mkdir -p "$TMP/jupyter/kernels/notjson" && echo '{' >"$TMP/jupyter/kernels/notjson/kernel.json"
export JUPYTER_PATH=$TMP/jupyter

# new_context [KEY VALUE...]: POST /code/context (language python unless
# given); the id in $cid.
new_context() {
	if [ $# -eq 0 ]; then set -- language python; fi
	call 200 POST /code/context -d "$(json "$@")" &&
	cid=$(json_get body id)
}

# run_in CTX CODE: run CODE in context CTX; the stream in ./out.
run_in() {
	sse out /code code "$2" context "={\"id\":\"$1\"}"
}

# result_text FILE: the text of the result events in the stream FILE.
result_text() {
	perl -MJSON::PP -ne '
		next unless s/^data: //;
		my $e = JSON::PP->new->utf8->decode($_);
		print $e->{results}{text}, "\n" if $e->{type} eq "result";' "$1"
}

# kernel_pid CTX: the pid of the kernel of context CTX.
kernel_pid() {
	run_in "$1" "import os; os.getpid()" && result_text out
}

# maps_libs PID: the kernel libraries PID has mapped, one per line.
maps_libs() {
	grep -oE 'lib(zmq|crypto)\.so[.0-9]*' "/proc/$1/maps" | sort -u
}

start_execd

test_expect_success 'an execd that has started no kernel has not loaded libzmq or libcrypto' '
	call 200 GET /ping &&
	maps_libs "$EXECD_PID" >libs &&
	test_cmp /dev/null libs
'

test_expect_success 'POST /code/context starts a python kernel' '
	new_context language python &&
	echo "$cid" | grep -qE "^[0-9a-f]{32}$" &&
	test "$(json_get body language)" = python &&
	! json_get body cwd 2>/dev/null &&
	first=$cid
'

test_expect_success 'the first kernel loads libzmq and libcrypto' '
	maps_libs "$EXECD_PID" >libs &&
	grep -q "^libzmq\.so\.5" libs &&
	grep -q "^libcrypto\.so\.3" libs
'

test_expect_success 'its kernel runs code, in a process of its own' '
	pid=$(kernel_pid "$first") &&
	test -n "$pid" && kill -0 "$pid" &&
	test "$(ps -o sid= -p "$pid" | tr -d " ")" = "$pid"
'

test_expect_success 'GET /code/contexts/{id}: id, language, state' '
	call 200 GET "/code/contexts/$first" &&
	test "$(json_get body id)" = "$first" &&
	test "$(json_get body language)" = python &&
	test "$(json_get body state)" = idle
'

test_expect_success 'the working directory is made and is the kernel'"'"'s' '
	new_context language python cwd "$TMP/work/deep" &&
	test "$(json_get body cwd)" = "$TMP/work/deep" &&
	test -d "$TMP/work/deep" &&
	run_in "$cid" "import os; os.getcwd()" &&
	test "$(result_text out)" = "'"'"'$TMP/work/deep'"'"'" &&
	second=$cid
'

test_expect_success 'GET /code/contexts lists them all, oldest first' '
	call 200 GET /code/contexts &&
	test "$(json_get body 0 id)" = "$first" &&
	test "$(json_get body 1 id)" = "$second" &&
	test "$(json_get body)" = 2
'

test_expect_success 'GET /code/contexts?language= filters' '
	call 200 GET "/code/contexts?language=python" &&
	test "$(json_get body)" = 2 &&
	call 200 GET "/code/contexts?language=ruby" &&
	test "$(cat body)" = "[]"
'

test_expect_success 'the connection file is private to the kernel' '
	run_in "$first" "import sys; sys.argv[-1]" &&
	conn=$(result_text out | tr -d "'"'"'") &&
	mode_is "$conn" 600 &&
	dmode=$(stat -c %a "$(dirname "$conn")") &&
	test $((0$dmode & 077)) -eq 0 &&
	case $conn in "$TMP"/osb-kernel-*/*) ;; *) false ;; esac
'

test_expect_success 'DELETE /code/contexts/{id}: gone, with its kernel' '
	pid=$(kernel_pid "$second") &&
	call 200 DELETE "/code/contexts/$second" &&
	! test -s body &&
	! kill -0 "$pid" 2>/dev/null &&
	call 404 GET "/code/contexts/$second" &&
	error_is CONTEXT_NOT_FOUND "context $second not found"
'

test_expect_success 'an unknown context id: 404 for get and delete' '
	call 404 GET /code/contexts/nosuchcontext &&
	error_is CONTEXT_NOT_FOUND "^{.*\"context nosuchcontext not found\"" &&
	call 404 DELETE /code/contexts/nosuchcontext &&
	error_is CONTEXT_NOT_FOUND "context nosuchcontext not found"
'

test_expect_success 'DELETE /code/contexts?language= deletes that language only' '
	new_context && a=$cid && pa=$(kernel_pid "$a") &&
	new_context language fakelang && f=$cid &&
	call 200 DELETE "/code/contexts?language=python" &&
	! kill -0 "$pa" 2>/dev/null &&
	call 200 GET /code/contexts &&
	test "$(json_get body)" = 1 &&
	test "$(json_get body 0 id)" = "$f" &&
	call 200 DELETE "/code/contexts?language=fakelang" &&
	call 200 GET /code/contexts && test "$(cat body)" = "[]"
'

test_expect_success 'DELETE /code/contexts without a language: 400' '
	call 400 DELETE /code/contexts &&
	error_is MISSING_QUERY "missing query parameter '"'"'language'"'"'" &&
	call 400 DELETE "/code/contexts?language=" &&
	error_is MISSING_QUERY language
'

test_expect_success 'a kernelspec along JUPYTER_PATH, found by its language, with its env' '
	new_context language fakelang &&
	run_in "$cid" "import os; os.environ[\"OSB_TEST_ENV\"]" &&
	test "$(result_text out)" = "'"'"'from the kernelspec'"'"'" &&
	run_in "$cid" "import sys; sys.argv[-1]" &&
	grep_q "osb-kernel-" out
'

test_expect_success 'a language with no kernel: 400 naming those there are' '
	call 400 POST /code/context -d "{\"language\":\"ruby\"}" &&
	error_is INVALID_REQUEST_BODY "unsupported language '"'"'ruby'"'"': this execd runs bash, brokenlang, fakelang, missinglang, python\"" 
'

test_expect_success 'a kernel that exits at once: 500 with its last words' '
	call 500 POST /code/context -d "{\"language\":\"brokenlang\"}" &&
	error_is RUNTIME_ERROR "error creating code context: the kernel exited while starting (exit status 3): the kernel is broken" &&
	call 200 GET "/code/contexts?language=brokenlang" &&
	test "$(cat body)" = "[]"
'

test_expect_success 'a kernel program that is not there: 500 saying so' '
	call 500 POST /code/context -d "{\"language\":\"missinglang\"}" &&
	error_is RUNTIME_ERROR "the kernel could not start: no-such-kernel-program-osb: not found on PATH"
'

test_expect_success 'invalid kernelspecs are skipped' '
	call 400 POST /code/context -d "{\"language\":\"invalidlang\"}" &&
	error_is INVALID_REQUEST_BODY "unsupported language" &&
	grep_q "kernelspec $TMP/jupyter/kernels/invalid/kernel.json: not valid, skipped" "$TMP/execd.log"
'

test_expect_success 'bad bodies: 400 with the reason' '
	call 400 POST /code/context -d "{" &&
	error_is INVALID_REQUEST_BODY "invalid JSON" &&
	call 400 POST /code/context &&
	error_is INVALID_REQUEST_BODY "empty body" &&
	call 400 POST /code/context -d "[1]" &&
	error_is INVALID_REQUEST_BODY "language is required (this execd runs bash, " &&
	call 400 POST /code/context -d "{}" &&
	error_is INVALID_REQUEST_BODY "language is required" &&
	call 400 POST /code/context -d "{\"language\":7}" &&
	error_is INVALID_REQUEST_BODY "language is required" &&
	call 400 POST /code/context -d "{\"language\":\"python\",\"cwd\":5}" &&
	error_is INVALID_REQUEST_BODY "invalid request: "
'

test_expect_success 'a working directory that cannot be made: 400' '
	: >"$TMP/afile" &&
	call 400 POST /code/context -d "$(json language python cwd "$TMP/afile/sub")" &&
	error_is INVALID_REQUEST_BODY "create working directory $TMP/afile/sub"
'

test_expect_success 'bash without a bash kernel is a shell session, listed as bash' '
	new_context language bash &&
	test "$(json_get body language)" = bash &&
	call 200 GET "/code/contexts/$cid" &&
	test "$(json_get body language)" = bash &&
	call 200 DELETE "/code/contexts/$cid" &&
	call 404 GET "/code/contexts/$cid" &&
	call 404 DELETE "/session/$cid"
'

test_expect_success 'no kernel process or directory is left once the daemon stops' '
	pid=$(kernel_pid "$first") &&
	stop_execd &&
	! kill -0 "$pid" 2>/dev/null &&
	! ls -d "$TMP"/osb-kernel-* 2>/dev/null
'

# A libzmq that cannot be loaded: an empty file found first.
mkdir -p "$TMP/badlib" && : >"$TMP/badlib/libzmq.so.5"
LD_LIBRARY_PATH=$TMP/badlib start_execd

test_expect_success 'a libzmq that cannot be loaded: 500 naming it, and bash still runs' '
	call 500 POST /code/context -d "{\"language\":\"python\"}" &&
	test "$(json_get body code)" = RUNTIME_ERROR &&
	test "$(json_get body message)" = "error creating code context: the kernel could not start: $TMP/badlib/libzmq.so.5: file too short" &&
	call 200 POST /code/context -d "{\"language\":\"bash\"}" &&
	stop_execd
'

test_done
