#!/usr/bin/env bash
# osb-exec -d, then status, logs (--cursor, -f) and interrupt.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL

# stopped ID: the command ID is no longer running.
stopped() {
	osb-exec status -o json "$S" "$1" | grep -q "\"running\": false"
}

# finished COMMAND: COMMAND started with -d and run to its end (5 s at
# most); its id in $id.
finished() {
	id=$(osb-exec -d "$S" "$1") &&
	wait_for 50 stopped "$id"
}

test_expect_success '-d prints the command id and returns at once' '
	start=$(now_ms) &&
	osb-exec -d "$S" "sleep 3" >id &&
	test $(($(now_ms) - start)) -lt 2000 &&
	grep -qE "^[0-9a-f]{32}$" id
'

test_expect_success '-d -o json: {"id": ...}' '
	osb-exec -d -o json "$S" true >out &&
	grep -qE "^  \"id\": \"[0-9a-f]{32}\"$" out
'

test_expect_success 'status: a table of the status fields' '
	finished "exit 7" &&
	osb-exec status "$S" "$id" >out &&
	grep_q "^ID  *$id$" out &&
	grep_q "^COMMAND  *exit 7$" out &&
	grep_q "^RUNNING  *false$" out &&
	grep_q "^EXIT_CODE  *7$" out &&
	grep_q "^STARTED  *20[0-9-]*T[0-9:.]*Z$" out
'

test_expect_success 'status -o json is the API object' '
	finished "echo x" &&
	osb-exec status -o json "$S" "$id" >out &&
	grep_q "^  \"id\": \"$id\",$" out &&
	grep_q "^  \"content\": \"echo x\",$" out &&
	grep_q "^  \"running\": false,$" out &&
	grep_q "^  \"exit_code\": 0,$" out &&
	grep_q "^  \"finished_at\": \"20" out
'

test_expect_success 'status -o yaml: strings that look like other things are quoted' '
	finished "true" &&
	osb-exec status "$S" "$id" -o yaml >out &&
	grep_q "^id: $id$" out &&
	grep_q "^content: '\''true'\''$" out &&
	grep_q "^running: false$" out &&
	grep_q "^exit_code: 0$" out &&
	grep_q "^started_at: '\''20[0-9-]*T[0-9:.]*Z'\''$" out
'

test_expect_success 'status of a running command' '
	id=$(osb-exec -d "$S" "sleep 5") &&
	osb-exec status -o json "$S" "$id" >out &&
	grep_q "\"running\": true" out &&
	grep_q "\"exit_code\": null" out &&
	osb-exec interrupt "$S" "$id"
'

test_expect_success 'status of an unknown id: the server says so, exit 1' '
	expect_code 1 osb-exec status "$S" nosuchid &&
	stderr_is "osb-exec: status nosuchid: command not found: nosuchid (404 INVALID_REQUEST_BODY)" &&
	! test -s out
'

test_expect_success 'logs: everything the command wrote, both streams' '
	finished "echo one; echo two >&2; printf three" &&
	osb-exec logs "$S" "$id" >out &&
	printf "one\ntwo\nthree" >expect && test_cmp expect out
'

test_expect_success 'logs -o json: content and the cursor for next time' '
	finished "printf abc" &&
	osb-exec logs -o json "$S" "$id" >out &&
	grep_q "^  \"content\": \"abc\",$" out &&
	grep_q "^  \"cursor\": 3$" out
'

test_expect_success 'logs --cursor N starts there' '
	finished "printf abcdef" &&
	osb-exec logs --cursor 2 "$S" "$id" >out &&
	printf cdef >expect && test_cmp expect out &&
	osb-exec logs --cursor 6 "$S" "$id" >out &&
	! test -s out
'

test_expect_success 'logs --cursor takes only a number' '
	expect_code 2 osb-exec logs --cursor x "$S" someid &&
	grep_q "^osb-exec: --cursor: not a cursor: .x.$" err &&
	expect_code 2 osb-exec logs --cursor -1 "$S" someid
'

test_expect_success 'logs -f follows until the command ends, then prints the rest' '
	id=$(osb-exec -d "$S" "echo a; sleep 1; echo b; sleep 0.5; printf c") &&
	start=$(now_ms) &&
	osb-exec logs -f "$S" "$id" >out &&
	printf "a\nb\nc" >expect && test_cmp expect out &&
	test $(($(now_ms) - start)) -lt 5000 &&
	osb-exec status -o json "$S" "$id" | grep_q "\"running\": false" -
'

test_expect_success 'logs -f --cursor: only what comes after it' '
	id=$(osb-exec -d "$S" "printf 0123; sleep 0.5; printf 45") &&
	osb-exec logs --follow --cursor 2 "$S" "$id" >out &&
	printf 2345 >expect && test_cmp expect out
'

test_expect_success 'logs of a foreground command: the server refuses, exit 1' '
	osb-exec -o json "$S" true | sed -n "s/.*\"init\",\"text\":\"\([0-9a-f]*\)\".*/\1/p" >id &&
	expect_code 1 osb-exec logs "$S" "$(cat id)" &&
	grep_q "^osb-exec: logs $(cat id): command $(cat id) is not running in background (400 INVALID_REQUEST_BODY)$" err
'

test_expect_success 'interrupt stops a background command' '
	id=$(osb-exec -d "$S" "sleep 30") &&
	start=$(now_ms) &&
	osb-exec interrupt "$S" "$id" >out &&
	! test -s out &&
	test $(($(now_ms) - start)) -lt 5000 &&
	osb-exec status -o json "$S" "$id" >out &&
	grep_q "\"running\": false" out
'

test_expect_success 'interrupt of a finished or unknown command: exit 1' '
	finished true &&
	expect_code 1 osb-exec interrupt "$S" "$id" &&
	grep_q "^osb-exec: interrupt $id: command $id is not running (409 RUNTIME_ERROR)$" err &&
	expect_code 1 osb-exec interrupt "$S" nosuchid &&
	grep_q "(404 " err
'

test_expect_success '-d with a server down: exit 1, naming the URL' '
	port=$(free_port) &&
	expect_code 1 osb-exec -d "127.0.0.1:$port" true &&
	grep_q "^osb-exec: run: .*(http://127.0.0.1:$port)$" err
'

test_done
