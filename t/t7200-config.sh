#!/usr/bin/env bash
# osb config init, show and set: the file ~/.opensandbox/config.toml (or
# --config), its template, the settings in effect from every source, and
# edits that keep every other line.
. "$(dirname "$0")/lib.sh"

CFG=$HOME/.opensandbox/config.toml

# show KEY [ARGS...]: the value of KEY in `osb config show -o json ARGS`.
show() {
	local key=$1
	shift
	osb config show -o json "$@" >shown && json_get shown "$key"
}

# unchanged FILE: FILE is as ./before holds it (a refused set left it).
unchanged() {
	test_cmp before "$1"
}

test_expect_success 'init writes the template, 0600 in a 0700 directory' '
	osb config init >out &&
	echo "Config file created: $CFG" >expect && test_cmp expect out &&
	mode_is "$CFG" 600 && mode_is "$HOME/.opensandbox" 700 &&
	for k in api_key domain protocol request_timeout use_server_proxy \
	    format color image timeout; do
		grep_q "^# $k = " "$CFG" || return 1
	done &&
	for s in connection output defaults; do
		grep_q "^\[$s\]$" "$CFG" || return 1
	done
'

test_expect_success 'the template reads as no settings at all' '
	test "$(show domain)" = null && test "$(show protocol)" = http &&
	test "$(show config_file_exists)" = true
'

test_expect_success 'init leaves an existing file alone, says so, exit 0' '
	echo "# mine" >>"$CFG" && cp "$CFG" before &&
	osb config init >out 2>err &&
	! test -s out &&
	echo "osb: $CFG exists; left as it is (--force replaces it)" >expect &&
	test_cmp expect err && unchanged "$CFG" &&
	osb config init -o json >out &&
	test "$(json_get out status)" = warning &&
	test "$(json_get out message)" = "Config file already exists at $CFG. Use --force to overwrite." &&
	unchanged "$CFG"
'

test_expect_success 'init --force replaces it; -o json, -q' '
	chmod 644 "$CFG" &&
	osb config init --force -o json >out &&
	test "$(json_get out status)" = ok &&
	test "$(json_get out message)" = "Config file created: $CFG" &&
	! grep -q "# mine" "$CFG" && mode_is "$CFG" 600 &&
	osb -q config init --force >out && ! test -s out &&
	osb config init --force -o yaml >out &&
	grep_q "^status: ok$" out
'

test_expect_success 'init --config makes the directories it needs' '
	osb --config "$TMP/a/b/c.toml" config init >out &&
	mode_is "$TMP/a/b" 700 && mode_is "$TMP/a/b/c.toml" 600 &&
	test_cmp "$CFG" "$TMP/a/b/c.toml" &&
	osb config init --config "$TMP/d.toml" && test -f "$TMP/d.toml"
'

test_expect_success 'init: a place it cannot write is an error naming it' '
	: >"$TMP/plain" &&
	expect_code 1 osb config init --config "$TMP/plain/x.toml" &&
	echo "osb: $TMP/plain/x.toml: Not a directory" >expect &&
	test_cmp expect err
'

test_expect_success 'show: every setting, in a table by default' '
	rm -f "$CFG" &&
	osb config show >out &&
	cat >expect <<-EOF &&
	API_KEY             -
	DOMAIN              -
	PROTOCOL            http
	REQUEST_TIMEOUT     30
	USE_SERVER_PROXY    false
	FORMAT              table
	COLOR               false
	DEFAULT_IMAGE       -
	DEFAULT_TIMEOUT     -
	CONFIG_PATH         $CFG
	CONFIG_FILE_EXISTS  false
	EOF
	test_cmp expect out &&
	env -u NO_COLOR osb config show -o yaml >out &&
	grep_q "^color: true$" out &&
	osb --no-color config show -o json >out &&
	test "$(json_get out color)" = false
'

test_expect_success 'show hides the API key as the Python CLI does' '
	test "$(show api_key --api-key abcdefgh)" = "ab****gh" &&
	test "$(show api_key --api-key abcde)" = "ab*de" &&
	test "$(show api_key --api-key abcd)" = "****" &&
	test "$(OPEN_SANDBOX_API_KEY=k1 show api_key)" = "**" &&
	osb config show --api-key sekrit-value >out &&
	! grep -q sekrit out &&
	test "$(awk "/^API_KEY/ { print \$2 }" out)" = "se********ue"
