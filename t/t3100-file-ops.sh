#!/bin/bash
# osb-file: metadata and tree operations — ls, stat, chmod, mv, rm, mkdir,
# rmdir, search, replace.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
R=$TMP/remote
mkdir -p "$R/d/sub/deeper"
echo alpha >"$R/d/a.txt"
echo beta >"$R/d/b.log"
echo gamma >"$R/d/sub/c.txt"
echo delta >"$R/d/sub/deeper/d.txt"

test_expect_success 'ls lists names of the children' '
	osb-file ls "$S" "$R/d" >out &&
	printf "NAME\na.txt\nb.log\nsub\n" >expect &&
	test_cmp expect out
'

test_expect_success 'ls -d 2 goes one level deeper, names relative' '
	osb-file ls -d 2 "$S" "$R/d" >out &&
	printf "NAME\na.txt\nb.log\nsub\nsub/c.txt\nsub/deeper\n" >expect &&
	test_cmp expect out
'

test_expect_success 'ls -q prints bare names' '
	osb-file -q ls "$S" "$R/d/sub" >out &&
	printf "c.txt\ndeeper\n" >expect &&
	test_cmp expect out
'

test_expect_success 'ls -l shows mode, owner, group, size, time, name' '
	chmod 640 "$R/d/a.txt" &&
	osb-file ls -l "$S" "$R/d" >out &&
	head -1 out >head &&
	echo "MODE        OWNER  GROUP  SIZE  MODIFIED          NAME" >expect &&
	test_cmp expect head &&
	me=$(id -un) && grp=$(id -gn) &&
	grep_q "^-rw-r-----  $me  *$grp  *6  *[0-9-]* [0-9:]*  a.txt\$" out &&
	grep_q "^drwx" out
'

test_expect_success 'ls -o json is the API listing' '
	osb-file ls -o json "$S" "$R/d" >out &&
	test "$(json_get out)" = 3 &&
	test "$(json_get out 0 path)" = "$R/d/a.txt" &&
	test "$(json_get out 0 type)" = file &&
	test "$(json_get out 0 size)" = 6 &&
	test "$(json_get out 0 mode)" = 640
'

test_expect_success 'ls of a missing directory: exit 1' '
	expect_code 1 osb-file ls "$S" "$R/nosuch" &&
	stderr_is "osb-file: $R/nosuch: no such directory (404 FILE_NOT_FOUND)"
'

test_expect_success 'ls of a file is refused by the server' '
	expect_code 1 osb-file ls "$S" "$R/d/a.txt" &&
	grep_q "^osb-file: ls $R/d/a.txt: .*(400 " err
'

test_expect_success 'stat shows a table row per path' '
	osb-file stat "$S" "$R/d/a.txt" "$R/d/sub" >out &&
	head -1 out >head &&
	grep_q "^PATH *TYPE *SIZE *MODE *OWNER *GROUP *MODIFIED$" head &&
	grep_q "^$R/d/a.txt  *file  *6  *640 " out &&
	grep_q "^$R/d/sub  *directory " out
'

test_expect_success 'stat -o json is the API map' '
	osb-file stat -o json "$S" "$R/d/b.log" >out &&
	test "$(json_get out)" = 1 &&
	test "$(json_get out "$R/d/b.log" type)" = file &&
	test "$(json_get out "$R/d/b.log" size)" = 5 &&
	test "$(json_get out "$R/d/b.log" owner)" = "$(id -un)" &&
	json_get out "$R/d/b.log" modified_at | grep_q "^20[0-9-]*T" -
'

test_expect_success 'stat -o yaml' '
	osb-file -o yaml stat "$S" "$R/d/b.log" >out &&
	grep_q "^$R/d/b.log:" out &&
	grep_q "^  size: 5$" out &&
	grep_q "^  type: file$" out
'

test_expect_success 'stat of a missing path among several names it' '
	expect_code 1 osb-file stat "$S" "$R/d/a.txt" "$R/d/gone" &&
	stderr_is "osb-file: $R/d/gone: no such file (404 FILE_NOT_FOUND)"
'

