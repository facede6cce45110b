# t/lib-wrk.sh — wrk for the benchmarks in t/perf, sourced after lib.sh:
#
#   wrk_bench NAME URL         wrk -c64 for $WRK_SECONDS (default 60) s:
#                              one line, requests/s, requests, errors
#                              (socket errors and non-2xx replies)

# wrk_bench NAME URL: the figures for URL, in one line.
wrk_bench() {
	local secs=${WRK_SECONDS:-60}
	wrk -t2 -c64 -d"${secs}s" "$2" >wrk.out 2>&1
	awk -v name="$1" -v secs="$secs" '
		/Requests\/sec/ { rps = $2 }
		/requests in/ { total = $1 }
		/Socket errors/ { for (i = 4; i <= NF; i += 2) errors += $i }
		/Non-2xx/ { errors += $NF }
		END { printf "%s: %s requests/s with 64 connections over %d s, %s requests, %d errors\n", name, rps, secs, total, errors }' wrk.out
}
