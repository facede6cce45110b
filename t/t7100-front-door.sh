#!/usr/bin/env bash
# osb, the front door: `osb COMMAND ...` runs osb-COMMAND, found beside
# osb then on PATH, with the options before COMMAND passed on; help,
# version, and what it says about unknown and missing commands.
. "$(dirname "$0")/lib.sh"

start_execd --access-token sesame
S=$EXECD_URL

# fixture DIR NAME [STATUS]: a program NAME in DIR that prints its name,
# then each argument on a line of its own, and exits STATUS (0).
fixture() {
	mkdir -p "$1" &&
	printf '#!/bin/sh\necho "%s from %s"\nprintf "%%s\\n" "$@"\nexit %s\n' \
	    "$2" "$1" "${3:-0}" >"$1/$2" &&
	chmod 755 "$1/$2"
}

# lone DIR: a copy of osb alone in DIR (a copy: /proc/self/exe of a
# symbolic link would be the build directory).
lone() {
	mkdir -p "$1" && cp "$OSB_BIN/osb" "$1/osb"
}

test_expect_success '--help: usage, the commands and the options, exit 0' '
	osb --help >out &&
	grep_q "^usage: osb \[options\] COMMAND \[ARG...\]" out &&
	for c in sandbox exec command file code policy egress config help; do
		grep_q "^  $c  " out || return 1
	done &&
	for o in --force --output --domain --config --execd-token --version; do
		grep_q "$o" out || return 1
	done &&
	osb -h >out2 && test_cmp out out2 &&
	osb -o json --help >out2 && test_cmp out out2
'

test_expect_success '--version: the version all the programs share' '
	osb --version >out &&
	v=$(osb-exec --version) &&
	echo "osb ${v#osb-exec }" >expect &&
	test_cmp expect out
'

test_expect_success 'no command: a usage error' '
	expect_code 2 osb &&
	printf "%s\n" "osb: missing command" "Try '\''osb --help'\''." >expect &&
	test_cmp expect err && ! test -s out &&
	expect_code 2 osb -o json &&
	test_cmp expect err
'

test_expect_success 'an unknown command: a usage error naming it' '
	expect_code 2 osb devops logs x &&
	printf "%s\n" "osb: unknown command '\''devops'\''" \
	    "Try '\''osb --help'\''." >expect &&
	test_cmp expect err && ! test -s out &&
	expect_code 2 osb -q "osb-file" &&
	grep_q "unknown command '\''osb-file'\''" err
'

test_expect_success 'a bad global option before the command: a usage error' '
	expect_code 2 osb --nope file &&
	printf "%s\n" "osb: unknown option '\''--nope'\''" \
	    "Try '\''osb --help'\''." >expect &&
	test_cmp expect err &&
	expect_code 2 osb -o xml file stat "$S" /tmp &&
	grep_q "^osb: --output: unknown format '\''xml'\''" err &&
	expect_code 2 osb --config &&
	grep_q "^osb: option '\''--config'\'' needs a value" err &&
	expect_code 2 osb --force exec "$S" true &&
	grep_q "^osb: --force applies to config init only" err
'

test_expect_success 'exec runs osb-exec: output and exit status are its own' '
	osb exec --execd-token sesame "$S" -- echo hello >out &&
	echo hello >expect && test_cmp expect out &&
	expect_code 3 osb exec --execd-token sesame "$S" "exit 3" &&
	expect_code 3 osb command run --execd-token sesame "$S" "exit 3"
'

test_expect_success 'arguments arrive as they were given, spaces and all' '
	osb exec --execd-token sesame "$S" -- printf "[%s]\n" "a b" "" "*" >out &&
	printf "[a b]\n[]\n[*]\n" >expect && test_cmp expect out
'

test_expect_success 'options before the command are passed on' '
	osb --execd-token sesame -o json file stat "$S" /tmp >out &&
	test "$(json_get out /tmp type)" = directory &&
	osb -ojson --execd-token=sesame file stat "$S" /tmp >out &&
	test "$(json_get out /tmp type)" = directory &&
	OSB_EXECD_TOKEN=wrong osb --execd-token sesame exec "$S" -- true &&
	osb --execd-token sesame -- file stat "$S" /tmp >out &&
	grep_q "^/tmp  *directory" out
'

test_expect_success 'without the token the program itself says why' '
	expect_code 125 osb exec "$S" -- true &&
	grep_q "^osb-exec: .*401" err &&
	expect_code 1 osb file stat "$S" /tmp &&
	grep_q "^osb-file: " err
