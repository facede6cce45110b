# bash completion for osb-file(1)                          -*- shell-script -*-
#
# Completes the command, the SANDBOX operand (the ids `osb-sandbox list -q`
# prints), then options (the global ones and the command's own), option
# values, and local paths where the command takes them (upload's sources,
# download's destination). Remote paths are not completed: that would
# mean a request per keystroke.

# Options that take a value in the next word.
_osb_file_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token|-c|--content|-m|--mode|--owner|--group|--old|--new|-d|--depth'

_osb_file_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

# The command's own options, for osb-file COMMAND -<TAB>.
_osb_file_options()
{
	case $1 in
	write)		echo --content --mode --owner --group ;;
	mkdir)		echo --parents --mode ;;
	download)	echo --continue ;;
	ls)		echo --long --depth ;;
	chmod)		echo --owner --group ;;
	replace)	echo --old --new ;;
	'')		echo --content --mode --owner --group --parents \
			    --long --depth --old --new --continue ;;
	esac
}

# Values for option $1 (the word being completed is $2).
_osb_file_values()
{
	case $1 in
	-o|--output)	COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	--protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	--config)	compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	--owner)	COMPREPLY=($(compgen -u -- "$2")) ;;
	--group)	COMPREPLY=($(compgen -g -- "$2")) ;;
	esac
}

# The sandbox ids there are; nothing when osb-sandbox fails or is missing,
# and soon: a server that does not answer must not hang the shell.
_osb_file_sandboxes()
{
	osb-sandbox --request-timeout 3 list -q </dev/null 2>/dev/null
}

_osb_file()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w cmd= nargs=0
	local glued=0 dashdash=0
	local commands='cat write upload download rm mv mkdir rmdir ls search
		stat chmod replace'

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits --opt=value at '=': the value is completed for --opt.
	if [[ $cur == = ]]; then
		_osb_file_values "$prev" ''
		return 0
	fi
	if [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_osb_file_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi

	# Find the command and count the operands after it. A ':' or '='
	# word glues the next word to the one before (a URL's port, an
	# option's inline value), so that one is not an operand of its own.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((glued)); then
			glued=0
			continue
		fi
		case $w in
		:|=)	glued=1; continue ;;
		esac
		if ((!dashdash)); then
			if [[ $w == -- ]]; then
				dashdash=1
				continue
			fi
			if [[ $w == @($_osb_file_valued) ]]; then
				# Its value: the next word, or '=' and the one after.
				[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
				((i++))
				continue
			fi
			[[ $w == -* ]] && continue
		fi
		if [[ -z $cmd ]]; then
			cmd=$w
		else
			((nargs++))
		fi
	done

	if ((!dashdash)) && [[ $prev == @($_osb_file_valued) ]]; then
		_osb_file_values "$prev" "$cur"
		return 0
	fi
	if ((!dashdash)) && [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$_osb_file_global $(_osb_file_options "$cmd")" -- "$cur"))
		return 0
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return 0
	fi
	# Operand 0 is the sandbox; local paths come after it.
	if ((nargs == 0)); then
		COMPREPLY=($(compgen -W "$(_osb_file_sandboxes)" -- "$cur"))
		return 0
	fi
	case $cmd in
	upload)
		((nargs >= 1)) || return 0 ;;
	download)
		((nargs == 2)) || return 0 ;;
	*)
		return 0 ;;
	esac
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	return 0
}

complete -F _osb_file osb-file
