#!/usr/bin/env bash
# osb-exec at the edges: option letters inside clusters, text that is not
# UTF-8 (which JSON cannot carry), logs holding such bytes and NULs in
# json and yaml, YAML strings that read as numbers, a format from the
# environment (not for run output), a closed stdout.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
FF=$(printf '\377')

test_expect_success 'an unknown letter in a cluster is named by itself' '
	expect_code 2 osb-exec -xq "$S" true &&
	grep_q "^osb-exec: unknown option .-x.$" err &&
	expect_code 2 osb-exec --verbose -dxq "$S" true &&
	grep_q "^osb-exec: unknown option .-x.$" err &&
	expect_code 2 osb-exec -qo &&
	grep_q "^osb-exec: option .-o. needs a value$" err &&
	expect_code 2 osb-file -lx ls "$S" /tmp &&
	grep_q "^osb-file: unknown option .-x.$" err
'

test_expect_success 'a value given to an option that takes none is named' '
	expect_code 2 osb-exec --verbose=3 "$S" true &&
	grep_q "^osb-exec: option .--verbose. takes no value$" err &&
	expect_code 2 osb-exec --nope=3 "$S" true &&
	grep_q "^osb-exec: unknown option .--nope.$" err
'

test_expect_success 'a command that is not UTF-8 is refused by name' '
	expect_code 125 osb-exec "$S" -- echo "$FF" &&
	stderr_is "osb-exec: run: the command is not valid UTF-8, which the API cannot carry" &&
	expect_code 1 osb-exec -d "$S" -- echo "$FF" &&
	stderr_is "osb-exec: run: the command is not valid UTF-8, which the API cannot carry"
'

test_expect_success 'a working directory that is not UTF-8 is not dropped' '
	expect_code 125 osb-exec -w "/tmp/$FF" "$S" pwd &&
	stderr_is "osb-exec: run: the working directory is not valid UTF-8, which the API cannot carry" &&
	! test -s out &&
	expect_code 1 osb-exec session create --cwd "/tmp/$FF" "$S" &&
	stderr_is "osb-exec: create session: the working directory is not valid UTF-8, which the API cannot carry"
'

test_expect_success 'a session command that is not UTF-8 is refused by name' '
	sid=$(osb-exec session create "$S") &&
	expect_code 125 osb-exec session run "$S" "$sid" -- echo "$FF" &&
	stderr_is "osb-exec: session $sid: the command is not valid UTF-8, which the API cannot carry" &&
	osb-exec session rm "$S" "$sid"
'

test_expect_success '-e with a value that is not UTF-8: a usage error' '
	expect_code 2 osb-exec -e "A=$FF" "$S" -- true &&
	grep_q "^osb-exec: -e: .A=.. is not valid UTF-8, which the API cannot carry$" err
'

# logs_json_is FILE: FILE is {"content": "a\ufffdb\u0000c", "cursor": 5}.
logs_json_is() {
	perl -MJSON::PP -e '
		local $/; my $d = JSON::PP->new->utf8->decode(<STDIN>);
		exit !($d->{content} eq "a\x{fffd}b\x{0}c" && $d->{cursor} == 5)' <"$1"
}

test_expect_success 'logs -o json of bytes that are not UTF-8: U+FFFD, NUL kept' '
	id=$(osb-exec -d "$S" "printf '\''a\\377b\\000c'\''") &&
	wait_for 50 sh -c "osb-exec status \"$S\" $id | grep -q \"^RUNNING  *false\"" &&
	osb-exec logs "$S" "$id" >raw &&
	printf "a\377b\000c" >expect && cmp expect raw &&
	osb-exec logs -o json "$S" "$id" >out &&
	logs_json_is out &&
	osb-exec logs -f -o json "$S" "$id" >out &&
	test $(wc -l <out) = 1 && logs_json_is out
'

test_expect_success 'logs -o yaml: the same text, the NUL escaped, not cut' '
	osb-exec logs -o yaml "$S" "$id" >out &&
	printf "content: \"a\357\277\275b\\\\0c\"\ncursor: 5\n" >expect &&
	test_cmp expect out
'

# yaml_content CMD: the content line of `status -o yaml` for command CMD.
yaml_content() {
	local id
	id=$(osb-exec -d "$S" -- "$1") &&
	osb-exec status -o yaml "$S" "$id" | grep "^content: "
}

test_expect_success 'yaml quotes strings that read as binary, octal, hex' '
	test "$(yaml_content 0b101)" = "content: '\''0b101'\''" &&
	test "$(yaml_content 0o17)" = "content: '\''0o17'\''" &&
	test "$(yaml_content -0x1F)" = "content: '\''-0x1F'\''" &&
	test "$(yaml_content 0bad)" = "content: '\''0bad'\''" &&
	test "$(yaml_content b0)" = "content: b0"
'

test_expect_success 'run output stays bytes when the environment or config says json' '
	OPEN_SANDBOX_OUTPUT=json osb-exec "$S" -- printf "a\\nb" >out &&
	printf "a\nb" >expect && test_cmp expect out &&
	mkdir -p "$HOME/.opensandbox" &&
	printf "[output]\nformat = \"json\"\n" >"$HOME/.opensandbox/config.toml" &&
	osb-exec "$S" -- printf "a\\nb" >out &&
	test_cmp expect out &&
	osb-exec session run "$S" "$(osb-exec -q session create "$S")" -- \
		printf "a\\nb" >out &&
	test_cmp expect out &&
	osb-exec -o json "$S" -- printf x >out &&
	rm "$HOME/.opensandbox/config.toml" &&
	grep_q "^{\"type\":\"stdout\",\"text\":\"x\"," out
'

test_expect_success 'stdout closed: the output fails, as cat would, exit 125' '
	osb-exec "$S" echo hi 2>err >&-
	test $? = 125 &&
	stderr_is "osb-exec: output: Bad file descriptor" &&
	osb-exec -d "$S" true 2>err >&-
	test $? = 1 &&
	stderr_is "osb-exec: stdout: Bad file descriptor"
'

test_done
