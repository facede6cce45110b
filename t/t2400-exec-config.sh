#!/usr/bin/env bash
# Settings from flags > environment > ~/.opensandbox/config.toml >
# defaults, as osb-exec sees them; the config file reader's errors; colour.
. "$(dirname "$0")/lib.sh"

start_execd
S=$EXECD_URL
CFG=$HOME/.opensandbox/config.toml
mkdir -p "$HOME/.opensandbox"
ID=$(osb-exec -d "$S" true)

# format_of: which format `osb-exec status` printed into out.
format_of() {
	osb-exec status "$@" "$S" "$ID" >out || return 1
	case $(head -c 1 out) in
	"{") echo json ;;
	i) echo yaml ;;
	I) echo table ;;
	*) echo "?" ;;
	esac
}

test_expect_success 'the default format is a table' '
	rm -f "$CFG" &&
	test "$(format_of)" = table
'

test_expect_success 'OPEN_SANDBOX_OUTPUT sets the format; -o wins over it' '
	test "$(OPEN_SANDBOX_OUTPUT=json format_of)" = json &&
	test "$(OPEN_SANDBOX_OUTPUT=json format_of -o yaml)" = yaml
'

test_expect_success 'the config file sets it; the environment wins over it' '
	printf "[output]\nformat = \"yaml\"\n" >"$CFG" &&
	test "$(format_of)" = yaml &&
	test "$(OPEN_SANDBOX_OUTPUT=json format_of)" = json &&
	test "$(format_of -o table)" = table
'

test_expect_success 'the subset of TOML the Python CLI writes is read' '
	cat >"$CFG" <<-\EOF &&
	# OpenSandbox CLI configuration
	[connection]
	api_key = "k\"ey\\\\"   # a comment after a value
	domain = '\''localhost:8080'\''
	protocol = "https"
	request_timeout = 1_000
	use_server_proxy = false

	[ output ]
	color = false
	format = "json"

	[defaults]
	image = "python:3.11"
	timeout = "10m"

	[something.else]
	whatever = -3
	EOF
	test "$(format_of)" = json
'

# config_error LINE TEXT MESSAGE: a config file with TEXT on line LINE
# fails both a run (125) and status (1) with "PATH:LINE: MESSAGE".
config_error() {
	printf "[output]\n%s\n" "$2" >"$CFG" &&
	expect_code 125 osb-exec "$S" true &&
	stderr_is "osb-exec: $CFG:$1: $3" &&
	expect_code 1 osb-exec status "$S" "$ID" &&
	stderr_is "osb-exec: $CFG:$1: $3"
}

test_expect_success 'a malformed line: the file and line are named' '
	config_error 2 "format json" "expected key = value" &&
	config_error 2 "= \"json\"" "expected key = value" &&
	config_error 2 "[output" "bad section header" &&
	config_error 2 "format = \"json" "unterminated string" &&
	config_error 2 "format = \"json\" yes" "unexpected text after the value" &&
	config_error 2 "format = \"j\\qson\"" "unsupported escape '\''\\q'\''" &&
	config_error 2 "format = [\"json\"]" \
		"unsupported value (expected a \"string\", a number, true or false)" &&
	config_error 2 "format = 1.5x" \
		"unsupported value (expected a \"string\", a number, true or false)" &&
	config_error 2 "format = \"\\u006\"" \
		"bad unicode escape '\''\\u...'\'' (\\uXXXX or \\UXXXXXXXX)" &&
	config_error 2 "format = \"\\ud800\"" \
		"bad unicode escape '\''\\u...'\'' (\\uXXXX or \\UXXXXXXXX)"
'

test_expect_success 'unicode escapes in strings are read' '
	printf "[output]\nformat = \"js\\u006fn\"\n" >"$CFG" &&
	test "$(format_of)" = json &&
	printf "[output]\nformat = \"\\U00000079aml\"\n" >"$CFG" &&
	test "$(format_of)" = yaml
'

test_expect_success 'floats, as the Python CLI writes them, are read' '
	printf "[x]\ny = 1e3\nz = -2_000.5\n" >"$CFG" &&
	test "$(format_of)" = table &&
	printf "[defaults]\nimage = 3.11\n" >"$CFG" &&
	expect_code 1 osb-exec status "$S" "$ID" &&
	stderr_is "osb-exec: $CFG:2: defaults.image must be a string"
'

