#!/usr/bin/env bash
# 1,000 concurrent streaming commands, `sleep 2; echo done`, against one
# osb-execd: all must complete with their output; its peak RSS and
# threads while they run.
. "$(dirname "$0")/../lib.sh"

N=1000
ulimit -n "$(ulimit -Hn)" 2>/dev/null
start_execd
# peak: the largest thread count seen, sampled until ./stop exists.
( peak=0; while [ ! -e stop ]; do
	t=$(ls "/proc/$EXECD_PID/task" 2>/dev/null | wc -l)
	[ "$t" -gt "$peak" ] && echo "$t" >threads.peak && peak=$t
	sleep 0.1
done ) &
sampler=$!
perl "$T_DIR/../many-commands.pl" "$EXECD_PORT" $N "sleep 2; echo done" 300 >many.out
touch stop
wait $sampler
read -r _ streams _ complete _ lines _ ms <many.out
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$EXECD_PID/status")
echo "streams: $complete/$streams concurrent 'sleep 2; echo done' completed, $lines with their output, in $ms ms"
echo "streams: osb-execd peak RSS $((hwm / 1024)) MiB, peak threads $(cat threads.peak)"
stop_execd >/dev/null