test_expect_success 'chmod sets the mode of several files' '
	osb-file chmod "$S" 600 "$R/d/a.txt" "$R/d/b.log" &&
	mode_is "$R/d/a.txt" 600 &&
	mode_is "$R/d/b.log" 600 &&
	osb-file chmod "$S" 0755 "$R/d/a.txt" &&
	mode_is "$R/d/a.txt" 755
'

test_expect_success 'chmod --owner/--group with our own names' '
	osb-file chmod "$S" 644 "$R/d/a.txt" --owner "$(id -un)" --group "$(id -gn)" &&
	test "$(stat -c %a:%U:%G "$R/d/a.txt")" = "644:$(id -un):$(id -gn)"
'

test_expect_success 'write --owner of an unknown user: exit 1, nothing written' '
	echo old >"$R/d/own.txt" &&
	expect_code 1 osb-file write "$S" "$R/d/own.txt" -c new --owner nosuchuser &&
	stderr_is "osb-file: upload $R/d/own.txt: $R/d/own.txt: owner nosuchuser: no such user (400 INVALID_FILE_METADATA)" &&
	echo old >expect && test_cmp expect "$R/d/own.txt" &&
	expect_code 1 osb-file write "$S" "$R/d/new.txt" -c new --group nosuchgroup &&
	! test -e "$R/d/new.txt" &&
	rm "$R/d/own.txt"
'

test_expect_success 'chmod --owner of an unknown user: exit 1, the mode unchanged' '
	mode_is "$R/d/a.txt" 644 &&
	expect_code 1 osb-file chmod "$S" 600 "$R/d/a.txt" --owner nosuchuser &&
	grep_q "owner nosuchuser: no such user (400 " err &&
	mode_is "$R/d/a.txt" 644
'

test_expect_success 'chmod with a bad mode is a usage error' '
	expect_code 2 osb-file chmod "$S" rwx "$R/d/a.txt" &&
	grep_q "chmod: not an octal mode: .rwx." err &&
	expect_code 2 osb-file chmod "$S" 0 "$R/d/a.txt" &&
	expect_code 2 osb-file chmod "$S" 17777 "$R/d/a.txt"
'

test_expect_success 'mv renames a file' '
	echo move-me >"$R/m1" &&
	osb-file mv "$S" "$R/m1" "$R/m2" &&
	! test -e "$R/m1" && test "$(cat "$R/m2")" = move-me
'

test_expect_success 'mv into an existing directory keeps the name' '
	osb-file mv "$S" "$R/m2" "$R/d/sub" &&
	test "$(cat "$R/d/sub/m2")" = move-me
'

test_expect_success 'mv of a missing file: exit 1, names it' '
	expect_code 1 osb-file mv "$S" "$R/nosuch" "$R/other" &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)"
'

test_expect_success 'mv onto an existing file is refused' '
	echo x >"$R/mx" && echo y >"$R/my" &&
	expect_code 1 osb-file mv "$S" "$R/mx" "$R/my" &&
	grep_q "^osb-file: mv $R/mx $R/my: " err &&
	test "$(cat "$R/my")" = y
'

test_expect_success 'rm removes files' '
	echo 1 >"$R/r1" && echo 2 >"$R/r2" &&
	osb-file rm "$S" "$R/r1" "$R/r2" &&
	! test -e "$R/r1" && ! test -e "$R/r2"
'

test_expect_success 'rm of a missing file: exit 1, nothing removed' '
	echo 1 >"$R/r3" &&
	expect_code 1 osb-file rm "$S" "$R/r3" "$R/nosuch" &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)" &&
	test -e "$R/r3"
'

test_expect_success 'rm of a directory points at rmdir' '
	expect_code 1 osb-file rm "$S" "$R/d/sub" &&
	stderr_is "osb-file: rm $R/d/sub: is a directory (rmdir removes directories)" &&
	test -d "$R/d/sub"
'

test_expect_success 'mkdir makes a directory' '
	osb-file mkdir "$S" "$R/new1" &&
	test -d "$R/new1"
'

test_expect_success 'mkdir -m sets the mode' '
	osb-file mkdir -m 700 "$S" "$R/private" &&
	mode_is "$R/private" 700
'

test_expect_success 'mkdir without -p needs the parent' '
	expect_code 1 osb-file mkdir "$S" "$R/x/y/z" &&
	stderr_is "osb-file: mkdir $R/x/y/z: no such directory $R/x/y (-p makes it)" &&
	! test -e "$R/x"
