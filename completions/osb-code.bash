# bash completion for osb-code(1)                          -*- shell-script -*-
#
# Completes the command (and context's own), the SANDBOX operand (the ids
# `osb-sandbox list -q` prints), context ids (those `osb-code context list`
# prints for that sandbox), options (the global ones and the command's),
# option values, and run's FILE.

# Options that take a value in the next word.
_osb_code_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token|-l|--language|-c|--code|--context|--save-dir|--cwd'

_osb_code_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

# The options of command $1 ("context create" for context's).
_osb_code_options()
{
	case $1 in
	run)			echo --language --code --context --save-dir ;;
	'context create')	echo --language --cwd ;;
	'context list'|'context ls')
				echo --language ;;
	'context rm'|'context delete')
				echo --all --language ;;
	'')			echo --language --code --context --save-dir \
				    --cwd --all ;;
	esac
}

# The sandbox ids there are; nothing when osb-sandbox fails or is missing,
# and soon: a server that does not answer must not hang the shell.
_osb_code_sandboxes()
{
	osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
}

# The context ids of sandbox $1; nothing when it cannot be asked.
_osb_code_contexts()
{
	[[ -n $1 ]] || return 0
	osb-code --request-timeout 3 -q context list "$1" </dev/null 2>/dev/null
}

# Values for option $1 (the word being completed is $2; the sandbox $3).
_osb_code_values()
{
	case $1 in
	-o|--output)	COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	--protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	-l|--language)	COMPREPLY=($(compgen -W 'python bash' -- "$2")) ;;
	--context)	COMPREPLY=($(compgen -W "$(_osb_code_contexts "$3")" -- "$2")) ;;
	--config)	compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	--save-dir|--cwd)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
	esac
}

_osb_code()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w sub= sandbox= glued=0
	local -a operands=()

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# The operands so far. A ':' or '=' word glues the next word to the
	# one before (a URL's port, an option's inline value).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((glued)); then
			operands[${#operands[@]} - 1]+=$w
			glued=0
			continue
		fi
		case $w in
		:)	((${#operands[@]})) && operands[${#operands[@]} - 1]+=:
			glued=1; continue ;;
		=)	glued=0; ((i++)); continue ;;
		esac
		if [[ $w == @($_osb_code_valued) ]]; then
			[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		operands+=("$w")
	done

	# The command, and where its operands start.
	case ${operands[0]-} in
	context)
		if ((${#operands[@]} < 2)) && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W 'create list ls get rm delete' -- "$cur"))
			return 0
		fi
		sub="context ${operands[1]-}" sandbox=${operands[2]-} ;;
	run|interrupt)
		sub=${operands[0]} sandbox=${operands[1]-} ;;
	esac

	# bash splits --opt=value at '=': the value is completed for --opt.
	if [[ $cur == = ]]; then
		_osb_code_values "$prev" '' "$sandbox"
		return 0
	fi
	if [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_osb_code_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur" "$sandbox"
		return 0
	fi
	if [[ $prev == @($_osb_code_valued) ]]; then
		_osb_code_values "$prev" "$cur" "$sandbox"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_osb_code_global $(_osb_code_options "$sub")" -- "$cur"))
		return 0
	fi
	if ((${#operands[@]} == 0)); then
		COMPREPLY=($(compgen -W 'run context interrupt' -- "$cur"))
		return 0
	fi
	if [[ -z $sandbox ]]; then
		COMPREPLY=($(compgen -W "$(_osb_code_sandboxes)" -- "$cur"))
		return 0
	fi
	case $sub in
	run)
		((${#operands[@]} == 2)) || return 0
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	interrupt)
		((${#operands[@]} == 2)) || return 0
		COMPREPLY=($(compgen -W "$(_osb_code_contexts "$sandbox")" -- "$cur")) ;;
	'context get')
		((${#operands[@]} == 3)) || return 0
		COMPREPLY=($(compgen -W "$(_osb_code_contexts "$sandbox")" -- "$cur")) ;;
	'context rm'|'context delete')
		COMPREPLY=($(compgen -W "$(_osb_code_contexts "$sandbox")" -- "$cur")) ;;
	esac
	return 0
}

complete -F _osb_code osb-code
