#!/usr/bin/env bash
# osb-exec: usage errors, help, tokens, a server that is not there, and
# sandbox references it cannot resolve.
. "$(dirname "$0")/lib.sh"

start_execd --access-token sesame
S=$EXECD_URL
export OSB_EXECD_TOKEN=sesame

test_expect_success '--help prints every option on stdout, exit 0' '
	osb-exec --help >out &&
	grep_q "^usage: osb-exec \[options\] SANDBOX \[--\] COMMAND" out &&
	grep_q "^       osb-exec \[options\] session run SANDBOX SESSION" out &&
	for o in --background --workdir --env --timeout --user --cursor \
		--follow --interactive --tty --output --execd-token \
		--request-timeout --config; do
		grep -q -e "$o" out || { echo "no $o"; return 1; }
	done &&
	osb-exec status -h >out2 && test_cmp out out2 &&
	osb-exec "$S" -h >out2 && test_cmp out out2
'

test_expect_success '--version' '
	osb-exec --version >out &&
	grep_q "^osb-exec [0-9][0-9.]*$" out
'

test_expect_success 'usage errors exit 2 and say how to call' '
	expect_code 2 osb-exec &&
	grep_q "^osb-exec: missing SANDBOX$" err &&
	grep_q "^Try .osb-exec --help.\.$" err &&
	expect_code 2 osb-exec "$S" &&
	grep_q "^osb-exec: run: missing COMMAND$" err &&
	grep_q "^usage: osb-exec run SANDBOX " err &&
	expect_code 2 osb-exec "$S" -- &&
	grep_q "^osb-exec: run: missing COMMAND$" err &&
	! test -s out
'

test_expect_success 'unknown options and missing values' '
	expect_code 2 osb-exec --frob "$S" true &&
	grep_q "^osb-exec: unknown option .--frob.$" err &&
	expect_code 2 osb-exec "$S" --timeout &&
	grep_q "^osb-exec: option .--timeout. needs a value$" err
'

test_expect_success 'bad option values' '
	expect_code 2 osb-exec --timeout 5x "$S" true &&
	grep_q "^osb-exec: --timeout: not a duration: .5x." err &&
	expect_code 2 osb-exec -e NOEQUALS "$S" true &&
	grep_q "^osb-exec: -e: expected KEY=VALUE, got .NOEQUALS.$" err &&
	expect_code 2 osb-exec -e =x "$S" true &&
	expect_code 2 osb-exec -u bob "$S" true &&
	grep_q "^osb-exec: -u: expected a numeric UID\[:GID\], got .bob.$" err &&
	expect_code 2 osb-exec -u 1:x "$S" true &&
	expect_code 2 osb-exec -o xml "$S" true &&
	grep_q "^osb-exec: --output: unknown format .xml. (table, json or yaml)$" err &&
	expect_code 2 osb-exec --request-timeout soon "$S" true &&
	expect_code 2 osb-exec --protocol gopher "$S" true
'

test_expect_success 'operands: missing, too many; options that do not apply' '
	expect_code 2 osb-exec status "$S" &&
	grep_q "^osb-exec: status: missing ID$" err &&
	grep_q "^usage: osb-exec status SANDBOX ID$" err &&
	expect_code 2 osb-exec status "$S" a b &&
	grep_q "^osb-exec: status: too many operands: .b.$" err &&
	expect_code 2 osb-exec logs "$S" &&
	expect_code 2 osb-exec interrupt &&
	grep_q "^osb-exec: interrupt: missing SANDBOX$" err &&
	expect_code 2 osb-exec status -d "$S" id &&
	grep_q "^osb-exec: status: -d/--background does not apply$" err &&
	expect_code 2 osb-exec -f "$S" true &&
	grep_q "^osb-exec: run: -f/--follow does not apply$" err
'

test_expect_success 'global options before or after the subcommand' '
	id=$(osb-exec -d "$S" true) &&
	osb-exec -o json status "$S" "$id" >a &&
	osb-exec status -o json "$S" "$id" >b &&
	osb-exec status "$S" "$id" -o json >c &&
	test_cmp a b && test_cmp a c &&
	grep_q "\"id\": \"$id\"" a