'

test_expect_success 'show: options win over the environment, which wins over the file' '
	osb config init --force -q &&
	osb config set connection.domain file.example:1 -q &&
	osb config set connection.request_timeout 11 -q &&
	osb config set output.format yaml -q &&
	osb config set connection.use_server_proxy true -q &&
	test "$(show domain)" = file.example:1 &&
	test "$(show request_timeout)" = 11 &&
	test "$(show use_server_proxy)" = true &&
	export OPEN_SANDBOX_DOMAIN=env.example:2 OPEN_SANDBOX_REQUEST_TIMEOUT=22 \
	    OPEN_SANDBOX_USE_SERVER_PROXY=no &&
	test "$(show domain)" = env.example:2 &&
	test "$(show request_timeout)" = 22 &&
	test "$(show use_server_proxy)" = false &&
	test "$(show domain --domain flag.example:3)" = flag.example:3 &&
	test "$(show request_timeout --request-timeout 33)" = 33 &&
	unset OPEN_SANDBOX_DOMAIN OPEN_SANDBOX_REQUEST_TIMEOUT \
	    OPEN_SANDBOX_USE_SERVER_PROXY
'

test_expect_success 'show: the format from the file, the environment, -o' '
	osb config show >out && grep_q "^format: yaml$" out &&
	OPEN_SANDBOX_OUTPUT=json osb config show >out &&
	test "$(json_get out format)" = json &&
	OPEN_SANDBOX_OUTPUT=json osb config show -o table >out &&
	grep_q "^FORMAT  *table$" out
'

test_expect_success 'show: a bad environment value is an error naming it' '
	OPEN_SANDBOX_USE_SERVER_PROXY=maybe expect_code 1 osb config show &&
	echo "osb: OPEN_SANDBOX_USE_SERVER_PROXY: not a boolean: '\''maybe'\'' (true or false)" >expect &&
	test_cmp expect err &&
	OPEN_SANDBOX_PROTOCOL=ftp expect_code 1 osb config show &&
	grep_q "^osb: OPEN_SANDBOX_PROTOCOL: unknown protocol '\''ftp'\''" err
'

test_expect_success 'show: a malformed file is an error naming its line' '
	printf "[connection]\ndomain = \"x\"\nprotocol http\n" >"$CFG" &&
	expect_code 1 osb config show &&
	echo "osb: $CFG:3: expected key = value" >expect && test_cmp expect err &&
	printf "[output]\ncolor = \"yes\"\n" >"$CFG" &&
	expect_code 1 osb config show &&
	echo "osb: $CFG:2: output.color must be true or false" >expect &&
	test_cmp expect err
'

test_expect_success 'show: a --config file that is not there is an error' '
	expect_code 1 osb config show --config "$TMP/none.toml" &&
	echo "osb: $TMP/none.toml: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'set changes the line of the key, and only that' '
	cat >"$CFG" <<-\EOF &&
	# my settings
	[connection]
	domain = "old.example"   # the lab server
	  protocol = "http"

	# output below
	[output]
	color = false
	EOF
	osb config set connection.domain new.example:8080 >out &&
	echo "Set connection.domain = new.example:8080" >expect &&
	test_cmp expect out &&
	cat >expect <<-\EOF &&
	# my settings
	[connection]
	domain = "new.example:8080"   # the lab server
	  protocol = "http"

	# output below
	[output]
	color = false
	EOF
	test_cmp expect "$CFG" &&
	osb config set connection.protocol https &&
	grep_q "^  protocol = \"https\"$" "$CFG" &&
	test "$(show protocol)" = https
'

test_expect_success 'set: a new key goes at the end of its section' '
	osb config set connection.api_key k-123 -q &&
	osb config set output.format json -q &&
	cat >expect <<-\EOF &&
	# my settings
	[connection]
	domain = "new.example:8080"   # the lab server
	  protocol = "https"
	api_key = "k-123"

	# output below
	[output]
	color = false
	format = "json"
	EOF
	test_cmp expect "$CFG"
