#!/bin/bash
# osb-file: usage errors, tokens, a server that is not there.
. "$(dirname "$0")/lib.sh"

start_execd --access-token sesame
S=$EXECD_URL
R=$TMP/remote
mkdir -p "$R"
echo hi >"$R/hi"

test_expect_success '--help prints the full usage on stdout' '
	osb-file --help >out &&
	grep_q "^usage: osb-file " out &&
	grep_q "^  replace SANDBOX PATH" out &&
	grep_q "^Global options:" out &&
	osb-file cat -h >out2 && test_cmp out out2
'

test_expect_success '--version' '
	osb-file --version >out &&
	grep_q "^osb-file [0-9]" out
'

test_expect_success 'the right token works, from the flag or the environment' '
	osb-file --execd-token sesame cat "$S" "$R/hi" >out &&
	echo hi >expect && test_cmp expect out &&
	OSB_EXECD_TOKEN=sesame osb-file cat "$S" "$R/hi" >out &&
	test_cmp expect out
'

test_expect_success 'global options work after the command too' '
	osb-file stat "$S" "$R/hi" --execd-token sesame -o json >out &&
	grep_q "\"size\": 3" out
'

test_expect_success 'a wrong token: 401, exit 1' '
	expect_code 1 osb-file --execd-token wrong cat "$S" "$R/hi" &&
	grep_q "^osb-file: download $R/hi: .*(401 " err &&
	! test -s out
'

test_expect_success 'no token when one is needed: exit 1' '
	expect_code 1 osb-file stat "$S" "$R/hi" &&
	grep_q "^osb-file: stat $R/hi: .*(401 " err
'

test_expect_success 'a wrong token sends no upload' '
	head -c 3000000 /dev/urandom >big &&
	expect_code 1 osb-file --execd-token wrong upload "$S" big "$R/dir/" &&
	stderr_is "osb-file: upload $R/dir/big: missing or invalid X-EXECD-ACCESS-TOKEN (401 UNAUTHORIZED)" &&
	! test -e "$R/dir"
'

test_expect_success 'server down: the message names the URL, exit 1' '
	port=$(free_port) &&
	expect_code 1 osb-file cat "http://127.0.0.1:$port" /etc/hostname &&
	grep_q "^osb-file: download /etc/hostname: .*http://127.0.0.1:$port" err &&
	expect_code 1 osb-file ls "127.0.0.1:$port" / &&
	stderr_is "osb-file: ls /: cannot connect: connection refused (http://127.0.0.1:$port)"
'

test_expect_success 'no command, unknown command: exit 2' '
	expect_code 2 osb-file &&
	grep_q "^osb-file: missing command" err &&
	expect_code 2 osb-file frobnicate "$S" &&
	grep_q "^osb-file: unknown command .frobnicate." err
'

test_expect_success 'missing SANDBOX or operands: exit 2 with the synopsis' '
	expect_code 2 osb-file cat &&
	grep_q "^osb-file: cat: missing SANDBOX" err &&
	grep_q "^usage: osb-file cat SANDBOX PATH" err &&
	expect_code 2 osb-file cat "$S" &&
	grep_q "^osb-file: cat: missing operand" err &&
	expect_code 2 osb-file mv "$S" a &&
	expect_code 2 osb-file upload "$S" onlyone &&
	expect_code 2 osb-file chmod "$S" 644
'

test_expect_success 'too many operands: exit 2' '
	expect_code 2 osb-file mv "$S" a b c &&
	grep_q "^osb-file: mv: too many operands" err &&
	expect_code 2 osb-file ls "$S" a b &&
	expect_code 2 osb-file download "$S" a b c
'

test_expect_success 'an option of another command: exit 2' '
	expect_code 2 osb-file cat -l "$S" "$R/hi" &&
	grep_q "^osb-file: cat: -l/--long does not apply" err &&
	expect_code 2 osb-file ls -c x "$S" "$R" &&
	expect_code 2 osb-file rm --old x "$S" "$R/hi" &&
	test -e "$R/hi"
'

test_expect_success 'bad option values: exit 2' '
	expect_code 2 osb-file write -m 999 "$S" "$R/x" -c x &&
	grep_q "^osb-file: -m: not an octal mode: .999." err &&
	expect_code 2 osb-file ls -d -1 "$S" "$R" &&
	grep_q "^osb-file: -d: depth is too small" err &&
	expect_code 2 osb-file ls -o xml "$S" "$R" &&
	grep_q "^osb-file: --output: unknown format" err &&
	expect_code 2 osb-file --bogus ls "$S" "$R" &&
	grep_q "^osb-file: unknown option .--bogus." err &&
	expect_code 2 osb-file ls "$S" "$R" -d &&
	grep_q "^osb-file: option .-d. needs a value" err &&
	! test -e "$R/x"
'

test_expect_success 'a sandbox that is not an URL is explained, exit 1' '
	expect_code 1 osb-file cat nosuchsandbox /x &&
	grep_q "^osb-file: nosuchsandbox: " err
'

test_expect_success '-- ends options: a file named -l' '
	echo dash >-l &&
	osb-file --execd-token sesame cat -- "$S" -l >out &&
	echo dash >expect && test_cmp expect out
'

test_done
