# fish completion for osb-sandbox(1): the subcommand, the sandbox ids, the
# global options and the subcommand's, and option values.

# Options that take a value in the next word.
set -g __osb_sandbox_valued -o --output --domain --protocol --api-key \
    --request-timeout --config --execd-token -i --image -t --timeout -e --env \
    -m --metadata --resource --entrypoint --network-policy-file \
    --volumes-file --extension --ready-timeout --image-auth-username \
    --image-auth-password -s --state --page --page-size -p --port \
    --resume-timeout --listen --allow-host-path --allow-image-path --runtime \
    --advertise --max-client-connections --idle-timeout

# The subcommand given so far (options and their values aside); fails
# when there is none yet.
function __osb_sandbox_subcommand
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
        else if contains -- $w $__osb_sandbox_valued
            set skip 1
        else if not string match -q -- '-*' $w
            echo $w
            return 0
        end
    end
    return 1
end

# No subcommand yet: the subcommands are offered.
function __osb_sandbox_needs_subcommand
    not __osb_sandbox_subcommand >/dev/null
end

# True when the subcommand is one of the arguments (or there is none yet,
# where every option may still come).
function __osb_sandbox_using
    set -l sub (__osb_sandbox_subcommand)
    or return 0
    contains -- $sub $argv
end

# The sandbox ids there are, from `osb-sandbox list -a -q`: nothing when
# it fails, and soon: a server that does not answer must not hang the
# shell.
function __osb_sandbox_ids
    command -q osb-sandbox
    and osb-sandbox --request-timeout 3 list -a -q </dev/null 2>/dev/null
end

complete -c osb-sandbox -f
complete -c osb-sandbox -n '__osb_sandbox_subcommand >/dev/null; and __osb_sandbox_using get kill pause resume renew endpoint health metrics' -a '(__osb_sandbox_ids)' -d 'Sandbox'

# Subcommands.
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a create -d 'Create a sandbox and wait until it runs'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a list -d 'List sandboxes'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a ls -d 'List sandboxes (as list)'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a get -d 'Show a sandbox'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a kill -d 'Terminate sandboxes'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a pause -d 'Freeze a running sandbox'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a resume -d 'Thaw a paused sandbox'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a renew -d 'Move the expiry of a sandbox'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a endpoint -d 'Show where a port of a sandbox is reached'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a health -d 'Say whether a sandbox answers'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a metrics -d 'Show the CPU and memory of a sandbox'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a image -d 'Manage the cache of registry images'
complete -c osb-sandbox -n __osb_sandbox_needs_subcommand -a serve -d 'Serve the lifecycle API for local sandboxes'

# image's actions, then the cached images for rm.
function __osb_sandbox_image_action
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test $words[-1] = image
end
complete -c osb-sandbox -n __osb_sandbox_image_action -a pull -d 'Pull an image into the cache'
complete -c osb-sandbox -n __osb_sandbox_image_action -a ls -d 'List the cached images'
complete -c osb-sandbox -n __osb_sandbox_image_action -a rm -d 'Forget cached images'
complete -c osb-sandbox -n __osb_sandbox_image_action -a prune -d 'Remove what no image or sandbox uses'
complete -c osb-sandbox -n 'string match -q -- "* image rm *" (commandline -pc)' -a '(osb-sandbox image ls -q </dev/null 2>/dev/null)' -d 'Image'

# Global options.
complete -c osb-sandbox -s o -l output -x -a 'table json yaml' -d 'Output format'
complete -c osb-sandbox -l domain -x -d 'Lifecycle server HOST[:PORT]'
complete -c osb-sandbox -l protocol -x -a 'http https' -d 'Lifecycle server protocol'
complete -c osb-sandbox -l api-key -x -d 'Lifecycle API key'
complete -c osb-sandbox -l request-timeout -x -d 'Seconds per request'
complete -c osb-sandbox -l config -r -F -d 'Config file'
complete -c osb-sandbox -l execd-token -x -d 'Execd access token'
complete -c osb-sandbox -s v -l verbose -d 'Trace HTTP requests on stderr'
complete -c osb-sandbox -l no-color -d 'No colour, even on a terminal'
complete -c osb-sandbox -s q -l quiet -d 'Print ids only'
complete -c osb-sandbox -s h -l help -d 'Print help'
complete -c osb-sandbox -l version -d 'Print the version'

# Subcommand options.
complete -c osb-sandbox -n '__osb_sandbox_using create' -s i -l image -r -a '(__fish_complete_directories)' -d 'Rootfs directory, or an image name'
complete -c osb-sandbox -n '__osb_sandbox_using create renew' -s t -l timeout -x -a '10m 30m 1h 2h none' -d 'Lifetime'
complete -c osb-sandbox -n '__osb_sandbox_using create' -s e -l env -x -a '(set -xn)=' -d 'Environment variable KEY=VALUE'
complete -c osb-sandbox -n '__osb_sandbox_using create list ls' -s m -l metadata -x -d 'Metadata KEY=VALUE'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l resource -x -a 'cpu= memory= pids=' -d 'Resource limit KEY=VALUE'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l entrypoint -x -d 'Entrypoint argv item'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l network-policy-file -r -F -d 'Network policy JSON'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l volumes-file -r -F -d 'Volumes JSON'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l extension -x -d 'Extension parameter KEY=VALUE'
complete -c osb-sandbox -n '__osb_sandbox_using create resume' -l skip-health-check -d 'Do not wait for the execd'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l ready-timeout -x -d 'How long to wait for the sandbox'
complete -c osb-sandbox -n '__osb_sandbox_using create image' -l image-auth-username -x -d 'Registry user'
complete -c osb-sandbox -n '__osb_sandbox_using create image' -l image-auth-password -x -d 'Registry password'
complete -c osb-sandbox -n '__osb_sandbox_using create' -l credential-proxy -d 'Credential vault proxy'
complete -c osb-sandbox -n '__osb_sandbox_using list ls' -s s -l state -x -a 'Pending Running Pausing Paused Resuming Stopping Terminated Failed' -d 'Only this state'
complete -c osb-sandbox -n '__osb_sandbox_using list ls' -l page -x -d 'Page number'
complete -c osb-sandbox -n '__osb_sandbox_using list ls' -l page-size -x -d 'Sandboxes per page'
complete -c osb-sandbox -n '__osb_sandbox_using list ls kill' -s a -l all -d 'Every page; kill: every sandbox'
complete -c osb-sandbox -n '__osb_sandbox_using endpoint' -s p -l port -x -a 44772 -d 'Port of the sandbox'
complete -c osb-sandbox -n '__osb_sandbox_using metrics' -l watch -d 'A line per second until interrupted'
complete -c osb-sandbox -n '__osb_sandbox_using resume' -l resume-timeout -x -d 'How long to wait for the execd'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l listen -x -d 'Address to listen on ADDR:PORT'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l allow-host-path -x -a '(__fish_complete_directories)' -d 'Host volumes may come from under DIR'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l allow-image-path -x -a '(__fish_complete_directories)' -d 'Rootfs images may come from under DIR'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l runtime -x -a 'runc crun runsc' -d 'OCI runtime of the sandboxes'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l advertise -x -d 'Address proxy endpoints name HOST:PORT'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l max-client-connections -x -d 'Connections one client address may hold (default 4096)'
complete -c osb-sandbox -n '__osb_sandbox_using serve' -l idle-timeout -x -d 'Close connections idle this long (default 60s)'
