#!/usr/bin/env bash
# The code interpreter: whole-process latency of `osb-code run URL
# --context ID -c 1+1` on a warm Python context (target: median <= 25 ms);
# context creation until the kernel is ready to execute (target: median
# <= 1.5 s); 4 contexts x 10 cells sent at once (target: every result
# right, none crossed).
. "$(dirname "$0")/../lib.sh"
export TMPDIR=$TMP
start_execd

# median: the middle of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ctx=$(osb-code context create "$EXECD_URL") || { echo "code: no context"; exit 1; }
hyperfine -N --warmup 20 --runs 200 --export-json run.json \
	"osb-code run $EXECD_URL --context $ctx -c 1+1" >/dev/null 2>&1 || {
	echo "code: hyperfine failed"; exit 1; }
run=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' run.json | head -1)
awk -v m="$run" 'BEGIN { printf "code run: osb-code run URL --context ID -c 1+1, median %.1f ms over 200 runs (target <= 25 ms)\n", m * 1000 }'

for i in $(seq 10); do
	curl -s -o made -w '%{time_total}\n' -d '{"language":"python"}' \
		"$EXECD_URL/code/context" >>create.times
	curl -s -X DELETE "$EXECD_URL/code/contexts/$(json_get made id)"
done
awk -v m="$(median <create.times)" 'BEGIN { printf "code context: creation until ready, median %.2f s over 10 (target <= 1.5 s)\n", m }'

for k in 1 2 3 4; do
	json_get <(curl -s -d '{"language":"python"}' "$EXECD_URL/code/context") id >"id$k"
	curl -s -o /dev/null -d "$(json code "tag = \"ctx$k\"" context "={\"id\":\"$(cat "id$k")\"}")" \
		"$EXECD_URL/code"
done
start=$(date +%s%N)
pids=
for k in 1 2 3 4; do
	for i in $(seq 0 9); do
		curl -sN -o "out$k.$i" -d "$(json code "f\"{tag}:$i\"" \
			context "={\"id\":\"$(cat "id$k")\"}")" "$EXECD_URL/code" &
		pids="$pids $!"
	done
done
wait $pids
ms=$(( ($(date +%s%N) - start) / 1000000 ))
right=0
for k in 1 2 3 4; do
	for i in $(seq 0 9); do
		grep -q "\"text\":\"'ctx$k:$i'\"" "out$k.$i" && right=$((right + 1))
	done
done
echo "code concurrency: 4 contexts x 10 cells at once in $ms ms: $right of 40 results right (target: 40, none crossed)"
stop_execd
