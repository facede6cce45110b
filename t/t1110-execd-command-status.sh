#!/usr/bin/env bash
# osb-execd: background commands, status, logs with a cursor, interrupt,
# and what SIGTERM does to commands still running.
. "$(dirname "$0")/lib.sh"

# json KEY VALUE...: a JSON object of those members; VALUE is a string, or
# JSON as it is when written =JSON (=300, =true, ={"A":"b"}).
json() {
	perl -MJSON::PP -e '
		my $j = JSON::PP->new->allow_nonref->canonical;
		my %o;
		while (my ($k, $v) = splice @ARGV, 0, 2) {
			$o{$k} = $v =~ /^=(.*)/s ? $j->decode($1) : $v;
		}
		print $j->encode(\%o);' "$@"
}

# ev FILE types | text TYPE | error: event types in order, the joined text
# of the TYPE events, or "ename evalue traceback" of error events.
ev() {
	perl -MJSON::PP -e '
		my ($file, $mode, $arg) = @ARGV;
		my $json = JSON::PP->new->utf8;
		binmode STDOUT, ":utf8";
		open my $fh, "<", $file or die "$file: $!\n";
		while (<$fh>) {
			next unless s/^data: //;
			my $e = $json->decode($_);
			my $t = $e->{type};
			if ($mode eq "types") {
				print "$t\n";
			} elsif ($mode eq "text") {
				print $e->{text} if $t eq $arg;
			} elsif ($mode eq "error" && $t eq "error") {
				my $r = $e->{error};
				print "$r->{ename} $r->{evalue} ",
				    join("|", @{$r->{traceback}}), "\n";
			}
		}' "$@"
}

# field NAME: member NAME of the JSON object in ./body ("null" for null).
field() {
	perl -MJSON::PP -e '
		local $/; open my $fh, "<", "body" or die;
		my $v = decode_json(<$fh>)->{$ARGV[0]};
		print defined $v ? (ref $v ? ($v ? "true" : "false") : $v) :
		    "null", "\n";' "$1"
}

# stream FILE KEY VALUE...: POST /command with json KEY VALUE..., the
# stream to FILE.
stream() {
	local file=$1
	shift
	curl -sN -o "$file" -d "$(json "$@")" "$EXECD_URL/command"
}

# bg COMMAND [KEY VALUE...]: start it in the background, in $TMP; its id
# in $id.
bg() {
	stream bg.out command "$@" background =true cwd "$TMP" &&
	id=$(ev bg.out text init)
}

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
RFC3339=$RFC3339'(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

start_execd

test_expect_success 'background: init then execution_complete at once' '
	start=$(date +%s) &&
	bg "sleep 2; echo late" &&
	test $(($(date +%s) - start)) -lt 2 &&
	printf "init\nexecution_complete\n" >expect &&
	ev bg.out types >actual && test_cmp expect actual &&
	echo "$id" | grep -qE "^[0-9a-f]{32}$"
'

test_expect_success 'status while running: running, no exit code, no finish' '
	test "$(api GET "/command/status/$id")" = 200 &&
	test "$(field id)" = "$id" &&
	test "$(field content)" = "sleep 2; echo late" &&
	test "$(field running)" = true &&
	test "$(field exit_code)" = null &&
	test "$(field finished_at)" = null &&
	field started_at | grep -qE "$RFC3339"
'

test_expect_success 'status once finished: exit code and times' '
	bg "echo out; echo err >&2; exit 4" &&
	sleep 0.3 &&
	test "$(api GET "/command/status/$id")" = 200 &&
	test "$(field running)" = false &&
	test "$(field exit_code)" = 4 &&
	test "$(field error)" = "exit status 4" &&
	field finished_at | grep -qE "$RFC3339"
'

test_expect_success 'logs: stdout and stderr in one, the cursor in a header' '
	curl -s -D headers -o log "$EXECD_URL/command/$id/logs" &&
	printf "out\nerr\n" >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers &&
	grep_q "^Content-Type: text/plain; charset=utf-8" headers
'

test_expect_success 'logs?cursor=N: what came after N, and where it ends' '
	curl -s -D headers -o log "$EXECD_URL/command/$id/logs?cursor=4" &&
	echo err >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers &&
	curl -s -D headers -o log "$EXECD_URL/command/$id/logs?cursor=8" &&
	test ! -s log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 8" headers
'

test_expect_success 'logs: a cursor past the end: nothing, and itself back' '
	curl -s -D headers -o log "$EXECD_URL/command/$id/logs?cursor=100" &&
	test ! -s log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 100" headers
'

