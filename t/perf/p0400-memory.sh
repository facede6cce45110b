#!/usr/bin/env bash
# osb-execd resident memory: idle (target <= 8 MiB), and the peak while
# moving a 1 GiB file each way (target <= 32 MiB).
. "$(dirname "$0")/../lib.sh"
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
start_execd
curl -s -o /dev/null "$EXECD_URL/ping"
sleep 0.5
echo "memory: idle RSS $(( $(rss_kib $EXECD_PID) / 1024 )).$(( $(rss_kib $EXECD_PID) % 1024 * 10 / 1024 )) MiB (target <= 8 MiB)"
head -c $((1024 * 1024 * 1024)) /dev/zero >big
mkdir -p remote
osb-file upload "$EXECD_URL" big "$TMP/remote/big" || exit 1
up=$(hwm_kib $EXECD_PID)
rm -f big
osb-file download "$EXECD_URL" "$TMP/remote/big" - | cmp -s - <(head -c $((1024 * 1024 * 1024)) /dev/zero) ||
	{ echo "memory: 1 GiB download differs"; exit 1; }
down=$(hwm_kib $EXECD_PID)
echo "memory: peak RSS $((up / 1024)) MiB after a 1 GiB upload, $((down / 1024)) MiB after the download too (target <= 32 MiB)"
