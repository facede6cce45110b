# zsh -f t/complete.zsh DIR LINE: the candidates zsh's completion system
# offers for LINE (as if TAB were pressed at its end), one a line, with the
# completion functions of DIR first on fpath.
#
# An interactive zsh runs on a pseudo-terminal (zsh/zpty); compadd is
# wrapped to print what each completion function adds, between \x1f and
# \x1e, so that the candidates can be told from the terminal's echo.

zmodload zsh/zpty || exit 1
zpty t zsh -f -i
zpty -w t "PS1= PROMPT= RPROMPT= ; fpath=(${(q)1} \$fpath)"
zpty -w t 'autoload -Uz compinit && compinit -u -D'
zpty -w t 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "$@"
		return
	fi
	local -a added
	local c
	builtin compadd -A added "$@"
	for c in $added; do
		print -rn -- $'"'"'\x1f'"'"'$c$'"'"'\x1e'"'"'
	done
	builtin compadd "$@"
}'
zpty -w t 'bindkey "^I" complete-word; print READY$((6 * 7))'
zpty -r t out '*READY42*'
zpty -n -w t "$2"$'\t'
zpty -n -w t $'\C-u'
zpty -w t 'print DONE$((6 * 7))'
zpty -r t out '*DONE42*'
zpty -d t
print -rn -- "$out" | tr '\036' '\n' | grep -ao $'\x1f.*' | tr -d '\037' |
    sort -u
