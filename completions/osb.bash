# bash completion for osb(1)                               -*- shell-script -*-
#
# Completes the global options and the command, then `osb config` and
# `osb help` here. A command that is a program of its own (`osb file ...`)
# is completed by that program's completion, as if `osb-file ...` had been
# typed: loaded by bash-completion when it can, else from beside this file.

# Options that take a value in the next word.
_osb_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token'

_osb_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

_osb_commands='sandbox exec command file code policy egress config help'

_osb_config_keys='connection.api_key connection.domain connection.protocol
	connection.request_timeout connection.use_server_proxy output.format
	output.color defaults.image defaults.timeout'

# Where this file is: the programs' completions may be beside it.
_osb_completion_dir=${BASH_SOURCE[0]%/*}

# The program of command $1, or nothing for osb's own commands.
_osb_program()
{
	case $1 in
	sandbox)	echo osb-sandbox ;;
	exec|command)	echo osb-exec ;;
	file)		echo osb-file ;;
	code)		echo osb-code ;;
	policy|egress)	echo osb-policy ;;
	esac
}

# Values for option $1 (the word being completed is $2).
_osb_values()
{
	case $1 in
	-o|--output)	COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	--protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	--config)	compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	esac
}

# When the word being completed is an option's value (bash splits
# --opt=value at '='), complete it and succeed.
_osb_option_value()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}

	if [[ $cur == = ]]; then
		_osb_values "$prev" ''
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_osb_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
	elif [[ $prev == @($_osb_valued) ]]; then
		_osb_values "$prev" "$cur"
	else
		return 1
	fi
	return 0
}

# Load the completion of program $1: already there, bash-completion's on
# demand, or the file beside this one. Sets _osb_fn to its function.
_osb_program_completion()
{
	local spec f

	spec=$(complete -p "$1" 2>/dev/null)
	if [[ -z $spec ]] && declare -F __load_completion >/dev/null; then
		__load_completion "$1" && spec=$(complete -p "$1" 2>/dev/null)
	fi
	if [[ -z $spec ]]; then
		for f in "$_osb_completion_dir/$1.bash" "$_osb_completion_dir/$1"; do
			[[ -f $f ]] && . "$f" && break
		done
		spec=$(complete -p "$1" 2>/dev/null)
	fi
	[[ $spec == *" -F "* ]] || return 1
	spec=${spec##* -F }
	_osb_fn=${spec%% *}
}

# Complete as program $1 would, the command word at index $2 taken out
# and osb replaced by the program, in the words and in the line.
_osb_delegate()
{
	local prog=$1 at=$2 pre rest line _osb_fn

	_osb_program_completion "$prog" || return 0
	pre=${COMP_LINE%%[[:space:]]${COMP_WORDS[at]}[[:space:]]*}
	rest=${COMP_LINE#"$pre"}
	line=$prog${pre#"${COMP_WORDS[0]}"}${rest#*"${COMP_WORDS[at]}"}
	COMP_POINT=$((COMP_POINT - ${#COMP_LINE} + ${#line}))
	COMP_LINE=$line
	COMP_WORDS=("$prog" "${COMP_WORDS[@]:1:at-1}" "${COMP_WORDS[@]:at+1}")
	((COMP_CWORD--))
	"$_osb_fn" "$prog" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# Values `osb config set` takes for key $1 (the word being completed is $2).
_osb_config_values()
{
	case $1 in
	connection.protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	output.format)		COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	output.color|connection.use_server_proxy)
				COMPREPLY=($(compgen -W 'true false' -- "$2")) ;;
	esac
}

# `osb config ...`: the command word is at index $1.
_osb_config()
{
	local cur=${COMP_WORDS[COMP_CWORD]} i w
	local -a operands=()

	_osb_option_value && return 0
	for ((i = $1 + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == @($_osb_valued) ]]; then
			[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
			((i++))
			continue
		fi
		[[ $w == -* ]] || operands+=("$w")
	done
	if [[ $cur == -* ]]; then
		[[ ${operands[0]-} == init ]] && w=--force || w=
		COMPREPLY=($(compgen -W "$_osb_global $w" -- "$cur"))
		return 0
	fi
	case ${#operands[@]}:${operands[0]-} in
	0:)	COMPREPLY=($(compgen -W 'init show set' -- "$cur")) ;;
	1:set)	COMPREPLY=($(compgen -W "$_osb_config_keys" -- "$cur")) ;;
	2:set)	_osb_config_values "${operands[1]}" "$cur" ;;
	esac
	return 0
}

_osb()
{
	local cur=${COMP_WORDS[COMP_CWORD]} i w at=0 prog

	COMPREPLY=()
	# The command: the first word that is not an option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == @($_osb_valued) ]]; then
			[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
			((i++))
			continue
		fi
		if [[ $w != -* ]]; then
			at=$i
			break
		fi
	done
	if ((at > 0)); then
		prog=$(_osb_program "${COMP_WORDS[at]}")
		if [[ -n $prog ]]; then
			_osb_delegate "$prog" "$at"
		elif [[ ${COMP_WORDS[at]} == config ]]; then
			_osb_config "$at"
		elif [[ ${COMP_WORDS[at]} == help ]] && ((COMP_CWORD == at + 1)); then
			COMPREPLY=($(compgen -W "$_osb_commands" -- "$cur"))
		fi
		return 0
	fi
	_osb_option_value && return 0
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_osb_global --force" -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -W "$_osb_commands" -- "$cur"))
	return 0
}

complete -F _osb osb
