# fish completion for osb-exec(1): the subcommand (and session's own), the
# sandbox ids, the global options and the subcommand's, and option values.
# The remote command's words are its own: nothing is offered for them.

# Options that take a value in the next word.
set -g __osb_exec_valued -o --output --domain --protocol --api-key \
    --request-timeout --config --execd-token -w --workdir --cwd -e --env \
    --timeout -u --user --cursor

# The operands given so far, without options and their values (so that
# `osb-exec -o json <TAB>` still offers subcommands); fails when there are
# none, or when a `--` has handed the rest to the remote command.
function __osb_exec_operands
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    set -l operands
    for w in $words
        if test $skip = 1
            set skip 0
        else if test "$w" = --
            return 1
        else if contains -- $w $__osb_exec_valued
            set skip 1
        else if not string match -q -- '-*' $w
            set -a operands $w
        end
    end
    test (count $operands) -gt 0
    and printf '%s\n' $operands
end

# The subcommand: run, status, logs, interrupt, "session create"...;
# a plain run (the first operand is the sandbox) is "run". Fails when
# there is no operand yet.
function __osb_exec_subcommand
    set -l ops (__osb_exec_operands)
    or return 1
    switch $ops[1]
        case run status logs interrupt
            echo $ops[1]
        case session
            echo "session $ops[2]"
        case '*'
            echo run
    end
end

# True when the remote command has begun: after `--`, or once the
# subcommand's own operands are all there.
function __osb_exec_in_command
    contains -- -- (commandline -opc)
    and return 0
    set -l ops (__osb_exec_operands)
    or return 1
    switch $ops[1]
        case run
            test (count $ops) -gt 2
        case session
            test "$ops[2]" = run -a (count $ops) -gt 4
        case status logs interrupt
            false
        case '*'
            test (count $ops) -gt 1
    end
end

# True when the subcommand is one of the arguments and the remote command
# has not begun.
function __osb_exec_using
    set -l sub (__osb_exec_subcommand)
    or return 1
    contains -- $sub $argv
    and not __osb_exec_in_command
end

# No operand yet (and no `--`): the subcommands are offered.
function __osb_exec_needs_subcommand
    not contains -- -- (commandline -opc)
    and not __osb_exec_operands >/dev/null
end

# Just "session": its subcommands are offered.
function __osb_exec_needs_session_command
    set -l ops (__osb_exec_operands)
    or return 1
    test (count $ops) -eq 1 -a "$ops[1]" = session
end

# True where SANDBOX goes: first of all (a plain run), or after the
# subcommand's words.
function __osb_exec_needs_sandbox
    not contains -- -- (commandline -opc)
    or return 1
    set -l ops (__osb_exec_operands)
    or return 0
    switch "$ops[1]:"(count $ops)
        case run:1 status:1 logs:1 interrupt:1 session:2
            return 0
    end
    return 1
end

# The sandbox ids there are, from `osb-sandbox list -q`: nothing when it
# fails or is missing, and soon: a server that does not answer must not
# hang the shell.
function __osb_exec_sandboxes
    command -q osb-sandbox
    and osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
end

complete -c osb-exec -f
complete -c osb-exec -n __osb_exec_needs_sandbox -a '(__osb_exec_sandboxes)' -d 'Sandbox'

# Subcommands.
complete -c osb-exec -n __osb_exec_needs_subcommand -a run -d 'Run a command (the default)'
complete -c osb-exec -n __osb_exec_needs_subcommand -a status -d 'Show whether a command runs and how it ended'
complete -c osb-exec -n __osb_exec_needs_subcommand -a logs -d 'Print the output of a background command'
complete -c osb-exec -n __osb_exec_needs_subcommand -a interrupt -d 'Interrupt a running command'
complete -c osb-exec -n __osb_exec_needs_subcommand -a session -d 'Bash sessions that keep their state'
complete -c osb-exec -n __osb_exec_needs_session_command -a create -d 'Start a bash session and print its id'
complete -c osb-exec -n __osb_exec_needs_session_command -a run -d 'Run a command in a session'
complete -c osb-exec -n __osb_exec_needs_session_command -a rm -d 'End a session'
complete -c osb-exec -n __osb_exec_needs_session_command -a delete -d 'End a session (as rm)'

# Global options.
complete -c osb-exec -n 'not __osb_exec_in_command' -s o -l output -x -a 'table json yaml' -d 'Output format'
complete -c osb-exec -n 'not __osb_exec_in_command' -l domain -x -d 'Lifecycle server HOST[:PORT]'
complete -c osb-exec -n 'not __osb_exec_in_command' -l protocol -x -a 'http https' -d 'Lifecycle server protocol'
complete -c osb-exec -n 'not __osb_exec_in_command' -l api-key -x -d 'Lifecycle API key'
complete -c osb-exec -n 'not __osb_exec_in_command' -l request-timeout -x -d 'Seconds per request'
complete -c osb-exec -n 'not __osb_exec_in_command' -l config -r -F -d 'Config file'
complete -c osb-exec -n 'not __osb_exec_in_command' -l execd-token -x -d 'Execd access token'
complete -c osb-exec -n 'not __osb_exec_in_command' -s v -l verbose -d 'Trace HTTP requests on stderr'
complete -c osb-exec -n 'not __osb_exec_in_command' -l no-color -d 'No colour, even on a terminal'
complete -c osb-exec -n 'not __osb_exec_in_command' -s q -l quiet -d 'Print ids only'
complete -c osb-exec -n 'not __osb_exec_in_command' -s h -l help -d 'Print help'
complete -c osb-exec -n 'not __osb_exec_in_command' -l version -d 'Print the version'

# Subcommand options.
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run' -s d -l background -d 'run: start the command and print its id'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run "session create" "session run"' -s w -l workdir -x -d 'Working directory'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run "session create" "session run"' -l cwd -x -d 'Working directory (as --workdir)'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run' -s e -l env -x -a '(set -xn)=' -d 'run: set a variable KEY=VALUE'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run' -s i -l interactive -d 'run: forward stdin until its end'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run' -s t -l tty -d 'run: on a terminal (-it: ours, raw)'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run "session run"' -l timeout -x -d 'Kill the command after a duration'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using run' -s u -l user -x -d 'run: as this numeric UID[:GID]'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using logs' -l cursor -x -d 'logs: start at this cursor'
complete -c osb-exec -n '__osb_exec_needs_subcommand; or __osb_exec_using logs' -s f -l follow -d 'logs: keep printing until the command ends'
