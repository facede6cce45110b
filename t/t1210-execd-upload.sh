#!/usr/bin/env bash
# osb-execd: POST /files/upload — multipart metadata + file pairs, streamed
# to temp files renamed into place; nothing half-written is ever left.
. "$(dirname "$0")/lib.sh"
# The temp file journal of osb-execd lives in $TMPDIR: this script's own.
export TMPDIR=$TMP
start_execd

# raw STATUS FILE: POST FILE as the upload body, with boundary XX; the
# API answers STATUS.
raw() {
	call "$1" POST /files/upload --data-binary "@$2" \
		-H "Content-Type: multipart/form-data; boundary=XX"
}

# part NAME [FILENAME]: the head of a part NAME of a multipart body with
# boundary XX; its content comes next.
part() {
	printf -- '--XX\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n' \
		"$1" "${2:+; filename=\"$2\"}"
}

# meta_part PATH: a whole metadata part for PATH, its CRLF included.
meta_part() {
	part metadata && printf '{"path":"%s"}\r\n' "$1"
}

# empty_dir DIR: DIR holds nothing at all (no temp files either).
empty_dir() {
	test -z "$(ls -A "$1")" && return 0
	echo "$1 is not empty:"
	ls -la "$1"
	return 1
}

D=$TMP/up
mkdir -p "$D"

test_expect_success 'binary data round-trips byte for byte' '
	perl -e "print map { chr } 0..255" >bin &&
	head -c 3000000 /dev/urandom >>bin &&
	call 200 POST /files/upload -F "metadata={\"path\":\"$D/bin\"}" \
		-F file=@bin &&
	cmp bin "$D/bin" &&
	test ! -s body
'

test_expect_success 'several files in one request, parents created' '
	echo one >f1 && echo two >f2 &&
	call 200 POST /files/upload \
		-F "metadata={\"path\":\"$D/a/b/one\",\"mode\":600};type=application/json" \
		-F file=@f1 \
		-F "metadata={\"path\":\"$D/c/two\",\"mode\":751}" \
		-F file=@f2 &&
	cmp f1 "$D/a/b/one" && cmp f2 "$D/c/two" &&
	mode_is "$D/a/b/one" 600 &&
	mode_is "$D/c/two" 751 &&
	mode_is "$D/a/b" 755
'

test_expect_success 'a chunked body (no Content-Length) works the same' '
	call 200 POST /files/upload -H "Transfer-Encoding: chunked" \
		-F "metadata={\"path\":\"$D/chunked\"}" -F file=@bin &&
	cmp bin "$D/chunked"
'

test_expect_success 'metadata sent as a file part, as the SDKs send it' '
	printf "{\"path\":\"%s\"}" "$D/sdk" >meta.json &&
	call 200 POST /files/upload \
		-F "metadata=@meta.json;filename=metadata;type=application/json" \
		-F "file=@f1;filename=file;type=application/octet-stream" &&
	cmp f1 "$D/sdk"
'

test_expect_success 'a new file gets 755; a replaced one keeps its mode' '
	mode_is "$D/sdk" 755 &&
	chmod 640 "$D/sdk" &&
	call 200 POST /files/upload -F "metadata={\"path\":\"$D/sdk\"}" -F file=@f2 &&
	cmp f2 "$D/sdk" &&
	mode_is "$D/sdk" 640
'

test_expect_success 'an upload through a link writes the file it points at' '
	ln -s sdk "$D/link" &&
	call 200 POST /files/upload -F "metadata={\"path\":\"$D/link\"}" -F file=@f1 &&
	test -L "$D/link" && cmp f1 "$D/sdk"
'

test_expect_success ROOT 'owner and group from the metadata' '
	call 200 POST /files/upload \
		-F "metadata={\"path\":\"$D/owned\",\"owner\":\"65534\",\"group\":\"65534\",\"mode\":644}" \
		-F file=@f1 &&
	test "$(stat -c %u:%g:%a "$D/owned")" = 65534:65534:644
'

test_expect_success 'an empty file uploads' '
	: >empty &&
	call 200 POST /files/upload -F "metadata={\"path\":\"$D/empty\"}" -F file=@empty &&
	test -f "$D/empty" && test ! -s "$D/empty"
'

T=$TMP/trunc
mkdir -p "$T"

test_expect_success 'a body without its closing boundary: 400, no file left' '
	{ meta_part "$T/f" && part file f && printf "some data that never ends"; } >cut &&
	raw 400 cut &&
	error_is INVALID_FILE "body ended before the closing boundary" &&
	empty_dir "$T"