'

test_expect_success 'set: a new section goes at the end of the file' '
	printf "[output]\ncolor = true" >"$CFG" &&
	osb config set defaults.image python:3.12 -q &&
	printf "[output]\ncolor = true\n\n[defaults]\nimage = \"python:3.12\"\n" \
	    >expect && test_cmp expect "$CFG" &&
	: >"$CFG" && osb config set defaults.timeout 30m -q &&
	printf "[defaults]\ntimeout = \"30m\"\n" >expect && test_cmp expect "$CFG"
'

test_expect_success 'set: the example in the template becomes the setting' '
	osb config init --force -q && cp "$CFG" before &&
	osb config set connection.domain localhost:8080 -q &&
	osb config set output.color false -q &&
	sed -e "s/^# domain = .*/domain = \"localhost:8080\"/" \
	    -e "s/^# color = .*/color = false/" before >expect &&
	test_cmp expect "$CFG"
'

test_expect_success 'set: line endings and a last line without one are kept' '
	printf "[connection]\r\ndomain = \"a\"\r\n# end" >"$CFG" &&
	osb config set connection.domain b -q &&
	printf "[connection]\r\ndomain = \"b\"\r\n# end\nprotocol = \"http\"\n" \
	    >expect &&
	osb config set connection.protocol http -q &&
	test_cmp expect "$CFG"
'

test_expect_success 'set writes 0600 through a temp file, and leaves none' '
	osb config init --force -q && chmod 644 "$CFG" &&
	osb config set connection.api_key secret -q &&
	mode_is "$CFG" 600 &&
	ls -a "$HOME/.opensandbox" >out &&
	printf "%s\n" . .. config.toml >expect && test_cmp expect out
'

test_expect_success 'set follows a symbolic link and keeps it' '
	osb config init --config "$TMP/real.toml" -q &&
	ln -s "$TMP/real.toml" "$TMP/link.toml" &&
	osb --config "$TMP/link.toml" config set defaults.image alpine -q &&
	test -L "$TMP/link.toml" &&
	grep_q "^image = \"alpine\"$" "$TMP/real.toml"
'

test_expect_success 'set types the value for its key' '
	osb config init --force -q &&
	osb config set connection.request_timeout 2m -q &&
	grep_q "^request_timeout = 120$" "$CFG" &&
	osb config set connection.request_timeout 2.5 -q &&
	grep_q "^request_timeout = 2.5$" "$CFG" &&
	test "$(show request_timeout)" = 3 &&
	osb config set output.color TRUE -q &&
	grep_q "^color = true$" "$CFG" &&
	osb config set connection.use_server_proxy False -q &&
	grep_q "^use_server_proxy = false$" "$CFG" &&
	osb config set defaults.image 3 -q &&
	grep_q "^image = \"3\"$" "$CFG" && test "$(show default_image)" = 3 &&
	osb config set defaults.timeout none -q &&
	grep_q "^timeout = \"none\"$" "$CFG"
'

test_expect_success 'set: any text round-trips, quotes, backslashes and all' '
	v=$(printf "a \"b\" \\\\c\td\001 é") &&
	osb config set connection.api_key "$v" -q &&
	osb config show -o json --config "$CFG" >/dev/null &&
	osb config set defaults.image "$v" -q &&
	test "$(show default_image)" = "$v" &&
	osb config set -q defaults.image -- -dash &&
	test "$(show default_image)" = -dash
'

test_expect_success 'set: an empty string is no setting, as in the environment' '
	osb config set connection.domain "" -q &&
	grep_q "^domain = \"\"$" "$CFG" &&
	test "$(show domain)" = null
'

test_expect_success 'set says what it set, the API key masked; json too' '
	osb config set connection.api_key abcdefgh >out &&
	echo "Set connection.api_key = ab****gh" >expect && test_cmp expect out &&
	osb config set -o json connection.domain h:1 >out &&
	test "$(json_get out status)" = ok &&
	test "$(json_get out message)" = "Set connection.domain = h:1"
'

