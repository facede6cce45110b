# fish completion for osb-policy(1): the command, the sandbox ids, for rm
# the targets of the sandbox's policy, the global options and values.

function __osb_policy_operands
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
        else if contains -- $w -o --output --domain --protocol --api-key \
                --request-timeout --config --execd-token
            set skip 1
        else if not string match -q -- '-*' $w
            echo $w
        end
    end
end

function __osb_policy_count
    test (count (__osb_policy_operands)) -eq $argv[1]
end

function __osb_policy_targets
    set -l ops (__osb_policy_operands)
    test "$ops[1]" = rm; and test (count $ops) -ge 2; or return
    osb-policy --request-timeout 3 -o json get $ops[2] 2>/dev/null |
        string replace -rf '^ *"target": "(.*)",?$' '$1'
end

complete -c osb-policy -f
complete -c osb-policy -n '__osb_policy_count 0' -a get -d 'the enforced policy'
complete -c osb-policy -n '__osb_policy_count 0' -a allow -d 'allow targets'
complete -c osb-policy -n '__osb_policy_count 0' -a deny -d 'deny targets'
complete -c osb-policy -n '__osb_policy_count 0' -a patch -d 'the same as allow'
complete -c osb-policy -n '__osb_policy_count 0' -a rm -d 'remove the rules of targets'
complete -c osb-policy -n '__osb_policy_count 0' -a check -d 'which rule a name meets'
complete -c osb-policy -n '__osb_policy_count 1' \
    -a '(osb-sandbox --request-timeout 3 list -q 2>/dev/null)' -d sandbox
complete -c osb-policy -a '(__osb_policy_targets)' -d target
complete -c osb-policy -s o -l output -x -a 'table json yaml' -d 'output format'
complete -c osb-policy -l domain -x -d 'lifecycle server'
complete -c osb-policy -l protocol -x -a 'http https' -d 'lifecycle server protocol'
complete -c osb-policy -l api-key -x -d 'lifecycle API key'
complete -c osb-policy -l request-timeout -x -d 'seconds per request'
complete -c osb-policy -l config -r -F -d 'config file'
complete -c osb-policy -l execd-token -x -d 'execd access token'
complete -c osb-policy -s v -l verbose -d 'trace HTTP requests on stderr'
complete -c osb-policy -l no-color -d 'no colour, even on a terminal'
complete -c osb-policy -s q -l quiet -d 'print ids only'
complete -c osb-policy -s h -l help -d 'print help and exit'
complete -c osb-policy -l version -d 'print the version and exit'
