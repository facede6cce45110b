#!/usr/bin/env bash
# 100 MiB upload and download over loopback with osb-file
# (target: >= 300 MB/s each way).
. "$(dirname "$0")/../lib.sh"
start_execd
head -c $((100 * 1024 * 1024)) /dev/urandom >src
mkdir -p remote
best_up=0 best_down=0
for i in 1 2 3; do
	t0=$(date +%s%N)
	osb-file upload "$EXECD_URL" src "$TMP/remote/f" || exit 1
	t1=$(date +%s%N)
	rm -f dst
	osb-file download "$EXECD_URL" "$TMP/remote/f" dst || exit 1
	t2=$(date +%s%N)
	cmp -s src dst || { echo "transfer: download differs"; exit 1; }
	up=$(( 100 * 1048576 * 1000 / ((t1 - t0) / 1000) ))
	down=$(( 100 * 1048576 * 1000 / ((t2 - t1) / 1000) ))
	[ $up -gt $best_up ] && best_up=$up
	[ $down -gt $best_down ] && best_down=$down
done
echo "transfer: 100 MiB upload $((best_up / 1000)) MB/s, download $((best_down / 1000)) MB/s, best of 3 (target >= 300 MB/s)"
