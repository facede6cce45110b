#!/usr/bin/env bash
# osb-execd frames command output a line per event, as the Go execd's
# readFromPos, for /command and /session/{id}/run; osb_framing "raw" (an
# extension) sends the bytes as they come.
. "$(dirname "$0")/lib.sh"

# each_is FILE TYPE TEXT...: the TYPE events of FILE are these texts
# (JSON strings), in order.
each_is() {
	local file=$1 type=$2
	shift 2
	printf '%s\n' "$@" >expect &&
	ev "$file" each "$type" >actual &&
	test_cmp expect actual
}

start_execd

test_expect_success 'the upstream smoke test: blank lines are "\n" events' '
	sse out /command command "printf \"a\\n\\nb\\n\\n\\nc\\n\"" &&
	each_is out stdout "\"a\"" "\"\\n\"" "\"b\"" "\"\\n\"" "\"\\n\"" "\"c\""
'

test_expect_success 'CR ends a line, CRLF is one terminator, CR CR a blank' '
	sse out /command command "printf \"x\\r\\ny\\rz\\r\\r\\nw\\n\"" &&
	each_is out stdout "\"x\"" "\"y\"" "\"z\"" "\"\\n\"" "\"w\""
'

test_expect_success 'a CRLF split between two writes is still one terminator' '
	sse out /command command "printf \"p\\r\"; sleep 0.2; printf \"\\nq\\n\"" &&
	each_is out stdout "\"p\"" "\"q\""
'

test_expect_success 'the last line without a terminator comes at the end' '
	sse out /command command "printf \"one\\ntwo\"" &&
	each_is out stdout "\"one\"" "\"two\"" &&
	ev_is out runs init stdout execution_complete
'

test_expect_success 'stderr is framed the same, apart from stdout' '
	sse out /command command "printf \"e1\\n\\ne2\" >&2; echo o" &&
	each_is out stderr "\"e1\"" "\"\\n\"" "\"e2\"" &&
	each_is out stdout "\"o\""
'

test_expect_success 'a 1 MB line is one event' '
	sse out /command command "head -c 1048576 /dev/zero | tr \"\\0\" a; echo" &&
	test "$(ev out types | grep -c stdout)" -eq 1 &&
	test "$(ev out raw stdout | wc -c)" -eq 1048576
'

test_expect_success 'a line is whole however the command writes it' '
	sse out /command command "printf ab; sleep 0.2; printf \"cd\\nef\"" &&
	each_is out stdout "\"abcd\"" "\"ef\""
'

test_expect_success 'sessions: the same lines' '
	call 200 POST /session -d "{}" &&
	sid=$(json_get body session_id) &&
	sse out "/session/$sid/run" command "printf \"a\\n\\nb\\r\\nc\"" &&
	each_is out stdout "\"a\"" "\"\\n\"" "\"b\"" "\"c\"" &&
	sse out "/session/$sid/run" command "echo again" &&
	each_is out stdout "\"again\""
'

test_expect_success 'osb_framing "raw": the bytes as they are, and the init says so' '
	sse out /command command "printf \"a\\r\\n\\nb\"" osb_framing raw &&
	test "$(ev out field osb_framing)" = raw &&
	printf "a\r\n\nb" >expect &&
	ev out raw stdout >actual && cmp expect actual
'

test_expect_success 'raw: bytes that are not UTF-8 come in osb_bytes too' '
	sse out /command command "printf \"ok\\377\"" osb_framing raw &&
	test "$(ev out field osb_bytes)" = b2v/ &&
	printf "ok\357\277\275" >expect &&
	ev out raw stdout >actual && cmp expect actual
'

test_expect_success 'raw in a session; lines again in the next run' '
	sse out "/session/$sid/run" command "printf \"x\\ny\"" osb_framing raw &&
	test "$(ev out raw stdout)" = "$(printf "x\ny")" &&
	test "$(ev out field osb_framing)" = raw &&
	sse out "/session/$sid/run" command "printf \"x\\ny\"" &&
	each_is out stdout "\"x\"" "\"y\"" &&
	test -z "$(ev out field osb_framing)"
'

test_expect_success 'osb_framing "lines" is the default, said out loud' '
	sse out /command command "printf \"a\\nb\"" osb_framing lines &&
	each_is out stdout "\"a\"" "\"b\"" &&
	test -z "$(ev out field osb_framing)"
'

test_expect_success 'any other osb_framing is 400, naming the field' '
	why="invalid request: \"osb_framing\" must be \"lines\" or \"raw\"" &&
	call 400 POST /command -d "{\"command\":\"true\",\"osb_framing\":\"bytes\"}" &&
	test "$(json_get body message)" = "$why" &&
	call 400 POST /command -d "{\"command\":\"true\",\"osb_framing\":1}" &&
	test "$(json_get body message)" = "$why" &&
	call 400 POST "/session/$sid/run" \
		-d "{\"command\":\"true\",\"osb_framing\":\"x\"}" &&
	test "$(json_get body message)" = "$why"
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
