#!/usr/bin/env bash
# GET /ping throughput with 64 connections (target: >= 10,000 requests/s).
. "$(dirname "$0")/../lib.sh"
start_execd
rps=$(wrk -t2 -c64 -d5s "$EXECD_URL/ping" | awk '/Requests\/sec/ { print $2 }')
echo "ping: $rps requests/s with 64 connections over 5 s (target >= 10000)"
