# bash completion for osb-sandbox(1)                       -*- shell-script -*-
#
# Completes the subcommand, the SANDBOX operands (the ids `osb-sandbox list
# -a -q` prints), then options (the global ones and the subcommand's) and
# their values: states, output formats, files.

# Options that take a value in the next word.
_osb_sandbox_valued='-o|--output|--domain|--protocol|--api-key|--request-timeout|--config|--execd-token|-i|--image|-t|--timeout|-e|--env|-m|--metadata|--resource|--entrypoint|--network-policy-file|--volumes-file|--extension|--ready-timeout|--image-auth-username|--image-auth-password|-s|--state|--page|--page-size|-p|--port|--resume-timeout|--listen|--allow-host-path|--allow-image-path|--runtime|--advertise|--max-client-connections|--idle-timeout'

_osb_sandbox_global='--output --domain --protocol --api-key --request-timeout
	--config --execd-token --verbose --no-color --quiet --help --version'

_osb_sandbox_commands='create list ls get kill pause resume renew endpoint
	health metrics image serve'

# The actions of `osb-sandbox image`.
_osb_sandbox_image_actions='pull ls rm prune'

# The options of subcommand $1.
_osb_sandbox_options()
{
	case $1 in
	create)		echo --image --timeout --env --metadata --resource \
			    --entrypoint --network-policy-file --volumes-file \
			    --extension --skip-health-check --ready-timeout \
			    --image-auth-username --image-auth-password \
			    --credential-proxy ;;
	list|ls)	echo --state --metadata --page --page-size --all ;;
	kill)		echo --all ;;
	resume)		echo --skip-health-check --resume-timeout ;;
	renew)		echo --timeout ;;
	endpoint)	echo --port ;;
	metrics)	echo --watch ;;
	image)		echo --image-auth-username --image-auth-password ;;
	serve)		echo --listen --api-key --advertise --max-client-connections \
			    --idle-timeout --allow-host-path --allow-image-path \
			    --runtime --quiet --help ;;
	'')		echo --image --timeout --env --metadata --resource \
			    --entrypoint --network-policy-file --volumes-file \
			    --extension --skip-health-check --ready-timeout \
			    --image-auth-username --image-auth-password \
			    --credential-proxy --state --page --page-size --all \
			    --port --watch --resume-timeout --listen \
			    --allow-host-path --allow-image-path --runtime ;;
	esac
}

# Values for option $1 (the word being completed is $2).
_osb_sandbox_values()
{
	case $1 in
	-o|--output)	COMPREPLY=($(compgen -W 'table json yaml' -- "$2")) ;;
	--protocol)	COMPREPLY=($(compgen -W 'http https' -- "$2")) ;;
	-s|--state)	COMPREPLY=($(compgen -W 'Pending Running Pausing Paused
			    Resuming Stopping Terminated Failed' -- "$2")) ;;
	-t|--timeout)	COMPREPLY=($(compgen -W '10m 30m 1h 2h none' -- "$2")) ;;
	--resource)	compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W 'cpu= memory= pids=' -- "$2")) ;;
	-e|--env)	compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -e -S = -- "$2")) ;;
	-i|--image)	compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$2"
			    compgen -W "$(osb-sandbox image ls -q </dev/null \
			    2>/dev/null)" -- "$2") ;;
	--config|--network-policy-file|--volumes-file)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	-p|--port)	COMPREPLY=($(compgen -W '44772' -- "$2")) ;;
	--allow-host-path|--allow-image-path)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
	--runtime)	COMPREPLY=($(compgen -W 'runc crun runsc' -- "$2")) ;;
	esac
}

# The sandbox ids there are; nothing when osb-sandbox fails, and soon: a
# server that does not answer must not hang the shell.
_osb_sandbox_ids()
{
	osb-sandbox --request-timeout 3 list -a -q </dev/null 2>/dev/null
}

_osb_sandbox()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w sub= glued=0

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# bash splits --opt=value at '=': the value is completed for --opt.
	if [[ $cur == = ]]; then
		_osb_sandbox_values "$prev" ''
		return 0
	fi
	if [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		_osb_sandbox_values "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi

	# The subcommand: the first operand, options and their values aside.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((glued)); then
			glued=0
			continue
		fi
		if [[ $w == = ]]; then
			glued=1
			continue
		fi
		if [[ $w == @($_osb_sandbox_valued) ]]; then
			[[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		sub=$w
		break
	done

	if [[ $prev == @($_osb_sandbox_valued) ]]; then
		_osb_sandbox_values "$prev" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		if [[ $sub == serve ]]; then
			COMPREPLY=($(compgen -W "$(_osb_sandbox_options serve)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_osb_sandbox_global
			    $(_osb_sandbox_options "$sub")" -- "$cur"))
		fi
		return 0
	fi
	case $sub in
	'')	COMPREPLY=($(compgen -W "$_osb_sandbox_commands" -- "$cur")) ;;
	get|kill|pause|resume|renew|endpoint|health|metrics)
		COMPREPLY=($(compgen -W "$(_osb_sandbox_ids)" -- "$cur")) ;;
	image)
		# The action right after image; then cached images for rm.
		if [[ ${COMP_WORDS[COMP_CWORD - 1]} == image ]]; then
			COMPREPLY=($(compgen -W "$_osb_sandbox_image_actions" -- "$cur"))
		elif [[ ${COMP_WORDS[*]} == *" image rm "* ]]; then
			COMPREPLY=($(compgen -W "$(osb-sandbox image ls -q \
			    </dev/null 2>/dev/null)" -- "$cur"))
		fi ;;
	esac
	return 0
}

complete -F _osb_sandbox osb-sandbox