'

test_expect_success 'server down: 125, the message names the URL' '
	port=$(free_port) &&
	expect_code 125 osb-exec "http://127.0.0.1:$port" -- true &&
	stderr_is "osb-exec: run: cannot connect: connection refused (http://127.0.0.1:$port)" &&
	expect_code 125 osb-exec "127.0.0.1:$port" true &&
	grep_q "^osb-exec: run: .*(http://127.0.0.1:$port)$" err &&
	expect_code 1 osb-exec status "127.0.0.1:$port" id &&
	grep_q "^osb-exec: status id: .*(http://127.0.0.1:$port)$" err
'

test_expect_success 'no token when one is needed: 125, and how to give one' '
	OSB_EXECD_TOKEN= expect_code 125 osb-exec "$S" -- echo no &&
	cat >expect <<-EOF &&
	osb-exec: run: missing or invalid X-EXECD-ACCESS-TOKEN (401 UNAUTHORIZED)
	osb-exec: $S wants an access token: give it with --execd-token or OSB_EXECD_TOKEN
	EOF
	test_cmp expect err && ! test -s out
'

test_expect_success 'a wrong token: 125, the server says why' '
	expect_code 125 osb-exec --execd-token wrong "$S" -- echo no &&
	stderr_is "osb-exec: run: missing or invalid X-EXECD-ACCESS-TOKEN (401 UNAUTHORIZED)" &&
	expect_code 1 osb-exec --execd-token wrong status "$S" id &&
	grep_q "(401 UNAUTHORIZED)$" err
'

test_expect_success 'the token from the flag wins over the environment' '
	OSB_EXECD_TOKEN=wrong osb-exec --execd-token sesame "$S" echo yes >out &&
	echo yes >expect && test_cmp expect out
'

test_expect_success 'an unknown sandbox id: said plainly, exit 125 or 1' '
	msg="osb-exec: my-sandbox: no such sandbox (404 SANDBOX_NOT_FOUND)" &&
	expect_code 125 osb-exec my-sandbox -- true &&
	stderr_is "$msg" &&
	expect_code 1 osb-exec status my-sandbox id &&
	stderr_is "$msg"
'

test_expect_success 'a URL the server does not serve: its 404, exit 125' '
	expect_code 125 osb-exec "$S/elsewhere" -- true &&
	grep_q "^osb-exec: run: .*(404 " err
'

# fastapi_errors: a server that answers every request as a FastAPI
# server does an error, 404 with the body that follows in the request path
# (/a: {"detail": {"code", "message"}}, /b: {"detail": "text"}); only the
# real server's error shapes can't be had from osb-execd. Sets FAKE_URL.
fastapi_errors() {
	local port
	port=$(free_port)
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
		    LocalPort => $ARGV[0], Listen => 8, ReuseAddr => 1) or die;
		while (my $c = $s->accept) {
			my $line = <$c>;
			while (my $h = <$c>) { last if $h =~ /^\r?\n$/ }
			my $body = $line =~ m{ /a/} ?
			    q({"detail":{"code":"SANDBOX_NOT_FOUND","message":"Sandbox x not found"}}) :
			    q({"detail":"Not Found"});
			print $c "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n" .
			    "Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
			close $c;
		}' "$port" &
	T_PIDS="$T_PIDS $!"
	FAKE_URL=http://127.0.0.1:$port
	wait_for 50 curl -s -o /dev/null "$FAKE_URL/"
}

test_expect_success 'errors the FastAPI way ({"detail": ...}) are read too' '
	fastapi_errors &&
	expect_code 1 osb-exec status "$FAKE_URL/a" id &&
	stderr_is "osb-exec: status id: Sandbox x not found (404 SANDBOX_NOT_FOUND)" &&
	expect_code 1 osb-exec status "$FAKE_URL/b" id &&
	stderr_is "osb-exec: status id: Not Found"
'

test_done
