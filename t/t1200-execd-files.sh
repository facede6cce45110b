#!/usr/bin/env bash
# osb-execd: GET /files/info, DELETE /files, POST /files/permissions,
# POST /files/mv.
. "$(dirname "$0")/lib.sh"
start_execd

D=$TMP/d
mkdir -p "$D"

test_expect_success 'info: FileInfo of a file, keyed by the path asked for' '
	printf "12345" >"$D/five" && chmod 640 "$D/five" &&
	touch -d "2024-05-06 07:08:09.5 UTC" "$D/five" &&
	call 200 GET "/files/info?path=$D/./five" &&
	test "$(json_get body "$D/./five" path)" = "$D/five" &&
	test "$(json_get body "$D/./five" type)" = file &&
	test "$(json_get body "$D/./five" size)" = 5 &&
	test "$(json_get body "$D/./five" mode)" = 640 &&
	test "$(json_get body "$D/./five" owner)" = "$(id -un)" &&
	test "$(json_get body "$D/./five" group)" = "$(id -gn)" &&
	test "$(json_get body "$D/./five" modified_at)" = 2024-05-06T07:08:09.5Z &&
	json_get body "$D/./five" created_at | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"
'

test_expect_success 'info: several paths; directories and links say what they are' '
	mkdir -p "$D/sub" && ln -sf five "$D/link" &&
	call 200 GET "/files/info?path=$D/sub&path=$D/link" &&
	test "$(json_get body "$D/sub" type)" = directory &&
	test "$(json_get body "$D/link" type)" = symlink &&
	test "$(json_get body "$D/link" size)" = 4
'

test_expect_success 'info: ~ and $VAR are expanded' '
	echo hi >"$HOME/h.txt" &&
	call 200 GET "/files/info?path=~/h.txt" &&
	test "$(json_get body "~/h.txt" path)" = "$HOME/h.txt" &&
	call 200 GET "/files/info?path=%24%7BHOME%7D/h.txt" &&
	test "$(json_get body "\${HOME}/h.txt" size)" = 3
'

test_expect_success 'info: a missing file is 404 FILE_NOT_FOUND naming it' '
	call 404 GET "/files/info?path=$D/five&path=$D/nope" &&
	error_is FILE_NOT_FOUND "stat $D/nope: no such file or directory"
'

test_expect_success 'info: no path is 400 MISSING_QUERY; empty path 400' '
	call 400 GET /files/info &&
	error_is MISSING_QUERY "missing query parameter .path." &&
	call 400 GET "/files/info?path=" &&
	error_is INVALID_REQUEST_BODY "empty path"
'

test_expect_success 'info: an undefined variable in a path is 400' '
	call 400 GET "/files/info?path=/x/%24OSB_NO_SUCH_VAR/y" &&
	error_is INVALID_REQUEST_BODY "undefined environment variable OSB_NO_SUCH_VAR"
'

test_expect_success 'DELETE /files removes files; missing ones are fine' '
	touch "$D/rm1" "$D/rm2" &&
	call 200 DELETE "/files?path=$D/rm1&path=$D/rm2&path=$D/never" &&
	test ! -e "$D/rm1" && test ! -e "$D/rm2"
'

test_expect_success 'DELETE /files removes a link, not what it points at' '
	call 200 DELETE "/files?path=$D/link" &&
	test ! -L "$D/link" && test -f "$D/five"
'

test_expect_success 'DELETE /files refuses a directory (500) and keeps it' '
	call 500 DELETE "/files?path=$D/sub" &&
	error_is RUNTIME_ERROR "remove $D/sub: is a directory" &&
	test -d "$D/sub"
'

test_expect_success 'DELETE /files without a path is 400 MISSING_QUERY' '
	call 400 DELETE /files &&
	error_is MISSING_QUERY path
'

test_expect_success 'permissions: mode as octal digits, several files' '
	touch "$D/p1" "$D/p2" &&
	call 200 POST /files/permissions -d "{\"$D/p1\":{\"mode\":755},\"$D/p2\":{\"mode\":600}}" &&
	mode_is "$D/p1" 755 &&
	mode_is "$D/p2" 600
'

test_expect_success 'permissions: mode 0 or absent leaves the mode' '
	call 200 POST /files/permissions -d "{\"$D/p1\":{\"mode\":0},\"$D/p2\":{}}" &&
	mode_is "$D/p1" 755 &&
	mode_is "$D/p2" 600
'