test_expect_success 'a value of the wrong kind: the key is named' '
	config_error 2 "format = \"xml\"" \
		"output.format must be \"table\", \"json\" or \"yaml\"" &&
	config_error 2 "color = \"yes\"" "output.color must be true or false" &&
	printf "[connection]\nrequest_timeout = \"soon\"\n" >"$CFG" &&
	expect_code 1 osb-exec status "$S" "$ID" &&
	grep_q "^osb-exec: $CFG:2: connection.request_timeout must be a number of seconds$" err &&
	printf "[defaults]\ntimeout = \"forever\"\n" >"$CFG" &&
	expect_code 1 osb-exec status "$S" "$ID" &&
	grep_q "^osb-exec: $CFG:2: defaults.timeout must be a duration" err
'

test_expect_success '--config names another file; a missing one is an error' '
	rm -f "$CFG" &&
	printf "[output]\nformat = \"json\"\n" >"$TMP/other.toml" &&
	test "$(format_of --config "$TMP/other.toml")" = json &&
	expect_code 1 osb-exec --config "$TMP/none.toml" status "$S" "$ID" &&
	stderr_is "osb-exec: $TMP/none.toml: No such file or directory"
'

test_expect_success 'bad values in the environment are errors too' '
	OPEN_SANDBOX_OUTPUT=xml expect_code 1 osb-exec status "$S" "$ID" &&
	grep_q "^osb-exec: OPEN_SANDBOX_OUTPUT: unknown format .xml. (table, json or yaml)$" err &&
	OPEN_SANDBOX_REQUEST_TIMEOUT=abc expect_code 125 osb-exec "$S" true &&
	grep_q "^osb-exec: OPEN_SANDBOX_REQUEST_TIMEOUT: not a number of seconds: .abc.$" err &&
	OPEN_SANDBOX_PROTOCOL=ftp expect_code 1 osb-exec status "$S" "$ID" &&
	grep_q "^osb-exec: OPEN_SANDBOX_PROTOCOL: unknown protocol .ftp. (http or https)$" err
'

# stubborn: a background command that outlasts SIGINT and SIGTERM, so that
# interrupting it takes the server a couple of seconds.
stubborn() {
	osb-exec -d "$S" "trap \"\" INT TERM; sleep 30"
}

test_expect_success 'the request timeout: flag, environment, file' '
	id=$(stubborn) &&
	expect_code 1 osb-exec --request-timeout 1 interrupt "$S" "$id" &&
	grep_q "^osb-exec: interrupt $id: .*(http://" err &&
	id=$(stubborn) &&
	OPEN_SANDBOX_REQUEST_TIMEOUT=1 expect_code 1 osb-exec interrupt "$S" "$id" &&
	id=$(stubborn) &&
	printf "[connection]\nrequest_timeout = 1\n" >"$CFG" &&
	expect_code 1 osb-exec interrupt "$S" "$id" &&
	id=$(stubborn) &&
	printf "[connection]\nrequest_timeout = 0.5\n" >"$CFG" &&
	expect_code 1 osb-exec interrupt "$S" "$id" &&
	rm -f "$CFG" &&
	id=$(stubborn) &&
	osb-exec interrupt "$S" "$id"
'

# on_tty CMD...: run CMD with a terminal as its stdout.
on_tty() {
	script -qec "$*" /dev/null
}

if command -v script >/dev/null; then
	test_expect_success 'headings are bold on a terminal' '
		NO_COLOR= on_tty osb-exec status "$S" "$ID" >out &&
		grep_q "$(printf "\033\\[1mID\033\\[0m")" out
	'

	test_expect_success 'no colour with NO_COLOR, --no-color, color = false' '
		NO_COLOR=1 on_tty osb-exec status "$S" "$ID" >out &&
		grep_q "^ID" out && ! grep -q "$(printf "\033")" out &&
		NO_COLOR= on_tty osb-exec --no-color status "$S" "$ID" >out &&
		grep_q "^ID" out && ! grep -q "$(printf "\033")" out &&
		printf "[output]\ncolor = false\n" >"$CFG" &&
		NO_COLOR= on_tty osb-exec status "$S" "$ID" >out &&
		rm -f "$CFG" &&
		grep_q "^ID" out && ! grep -q "$(printf "\033")" out
	'
else
	test_skip 'headings are bold on a terminal' 'no script(1)'
	test_skip 'no colour with NO_COLOR, --no-color, color = false' \
		'no script(1)'
fi

test_expect_success 'no colour when stdout is not a terminal' '
	NO_COLOR= osb-exec status "$S" "$ID" >out &&
	! grep -q "$(printf "\033")" out
'

test_done
