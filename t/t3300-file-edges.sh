#!/usr/bin/env bash
# osb-file at the edges: more paths than one URL holds, paths that are not
# UTF-8 (which JSON cannot carry), mode 0, tables holding wide and
# combining characters, and closed standard descriptors.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
FF=$(printf '\377')

# many N: N paths under $TMP/many, long enough that together they fill
# far more than one request line; the files are made when they are not
# there.
many() {
	local i
	mkdir -p "$TMP/many"
	for i in $(seq 1 "$1"); do
		echo "$TMP/many/a-file-with-a-rather-long-name-number-$i"
	done
}

test_expect_success 'stat of more paths than one URL holds shows them all' '
	for p in $(many 150); do : >"$p"; done &&
	osb-file stat -o json "$S" $(many 150) >out &&
	test "$(json_get out)" = 150 &&
	osb-file stat "$S" $(many 150) >out &&
	test $(wc -l <out) = 151
'

test_expect_success 'rm of more paths than one URL holds removes them all' '
	: >"$TMP/many/a-file" &&
	osb-file rm "$S" $(many 150) &&
	ls "$TMP/many" >out &&
	echo a-file >expect &&
	test_cmp expect out
'

test_expect_success 'a missing path in a later request is still named' '
	for p in $(many 150); do : >"$p"; done &&
	rm "$TMP/many/a-file-with-a-rather-long-name-number-140" &&
	expect_code 1 osb-file stat "$S" $(many 150) &&
	stderr_is "osb-file: $TMP/many/a-file-with-a-rather-long-name-number-140: no such file (404 FILE_NOT_FOUND)"
'

test_expect_success 'rmdir of more directories than one URL holds' '
	rm -rf "$TMP/many" && for p in $(many 150); do mkdir "$p"; done &&
	osb-file rmdir "$S" $(many 150) &&
	test -z "$(ls "$TMP/many")"
'

test_expect_success 'write to a path that is not UTF-8: refused by name' '
	expect_code 1 osb-file write -c x "$S" "$TMP/$FF" &&
	stderr_is "osb-file: upload $TMP/$FF: the path is not valid UTF-8, which the API cannot carry" &&
	! test -e "$TMP/$FF"
'

test_expect_success 'mkdir, mv, chmod, replace: text that is not UTF-8' '
	expect_code 1 osb-file mkdir -p "$S" "$TMP/d$FF" &&
	stderr_is "osb-file: mkdir $TMP/d$FF: the path is not valid UTF-8, which the API cannot carry" &&
	echo abc >f &&
	expect_code 1 osb-file mv "$S" "$TMP/f" "$TMP/g$FF/" &&
	stderr_is "osb-file: mv $TMP/f $TMP/g$FF/f: '\''$TMP/g$FF/f'\'' is not valid UTF-8, which the API cannot carry" &&
	expect_code 1 osb-file chmod --owner "$FF" "$S" 600 "$TMP/f" &&
	stderr_is "osb-file: chmod $TMP/f: '\''$FF'\'' is not valid UTF-8, which the API cannot carry" &&
	expect_code 1 osb-file replace --old b --new "$FF" "$S" "$TMP/f" &&
	stderr_is "osb-file: replace in $TMP/f: '\''$FF'\'' is not valid UTF-8, which the API cannot carry" &&
	echo abc >expect && test_cmp expect f && mode_is f 644
'

test_expect_success 'upload of a tree with a name that is not UTF-8' '
	mkdir -p tree && echo x >tree/ok && echo y >"tree/b$FF" &&
	expect_code 1 osb-file upload "$S" tree "$TMP/copy" &&
	grep_q "^osb-file: upload .*: .$TMP/copy/b$FF. is not valid UTF-8, which the API cannot carry$" err
'

test_expect_success 'write -m 0 and mkdir -m 0: a usage error, not mode 755' '
	expect_code 2 osb-file write -m 0 -c x "$S" "$TMP/m0" &&
	grep_q "^osb-file: -m: mode 0 cannot be set" err &&
	expect_code 2 osb-file mkdir -m 000 "$S" "$TMP/d0" &&
	grep_q "^osb-file: -m: mode 0 cannot be set" err &&
	! test -e m0 && ! test -e d0
'

test_expect_success 'table columns line up past wide and combining characters' '
	mkdir w &&
	: >"w/$(printf "\345\256\275\345\255\227\345\256\275")" &&
	: >"w/$(printf "abcde\314\201x")" &&
	: >w/abcdef &&
	osb-file stat "$S" "$TMP"/w/* >out &&
	grep_q "^PATH  *TYPE" out &&
	test "$(grep -c "^$TMP/w/[^ ]*  file  0 " out)" = 3 &&
	! grep -q "^$TMP/w/[^ ]*   " out
'

test_expect_success 'cat to a closed stdout fails instead of losing the bytes' '
	echo data >f &&
	osb-file cat "$S" "$TMP/f" 2>err >&-
	test $? = 1 &&
	stderr_is "osb-file: download $TMP/f: writing: Bad file descriptor"
'

test_expect_success 'write from a closed stdin fails, nothing is written' '
	osb-file write "$S" "$TMP/from-closed" 2>err <&-
	test $? = 1 &&
	stderr_is "osb-file: upload $TMP/from-closed: reading: Bad file descriptor" &&
	! test -e from-closed
'

test_done