'

test_expect_success 'mkdir without -p refuses an existing path' '
	expect_code 1 osb-file mkdir "$S" "$R/new1" &&
	stderr_is "osb-file: mkdir $R/new1: already exists"
'

test_expect_success 'mkdir -p makes parents and accepts existing' '
	osb-file mkdir -p "$S" "$R/x/y/z" "$R/new1" &&
	test -d "$R/x/y/z"
'

test_expect_success 'rmdir removes a directory with its contents' '
	mkdir -p "$R/gone/inner" && echo f >"$R/gone/inner/f" &&
	osb-file rmdir "$S" "$R/gone" "$R/x" &&
	! test -e "$R/gone" && ! test -e "$R/x"
'

test_expect_success 'rmdir of a file is refused' '
	expect_code 1 osb-file rmdir "$S" "$R/d/a.txt" &&
	stderr_is "osb-file: rmdir $R/d/a.txt: not a directory" &&
	test -f "$R/d/a.txt"
'

test_expect_success 'rmdir of a missing directory: exit 1' '
	expect_code 1 osb-file rmdir "$S" "$R/nosuch" &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)"
'

test_expect_success 'search finds files by glob, recursively' '
	osb-file -q search "$S" "$R/d" "*.txt" >out &&
	sort out >sorted &&
	printf "%s\n" "$R/d/a.txt" "$R/d/sub/c.txt" "$R/d/sub/deeper/d.txt" >expect &&
	test_cmp expect sorted
'

test_expect_success 'search without a pattern finds every file' '
	osb-file search -o json "$S" "$R/d" >out &&
	test "$(json_get out)" = 5 &&
	types=$(for i in 0 1 2 3 4; do json_get out $i type; done | sort -u) &&
	test "$types" = file
'

test_expect_success 'search table has a heading and rows' '
	osb-file search "$S" "$R/d" "b.*" >out &&
	grep_q "^PATH *TYPE *SIZE *MODE *OWNER *GROUP *MODIFIED$" out &&
	grep_q "^$R/d/b.log  *file  *5 " out &&
	test $(wc -l <out) = 2
'

test_expect_success 'search of a missing directory: exit 1' '
	expect_code 1 osb-file search "$S" "$R/nosuch" "*" &&
	stderr_is "osb-file: $R/nosuch: no such directory (404 FILE_NOT_FOUND)"
'

test_expect_success 'replace prints the count per file' '
	printf "foo bar foo\n" >"$R/r.txt" && printf "bar\n" >"$R/s.txt" &&
	osb-file replace "$S" "$R/r.txt" "$R/s.txt" --old foo --new baz >out &&
	printf "PATH%*sREPLACED\n%s  2\n%s  0\n" $((${#R} + 4)) "" \
		"$R/r.txt" "$R/s.txt" >expect &&
	test_cmp expect out &&
	test "$(cat "$R/r.txt")" = "baz bar baz"
'

test_expect_success 'replace -o json is the API map' '
	osb-file replace -o json "$S" "$R/r.txt" --old baz --new "" >out &&
	test "$(json_get out "$R/r.txt" replacedCount)" = 2 &&
	test "$(cat "$R/r.txt")" = " bar "
'

test_expect_success 'replace keeps the file mode' '
	chmod 751 "$R/s.txt" &&
	osb-file replace "$S" "$R/s.txt" --old bar --new qux >/dev/null &&
	mode_is "$R/s.txt" 751 && test "$(cat "$R/s.txt")" = qux
'

test_expect_success 'replace of a missing file: exit 1' '
	expect_code 1 osb-file replace "$S" "$R/nosuch" --old a --new b &&
	stderr_is "osb-file: $R/nosuch: no such file (404 FILE_NOT_FOUND)"
'

test_expect_success 'replace needs a non-empty --old and a --new' '
	expect_code 2 osb-file replace "$S" "$R/r.txt" --new b &&
	grep_q "replace: --old and --new are needed" err &&
	expect_code 2 osb-file replace "$S" "$R/r.txt" --old "" --new b &&
	grep_q "replace: --old must not be empty" err
'

test_done
