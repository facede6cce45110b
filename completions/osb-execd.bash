# bash completion for osb-execd(8)                         -*- shell-script -*-
#
# osb-execd takes options only; values are completed where there is a
# short list to choose from.

_osb_execd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local opts='--listen --port --listen-fd --access-token --log-level
		--graceful-shutdown-timeout --max-client-connections
		--idle-timeout --help --version'

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits --opt=value at '=': complete the value for --opt.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	case $prev in
	--listen|-listen)
		COMPREPLY=($(compgen -W '127.0.0.1 0.0.0.0 [::1] [::]' -- "$cur"))
		return 0 ;;
	--log-level|-log-level)
		COMPREPLY=($(compgen -W '0 1 2 3 4 5 6 7' -- "$cur"))
		return 0 ;;
	--port|-port|--listen-fd|-listen-fd|--access-token|-access-token|--graceful-shutdown-timeout|-graceful-shutdown-timeout|--max-client-connections|-max-client-connections|--idle-timeout|-idle-timeout)
		return 0 ;;
	esac
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	return 0
}

complete -F _osb_execd osb-execd