# refused KEY VALUE MESSAGE: set KEY VALUE exits 1 saying "osb: MESSAGE"
# and leaves the file as it was.
refused() {
	cp "$CFG" before &&
	expect_code 1 osb config set -- "$1" "$2" &&
	stderr_is "osb: $3" && ! test -s out &&
	unchanged "$CFG"
}

test_expect_success 'set: a key it does not know is refused, and why' '
	refused domain x "domain: not a SECTION.KEY, such as connection.domain" &&
	refused foo.bar x "foo.bar: unknown section '\''foo'\'' (connection, output or defaults)" &&
	refused connection.nope x "connection.nope: unknown key (connection has api_key, domain, protocol, request_timeout or use_server_proxy)" &&
	refused output.colour x "output.colour: unknown key (output has format or color)" &&
	refused defaults.image.x x "defaults.image.x: unknown key (defaults has image or timeout)"
'

test_expect_success 'set: a value the key cannot have is refused, and why' '
	refused connection.protocol ftp "connection.protocol: unknown protocol '\''ftp'\'' (http or https)" &&
	refused output.format xml "output.format must be \"table\", \"json\" or \"yaml\"" &&
	refused output.color maybe "output.color must be true or false" &&
	refused connection.use_server_proxy 1 "connection.use_server_proxy must be true or false" &&
	refused connection.request_timeout abc "connection.request_timeout must be a number of seconds" &&
	refused connection.request_timeout -5 "connection.request_timeout must be a number of seconds" &&
	refused connection.request_timeout nan "connection.request_timeout must be a number of seconds" &&
	refused defaults.timeout soon "defaults.timeout must be a duration (\"10m\", \"1h30m\") or \"none\"" &&
	refused defaults.image "$(printf "\377")" "defaults.image: the value is not valid UTF-8, which a TOML file cannot hold"
'

test_expect_success 'set: no file, or one it cannot read, is not touched' '
	expect_code 1 osb config set --config "$TMP/none.toml" output.color true &&
	stderr_is "osb: $TMP/none.toml: no such file (run '\''osb config init'\'' first)" &&
	! test -e "$TMP/none.toml" &&
	printf "[output]\ncolor = true\nformat = \"json\n" >"$CFG" &&
	cp "$CFG" before &&
	expect_code 1 osb config set output.color false &&
	stderr_is "osb: $CFG:3: unterminated string" && unchanged "$CFG"
'

test_expect_success 'set: a wrong value elsewhere is no reason to refuse' '
	printf "[output]\ncolor = \"yes\"\n" >"$CFG" &&
	osb config set output.color true -q &&
	printf "[output]\ncolor = true\n" >expect && test_cmp expect "$CFG"
'

test_expect_success 'config: usage errors' '
	expect_code 2 osb config &&
	grep_q "^osb: config: missing command (init, show or set)$" err &&
	expect_code 2 osb config list &&
	grep_q "^osb: config: unknown command '\''list'\'' (init, show or set)$" err &&
	expect_code 2 osb config set output.color &&
	printf "%s\n" "osb: config set: missing VALUE" \
	    "usage: osb config set KEY VALUE" >expect && test_cmp expect err &&
	expect_code 2 osb config set &&
	grep_q "^osb: config set: missing KEY$" err &&
	expect_code 2 osb config set a b c &&
	grep_q "^osb: config set: too many operands: '\''c'\''$" err &&
	expect_code 2 osb config show x &&
	grep_q "^osb: config show: too many operands: '\''x'\''$" err &&
	expect_code 2 osb config show --force &&
	grep_q "^osb: config show: --force does not apply$" err &&
	expect_code 2 osb config show -o xml &&
	grep_q "^osb: --output: unknown format '\''xml'\''" err &&
	osb config --help >out && grep_q "^usage: osb" out
'

start_execd
S=$EXECD_URL

test_expect_success 'the other programs read what set wrote' '
	osb config init --force -q &&
	osb-file stat "$S" /tmp >out && grep_q "^PATH" out &&
	osb config set output.format json -q &&
	osb-file stat "$S" /tmp >out &&
	test "$(json_get out /tmp type)" = directory &&
	osb file stat "$S" /tmp >out &&
	test "$(json_get out /tmp type)" = directory &&
	osb exec status "$S" nope >out 2>err;
	grep_q "404" err
'

test_done
