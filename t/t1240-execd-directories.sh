#!/usr/bin/env bash
# osb-execd: GET /directories/list, POST /directories, DELETE /directories.
. "$(dirname "$0")/lib.sh"
start_execd

# listed: "TYPE PATH" of each entry of ./body, PATH relative to $L.
listed() {
	perl -MJSON::PP -0777 -e 'print map { "$_->{type} " .
		substr($_->{path}, length($ARGV[0]) + 1) . "\n" }
		@{decode_json(<STDIN>)}' "$L" <body
}

# list [&QUERY]: GET /directories/list of $L (QUERY added) answers 200;
# the entries, as listed prints them, in ./out.
list() {
	call 200 GET "/directories/list?path=$L${1-}" && listed >out
}

L=$TMP/list
mkdir -p "$L/b/inner/deeper" "$L/a" "$TMP/elsewhere/secret"
echo x >"$L/b/file" && echo y >"$L/b/inner/deeper/z" && echo r >"$L/root.txt"
ln -s "$TMP/elsewhere" "$L/c-link"
mkfifo "$L/pipe"

test_expect_success 'depth 1 (the default): the children, in lexical order' '
	list &&
	cat >expect <<-\EOF &&
	directory a
	directory b
	symlink c-link
	other pipe
	file root.txt
	EOF
	test_cmp expect out
'

test_expect_success 'depth 2: each directory followed by its own entries' '
	list "&depth=2" &&
	cat >expect <<-\EOF &&
	directory a
	directory b
	file b/file
	directory b/inner
	symlink c-link
	other pipe
	file root.txt
	EOF
	test_cmp expect out
'

test_expect_success 'a deep depth lists everything; links are never walked' '
	list "&depth=50" &&
	grep -qx "file b/inner/deeper/z" out &&
	test "$(wc -l <out)" = 9 &&
	! grep -q secret body
'

test_expect_success 'depth 0: nothing' '
	call 200 GET "/directories/list?path=$L&depth=0" &&
	test "$(cat body)" = "[]"
'

test_expect_success 'entries carry FileInfo' '
	call 200 GET "/directories/list?path=$L/b" &&
	grep_q "{\"path\":\"$L/b/file\",\"type\":\"file\",\"size\":2,\"modified_at\":\"" body &&
	grep_q "\"owner\":\"$(id -un)\",\"group\":\"$(id -gn)\",\"mode\":644}" body
'

test_expect_success 'a link as the root is refused (400)' '
	call 400 GET "/directories/list?path=$L/c-link" &&
	error_is INVALID_REQUEST_BODY "path is a symbolic link, refusing to traverse: $L/c-link"
'

test_expect_success 'a file as the root is 400, a missing one 404' '
	call 400 GET "/directories/list?path=$L/root.txt" &&
	error_is INVALID_REQUEST_BODY "path is not a directory: $L/root.txt" &&
	call 404 GET "/directories/list?path=$L/nope" &&
	error_is FILE_NOT_FOUND "list $L/nope: no such file or directory"
'

test_expect_success 'bad depth or no path: 400' '
	call 400 GET "/directories/list?path=$L&depth=-1" &&
	error_is INVALID_REQUEST_BODY "invalid query parameter .depth.: -1" &&
	call 400 GET "/directories/list?path=$L&depth=two" &&
	call 400 GET "/directories/list" &&
	error_is MISSING_QUERY "missing query parameter .path."
'

M=$TMP/mk

test_expect_success 'mkdir -p with a mode for the last one' '
	call 200 POST /directories -d "{\"$M/x/y/z\":{\"mode\":700},\"$M/w\":{\"mode\":0}}" &&
	mode_is "$M/x/y/z" 700 &&
	mode_is "$M/x/y" 755 &&
	test -d "$M/w"
'

test_expect_success 'mkdir of an existing directory is fine and sets the mode' '
	call 200 POST /directories -d "{\"$M/x/y/z\":{\"mode\":750}}" &&
	mode_is "$M/x/y/z" 750
'

test_expect_success ROOT 'mkdir with owner and group' '
	call 200 POST /directories -d "{\"$M/owned\":{\"owner\":\"65534\",\"group\":\"65534\"}}" &&
	test "$(stat -c %u:%g "$M/owned")" = 65534:65534
'

test_expect_success 'mkdir where a file is in the way: 500' '
	echo f >"$M/file" &&
	call 500 POST /directories -d "{\"$M/file/sub\":{}}" &&
	error_is RUNTIME_ERROR "mkdir $M/file/sub: not a directory"
'

test_expect_success 'mkdir with a bad body: 400, nothing made' '
	call 400 POST /directories -d "{\"$M/ok\":{},\"$M/bad\":{\"mode\":8}}" &&
	error_is INVALID_REQUEST_BODY "$M/bad: mode must be octal digits" &&
	test ! -e "$M/ok" &&
	call 400 POST /directories -d "[\"$M/ok\"]" &&
	call 400 POST /directories -d "{" &&
	test ! -e "$M/ok"
'

test_expect_success 'DELETE /directories removes whole trees, not what links point at' '
	mkdir -p "$M/t/a/b/c" "$M/keep" && echo k >"$M/keep/k" &&
	touch "$M/t/a/f" "$M/t/a/b/c/g" && ln -s "$M/keep" "$M/t/a/link" &&
	call 200 DELETE "/directories?path=$M/t&path=$M/x" &&
	test ! -e "$M/t" && test ! -e "$M/x" &&
	test -f "$M/keep/k"
'

test_expect_success 'DELETE /directories: missing is fine, a file goes too' '
	call 200 DELETE "/directories?path=$M/never&path=$M/file" &&
	test ! -e "$M/file"
'

test_expect_success NOT_ROOT 'DELETE /directories: an undeletable entry is 500' '
	mkdir -p "$M/ro/sub" && touch "$M/ro/sub/f" && chmod 555 "$M/ro/sub" &&
	call 500 DELETE "/directories?path=$M/ro" &&
	error_is RUNTIME_ERROR "remove $M/ro/sub/f: permission denied" &&
	chmod 755 "$M/ro/sub"
'

test_expect_success 'DELETE /directories without a path: 400' '
	call 400 DELETE /directories &&
	error_is MISSING_QUERY path
'

test_expect_success 'a very deep tree is listed and removed' '
	p=$TMP/deep && for i in $(seq 300); do p=$p/d; done &&
	mkdir -p "$p" && touch "$p/leaf" &&
	call 200 GET "/directories/list?path=$TMP/deep&depth=1000" &&
	grep -q "/leaf\"" body &&
	call 200 DELETE "/directories?path=$TMP/deep" &&
	test ! -e "$TMP/deep"
'

test_expect_success 'osb-execd stops cleanly (no leaks under sanitizers)' '
	stop_execd
'

test_done
