#!/usr/bin/env bash
# osb-execd: GET /files/search (doublestar globs) and POST /files/replace.
. "$(dirname "$0")/lib.sh"
start_execd

# found: the paths in the [FileInfo] of ./body, relative to $S, one a line.
found() {
	perl -MJSON::PP -0777 -e 'print map { substr($_->{path}, length($ARGV[0]) + 1) . "\n" }
		@{decode_json(<STDIN>)}' "$S" <body
}

# search PATTERN: the files under $S matching PATTERN (URL-encoded), sorted
# as the server sent them, into ./out.
search() {
	call 200 GET "/files/search?path=$S&pattern=$1" -g && found >out
}

S=$TMP/tree
mkdir -p "$S/src/lib/deep" "$S/docs" "$S/empty"
for f in README.md src/main.c src/util.h src/lib/a.c src/lib/deep/b.c \
	docs/guide.md docs/notes.txt "src/sp ace.c" src/x1.txt src/x22.txt; do
	echo "$f" >"$S/$f"
done
ln -s ../docs "$S/src/docs-link"
ln -s main.c "$S/src/main-link.c"

test_expect_success 'no pattern: every file (not directories), lexical order' '
	call 200 GET "/files/search?path=$S" && found >out &&
	cat >expect <<-\EOF &&
	README.md
	docs/guide.md
	docs/notes.txt
	src/docs-link
	src/lib/a.c
	src/lib/deep/b.c
	src/main-link.c
	src/main.c
	src/sp ace.c
	src/util.h
	src/x1.txt
	src/x22.txt
	EOF
	test_cmp expect out
'

test_expect_success 'links are reported, never walked into' '
	call 200 GET "/files/search?path=$S/src&pattern=*link*" &&
	grep_q "\"type\":\"symlink\"" body &&
	! grep -q guide body
'

test_expect_success '*.c matches file names at any depth' '
	search "*.c" &&
	printf "%s\n" src/lib/a.c src/lib/deep/b.c src/main-link.c src/main.c "src/sp ace.c" >expect &&
	test_cmp expect out
'

test_expect_success '**/*.md is the same as *.md for names' '
	search "**/*.md" &&
	printf "%s\n" README.md docs/guide.md >expect &&
	test_cmp expect out
'

test_expect_success 'a pattern with a slash matches the path below the root' '
	search "src/**/*.c" &&
	printf "%s\n" src/lib/a.c src/lib/deep/b.c src/main-link.c src/main.c "src/sp ace.c" >expect &&
	test_cmp expect out &&
	search "src/*/*.c" &&
	printf "%s\n" src/lib/a.c >expect &&
	test_cmp expect out &&
	search "src/**" && test "$(wc -l <out)" = 9
'

test_expect_success '? [] {} and quoting' '
	search "x?.txt" && echo src/x1.txt >expect && test_cmp expect out &&
	search "x[0-9][0-9].txt" && echo src/x22.txt >expect && test_cmp expect out &&
	search "[!a-z]*" && echo README.md >expect && test_cmp expect out &&
	search "*.%7Bh,md%7D" &&
	printf "%s\n" README.md docs/guide.md src/util.h >expect && test_cmp expect out &&
	search "%7Bmain,util%7D.%7Bc,h%7D" &&
	printf "%s\n" src/main.c src/util.h >expect && test_cmp expect out &&
	search "sp%5C%20ace.c" && echo "src/sp ace.c" >expect && test_cmp expect out
'

test_expect_success '!(x): what does not match with x there' '
	search "%21(*.c)" &&
	printf "%s\n" README.md docs/guide.md docs/notes.txt src/docs-link src/util.h src/x1.txt src/x22.txt >expect &&
	test_cmp expect out &&
	call 400 GET "/files/search?path=$S&pattern=%21(a" &&
	error_is INVALID_REQUEST_BODY "syntax error in pattern"
'

test_expect_success 'braces that leave a !( group open: no crash, the group is text' '
	call 200 GET "/files/search?path=$S&pattern=%7B%21(a,b)%7D" &&
	call 200 GET "/files/search?path=$S&pattern=%21(%21(%7B,%7B,a,%7Db%7Bc,c%7Da,%7B%7D))%7D" &&
	call 200 GET /ping
'

test_expect_success 'results carry FileInfo' '
	search "a.c" &&
	grep_q "\"path\":\"$S/src/lib/a.c\",\"type\":\"file\",\"size\":12," body &&
	grep_q "\"mode\":644" body
'

test_expect_success 'a file as the root: itself, when its name matches' '
	call 200 GET "/files/search?path=$S/README.md&pattern=**/*.md" &&
	grep_q "\"path\":\"$S/README.md\"" body &&
	call 200 GET "/files/search?path=$S/README.md&pattern=*.c" &&
	test "$(cat body)" = "[]"
