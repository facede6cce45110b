#!/usr/bin/env bash
# The shell completions of osb-sandbox offer the ids of the sandboxes
# there are where a SANDBOX goes, and the values of its options.
. "$(dirname "$0")/lib.sh"
trap 'stop_sandboxes; t_cleanup' EXIT

SRC=$(cd "$T_DIR/.." && pwd)
S=$(osb-sandbox create -q) || { echo "Bail out! create failed"; exit 1; }

# bash_complete WORD...: the candidates bash offers for the last WORD.
bash_complete() {
	bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_osb_sandbox osb-sandbox "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bash_complete "$SRC/completions/osb-sandbox.bash" osb-sandbox "$@"
}

test_expect_success 'bash: a sandbox id where SANDBOX goes, by prefix too' '
	bash_complete get "" >out &&
	echo "$S" >expect && test_cmp expect out &&
	bash_complete -o json kill "${S:0:3}" >out && test_cmp expect out &&
	bash_complete renew -t 1h "" >out && test_cmp expect out
'

test_expect_success 'bash: no id where none goes' '
	bash_complete list "" >out && ! test -s out &&
	bash_complete create "" >out && ! test -s out
'

test_expect_success 'bash: subcommands, then option values' '
	bash_complete re >out &&
	printf "%s\n" resume renew >expect && test_cmp expect out &&
	bash_complete list -s Pa >out &&
	printf "%s\n" Pausing Paused >expect && test_cmp expect out &&
	bash_complete create --resource me >out &&
	echo memory= >expect && test_cmp expect out &&
	bash_complete metrics --w >out &&
	echo --watch >expect && test_cmp expect out
'

test_expect_success FISH 'fish: a sandbox id where SANDBOX goes' '
	fish -c "source \$argv[1]; and complete -C \"osb-sandbox pause \"" \
		"$SRC/completions/osb-sandbox.fish" | cut -f1 >out &&
	echo "$S" >expect && test_cmp expect out
'

test_expect_success ZSH 'zsh: a sandbox id where SANDBOX goes' '
	timeout 20 zsh -f "$T_DIR/complete.zsh" "$SRC/completions" \
		"osb-sandbox health " >out &&
	grep -qx "$S" out
'

test_done
