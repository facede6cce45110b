#!/usr/bin/env bash
# 50 creates, then 50 kills, each from a process of its own, all at once:
# every sandbox is made and listed once, every kill ends one, and the
# state directory is left consistent and empty.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

N=50

test_expect_success "$N creates at once all succeed, each with its own id and address" '
	for i in $(seq $N); do
		osb-sandbox create -q -t 5m -m n=$i >id.$i 2>err.$i &
	done
	wait &&
	cat err.* >errs && ! test -s errs &&
	cat id.* | sort >ids &&
	test $(sort -u ids | wc -l) -eq $N &&
	for i in $(cat ids); do sandbox_runtime "$i" address; done | sort -u >addrs &&
	test $(wc -l <addrs) -eq $N
'

test_expect_success 'the list has each of them once, Running, with its metadata' '
	osb-sandbox list -a -q | sort >listed &&
	test_cmp ids listed &&
	osb-sandbox list -a -o json >all.json &&
	test "$(json_get all.json items)" = $N &&
	perl -MJSON::PP -e "
		my \$d = decode_json(join q(), <STDIN>);
		my %n;
		for (@{\$d->{items}}) {
			\$_->{status}{state} eq q(Running) or die qq(not running\n);
			\$n{\$_->{metadata}{n}}++;
		}
		keys %n == $N or die qq(metadata lost\n);" <all.json
'

test_expect_success 'each answers' '
	for i in $(seq 1 7 $N); do
		osb-exec "$(cat id.$i)" -- echo "$i" >out && test "$(cat out)" = "$i" ||
			return 1
	done
'

test_expect_success "$N kills at once all succeed; nothing is left" '
	for i in $(seq $N); do
		osb-sandbox kill -q "$(cat id.$i)" >kid.$i 2>kerr.$i &
	done
	wait &&
	cat kerr.* >errs && ! test -s errs &&
	cat kid.* | sort >killed && test_cmp ids killed &&
	osb-sandbox list -a -q >out && ! test -s out &&
	test -z "$(ls "$XDG_STATE_HOME/osb" | grep -v "^volumes$\|^runtime$")" &&
	test -z "$(ls "$XDG_STATE_HOME/osb/runtime")" &&
	test -z "$(sandbox_pids)"
'

test_expect_success 'creates and kills interleaved, pauses among them' '
	for i in $(seq 10); do
		osb-sandbox create -q >c.$i 2>e.c.$i &
	done
	wait &&
	for i in $(seq 10); do
		if [ $((i % 2)) = 0 ]; then
			osb-sandbox kill -q "$(cat c.$i)" >/dev/null 2>e.k.$i &
		else
			osb-sandbox pause -q "$(cat c.$i)" >/dev/null 2>e.p.$i &
		fi
		osb-sandbox create -q >d.$i 2>e.d.$i &
	done
	wait &&
	cat e.* >mix.err && test_cmp /dev/null mix.err &&
	osb-sandbox list -a -o json >mix.json &&
	test "$(json_get mix.json items)" = 15 &&
	osb-sandbox list -a -q -s Paused | wc -l >paused &&
	test "$(cat paused)" = 5
'

test_done
