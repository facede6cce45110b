#!/bin/bash
# osb-file: moving bytes in and out — write, cat, upload, download.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
R=$TMP/remote
mkdir -p "$R"

# round_trip FILE: FILE uploaded to $R/FILE, then downloaded to FILE.back;
# the bytes the same each way.
round_trip() {
	osb-file upload "$S" "$1" "$R/$1" &&
	cmp "$1" "$R/$1" &&
	osb-file download "$S" "$R/$1" "$1.back" &&
	cmp "$1" "$1.back"
}

test_expect_success 'write -c then cat gives the text back' '
	osb-file write "$S" "$R/hello.txt" -c "hello world" &&
	printf "hello world" >expect &&
	osb-file cat "$S" "$R/hello.txt" >out &&
	test_cmp expect out &&
	test_cmp expect "$R/hello.txt"
'

test_expect_success 'write from stdin (a pipe, sent chunked)' '
	printf "line 1\nline 2\n" >expect &&
	cat expect | osb-file write "$S" "$R/piped.txt" &&
	test_cmp expect "$R/piped.txt"
'

test_expect_success 'write from stdin redirected from a file' '
	seq 1 1000 >expect &&
	osb-file write "$S" "$R/redirected.txt" <expect &&
	test_cmp expect "$R/redirected.txt"
'

test_expect_success 'write --mode sets the permission bits' '
	osb-file write "$S" "$R/script.sh" -c "#!/bin/sh" --mode 755 &&
	mode_is "$R/script.sh" 755 &&
	osb-file write --mode 0600 "$S" "$R/secret" <expect &&
	mode_is "$R/secret" 600
'

test_expect_success 'write without --mode makes a 0644 file, as > would' '
	osb-file write "$S" "$R/plain.txt" -c hi &&
	mode_is "$R/plain.txt" 644 &&
	echo hi | osb-file write "$S" "$R/plain-piped.txt" &&
	mode_is "$R/plain-piped.txt" 644
'

test_expect_success 'write creates missing parent directories' '
	osb-file write "$S" "$R/a/b/c/deep.txt" -c deep &&
	test "$(cat "$R/a/b/c/deep.txt")" = deep
'

test_expect_success 'write replaces an existing file whole' '
	osb-file write "$S" "$R/over.txt" -c "a long first version" &&
	osb-file write "$S" "$R/over.txt" -c short &&
	test "$(cat "$R/over.txt")" = short
'

test_expect_success 'binary round trip: all 256 byte values' '
	perl -e "print map { chr } 0..255" >bin &&
	round_trip bin
'

test_expect_success 'empty file round trip' '
	: >empty &&
	osb-file upload "$S" empty "$R/empty" &&
	test -f "$R/empty" && ! test -s "$R/empty" &&
	osb-file download "$S" "$R/empty" empty.back &&
	test -f empty.back && ! test -s empty.back &&
	osb-file cat "$S" "$R/empty" >out && ! test -s out
'

test_expect_success '5 MiB round trip, byte for byte' '
	head -c 5242880 /dev/urandom >big &&
	round_trip big
'

test_expect_success 'upload keeps the local mode' '
	printf "#!/bin/sh\n" >tool && chmod 751 tool &&
	osb-file upload "$S" tool "$R/tool" &&
	mode_is "$R/tool" 751
'

test_expect_success 'upload into an existing directory keeps the name' '
	mkdir -p "$R/into" &&
	osb-file upload "$S" bin "$R/into" &&
	cmp bin "$R/into/bin"
'

test_expect_success 'upload to a path ending in / makes it a directory' '
	osb-file upload "$S" bin "$R/fresh/" &&
	cmp bin "$R/fresh/bin"
'

test_expect_success 'upload of several files goes into REMOTE' '
	echo one >f1 && echo two >f2 &&
	osb-file upload "$S" f1 f2 "$R/several" &&
	test_cmp f1 "$R/several/f1" &&
	test_cmp f2 "$R/several/f2"
'

test_expect_success 'upload of a directory is recursive, empty dirs too' '
	mkdir -p tree/sub/deeper tree/empty &&
	echo top >tree/top.txt &&
	echo mid >tree/sub/mid.txt &&
	head -c 70000 /dev/urandom >tree/sub/deeper/blob &&
	osb-file upload "$S" tree "$R/copy" &&
	diff -r tree "$R/copy" &&
	test -d "$R/copy/empty"
'

test_expect_success 'upload of a directory into an existing one nests it' '
	mkdir -p "$R/parent" &&
	osb-file upload "$S" tree/ "$R/parent" &&
	diff -r tree "$R/parent/tree"
'

