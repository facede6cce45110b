#!/usr/bin/env bash
# osb-exec reproduces a command's bytes: raw framing from osb-execd, and
# output rebuilt from lines against a server that only sends lines.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL

test_expect_success 'binary output arrives byte for byte' '
	head -c 300000 /dev/urandom >bin &&
	osb-exec "$S" "cat \"$TMP/bin\"" >out &&
	cmp bin out
'

test_expect_success 'CR progress bars, CRLF and no final newline, exactly' '
	osb-exec "$S" "printf \"10%%\\r50%%\\r100%%\\r\\nend\\r\\n\\ntail\"" >out &&
	printf "10%%\r50%%\r100%%\r\nend\r\n\ntail" >expect &&
	cmp expect out
'

test_expect_success 'binary on stderr too, apart from stdout' '
	head -c 5000 /dev/urandom >bin2 &&
	osb-exec "$S" "cat \"$TMP/bin2\" >&2; printf o" >out 2>err &&
	cmp bin2 err && test "$(cat out)" = o
'

test_expect_success 'session runs: bytes exactly' '
	sid=$(osb-exec session create "$S") &&
	osb-exec session run "$S" "$sid" "printf \"a\\r\\n\\377b\"" >out &&
	printf "a\r\n\377b" >expect && cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

# A stand-in for the Go execd: lines only, osb_framing ignored.
python3 "$T_DIR/lines-execd.py" "$TMP/lines.port" >"$TMP/lines.log" 2>&1 &
LINES_PID=$!
T_PIDS="$T_PIDS $LINES_PID"
wait_for 100 test -s "$TMP/lines.port" || { echo "Bail out! no stand-in"; exit 1; }
L=http://127.0.0.1:$(cat "$TMP/lines.port")

test_expect_success 'lines only: each line and a newline, blank lines kept' '
	osb-exec "$L" "printf \"a\\n\\nb\\n\"" >out &&
	printf "a\n\nb\n" >expect && test_cmp expect out
'

test_expect_success 'lines only: a last line without newline gets one' '
	osb-exec "$L" "printf \"one\\ntwo\"" >out &&
	printf "one\ntwo\n" >expect && test_cmp expect out
'

test_expect_success 'lines only: CR and CRLF end lines' '
	osb-exec "$L" "printf \"x\\r\\ny\\rz\\n\"" >out &&
	printf "x\ny\nz\n" >expect && test_cmp expect out
'

test_expect_success 'lines only: stderr and the exit status' '
	expect_code 3 osb-exec "$L" "echo o; echo e >&2; exit 3" &&
	echo o >expect && test_cmp expect out &&
	echo e >expect && test_cmp expect err
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
