#!/usr/bin/env bash
# osb-execd: GET /files/download — whole files and byte ranges.
. "$(dirname "$0")/lib.sh"
start_execd

# get STATUS PATH [CURL ARGS]: download, body in ./body, headers in ./headers
# (shown too when the status is not STATUS).
get() {
	local want=$1
	shift
	call "$want" GET "$@" -D headers || { cat headers; return 1; }
}

# header NAME VALUE: ./headers has NAME: VALUE exactly.
header() {
	tr -d '\r' <headers | grep -qix "$1: $2" && return 0
	echo "no '$1: $2' in:"
	cat headers
	return 1
}

D=$TMP/dl
mkdir -p "$D"
perl -e 'print map { chr($_ % 256) } 0..9999' >"$D/data.bin"

test_expect_success 'the whole file, with its headers' '
	get 200 "/files/download?path=$D/data.bin" &&
	cmp "$D/data.bin" body &&
	header Content-Type application/octet-stream &&
	header Content-Length 10000 &&
	header Content-Disposition "attachment; filename=\"data.bin\"" &&
	header Accept-Ranges bytes &&
	grep -qi "^Last-Modified: .* GMT" headers
'

test_expect_success 'Range a-b: 206 and just those bytes' '
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=100-199" &&
	header Content-Range "bytes 100-199/10000" &&
	header Content-Length 100 &&
	tail -c +101 "$D/data.bin" | head -c 100 >expect &&
	cmp expect body
'

test_expect_success 'Range a-: from a to the end' '
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=9990-" &&
	header Content-Range "bytes 9990-9999/10000" &&
	tail -c 10 "$D/data.bin" >expect && cmp expect body
'

test_expect_success 'Range -n: the last n bytes; more than the size is all' '
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=-5" &&
	header Content-Range "bytes 9995-9999/10000" &&
	tail -c 5 "$D/data.bin" >expect && cmp expect body &&
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=-20000" &&
	header Content-Range "bytes 0-9999/10000" &&
	cmp "$D/data.bin" body
'

test_expect_success 'Range past the end is cut to the size' '
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=9998-20000" &&
	header Content-Range "bytes 9998-9999/10000" &&
	header Content-Length 2
'

test_expect_success 'several ranges: the first satisfiable one is served' '
	get 206 "/files/download?path=$D/data.bin" -H "Range: bytes=20000-, 0-1, 5-6" &&
	header Content-Range "bytes 0-1/10000"
'

test_expect_success 'an unsatisfiable range: 416 with bytes */size' '
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=10000-" &&
	header Content-Range "bytes \*/10000" &&
	header Content-Type application/json &&
	error_is INVALID_RANGE "download $D/data.bin: range bytes=10000- not satisfiable (size 10000)" &&
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=-0"
'

test_expect_success 'a malformed range: 416' '
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=5-1" &&
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=x-1" &&
	get 416 "/files/download?path=$D/data.bin" -H "Range: lines=1-2" &&
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=1" &&
	get 416 "/files/download?path=$D/data.bin" -H "Range: bytes=0-1,junk"
'

test_expect_success 'an empty file: 200 empty; any range 416' '
	: >"$D/empty" &&
	get 200 "/files/download?path=$D/empty" &&
	header Content-Length 0 && test ! -s body &&
	get 416 "/files/download?path=$D/empty" -H "Range: bytes=0-" &&
	header Content-Range "bytes \*/0"
'

test_expect_success 'a name outside plain ASCII is percent-encoded' '
	echo x >"$D/naïve \"q\".txt" &&
	get 200 "/files/download?path=$D/na%C3%AFve%20%22q%22.txt" &&
	header Content-Disposition "attachment; filename=\"na%C3%AFve%20%22q%22.txt\"; filename\*=UTF-8'"''"'na%C3%AFve%20%22q%22.txt"
'

test_expect_success 'a link is followed to its file' '
	ln -s data.bin "$D/link" &&
	get 200 "/files/download?path=$D/link" &&
	cmp "$D/data.bin" body &&
	header Content-Disposition "attachment; filename=\"link\""
'

test_expect_success 'a missing file: 404 FILE_NOT_FOUND' '
	get 404 "/files/download?path=$D/nope" &&
	error_is FILE_NOT_FOUND "open $D/nope: no such file or directory"
'

test_expect_success 'a directory or a FIFO: 400, at once' '
	get 400 "/files/download?path=$D" &&
	error_is INVALID_REQUEST_BODY "download $D: is a directory" &&
	mkfifo "$D/fifo" &&
	get 400 "/files/download?path=$D/fifo" --max-time 5 &&
	error_is INVALID_REQUEST_BODY "not a regular file"
'

test_expect_success 'no path: 400 MISSING_QUERY' '
	get 400 /files/download &&
	error_is MISSING_QUERY "missing query parameter .path."
'

test_expect_success 'osb-execd stops cleanly (no leaks under sanitizers)' '
	stop_execd
'

test_done
