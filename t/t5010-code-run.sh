#!/usr/bin/env bash
# osb-execd POST /code: events of a run as the Go execd sends them, state
# kept, contexts kept apart, errors with tracebacks, display data, the
# per-language default context, bash, shell commands, cells queued in
# order, and bad requests.
. "$(dirname "$0")/lib.sh"

require KERNEL
export TMPDIR=$TMP

# new_context [LANGUAGE]: a context (python unless given); its id in $cid.
new_context() {
	call 200 POST /code/context -d "$(json language "${1:-python}")" &&
	cid=$(json_get body id)
}

# run_in CTX CODE [FILE]: run CODE in context CTX; the stream in FILE
# (./out).
run_in() {
	sse "${3:-out}" /code code "$2" context "={\"id\":\"$1\"}"
}

# run_lang LANGUAGE CODE: run CODE in LANGUAGE's default context.
run_lang() {
	sse out /code code "$2" context "={\"language\":\"$1\"}"
}

# results FILE: each result event's results, as canonical JSON lines.
results() {
	perl -MJSON::PP -ne '
		next unless s/^data: //;
		my $j = JSON::PP->new->utf8->canonical;
		my $e = $j->decode($_);
		print $j->encode($e->{results}), "\n" if $e->{type} eq "result";' "$1"
}

start_execd
new_context && C=$cid

test_expect_success 'a run: init (the context id) first, execution_complete last' '
	run_in "$C" "x = 6 * 7" &&
	ev_is out types init execution_complete &&
	test "$(ev out text init)" = "$C" &&
	grep_q "^Content-Type: text/event-stream" headers &&
	ev out field execution_time | grep -qE "^[0-9]+$"
'

test_expect_success 'state stays from one run to the next' '
	run_in "$C" "print(x)" &&
	test "$(ev out text stdout)" = 42
'

test_expect_success 'stdout, stderr, then execution_count and the result' '
	run_in "$C" "import sys