'

test_expect_success 'options after the command are the program'\''s own' '
	osb file --execd-token sesame stat -o yaml "$S" /tmp >out &&
	grep_q "^  type: directory" out &&
	expect_code 2 osb file --nope &&
	grep_q "^osb-file: unknown option '\''--nope'\''" err
'

test_expect_success 'help COMMAND is the program'\''s --help' '
	osb help file >out && osb-file --help >expect && test_cmp expect out &&
	osb help command >out && osb-exec --help >expect &&
	test_cmp expect out &&
	osb --help >expect &&
	osb help >out && test_cmp expect out &&
	osb help config >out && test_cmp expect out &&
	osb help help >out && test_cmp expect out
'

test_expect_success 'help: an unknown command or too many is a usage error' '
	expect_code 2 osb help devops &&
	grep_q "^osb: help: unknown command '\''devops'\''" err &&
	expect_code 2 osb help file exec &&
	grep_q "^osb: help: too many operands: '\''exec'\''" err &&
	grep_q "^usage: osb help \[COMMAND\]" err
'

test_expect_success 'each command runs its program' '
	lone "$TMP/each" &&
	for p in osb-sandbox osb-exec osb-file osb-code osb-policy; do
		fixture "$TMP/each" $p || return 1
	done &&
	for c in sandbox:osb-sandbox exec:osb-exec command:osb-exec \
	    file:osb-file code:osb-code policy:osb-policy \
	    egress:osb-policy; do
		"$TMP/each/osb" ${c%%:*} x >out &&
		printf "%s\n" "${c#*:} from $TMP/each" x >expect &&
		test_cmp expect out || return 1
	done
'

test_expect_success 'the program beside osb comes first, then PATH' '
	lone "$TMP/beside" && fixture "$TMP/beside" osb-file &&
	fixture "$TMP/path" osb-file && fixture "$TMP/path" osb-code &&
	PATH=$TMP/path:$PATH "$TMP/beside/osb" file a >out &&
	printf "%s\n" "osb-file from $TMP/beside" a >expect &&
	test_cmp expect out &&
	PATH=$TMP/path:$PATH "$TMP/beside/osb" code a >out &&
	printf "%s\n" "osb-code from $TMP/path" a >expect &&
	test_cmp expect out
'

test_expect_success 'the options before the command come first, -- dropped' '
	PATH=$TMP/path:$PATH "$TMP/beside/osb" -o json --domain=h:1 \
	    --api-key k -v -- file stat -q "a b" -- x >out &&
	printf "%s\n" "osb-file from $TMP/beside" -o json --domain=h:1 \
	    --api-key k -v stat -q "a b" -- x >expect &&
	test_cmp expect out
'

test_expect_success 'the exit status is the program'\''s' '
	lone "$TMP/status" && fixture "$TMP/status" osb-sandbox 7 &&
	expect_code 7 "$TMP/status/osb" sandbox list
'

test_expect_success 'a program that is not installed: 127, and its name' '
	lone "$TMP/alone" &&
	PATH=/usr/bin:/bin expect_code 127 "$TMP/alone/osb" policy get x &&
	echo "osb: '\''policy'\'' is not installed (osb-policy not found)" \
	    >expect && test_cmp expect err && ! test -s out &&
	PATH=/usr/bin:/bin expect_code 127 "$TMP/alone/osb" egress get x &&
	grep_q "^osb: '\''egress'\'' is not installed (osb-policy not found)" err &&
	PATH=/usr/bin:/bin expect_code 127 "$TMP/alone/osb" help code &&
	grep_q "(osb-code not found)" err
'

test_expect_success 'a program that will not run: 126, and why' '
	lone "$TMP/noexec" && fixture "$TMP/noexec-path" osb-code &&
	chmod 644 "$TMP/noexec-path/osb-code" &&
	PATH=$TMP/noexec-path:/usr/bin:/bin \
	    expect_code 126 "$TMP/noexec/osb" code x &&
	echo "osb: cannot run osb-code: Permission denied" >expect &&
	test_cmp expect err &&
	printf "\177ELF junk" >"$TMP/noexec/osb-file" &&
	chmod 755 "$TMP/noexec/osb-file" &&
	expect_code 126 "$TMP/noexec/osb" file x &&
	echo "osb: cannot run $TMP/noexec/osb-file: Exec format error" \
	    >expect && test_cmp expect err
'

test_done
