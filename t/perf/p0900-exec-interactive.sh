#!/usr/bin/env bash
# osb-exec -it and -i: keystroke echo round trip through -it (target:
# median <= 5 ms), and -i throughput into `cat >/dev/null` (target:
# >= 100 MB/s), on loopback.
. "$(dirname "$0")/../lib.sh"
start_execd

# A terminal of our own (pty.fork) runs osb-exec -it with cat there; a
# key is written, and the time until its echo comes back is taken.
PYTHONPATH= timeout 120 python3 - "$EXECD_URL" <<'PY' || {
import os, pty, select, statistics, sys, termios, time

pid, fd = pty.fork()
if pid == 0:
    os.execvp("osb-exec", ["osb-exec", "-it", sys.argv[1], "--", "cat"])

def read_until(want, limit=10.0):
    got, end = b"", time.monotonic() + limit
    while want not in got:
        r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not r:
            raise SystemExit("no echo of %r" % want)
        got += os.read(fd, 4096)
    return got

# Our terminal goes raw once osb-exec is connected: no echo here after that.
end = time.monotonic() + 10
while termios.tcgetattr(fd)[3] & termios.ECHO:
    if time.monotonic() > end:
        raise SystemExit("osb-exec never made the terminal raw")
    time.sleep(0.01)
os.write(fd, b"ready\r")
read_until(b"ready\r\nready\r\n")
times = []
for i in range(300):
    key = b"abcdefghij"[i % 10:i % 10 + 1]
    t0 = time.perf_counter()
    os.write(fd, key)
    read_until(key)
    times.append((time.perf_counter() - t0) * 1000)
os.write(fd, b"\r\x04")
os.waitpid(pid, 0)
times = times[20:]
print("keystroke echo via osb-exec -it: median %.2f ms, p90 %.2f ms over %d "
      "keys (target: median <= 5 ms)" % (statistics.median(times),
      sorted(times)[int(len(times) * 0.9)], len(times)))
PY
	echo "keystroke echo: failed"; exit 1; }

# -i: 512 MiB from a pipe into cat >/dev/null there.
mb=512
t0=$(date +%s%N)
head -c $((mb * 1048576)) /dev/zero |
	osb-exec -i "$EXECD_URL" -- "cat >/dev/null" || {
	echo "-i throughput: osb-exec failed"; exit 1; }
t1=$(date +%s%N)
awk -v mb=$mb -v ns=$((t1 - t0)) 'BEGIN { printf "osb-exec -i throughput: %d MiB into cat >/dev/null in %.2f s, %.0f MB/s (target >= 100 MB/s)\n", mb, ns / 1e9, mb * 1.048576 / (ns / 1e9) }'