'

test_expect_success 'a body that ends inside the delimiter: 400, no file left' '
	{ meta_part "$T/f" && part file && printf "data\r\n--X"; } >cut2 &&
	raw 400 cut2 &&
	error_is INVALID_FILE "bad multipart body" &&
	empty_dir "$T"
'

test_expect_success 'junk after a boundary: 400, no file left' '
	{ meta_part "$T/f" && printf -- "--XXjunk\r\n"; } >junk &&
	raw 400 junk &&
	error_is INVALID_FILE "junk after a boundary" &&
	empty_dir "$T"
'

test_expect_success 'a body ending --XX, not --XX--: 400 and the target unchanged' '
	echo old >"$T/kept" &&
	{ meta_part "$T/kept" && part file f && printf "new\r\n--XX"; } >open &&
	raw 400 open &&
	error_is INVALID_FILE "body ended before the closing boundary" &&
	echo old >expect && test_cmp expect "$T/kept" &&
	test "$(ls -A "$T")" = kept && rm "$T/kept"
'

test_expect_success 'two files, the second metadata bad: 400 and the first not written' '
	echo old >"$T/first" &&
	{ meta_part "$T/first" && part file a && printf "new\r\n" &&
	  part metadata && printf "{\"path\":\"\"}\r\n" &&
	  part file b && printf "b\r\n--XX--\r\n"; } >two &&
	raw 400 two &&
	error_is INVALID_FILE_METADATA "metadata path is empty" &&
	echo old >expect && test_cmp expect "$T/first" &&
	test "$(ls -A "$T")" = first && rm "$T/first"
'

test_expect_success 'a refused upload makes none of the directories it names' '
	{ meta_part "$T/new/dir/f" && part file a && printf "x\r\n" &&
	  part metadata && printf "{\"path\":\"\"}\r\n" &&
	  part file b && printf "b\r\n--XX--\r\n"; } >nodir &&
	raw 400 nodir &&
	empty_dir "$T"
'

test_expect_success 'a parent that is a file: 500 at once, nothing made' '
	echo f >"$T/plain" &&
	{ meta_part "$T/plain/sub/f" && part file a && printf "x\r\n--XX--\r\n"; } >underfile &&
	raw 500 underfile &&
	error_is RUNTIME_ERROR "mkdir $T/plain/sub: not a directory" &&
	test "$(ls -A "$T")" = plain && rm "$T/plain"
'

test_expect_success 'two files, the second without its file part: 400, neither written' '
	{ meta_part "$T/one" && part file a && printf "1\r\n" &&
	  meta_part "$T/two" && printf -- "--XX--\r\n"; } >nofile &&
	raw 400 nofile &&
	error_is INVALID_FILE "metadata and file count mismatch: no file part for $T/two" &&
	empty_dir "$T"
'

test_expect_success 'a file part without metadata before it: 400' '
	call 400 POST /files/upload -F file=@f1 &&
	error_is INVALID_FILE_METADATA "metadata file is missing" &&
	empty_dir "$T"
'

test_expect_success 'metadata without its file part: 400 INVALID_FILE_CONTENT' '
	call 400 POST /files/upload -F "metadata={\"path\":\"$T/f\"}" &&
	error_is INVALID_FILE_CONTENT "file is missing for $T/f" &&
	empty_dir "$T"
'

test_expect_success 'two metadata parts in a row: 400 INVALID_FILE' '
	call 400 POST /files/upload -F "metadata={\"path\":\"$T/f\"}" \
		-F "metadata={\"path\":\"$T/g\"}" -F file=@f1 &&
	error_is INVALID_FILE "metadata and file count mismatch" &&
	empty_dir "$T"
'

test_expect_success 'no parts at all: 400 INVALID_FILE_METADATA' '
	call 400 POST /files/upload -F other=x &&
	error_is INVALID_FILE_METADATA "metadata file is missing"
'

test_expect_success 'bad metadata: not JSON, not an object, no path, bad mode' '
	call 400 POST /files/upload -F "metadata={\"path\":" -F file=@f1 &&
	error_is INVALID_FILE_METADATA "invalid metadata format" &&
	call 400 POST /files/upload -F "metadata=[1]" -F file=@f1 &&
	error_is INVALID_FILE_METADATA "not an object" &&
	call 400 POST /files/upload -F "metadata={\"mode\":644}" -F file=@f1 &&
	error_is INVALID_FILE_METADATA "metadata path is empty" &&
	call 400 POST /files/upload -F "metadata={\"path\":\"$T/f\",\"mode\":999}" -F file=@f1 &&
	error_is INVALID_FILE_METADATA "mode must be octal digits" &&
	empty_dir "$T"
