#!/usr/bin/env bash
# osb-exec session create, run and rm: state that lasts between runs.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
mkdir -p "$TMP/start" "$TMP/other"

test_expect_success 'session create prints the session id' '
	osb-exec session create "$S" >sid &&
	test "$(wc -l <sid)" -eq 1 &&
	grep -qE "^[0-9a-f-]{16,}$" sid
'

test_expect_success 'session create -o json: {"session_id": ...}' '
	osb-exec -o json session create "$S" >out &&
	grep -qE "^  \"session_id\": \"[0-9a-f-]+\"$" out &&
	osb-exec session rm "$S" "$(sed -n "s/.*: \"\(.*\)\"/\1/p" out)"
'

test_expect_success 'the directory and variables carry over between runs' '
	sid=$(osb-exec session create "$S" --cwd "$TMP/start") &&
	osb-exec session run "$S" "$sid" -- pwd >out &&
	echo "$TMP/start" >expect && test_cmp expect out &&
	osb-exec session run "$S" "$sid" "cd $TMP/other; V=kept" &&
	osb-exec session run "$S" "$sid" -- "echo \$V; pwd" >out &&
	printf "kept\n%s\n" "$TMP/other" >expect && test_cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session create -w means --cwd' '
	sid=$(osb-exec session create -w "$TMP/start" "$S") &&
	osb-exec session run "$S" "$sid" pwd >out &&
	echo "$TMP/start" >expect && test_cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session run: exit status, stdout and stderr apart' '
	sid=$(osb-exec session create "$S") &&
	expect_code 5 osb-exec session run "$S" "$sid" -- \
		"printf out; printf err >&2; (exit 5)" &&
	printf out >expect && test_cmp expect out &&
	printf err >expect && test_cmp expect err &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session run -w runs there once; several words are quoted' '
	sid=$(osb-exec session create "$S" --cwd "$TMP/start") &&
	osb-exec session run -w "$TMP/other" "$S" "$sid" -- pwd >out &&
	echo "$TMP/other" >expect && test_cmp expect out &&
	osb-exec session run "$S" "$sid" -- printf "<%s>" "a b" "\$X" >out &&
	printf "<a b><\$X>" >expect && test_cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session run -t stops a run that takes too long' '
	sid=$(osb-exec session create "$S") &&
	start=$(now_ms) &&
	expect_code 130 osb-exec session run -t 300ms "$S" "$sid" -- sleep 10 &&
	test $(($(now_ms) - start)) -lt 5000 &&
	osb-exec session run "$S" "$sid" -- echo still here >out &&
	echo "still here" >expect && test_cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session run -o json: the events as lines' '
	sid=$(osb-exec session create "$S") &&
	osb-exec -o json session run "$S" "$sid" -- echo hi >out &&
	test "$(wc -l <out)" -eq 3 &&
	grep_q "^{\"type\":\"init\",\"text\":\"$sid\"" out &&
	grep_q "^{\"type\":\"stdout\",\"text\":\"hi\\\\n\"" out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'Ctrl-C interrupts the session run, the session lives on' '
	sid=$(osb-exec session create "$S") || return 1
	osb-exec session run "$S" "$sid" -- "echo started; sleep 30" >int.out &
	pid=$! &&
	wait_for 30 test -s int.out &&
	kill -INT $pid &&
	t_wait_gone $pid 50 &&
	{ wait $pid; rc=$?; } && test $rc -eq 130 &&
	osb-exec session run "$S" "$sid" -- echo alive >out &&
	echo alive >expect && test_cmp expect out &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success 'session rm, then the session is gone' '
	sid=$(osb-exec session create "$S") &&
	osb-exec session rm "$S" "$sid" >out && ! test -s out &&
	expect_code 125 osb-exec session run "$S" "$sid" -- true &&
	stderr_is "osb-exec: session $sid not found (404 CONTEXT_NOT_FOUND)" &&
	expect_code 1 osb-exec session rm "$S" "$sid" &&
	grep_q "(404 CONTEXT_NOT_FOUND)$" err &&
	expect_code 1 osb-exec session delete "$S" "$sid"
'

test_expect_success 'session usage errors exit 2' '
	expect_code 2 osb-exec session &&
	grep_q "^osb-exec: session: missing command (create, run or rm)$" err &&
	expect_code 2 osb-exec session frob "$S" &&
	grep_q "^osb-exec: session: unknown command .frob." err &&
	expect_code 2 osb-exec session run "$S" &&
	grep_q "^osb-exec: session run: missing SESSION$" err &&
	grep_q "^usage: osb-exec session run SANDBOX SESSION" err &&
	expect_code 2 osb-exec session run "$S" sid &&
	grep_q "^osb-exec: session run: missing COMMAND$" err &&
	expect_code 2 osb-exec session create "$S" extra &&
	grep_q "too many operands" err &&
	expect_code 2 osb-exec session run -e A=1 "$S" sid true &&
	grep_q "^osb-exec: session run: -e/--env does not apply$" err &&
	expect_code 2 osb-exec session create -t 5s "$S"
'

test_done