test_expect_success 'upload of a directory follows symbolic links' '
	mkdir linked && echo target >linked/real &&
	ln -s real linked/alias && ln -s ../tree/sub linked/subdir &&
	osb-file upload "$S" linked "$R/linked" &&
	! test -L "$R/linked/alias" &&
	test_cmp linked/real "$R/linked/alias" &&
	test_cmp tree/sub/mid.txt "$R/linked/subdir/mid.txt"
'

test_expect_success 'upload of more files than one request carries' '
	mkdir many &&
	for i in $(seq 1 150); do echo "$i" >many/f$i; done &&
	osb-file upload "$S" many "$R/many" &&
	diff -r many "$R/many"
'

test_expect_success 'upload of a missing local file names it, exit 1' '
	expect_code 1 osb-file upload "$S" nosuch "$R/x" &&
	stderr_is "osb-file: upload nosuch: No such file or directory" &&
	! test -e "$R/x"
'

test_expect_success 'download defaults to the remote name here' '
	mkdir dl && cd dl &&
	osb-file download "$S" "$R/hello.txt" &&
	test_cmp "$R/hello.txt" hello.txt
'

test_expect_success 'download into a local directory' '
	mkdir dl2 &&
	osb-file download "$S" "$R/hello.txt" dl2 &&
	test_cmp "$R/hello.txt" dl2/hello.txt
'

test_expect_success 'download to - writes stdout' '
	osb-file download "$S" "$R/big" - >out &&
	cmp big out
'

test_expect_success 'download replaces a local file whole, never mixing the two' '
	printf "hello world\n" >"$R/h.txt" &&
	echo HELLO >h.txt &&
	osb-file download "$S" "$R/h.txt" h.txt &&
	test_cmp "$R/h.txt" h.txt &&
	test "$(ls -A | grep -c "osb-")" = 0
'

test_expect_success 'download keeps the mode of the file it replaces' '
	echo old >moded && chmod 600 moded &&
	osb-file download "$S" "$R/h.txt" moded &&
	test_cmp "$R/h.txt" moded &&
	mode_is moded 600
'

test_expect_success 'a failed download leaves the local file as it was' '
	echo keep >kept &&
	expect_code 1 osb-file download "$S" "$R/nosuch" kept &&
	echo keep >expect && test_cmp expect kept
'

test_expect_success 'download -C resumes the partial copy an interrupted -C left' '
	head -c 1000000 big >partial &&
	touch -r "$R/big" partial &&
	osb-file -v download -C "$S" "$R/big" partial 2>trace &&
	cmp big partial &&
	grep_q "Range: bytes=1000000-" trace
'

test_expect_success 'download -C of a file that is all there fetches nothing' '
	osb-file -v download --continue "$S" "$R/big" partial 2>trace &&
	cmp big partial &&
	! grep -q "GET /files/download" trace
'

test_expect_success 'download -C of a local file not from that remote starts afresh, saying so' '
	echo HELLO >h2.txt &&
	osb-file -v download -C "$S" "$R/h.txt" h2.txt 2>trace &&
	test_cmp "$R/h.txt" h2.txt &&
	! grep -q "Range:" trace &&
	grep_q "h2.txt is not a partial copy of the remote file (its size or time differs): starting afresh" trace
'

test_expect_success 'download without -C never resumes a shorter local copy' '
	head -c 1000000 big >short &&
	touch -r "$R/big" short &&
	osb-file -v download "$S" "$R/big" short 2>trace &&
	cmp big short &&
	! grep -q "Range:" trace
'

test_expect_success 'download to a local path that is not a regular file writes into it' '
	osb-file download "$S" "$R/h.txt" /dev/null &&
	test -c /dev/null
'

test_expect_success 'download -C is refused for other commands' '
	expect_code 2 osb-file cat -C "$S" "$R/h.txt" &&
	grep_q "cat: -C/--continue does not apply" err
'

test_expect_success 'download of a directory is refused' '
	expect_code 1 osb-file download "$S" "$R/into" x &&
	stderr_is "osb-file: download $R/into: is a directory"
'

test_expect_success 'cat of several files concatenates them' '
	cat "$R/hello.txt" "$R/piped.txt" >expect &&
	osb-file cat "$S" "$R/hello.txt" "$R/piped.txt" >out &&
	test_cmp expect out
'

test_expect_success 'cat of a missing file: message, exit 1' '
	expect_code 1 osb-file cat "$S" "$R/nosuch" &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)" &&
	! test -s out
'

test_expect_success 'cat goes on past a missing file and still fails' '
	expect_code 1 osb-file cat "$S" "$R/nosuch" "$R/hello.txt" &&
	test_cmp "$R/hello.txt" out
'

test_expect_success 'download of a missing file leaves nothing behind' '
	expect_code 1 osb-file download "$S" "$R/nosuch" got &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)" &&
	! test -e got
'

test_done
