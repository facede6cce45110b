# fish completion for osb-file(1): the command, the sandbox ids, the global
# options and the command's own, option values, and local paths for upload
# and download.
# Remote paths are not completed: that would mean a request per keystroke.

# Options that take a value in the next word.
set -g __osb_file_valued -o --output --domain --protocol --api-key \
    --request-timeout --config --execd-token -c --content -m --mode \
    --owner --group --old --new -d --depth

# The operands given so far, the command first, without options and their
# values (so that `osb-file -o json <TAB>` still offers commands); fails
# when there are none.
function __osb_file_operands
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
        else if contains -- $w $__osb_file_valued
            set skip 1
        else if not string match -q -- '-*' $w
            set -a operands $w
        end
    end
    test (count $operands) -gt 0
    and printf '%s\n' $operands
end

# The command given so far (the first operand); fails when there is none.
function __osb_file_command
    set -l operands (__osb_file_operands)
    or return 1
    echo $operands[1]
end

# True when the command is one of the arguments.
function __osb_file_using
    set -l cmd (__osb_file_command)
    or return 1
    contains -- $cmd $argv
end

# How many operands follow the command (the sandbox is the first).
function __osb_file_nargs
    set -l operands (__osb_file_operands)
    math (count $operands) - 1
end

# The sandbox ids there are, from `osb-sandbox list -q`: nothing when it
# fails or is missing, and soon: a server that does not answer must not
# hang the shell.
function __osb_file_sandboxes
    command -q osb-sandbox
    and osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
end

complete -c osb-file -f
complete -c osb-file -n '__osb_file_command; and test (__osb_file_nargs) -eq 0' -a '(__osb_file_sandboxes)' -d 'Sandbox'

# Commands.
complete -c osb-file -n 'not __osb_file_command' -a cat -d 'Write files to stdout'
complete -c osb-file -n 'not __osb_file_command' -a write -d 'Write text or stdin to a file'
complete -c osb-file -n 'not __osb_file_command' -a upload -d 'Copy files and directories in'
complete -c osb-file -n 'not __osb_file_command' -a download -d 'Copy a file out'
complete -c osb-file -n 'not __osb_file_command' -a rm -d 'Remove files'
complete -c osb-file -n 'not __osb_file_command' -a mv -d 'Rename or move a file'
complete -c osb-file -n 'not __osb_file_command' -a mkdir -d 'Create directories'
complete -c osb-file -n 'not __osb_file_command' -a rmdir -d 'Remove directories and all they hold'
complete -c osb-file -n 'not __osb_file_command' -a ls -d 'List a directory'
complete -c osb-file -n 'not __osb_file_command' -a search -d 'Find files by glob pattern'
complete -c osb-file -n 'not __osb_file_command' -a stat -d 'Show type, size, mode, owner, times'
complete -c osb-file -n 'not __osb_file_command' -a chmod -d 'Set mode, owner and group'
complete -c osb-file -n 'not __osb_file_command' -a replace -d 'Replace text in files'

# Global options.
complete -c osb-file -s o -l output -x -a 'table json yaml' -d 'Output format'
complete -c osb-file -l domain -x -d 'Lifecycle server HOST[:PORT]'
complete -c osb-file -l protocol -x -a 'http https' -d 'Lifecycle server protocol'
complete -c osb-file -l api-key -x -d 'Lifecycle API key'
complete -c osb-file -l request-timeout -x -d 'Seconds per request'
complete -c osb-file -l config -r -F -d 'Config file'
complete -c osb-file -l execd-token -x -d 'Execd access token'
complete -c osb-file -s v -l verbose -d 'Trace HTTP requests on stderr'
complete -c osb-file -l no-color -d 'No colour, even on a terminal'
complete -c osb-file -s q -l quiet -d 'Print ids only'
complete -c osb-file -s h -l help -d 'Print help'
complete -c osb-file -l version -d 'Print the version'

# Command options.
complete -c osb-file -n '__osb_file_using write; or not __osb_file_command' -s c -l content -x -d 'write: the content (default: stdin)'
complete -c osb-file -n '__osb_file_using write mkdir; or not __osb_file_command' -s m -l mode -x -d 'write, mkdir: octal permission bits'
complete -c osb-file -n '__osb_file_using write chmod; or not __osb_file_command' -l owner -x -a '(__fish_complete_users)' -d 'write, chmod: owner'
complete -c osb-file -n '__osb_file_using write chmod; or not __osb_file_command' -l group -x -a '(__fish_complete_groups)' -d 'write, chmod: group'
complete -c osb-file -n '__osb_file_using mkdir; or not __osb_file_command' -s p -l parents -d 'mkdir: make missing parents'
complete -c osb-file -n '__osb_file_using download; or not __osb_file_command' -s C -l continue -d 'download: resume a partial copy an earlier -C left'
complete -c osb-file -n '__osb_file_using ls; or not __osb_file_command' -s l -l long -d 'ls: long listing'
complete -c osb-file -n '__osb_file_using ls; or not __osb_file_command' -s d -l depth -x -d 'ls: descend N levels'
complete -c osb-file -n '__osb_file_using replace; or not __osb_file_command' -l old -x -d 'replace: the text to replace'
complete -c osb-file -n '__osb_file_using replace; or not __osb_file_command' -l new -x -d 'replace: what replaces it'

# Local paths: upload's sources (after the sandbox), download's destination.
complete -c osb-file -n '__osb_file_using upload; and test (__osb_file_nargs) -ge 1' -F
complete -c osb-file -n '__osb_file_using download; and test (__osb_file_nargs) -eq 2' -F