'

test_expect_success 'metadata larger than 64 KiB: 413' '
	perl -e "print q({\"path\":\"x\",\"pad\":\"), q(x) x 70000, q(\"})" >bigmeta &&
	call 413 POST /files/upload -F "metadata=<bigmeta" -F file=@f1 &&
	error_is INVALID_FILE_METADATA "metadata part larger than 65536 bytes"
'

test_expect_success 'part headers larger than 16 KiB: 413' '
	{ printf -- "--XX\r\nX-Pad: " && perl -e "print q(p) x 20000" &&
	  printf "\r\n\r\nx\r\n--XX--\r\n"; } >bighdr &&
	raw 413 bighdr &&
	error_is INVALID_FILE "part headers larger than 16384 bytes"
'

test_expect_success 'not multipart, or no body at all: 400 INVALID_FILE' '
	call 400 POST /files/upload -H "Content-Type: application/json" -d "{}" &&
	error_is INVALID_FILE "is not multipart/form-data with a boundary" &&
	call 400 POST /files/upload -H "Content-Type: multipart/form-data" -d x &&
	error_is INVALID_FILE "is not multipart/form-data" &&
	call 400 POST /files/upload &&
	error_is INVALID_FILE "multipart form is empty"
'

test_expect_success 'a directory as the target: 500, no temp file left' '
	mkdir -p "$T/dir" &&
	call 500 POST /files/upload -F "metadata={\"path\":\"$T/dir\"}" -F file=@f1 &&
	error_is RUNTIME_ERROR "upload $T/dir: is a directory" &&
	test "$(ls -A "$T")" = dir && rmdir "$T/dir"
'

test_expect_success 'a client gone mid-file leaves no temp file behind' '
	{
		printf "POST /files/upload HTTP/1.1\r\nHost: x\r\n"
		printf "Content-Type: multipart/form-data; boundary=XX\r\n"
		printf "Content-Length: 10000000\r\n\r\n"
		meta_part "$T/gone"
		part file
		head -c 100000 /dev/zero
	} >partial &&
	exec 3<>"/dev/tcp/127.0.0.1/$EXECD_PORT" &&
	cat partial >&3 &&
	wait_for 50 eval "ls -A \"\$T\" | grep -q \"^\.gone\.osb-\"" &&
	exec 3>&- 3<&- &&
	wait_for 50 empty_dir "$T"
'

test_expect_success 'osb-execd killed mid-upload: the next start removes its temp file' '
	{
		printf "POST /files/upload HTTP/1.1\r\nHost: x\r\n"
		printf "Content-Type: multipart/form-data; boundary=XX\r\n"
		printf "Content-Length: 10000000\r\n\r\n"
		meta_part "$T/killed"
		part file
		head -c 100000 /dev/zero
	} >partial &&
	exec 3<>"/dev/tcp/127.0.0.1/$EXECD_PORT" &&
	cat partial >&3 &&
	wait_for 50 eval "ls -A \"\$T\" | grep -q \"^\.killed\.osb-\"" &&
	kill -KILL "$EXECD_PID" &&
	exec 3>&- 3<&- &&
	wait "$EXECD_PID"; ls -A "$T" | grep -q "^\.killed\.osb-" &&
	start_execd &&
	empty_dir "$T" &&
	grep_q "removed 1 temp file left by a daemon that was killed" "$TMP/execd.log"
'

test_expect_success NO_SANITIZE 'memory stays flat: 200 MiB through at most 32 MiB RSS' '
	head -c 209715200 /dev/zero >big &&
	call 200 POST /files/upload -F "metadata={\"path\":\"$D/big\"}" -F file=@big &&
	test "$(stat -c %s "$D/big")" = 209715200 &&
	rm -f big "$D/big" &&
	hwm=$(awk "/VmHWM/ {print \$2}" "/proc/$EXECD_PID/status") &&
	echo "peak RSS ${hwm} kB" &&
	test "$hwm" -lt 32768
'

test_expect_success 'osb-execd stops cleanly (no leaks under sanitizers)' '
	stop_execd
'

test_done
