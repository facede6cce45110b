# bash completion for osb-policy(1)                        -*- shell-script -*-
#
# Completes the command, the SANDBOX operand (the ids `osb-sandbox list -q`
# prints), for rm the targets of the sandbox's current policy, the global
# options and their values.

_osb_policy_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token'

_osb_policy_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

# The sandbox ids there are; nothing when osb-sandbox fails, and soon.
_osb_policy_sandboxes()
{
	osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
}

# The targets of sandbox $1's policy; nothing when it cannot be asked.
_osb_policy_targets()
{
	[[ -n $1 ]] || return 0
	osb-policy --request-timeout 3 -o json get "$1" </dev/null 2>/dev/null |
	    sed -n 's/^ *"target": "\(.*\)",\{0,1\}$/\1/p'
}

_osb_policy()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w
	local -a operands=()

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == @($_osb_policy_valued) ]]; then
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		operands+=("$w")
	done
	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W 'table json yaml' -- "$cur"))
		return 0 ;;
	--protocol)
		COMPREPLY=($(compgen -W 'http https' -- "$cur"))
		return 0 ;;
	--config)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	esac
	[[ $prev == @($_osb_policy_valued) ]] && return 0
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_osb_policy_global" -- "$cur"))
		return 0
	fi
	case ${#operands[@]} in
	0)	COMPREPLY=($(compgen -W 'get allow deny patch rm check' -- "$cur")) ;;
	1)	COMPREPLY=($(compgen -W "$(_osb_policy_sandboxes)" -- "$cur")) ;;
	*)	[[ ${operands[0]} == rm ]] &&
		    COMPREPLY=($(compgen -W "$(_osb_policy_targets "${operands[1]}")" -- "$cur")) ;;
	esac
	return 0
}

complete -F _osb_policy osb-policy
