#!/usr/bin/env bash
# GET /metrics and the /metrics/watch stream.
. "$(dirname "$0")/lib.sh"
start_execd

test_expect_success 'GET /metrics has every field, with sane values' '
	call 200 GET /metrics &&
	for k in cpu_count cpu_used_pct mem_total_mib mem_used_mib timestamp; do
		grep_q "\"$k\":" body || return 1
	done &&
	grep_q "\"cpu_count\":$(nproc)\.0" body &&
	total=$(sed "s/.*\"mem_total_mib\":\([0-9]*\).*/\1/" body) &&
	kib=$(awk "/MemTotal/ {print int(\$2/1024)}" /proc/meminfo) &&
	test "$total" = "$kib"
'

test_expect_success 'GET /metrics/watch: SSE frames, one sample a second' '
	curl -sN -D headers --max-time 2.6 "$EXECD_URL/metrics/watch" >watch;
	grep_q "text/event-stream" headers &&
	test "$(grep -c "^data: {\"cpu_count\"" watch)" -eq 2 &&
	test "$(grep -c "^$" watch)" -eq 2
'

test_expect_success 'POST /metrics is 405' '
	call 405 POST /metrics
'

test_done
