#!/usr/bin/perl
# hold-connections.pl FROM PORT COUNT SECONDS [SEND]: open COUNT TCP
# connections from address FROM to 127.0.0.1:PORT, send SEND (\r \n
# escapes; default nothing) on each, and hold them open for SECONDS at
# most, or until the server has closed them all. Writes ./conns.state
# ("connected N closed M", M rising as the server closes them), rewritten
# each 50 ms, and prints it last.
use strict;
use warnings;
use Socket;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($from, $port, $count, $seconds, $send) = @ARGV;
$send = defined $send ? $send : "";
$send =~ s/\\r/\r/g;
$send =~ s/\\n/\n/g;
my $sel = IO::Select->new;
my ($connected, $closed) = (0, 0);

sub state {
	open(my $f, ">", "conns.state.new") or die "conns.state: $!\n";
	print $f "connected $connected closed $closed\n";
	close $f;
	rename "conns.state.new", "conns.state";
}

for (1 .. $count) {
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	bind($s, sockaddr_in(0, inet_aton($from))) or die "bind $from: $!\n";
	connect($s, sockaddr_in($port, inet_aton("127.0.0.1")))
	    or die "connect: $!\n";
	syswrite($s, $send) if length $send;
	$sel->add($s);
	$connected++;
}
state();
my $end = time + $seconds;
while ($sel->count && time < $end) {
	for my $s ($sel->can_read(0.05)) {
		my $n = sysread($s, my $buf, 4096);
		next if defined $n && $n > 0;
		$sel->remove($s);
		close $s;
		$closed++;
	}
	state();
}
print "connected $connected closed $closed\n";