'

test_expect_success 'nothing found: an empty array' '
	search "*.nothing" && test "$(cat body)" = "[]"
'

test_expect_success 'a bad pattern is 400' '
	call 400 GET "/files/search?path=$S&pattern=%5Babc" &&
	error_is INVALID_REQUEST_BODY "invalid pattern \[abc: syntax error in pattern" &&
	call 400 GET "/files/search?path=$S&pattern=%7Ba,b" &&
	call 400 GET "/files/search?path=$S&pattern=%5B%5D" &&
	call 400 GET "/files/search?path=$S&pattern=a%5C"
'

test_expect_success 'a missing root is 404; no path is 400' '
	call 404 GET "/files/search?path=$S/nope" &&
	error_is FILE_NOT_FOUND "search $S/nope: no such file or directory" &&
	call 400 GET "/files/search?pattern=*" &&
	error_is MISSING_QUERY "missing query parameter .path."
'

R=$TMP/rep
mkdir -p "$R"

test_expect_success 'replace every occurrence, keeping the mode' '
	printf "host=localhost\nport=localhost:80\n" >"$R/conf" &&
	chmod 604 "$R/conf" &&
	call 200 POST /files/replace -d "{\"$R/conf\":{\"old\":\"localhost\",\"new\":\"0.0.0.0\"}}" &&
	test ! -s body &&
	printf "host=0.0.0.0\nport=0.0.0.0:80\n" >expect &&
	test_cmp expect "$R/conf" &&
	mode_is "$R/conf" 604 &&
	test -z "$(ls -A "$R" | grep -v "^conf$")"
'

test_expect_success 'verbose=true counts per file, by the path given' '
	printf "aaaaa" >"$R/a" && printf "xyz" >"$R/b" &&
	call 200 POST "/files/replace?verbose=true" -d "{\"$R/a\":{\"old\":\"aa\",\"new\":\"b\"},\"$R/./b\":{\"old\":\"q\",\"new\":\"r\"}}" &&
	grep_q "\"$R/a\":{\"replacedCount\":2}" body &&
	grep_q "\"$R/./b\":{\"replacedCount\":0}" body &&
	test "$(cat "$R/a")" = bba && test "$(cat "$R/b")" = xyz
'

test_expect_success 'replace across the 1 MiB read chunks' '
	perl -e "print q(x) x 1048575, q(NEEDLE), q(x) x 10, q(NEEDLE)" >"$R/big" &&
	call 200 POST "/files/replace?verbose=true" -d "{\"$R/big\":{\"old\":\"NEEDLE\",\"new\":\"\"}}" &&
	grep_q "\"replacedCount\":2" body &&
	test "$(stat -c %s "$R/big")" = 1048585 &&
	! grep -q NEEDLE "$R/big"
'

test_expect_success 'a missing new means the empty string' '
	printf "keep-drop" >"$R/c" &&
	call 200 POST /files/replace -d "{\"$R/c\":{\"old\":\"-drop\"}}" &&
	test "$(cat "$R/c")" = keep
'

test_expect_success 'replace through a link changes the file, keeps the link' '
	printf "one" >"$R/target" && ln -s target "$R/ln" &&
	call 200 POST /files/replace -d "{\"$R/ln\":{\"old\":\"one\",\"new\":\"two\"}}" &&
	test -L "$R/ln" && test "$(cat "$R/target")" = two
'

test_expect_success 'replace: empty old is 400 and nothing changes' '
	call 400 POST /files/replace -d "{\"$R/a\":{\"old\":\"b\",\"new\":\"c\"},\"$R/b\":{\"old\":\"\",\"new\":\"x\"}}" &&
	error_is INVALID_REQUEST_BODY "$R/b: old must be a non-empty string" &&
	test "$(cat "$R/a")" = bba &&
	call 400 POST /files/replace -d "{\"$R/a\":{\"new\":\"x\"}}" &&
	call 400 POST /files/replace -d "{\"$R/a\":{\"old\":1}}" &&
	call 400 POST /files/replace -d "[]" &&
	error_is INVALID_REQUEST_BODY "must be an object"
'

test_expect_success 'replace: a missing file is 404, a directory 400' '
	call 404 POST /files/replace -d "{\"$R/none\":{\"old\":\"a\",\"new\":\"b\"}}" &&
	error_is FILE_NOT_FOUND "open $R/none: no such file or directory" &&
	call 400 POST /files/replace -d "{\"$R\":{\"old\":\"a\",\"new\":\"b\"}}" &&
	error_is INVALID_REQUEST_BODY "replace $R: not a regular file"
'

test_expect_success 'osb-execd stops cleanly (no leaks under sanitizers)' '
	stop_execd
'

test_done
