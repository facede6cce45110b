#!/usr/bin/env bash
# osb-execd code contexts at once: 4 contexts, 10 cells each, all sent
# together; every result right, none crossed into another context, each
# context's cells run one at a time.
. "$(dirname "$0")/lib.sh"

require KERNEL
export TMPDIR=$TMP

# run_in CTX CODE FILE: run CODE in context CTX, the stream in FILE.
run_in() {
	curl -sN --max-time 60 -o "$3" \
		-d "$(json code "$2" context "={\"id\":\"$1\"}")" "$EXECD_URL/code"
}

start_execd

test_expect_success 'four contexts start at once' '
	pids= &&
	for k in 1 2 3 4; do
		curl -s --max-time 60 -o "ctx$k" -d "{\"language\":\"python\"}" \
			"$EXECD_URL/code/context" &
		pids="$pids $!"
	done
	wait $pids &&
	for k in 1 2 3 4; do
		json_get "ctx$k" id >"id$k" &&
		run_in "$(cat "id$k")" "tag = \"ctx$k\"; running = 0" "tag$k" &&
		grep -q execution_complete "tag$k" || return 1
	done
'

# Each cell checks that no other cell of its context runs beside it.
CELL='running += 1
assert running == 1, "two cells at once"
import time; time.sleep(0.02)
running -= 1
f"{tag}:%d"'

test_expect_success '4 contexts x 10 cells at once: every result right, none crossed' '
	pids= &&
	for k in 1 2 3 4; do
		for i in 0 1 2 3 4 5 6 7 8 9; do
			run_in "$(cat "id$k")" "$(printf "$CELL" "$i")" "out$k.$i" &
			pids="$pids $!"
		done
	done
	wait $pids &&
	for k in 1 2 3 4; do
		for i in 0 1 2 3 4 5 6 7 8 9; do
			grep -q "\"results\":{\"text\":\"'"'"'ctx$k:$i'"'"'\"}" "out$k.$i" &&
			grep -q execution_complete "out$k.$i" &&
			test "$(ev "out$k.$i" text init)" = "$(cat "id$k")" ||
			{ echo "out$k.$i:"; cat "out$k.$i"; return 1; }
		done
	done
'

test_expect_success 'each context ran its 10 cells, and only those' '
	for k in 1 2 3 4; do
		run_in "$(cat "id$k")" "len([h for h in In if h.startswith(\"running +=\")])" n &&
		grep -q "\"text\":\"10\"" n || { cat n; return 1; }
	done
'

test_expect_success 'the daemon exits cleanly' '
	stop_execd
'

test_done
