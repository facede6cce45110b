# bash completion for osb-exec(1)                          -*- shell-script -*-
#
# Completes the subcommand (and session's own), the SANDBOX operand (the
# ids `osb-sandbox list -q` prints), then options (the global ones and the
# subcommand's) and their values. Once the remote command has begun, its
# words are its own: nothing is offered for them.

# Options that take a value in the next word.
_osb_exec_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token|-w|--workdir|--cwd|-e|--env|--timeout|-u|--user|--cursor'

_osb_exec_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

# The options of subcommand $1 ("session run" for session's).
_osb_exec_options()
{
	case $1 in
	run)		echo --background --interactive --tty --workdir --cwd \
			    --env --timeout --user ;;
	logs)		echo --cursor --follow ;;
	'session create') echo --workdir --cwd ;;
	'session run')	echo --workdir --cwd --timeout ;;
	'')		echo --background --interactive --tty --workdir --cwd \
			    --env --timeout --user --cursor --follow ;;
	esac
}

# Values for option $1 (the word being completed is $2).
_osb_exec_values()
{
	case $1 in
	-o|--output)	COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	--protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	--config)	compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	-e|--env)	compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -e -S = -- "$2")) ;;
	esac
}

# The sandbox ids there are; nothing when osb-sandbox fails or is missing,
# and soon: a server that does not answer must not hang the shell.
_osb_exec_sandboxes()
{
	osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
}

_osb_exec()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w sub= nargs=0 glued=0
	local -a operands=()

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits --opt=value at '=': the value is completed for --opt.
	if [[ $cur == = ]]; then
		_osb_exec_values "$prev" ''
		return 0
	fi
	if [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_osb_exec_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi

	# The operands so far. A ':' or '=' word glues the next word to the
	# one before (a URL's port, an option's inline value). Past '--'
	# all is the remote command's.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((glued)); then
			glued=0
			continue
		fi
		case $w in
		:|=)	glued=1; continue ;;
		--)	return 0 ;;
		esac
		if [[ $w == @($_osb_exec_valued) ]]; then
			[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		operands+=("$w")
	done

	# Which subcommand, and how many operands it has before COMMAND.
	case ${operands[0]-} in
	'')		sub= ;;
	run)		sub=run nargs=2 ;;
	status|logs|interrupt)
			sub=${operands[0]} nargs=3 ;;
	session)
		case ${operands[1]-} in
		'')		COMPREPLY=($(compgen -W 'create run rm delete' -- "$cur"))
				return 0 ;;
		create)		sub='session create' nargs=3 ;;
		run)		sub='session run' nargs=4 ;;
		*)		sub='session rm' nargs=4 ;;
		esac ;;
	*)		sub=run nargs=1 ;;
	esac
	# The remote command has begun: its words are not ours.
	if [[ $sub == run || $sub == 'session run' ]] &&
	    ((${#operands[@]} > nargs)); then
		return 0
	fi

	if [[ $prev == @($_osb_exec_valued) ]]; then
		_osb_exec_values "$prev" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_osb_exec_global $(_osb_exec_options "$sub")" -- "$cur"))
		return 0
	fi
	# SANDBOX comes after the subcommand's words (one, two for session's),
	# or first of all, where a plain run takes it.
	case $sub:${#operands[@]} in
	:0)
		COMPREPLY=($(compgen -W "run status logs interrupt session
		    $(_osb_exec_sandboxes)" -- "$cur")) ;;
	run:1|status:1|logs:1|interrupt:1|session*:2)
		[[ ${operands[0]} == run || $sub != run ]] &&
		    COMPREPLY=($(compgen -W "$(_osb_exec_sandboxes)" -- "$cur")) ;;
	esac
	return 0
}

complete -F _osb_exec osb-exec
