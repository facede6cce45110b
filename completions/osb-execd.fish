# fish completion for osb-execd(8): options only.

complete -c osb-execd -f
complete -c osb-execd -l listen -x -a '127.0.0.1 0.0.0.0 [::1] [::]' -d 'Address to listen on: IP, IP:PORT or [IPv6]:PORT'
complete -c osb-execd -l port -x -d 'Port to listen on (default 44772)'
complete -c osb-execd -l listen-fd -x -d 'Serve on this inherited listening socket'
complete -c osb-execd -l access-token -x -d 'Require X-EXECD-ACCESS-TOKEN on every request'
complete -c osb-execd -l log-level -x -a '0 1 2 3 4 5 6 7' -d '0 emergencies only .. 7 debug (default 6)'
complete -c osb-execd -l graceful-shutdown-timeout -x -d 'How long open streams may run on after SIGTERM'
complete -c osb-execd -l max-client-connections -x -d 'Connections one client address may hold (default 4096)'
complete -c osb-execd -l idle-timeout -x -d 'Close connections idle this long (default 60s)'
complete -c osb-execd -s h -l help -d 'Show help'
complete -c osb-execd -l version -d 'Show the version'