test_expect_success ROOT 'permissions: owner and group by name or number' '
	call 200 POST /files/permissions -d "{\"$D/p1\":{\"owner\":\"65534\",\"group\":\"65534\",\"mode\":644}}" &&
	test "$(stat -c %u:%g:%a "$D/p1")" = 65534:65534:644 &&
	call 200 POST /files/permissions -d "{\"$D/p1\":{\"owner\":\"root\",\"group\":\"root\"}}" &&
	test "$(stat -c %u:%g "$D/p1")" = 0:0
'

test_expect_success 'permissions: an unknown owner or group is 400 and changes nothing' '
	chmod 600 "$D/p1" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":{\"owner\":\"no-such-user-x\",\"mode\":640}}" &&
	error_is INVALID_REQUEST_BODY "$D/p1: owner no-such-user-x: no such user" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":{\"group\":\"no-such-group-x\",\"mode\":640}}" &&
	error_is INVALID_REQUEST_BODY "$D/p1: group no-such-group-x: no such group" &&
	mode_is "$D/p1" 600
'

test_expect_success 'permissions: a bad mode is 400 and changes nothing' '
	call 400 POST /files/permissions -d "{\"$D/p2\":{\"mode\":644},\"$D/p1\":{\"mode\":789}}" &&
	error_is INVALID_REQUEST_BODY "$D/p1: mode must be octal digits" &&
	mode_is "$D/p2" 600 &&
	call 400 POST /files/permissions -d "{\"$D/p1\":{\"mode\":\"644\"}}" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":{\"mode\":17777}}" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":{\"owner\":7}}" &&
	error_is INVALID_REQUEST_BODY "owner and group must be strings"
'

test_expect_success 'permissions: missing file 404, bad JSON 400, array 400' '
	call 404 POST /files/permissions -d "{\"$D/none\":{\"mode\":644}}" &&
	error_is FILE_NOT_FOUND "chmod $D/none: no such file" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":" &&
	error_is INVALID_REQUEST_BODY "invalid JSON" &&
	call 400 POST /files/permissions -d "[]" &&
	error_is INVALID_REQUEST_BODY "must be an object" &&
	call 400 POST /files/permissions -d "{\"$D/p1\":5}" &&
	error_is INVALID_REQUEST_BODY "permission must be an object" &&
	call 400 POST /files/permissions &&
	error_is INVALID_REQUEST_BODY "empty body"
'

test_expect_success 'mv: renames, creating the destination directory' '
	echo m >"$D/m1" && echo n >"$D/n1" &&
	call 200 POST /files/mv -d "[{\"src\":\"$D/m1\",\"dest\":\"$D/new/dir/m2\"},{\"src\":\"$D/n1\",\"dest\":\"$D/n2\"}]" &&
	test ! -e "$D/m1" && test "$(cat "$D/new/dir/m2")" = m &&
	mode_is "$D/new/dir" 755 &&
	test "$(cat "$D/n2")" = n
'

test_expect_success 'mv: moves directories too' '
	call 200 POST /files/mv -d "[{\"src\":\"$D/new\",\"dest\":\"$D/moved\"}]" &&
	test -f "$D/moved/dir/m2"
'

test_expect_success 'mv: an existing destination is kept (500)' '
	echo keep >"$D/keep" && echo go >"$D/go" &&
	call 500 POST /files/mv -d "[{\"src\":\"$D/go\",\"dest\":\"$D/keep\"}]" &&
	error_is RUNTIME_ERROR "destination path already exists" &&
	test "$(cat "$D/keep")" = keep && test -f "$D/go"
'

test_expect_success 'mv: a missing source is 404' '
	call 404 POST /files/mv -d "[{\"src\":\"$D/ghost\",\"dest\":\"$D/g2\"}]" &&
	error_is FILE_NOT_FOUND "mv $D/ghost: no such file or directory"
'

test_expect_success 'mv: bad bodies are 400 and move nothing' '
	call 400 POST /files/mv -d "{\"src\":\"$D/go\",\"dest\":\"$D/g3\"}" &&
	error_is INVALID_REQUEST_BODY "must be an array" &&
	call 400 POST /files/mv -d "[{\"src\":\"$D/go\",\"dest\":\"$D/g3\"},{\"src\":\"$D/go\"}]" &&
	error_is INVALID_REQUEST_BODY "item 1: src and dest" &&
	call 400 POST /files/mv -d "[{\"src\":\"\",\"dest\":\"$D/g3\"}]" &&
	test -f "$D/go" && test ! -e "$D/g3"
'

test_expect_success 'osb-execd stops cleanly (no leaks under sanitizers)' '
	stop_execd
'

test_done
