#!/usr/bin/perl
# many-commands.pl PORT COUNT COMMAND SECONDS: POST /command COMMAND to
# osb-execd on 127.0.0.1:PORT over COUNT connections at once (HTTP/1.0:
# each stream ends with its connection), read every stream to its end
# (SECONDS at most), and print "streams N complete C output-lines L
# ms T": C streams that ended with execution_complete, L stdout events
# whose text is "done" (line-framed, as the Go execd) in all, T the
# milliseconds it all took.
use strict;
use warnings;
use Socket;
use IO::Select;
use Time::HiRes qw(time);

my ($port, $count, $command, $seconds) = @ARGV;
(my $json = $command) =~ s/(["\\])/\\$1/g;
my $body = "{\"command\":\"$json\"}";
my $req = "POST /command HTTP/1.0\r\nContent-Type: application/json\r\n" .
    "Content-Length: " . length($body) . "\r\n\r\n$body";
my $sel = IO::Select->new;
my %got;
my $t0 = time;

for (1 .. $count) {
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	connect($s, sockaddr_in($port, inet_aton("127.0.0.1")))
	    or die "connect: $!\n";
	syswrite($s, $req) == length($req) or die "write: $!\n";
	$sel->add($s);
	$got{fileno $s} = "";
}
my ($complete, $lines) = (0, 0);
my $end = time + $seconds;
while ($sel->count && time < $end) {
	for my $s ($sel->can_read(0.1)) {
		my $n = sysread($s, my $buf, 65536);
		if (defined $n && $n > 0) {
			$got{fileno $s} .= $buf;
			next;
		}
		my $text = delete $got{fileno $s};
		$complete++ if $text =~ /^data: \{"type":"execution_complete"/m;
		$lines++ while $text =~ /"type":"stdout","text":"done"/g;
		$sel->remove($s);
		close $s;
	}
}
printf "streams %d complete %d output-lines %d ms %d\n", $count, $complete,
    $lines, (time - $t0) * 1000;