print(\"to out\")
print(\"to err\", file=sys.stderr)
x + 1" &&
	ev_is out types init stdout stderr execution_count result \
		execution_complete &&
	test "$(ev out text stdout)" = "to out" &&
	test "$(ev out text stderr)" = "to err" &&
	ev out field execution_count | grep -qE "^[0-9]+$" &&
	results out >actual && echo "{\"text\":\"43\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'execution_count counts the cells' '
	run_in "$C" "1" && n1=$(ev out field execution_count) &&
	run_in "$C" "2" && n2=$(ev out field execution_count) &&
	test $((n1 + 1)) -eq "$n2"
'

test_expect_success 'display data is a result, its MIME bundle as sent' '
	run_in "$C" "from IPython.display import display
display({\"image/png\": \"iVBORw0KGgo=\", \"text/plain\": \"<an image>\"}, raw=True)
print(\"after\")" &&
	ev_is out types init result stdout execution_complete &&
	results out >actual &&
	echo "{\"image/png\":\"iVBORw0KGgo=\",\"text\":\"<an image>\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'rich results: every MIME type, text/plain called text' '
	run_in "$C" "class R:
    def _repr_html_(self): return \"<b>r</b>\"
    def _repr_json_(self): return {\"k\": [1, 2]}
    def __repr__(self): return \"R()\"
R()" &&
	results out >actual &&
	echo "{\"application/json\":{\"k\":[1,2]},\"text\":\"R()\",\"text/html\":\"<b>r</b>\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'an error: status "error", then the error with its traceback, last' '
	run_in "$C" "print(\"before\")
1 / 0" &&
	ev_is out types init stdout status error &&
	test "$(ev out text status)" = error &&
	ev out error >actual &&
	grep_q "^ZeroDivisionError division by zero " actual &&
	grep_q "Traceback" actual &&
	grep_q "ZeroDivisionError.*: division by zero" actual
'

test_expect_success 'an error from a raise names its class and message' '
	run_in "$C" "raise ValueError(\"bad value\")" &&
	ev out error | grep -q "^ValueError bad value " &&
	run_in "$C" "x" && test "$(results out)" = "{\"text\":\"42\"}"
'

test_expect_success 'a syntax error is an error too' '
	run_in "$C" "def (" &&
	ev out error | grep -q "^SyntaxError "
'

test_expect_success 'input() cannot block a cell: an error says so' '
	run_in "$C" "input()" &&
	ev out error | grep -q "^StdinNotImplementedError "
'

test_expect_success 'text that is not ASCII passes through' '
	run_in "$C" "print(\"h\u00e9llo \u20ac \U0001F600\")" &&
	printf "h\303\251llo \342\202\254 \360\237\230\200\n" >expect &&
	ev out raw stdout >actual && test_cmp expect actual
'

test_expect_success 'contexts are kept apart' '
	new_context && other=$cid &&
	run_in "$other" "x" &&
	ev out error | grep -q "^NameError name .x. is not defined" &&
	run_in "$other" "x = \"other\"" &&
	run_in "$C" "x" && test "$(results out)" = "{\"text\":\"42\"}"
'

test_expect_success 'cells sent together to one context run one after the other' '
	run_in "$C" "import time; time.sleep(0.5); print(\"first\")" first &
	p1=$!
	wait_for 50 grep -q "\"type\":\"init\"" first &&
	run_in "$C" "print(\"second\")" second &&
	wait $p1 &&
	t1=$(ev first field timestamp | tail -n 1) &&
	t2=$(ev second field timestamp | tail -n 1) &&
	test "$t1" -le "$t2" &&
	test "$(ev first text stdout)" = first &&
	test "$(ev second text stdout)" = second &&
	ev_is second types init stdout execution_complete
'

test_expect_success 'without a context id: the language'"'"'s default context, kept' '
	run_lang python "y = 5" &&
	d=$(ev out text init) &&
	echo "$d" | grep -qE "^[0-9a-f]{32}$" &&
	test "$d" != "$C" &&
	run_lang python "y * 2" &&
	test "$(ev out text init)" = "$d" &&
	test "$(results out)" = "{\"text\":\"10\"}" &&
	call 200 GET "/code/contexts/$d" &&
	test "$(json_get body language)" = python
'

test_expect_success 'first runs at once make one default context' '
	call 200 DELETE "/code/contexts?language=python" &&
	pids= &&
	for i in 1 2 3; do
		sse "par$i" /code code "$i" context "={\"language\":\"python\"}" &
		pids="$pids $!"
	done
	wait $pids &&
	test "$(ev par1 text init)" = "$(ev par2 text init)" &&
	test "$(ev par2 text init)" = "$(ev par3 text init)" &&
	call 200 GET "/code/contexts?language=python" &&
	test "$(json_get body)" = 1
'

test_expect_success 'bash keeps its state too: variables, directory' '
	run_lang bash "X=5; cd \"$TMP\"" &&
	b=$(ev out text init) &&
	run_lang bash "echo \$X; pwd; echo err >&2" &&
	test "$(ev out text init)" = "$b" &&
	printf "5\n%s\n" "$TMP" >expect &&
	ev out raw stdout >actual && test_cmp expect actual &&
	test "$(ev out raw stderr)" = err &&
	test "$(ev out types | tail -n 1)" = execution_complete
'

test_expect_success 'a bash context made with POST /code/context runs by its id' '
	new_context bash &&
	run_in "$cid" "Z=9" && run_in "$cid" "echo \$Z" &&
	test "$(ev out text stdout)" = 9 &&
	run_in "$cid" "false" &&
	ev out error | grep -q "^CommandExecError 1 "
'

test_expect_success 'neither context nor language: a shell command' '
	sse out /code code "echo from a shell" &&
	test "$(ev out text stdout)" = "from a shell" &&
	ev_is out types init stdout execution_complete
'

test_expect_success 'an unknown context: 404, nothing streamed' '
	call 404 POST /code -d "{\"code\":\"1\",\"context\":{\"id\":\"nosuch\",\"language\":\"python\"}}" &&
	error_is CONTEXT_NOT_FOUND "context nosuch not found"
'

test_expect_success 'an unknown language: 400 naming those there are' '
	call 400 POST /code -d "{\"code\":\"1\",\"context\":{\"language\":\"cobol\"}}" &&
	error_is INVALID_REQUEST_BODY "unsupported language '"'"'cobol'"'"': this execd runs bash, python\""
'

test_expect_success 'bad bodies: 400 with the reason' '
	call 400 POST /code &&
	error_is INVALID_REQUEST_BODY "empty body" &&
	call 400 POST /code -d "{\"code\":" &&
	error_is INVALID_REQUEST_BODY "invalid JSON" &&
	call 400 POST /code -d "[1]" &&
	error_is INVALID_REQUEST_BODY "the body must be a JSON object" &&
	call 400 POST /code -d "{\"context\":{\"language\":\"python\"}}" &&
	error_is INVALID_REQUEST_BODY "code is required" &&
	call 400 POST /code -d "{\"code\":\"\"}" &&
	error_is INVALID_REQUEST_BODY "code is required" &&
	call 400 POST /code -d "{\"code\":5}" &&
	error_is INVALID_REQUEST_BODY "code is required" &&
	call 400 POST /code -d "{\"code\":\"1\",\"context\":[]}" &&
	error_is INVALID_REQUEST_BODY "context must be an object" &&
	call 400 POST /code -d "{\"code\":\"1\",\"context\":{\"id\":1}}" &&
	error_is INVALID_REQUEST_BODY "context.id must be a string" &&
	call 400 POST /code -d "{\"code\":\"1\",\"context\":{\"language\":true}}" &&
	error_is INVALID_REQUEST_BODY "context.language must be a string"
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
