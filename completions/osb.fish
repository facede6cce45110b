# fish completion for osb(1): the global options and the command, then
# `osb config` and `osb help` here. A command that is a program of its own
# (`osb file ...`) is completed by that program's completion, as if
# `osb-file ...` had been typed.

# Options that take a value in the next word.
set -g __osb_valued -o --output --domain --protocol --api-key \
    --request-timeout --config --execd-token

# Where the command word is among the words before the cursor (osb is 1),
# without options and their values; fails when there is none yet.
function __osb_command_index
    set -l words (commandline -opc)
    set -l skip 0
    for i in (seq 2 (count $words))
        if test $skip = 1
            set skip 0
        else if contains -- $words[$i] $__osb_valued
            set skip 1
        else if not string match -q -- '-*' $words[$i]
            echo $i
            return 0
        end
    end
    return 1
end

# The command given, if any.
function __osb_command
    set -l at (__osb_command_index)
    or return 1
    set -l words (commandline -opc)
    echo $words[$at]
end

# The program of command $argv[1]; fails for osb's own commands.
function __osb_program
    switch $argv[1]
        case sandbox
            echo osb-sandbox
        case exec command
            echo osb-exec
        case file
            echo osb-file
        case code
            echo osb-code
        case policy egress
            echo osb-policy
        case '*'
            return 1
    end
end

# True when the command is a program of its own.
function __osb_delegating
    set -l cmd (__osb_command)
    and __osb_program $cmd >/dev/null
end

# What the program's completion offers for the line, as if it had been
# typed without `osb`: the options before the command, then the rest.
function __osb_delegate
    set -l words (commandline -opc)
    set -l at (__osb_command_index)
    or return
    set -l line (__osb_program $words[$at])
    for i in (seq 2 (count $words))
        test $i = $at; or set -a line (string escape -- $words[$i])
    end
    complete -C (string join ' ' -- $line (commandline -ct))
end

# The operands after `config`.
function __osb_config_operands
    set -l words (commandline -opc)
    set -l at (__osb_command_index)
    or return 1
    set -l skip 0
    for i in (seq (math $at + 1) (count $words))
        if test $skip = 1
            set skip 0
        else if contains -- $words[$i] $__osb_valued
            set skip 1
        else if not string match -q -- '-*' $words[$i]
            echo $words[$i]
        end
    end
end

# True when `osb config` has exactly the operands given.
function __osb_config_at
    test "$(__osb_command)" = config
    or return 1
    set -l ops (__osb_config_operands)
    test "$ops" = "$argv"
end

# True when `osb config set KEY` waits for the value of one of the keys.
function __osb_config_value_of
    test "$(__osb_command)" = config
    or return 1
    set -l ops (__osb_config_operands)
    test (count $ops) -eq 2 -a "$ops[1]" = set
    and contains -- $ops[2] $argv
end

complete -c osb -f

# Commands.
complete -c osb -n 'not __osb_command' -a sandbox -d 'Create, list, pause, resume and kill sandboxes'
complete -c osb -n 'not __osb_command' -a exec -d 'Run commands in a sandbox'
complete -c osb -n 'not __osb_command' -a command -d 'Run commands in a sandbox (as exec)'
complete -c osb -n 'not __osb_command' -a file -d 'Move and change files in a sandbox'
complete -c osb -n 'not __osb_command' -a code -d "Run code in a sandbox's interpreters"
complete -c osb -n 'not __osb_command' -a policy -d "A sandbox's network egress policy"
complete -c osb -n 'not __osb_command' -a egress -d "A sandbox's network egress policy (as policy)"
complete -c osb -n 'not __osb_command' -a config -d 'Create, show and change the config file'
complete -c osb -n 'not __osb_command' -a help -d 'Show the help of a command'

# A program's command: its own completion.
complete -c osb -n __osb_delegating -a '(__osb_delegate)'

# help COMMAND.
complete -c osb -n 'test "$(__osb_command)" = help; and test (count (commandline -opc)) -le 2' -a 'sandbox exec command file code policy egress config'

# config and its keys.
complete -c osb -n '__osb_config_at' -a init -d 'Write a config file with every key commented out'
complete -c osb -n '__osb_config_at' -a show -d 'Print the settings in effect, the API key masked'
complete -c osb -n '__osb_config_at' -a set -d 'Set SECTION.KEY to VALUE'
complete -c osb -n '__osb_config_at set' -a 'connection.api_key connection.domain connection.protocol connection.request_timeout connection.use_server_proxy output.format output.color defaults.image defaults.timeout'
complete -c osb -n '__osb_config_value_of connection.protocol' -a 'http https'
complete -c osb -n '__osb_config_value_of output.format' -a 'table json yaml'
complete -c osb -n '__osb_config_value_of output.color connection.use_server_proxy' -a 'true false'
complete -c osb -n 'not __osb_command; or __osb_config_at init' -l force -d 'config init: replace an existing file'

# Global options, before the command and for config.
set -l here 'not __osb_delegating'
complete -c osb -n $here -s o -l output -x -a 'table json yaml' -d 'Output format'
complete -c osb -n $here -l domain -x -d 'Lifecycle server HOST[:PORT]'
complete -c osb -n $here -l protocol -x -a 'http https' -d 'Lifecycle server protocol'
complete -c osb -n $here -l api-key -x -d 'Lifecycle API key'
complete -c osb -n $here -l request-timeout -x -d 'Seconds per request'
complete -c osb -n $here -l config -r -F -d 'Config file'
complete -c osb -n $here -l execd-token -x -d 'Execd access token'
complete -c osb -n $here -s v -l verbose -d 'Trace HTTP requests on stderr'
complete -c osb -n $here -l no-color -d 'No colour, even on a terminal'
complete -c osb -n $here -s q -l quiet -d 'Print ids only'
complete -c osb -n $here -s h -l help -d 'Print help'
complete -c osb -n $here -l version -d 'Print the version'
