# fish completion for osb-code(1): the command (and context's own), the
# sandbox ids, context ids, the global options and the command's own,
# option values, and run's FILE.

# Options that take a value in the next word.
set -g __osb_code_valued -o --output --domain --protocol --api-key \
    --request-timeout --config --execd-token -l --language -c --code \
    --context --save-dir --cwd

# The operands given so far, the command first, without options and their
# values (so that `osb-code -o json <TAB>` still offers commands); fails
# when there are none.
function __osb_code_operands
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    set -l dashdash 0
    set -l operands
    for w in $words
        if test $skip = 1
            set skip 0
        else if test $dashdash = 1
            set -a operands $w
        else if test "$w" = --
            set dashdash 1
        else if contains -- $w $__osb_code_valued
            set skip 1
        else if not string match -q -- '-*' $w
            set -a operands $w
        end
    end
    test (count $operands) -gt 0
    and printf '%s\n' $operands
end

# The command: run, interrupt, "context create"...; fails when there is
# none yet.
function __osb_code_command
    set -l ops (__osb_code_operands)
    or return 1
    switch $ops[1]
        case context
            test (count $ops) -ge 2
            and echo "context $ops[2]"
            or echo context
        case '*'
            echo $ops[1]
    end
end

# The operands after the command's own words (the sandbox first).
function __osb_code_args
    set -l ops (__osb_code_operands)
    or return 0
    if test "$ops[1]" = context
        set -e ops[1..2]
    else
        set -e ops[1]
    end
    printf '%s\n' $ops
end

# True when the command is one of the arguments.
function __osb_code_using
    set -l cmd (__osb_code_command)
    or return 1
    contains -- $cmd $argv
end

# True when the command is one of the arguments (all but the last) and
# it has as many operands after it as the last argument says.
function __osb_code_at
    set -l n $argv[-1]
    set -e argv[-1]
    __osb_code_using $argv
    and test (count (__osb_code_args)) -eq $n
end

# The sandbox ids there are, from `osb-sandbox list -q`: nothing when it
# fails or is missing, and soon: a server that does not answer must not
# hang the shell.
function __osb_code_sandboxes
    command -q osb-sandbox
    and osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
end

# The context ids of the sandbox on the line.
function __osb_code_contexts
    set -l args (__osb_code_args)
    test (count $args) -ge 1
    and osb-code --request-timeout 3 -q context list $args[1] </dev/null 2>/dev/null
end

complete -c osb-code -f

# Commands.
complete -c osb-code -n 'not __osb_code_operands >/dev/null' -a run -d 'Run code, its output streamed here'
complete -c osb-code -n 'not __osb_code_operands >/dev/null' -a context -d 'Create, list, get and remove contexts'
complete -c osb-code -n 'not __osb_code_operands >/dev/null' -a interrupt -d 'Interrupt the code a context runs'
complete -c osb-code -n '__osb_code_using context' -a create -d 'Start a context and print its id'
complete -c osb-code -n '__osb_code_using context' -a list -d 'List the contexts'
complete -c osb-code -n '__osb_code_using context' -a ls -d 'List the contexts (as list)'
complete -c osb-code -n '__osb_code_using context' -a get -d 'Show one context'
complete -c osb-code -n '__osb_code_using context' -a rm -d 'Delete contexts'
complete -c osb-code -n '__osb_code_using context' -a delete -d 'Delete contexts (as rm)'

# Operands: the sandbox, then context ids or run's file.
complete -c osb-code -n '__osb_code_at run interrupt "context create" "context list" "context ls" "context get" "context rm" "context delete" 0' -a '(__osb_code_sandboxes)' -d 'Sandbox'
complete -c osb-code -n '__osb_code_at interrupt "context get" 1; or __osb_code_using "context rm" "context delete"; and test (count (__osb_code_args)) -ge 1' -a '(__osb_code_contexts)' -d 'Context'
complete -c osb-code -n '__osb_code_at run 1' -F

# Global options.
complete -c osb-code -s o -l output -x -a 'table json yaml' -d 'Output format'
complete -c osb-code -l domain -x -d 'Lifecycle server HOST[:PORT]'
complete -c osb-code -l protocol -x -a 'http https' -d 'Lifecycle server protocol'
complete -c osb-code -l api-key -x -d 'Lifecycle API key'
complete -c osb-code -l request-timeout -x -d 'Seconds per request'
complete -c osb-code -l config -r -F -d 'Config file'
complete -c osb-code -l execd-token -x -d 'Execd access token'
complete -c osb-code -s v -l verbose -d 'Trace HTTP requests on stderr'
complete -c osb-code -l no-color -d 'No colour, even on a terminal'
complete -c osb-code -s q -l quiet -d 'Print ids only'
complete -c osb-code -s h -l help -d 'Print help'
complete -c osb-code -l version -d 'Print the version'

# Command options.
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using run "context create" "context list" "context ls" "context rm" "context delete"' -s l -l language -x -a 'python bash' -d 'The language'
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using run' -s c -l code -x -d 'run: the code to run'
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using run' -l context -x -a '(__osb_code_contexts)' -d 'run: in this context'
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using run' -l save-dir -x -a '(__fish_complete_directories)' -d 'run: save results that are not text here'
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using "context create"' -l cwd -x -a '(__fish_complete_directories)' -d 'context create: working directory'
complete -c osb-code -n 'not __osb_code_operands >/dev/null; or __osb_code_using "context rm" "context delete"' -l all -d 'context rm: every context'