test_expect_success 'logs: a cursor that is no number reads from the start' '
	curl -s -o log "$EXECD_URL/command/$id/logs?cursor=abc" &&
	printf "out\nerr\n" >expect && test_cmp expect log
'

test_expect_success 'logs: a negative cursor is 400' '
	test "$(api GET "/command/$id/logs?cursor=-1")" = 400 &&
	grep_q "\"code\":\"INVALID_REQUEST_BODY\"" body &&
	grep_q "invalid cursor -1" body
'

test_expect_success 'logs follow a running command' '
	bg "echo one; sleep 0.6; echo two" &&
	sleep 0.3 &&
	curl -s -D headers -o log "$EXECD_URL/command/$id/logs" &&
	echo one >expect && test_cmp expect log &&
	grep_q "^EXECD-COMMANDS-TAIL-CURSOR: 4" headers &&
	sleep 0.6 &&
	curl -s -o log "$EXECD_URL/command/$id/logs?cursor=4" &&
	echo two >expect && test_cmp expect log
'

test_expect_success 'logs of an unknown id: 400 command not found' '
	test "$(api GET /command/nosuchid/logs)" = 400 &&
	grep_q "\"code\":\"INVALID_REQUEST_BODY\"" body &&
	grep_q "command not found: nosuchid" body
'

test_expect_success 'logs of a foreground command: 400 not in background' '
	stream fg.out command "echo fg" &&
	fid=$(ev fg.out text init) &&
	test "$(api GET "/command/$fid/logs")" = 400 &&
	grep_q "command $fid is not running in background" body &&
	test "$(api GET "/command/status/$fid")" = 200 &&
	test "$(field exit_code)" = 0
'

test_expect_success 'status of an unknown id: 404' '
	test "$(api GET /command/status/nosuchid)" = 404 &&
	grep_q "command not found: nosuchid" body
'

test_expect_success 'a background command is killed at its timeout' '
	bg "sleep 30" timeout =200 &&
	sleep 0.6 &&
	test "$(api GET "/command/status/$id")" = 200 &&
	test "$(field running)" = false &&
	test "$(field exit_code)" = -1 &&
	test "$(field error)" = "signal: killed"
'

test_expect_success 'interrupt: SIGINT ends it and what it left in its group' '
	stream int.out command "sleep 30 & echo \$! >left.pid; sleep 30" \
		cwd "$TMP" &
	pid=$! &&
	sleep 0.3 &&
	id=$(ev int.out text init) &&
	start=$(date +%s) &&
	test "$(api DELETE "/command?id=$id")" = 200 &&
	test ! -s body &&
	test $(($(date +%s) - start)) -lt 2 &&
	wait $pid &&
	echo "CommandExecError -1 signal: interrupt" >expect &&
	ev int.out error >actual && test_cmp expect actual &&
	t_wait_gone "$(cat left.pid)" 20 &&
	test "$(api GET "/command/status/$id")" = 200 &&
	test "$(field running)" = false
'

test_expect_success 'interrupt: SIGTERM when SIGINT is not enough' '
	bg "trap \"\" INT; sleep 30" &&
	sleep 0.2 &&
	test "$(api DELETE "/command?id=$id")" = 200 &&
	test "$(api GET "/command/status/$id")" = 200 &&
	test "$(field running)" = false &&
	test "$(field error)" = "signal: terminated"
'

test_expect_success 'interrupt: no id is 400, unknown 404, finished 409' '
	test "$(api DELETE /command)" = 400 &&
	grep_q "\"code\":\"MISSING_QUERY\"" body &&
	test "$(api DELETE "/command?id=nosuchid")" = 404 &&
	grep_q "command not found: nosuchid" body &&
	test "$(api DELETE "/command?id=$id")" = 409 &&
	grep_q "command $id is not running" body
'

test_expect_success 'only the latest 128 finished commands are kept' '
	stream first.out command true &&
	first=$(ev first.out text init) &&
	test "$(api GET "/command/status/$first")" = 200 &&
	(for i in $(seq 127); do
		stream /dev/null command true || exit 1
	done) &&
	test "$(api GET "/command/status/$first")" = 200 &&
	stream /dev/null command true &&
	test "$(api GET "/command/status/$first")" = 404
'

test_expect_success 'SIGTERM to the daemon ends the commands still running' '
	bg "echo \$\$ >cmd.pid; exec sleep 30" &&
	sleep 0.3 &&
	kill -0 "$(cat cmd.pid)" &&
	stop_execd &&
	t_wait_gone "$(cat cmd.pid)" 20
'

test_done
