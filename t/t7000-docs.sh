#!/bin/bash
# Manual pages and shell completions: every long option and subcommand a
# program's --help names is documented in its manual and completed by its
# bash, zsh and fish completions; the completions load and work.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$T_DIR/.." && pwd)
# Every program built: osb and each osb-* beside it.
PROGS=$(cd "$OSB_BIN" && ls -d osb osb-* 2>/dev/null | sort)

# man_page PROG: the path of PROG's manual under $1/man.
man_page() {
	local p
	for p in "$1/man/$2".[158]; do
		[ -f "$p" ] && { echo "$p"; return 0; }
	done
	echo "$2: no manual page in $1/man" >&2
	return 1
}

# help_options PROG: the long options PROG --help names, one a line.
help_options() {
	"$1" --help >"$TMP/help" || return 1
	grep -o -e '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u
}

# help_commands PROG: the subcommands PROG --help names, one a line
# ("session create" for a subcommand's own): the lowercase words after
# "[options]" on the usage lines ("pause|resume" names two), and the
# first word of each entry of a "Commands:" list.
help_commands() {
	"$1" --help >"$TMP/help" || return 1
	awk '
	/\[options\] [a-z]+\|[a-z]/ {
		for (i = 1; i <= NF && $i != "[options]"; i++)
			;
		n = split($(i + 1), alt, "|")
		for (j = 1; j <= n; j++)
			print alt[j]
		next
	}
	/\[options\] [a-z]/ {
		for (i = 1; i <= NF && $i != "[options]"; i++)
			;
		cmd = ""
		for (i++; i <= NF && $i ~ /^[a-z]+$/; i++)
			cmd = cmd (cmd == "" ? "" : " ") $i
		print cmd
	}
	/^Commands:$/ { inlist = 1; next }
	/^$/ { inlist = 0 }
	inlist && /^  [a-z]/ { print $1 }
	' "$TMP/help" | sort -u
}

# bash_complete FILE WORD...: source the bash completion FILE, complete
# the last WORD of the command line WORD... and print the candidates.
bash_complete() {
	bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		spec=$(complete -p "$1") || exit 1
		fn=${spec#*-F }
		fn=${fn%% *}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bash_complete "$@"
}

# fish_complete FILE LINE: the candidates fish offers for LINE.
fish_complete() {
	fish -c 'source $argv[1]; and complete -C $argv[2]' "$1" "$2" |
	    cut -f1
}

# has_line WORD FILE: FILE has the line WORD (the candidates of a completion).
has_line() {
	grep -qxF -e "$1" "$2" && return 0
	echo "'$1' not offered; offered:"
	sed 's/^/  /' "$2"
	return 1
}

# has_word WORD FILE: WORD stands in FILE as a word of its own.
has_word() {
	grep -Eq -e "(^|[^a-z0-9-])$1([^a-z0-9-]|\$)" "$2" && return 0
	echo "$2: no '$1'"
	return 1
}

# check_man ROOT PROG: every long option of PROG --help has an entry
# (.It ... Fl -opt) in its manual under ROOT, every subcommand one of
# its own (.It Cm sub).
check_man() {
	local man opt cmd rc=0
	man=$(man_page "$1" "$2") || return 1
	for opt in $(help_options "$2"); do
		grep -Eq -e "^\.It .*Fl -${opt#--}([^a-z0-9-]|\$)" "$man" ||
		    { echo "$man: no .It entry for $opt"; rc=1; }
	done
	while read -r cmd; do
		grep -Eq -e "^\.It Cm $cmd( |\$)" "$man" ||
		    { echo "$man: no .It entry for '$cmd'"; rc=1; }
	done < <(help_commands "$2")
	return $rc
}

# completion_file ROOT PROG KIND: the path of PROG's completion for the
# shell KIND (bash, zsh, fish) under ROOT.
completion_file() {
	case $3 in
	bash)	echo "$1/completions/$2.bash" ;;
	zsh)	echo "$1/completions/_$2" ;;
	fish)	echo "$1/completions/$2.fish" ;;
	esac
}

# parses KIND: the shell KIND (bash, zsh, fish) parses the completion of
# every program (KIND -n).
parses() {
	local p
	for p in $PROGS; do
		"$1" -n "$(completion_file "$SRC" "$p" "$1")" || return 1
	done
}

# check_words ROOT PROG KIND: the completion file of KIND (bash, zsh,
# fish) names every long option and subcommand of PROG, as that shell's
# completions spell them.
check_words() {
	local file opt cmd rc=0
	file=$(completion_file "$@")
	[ -f "$file" ] || { echo "$file: missing"; return 1; }
	for opt in $(help_options "$2"); do
		case $3 in
		fish)	has_word "-l ${opt#--}" "$file" || rc=1 ;;
		*)	has_word "$opt" "$file" || rc=1 ;;
		esac
	done
	for cmd in $(help_commands "$2"); do
		case $3 in
		bash)	has_word "$cmd" "$file" || rc=1 ;;
		zsh)	grep -q -e "'$cmd:" "$file" ||
			    { echo "$file: no '$cmd:' description"; rc=1; } ;;
		fish)	has_word "-a $cmd" "$file" || rc=1 ;;
		esac
	done
	return $rc
}

# check_offered ROOT PROG KIND: asking the shell itself, `PROG --<TAB>`
# offers every long option and check_offered_commands.
check_offered() {
	local file opt rc=0
	file=$(completion_file "$@")
	complete_line "$3" "$file" "$2 --" >"$TMP/offered" || return 1
	for opt in $(help_options "$2"); do
		has_line "$opt" "$TMP/offered" || rc=1
	done
	check_offered_commands "$@" || rc=1
	return $rc
}

# check_offered_commands ROOT PROG KIND: asking the shell itself, `PROG
# <TAB>` (`PROG session <TAB>`) offers every subcommand.
check_offered_commands() {
	local file cmd line last= rc=0
	file=$(completion_file "$@")
	while read -r cmd; do
		case $cmd in
		*" "*)	line="$2 ${cmd% *} " ;;
		*)	line="$2 " ;;
		esac
		if [ "$line" != "$last" ]; then
			complete_line "$3" "$file" "$line" >"$TMP/offered" ||
			    return 1
			last=$line
		fi
		has_line "${cmd##* }" "$TMP/offered" || rc=1
	done < <(help_commands "$2")
	return $rc
}

# complete_line KIND FILE LINE: the candidates for the last word of LINE
# (empty when LINE ends in a space).
complete_line() {
	local -a words
	case $2 in
	*.bash)
		read -ra words <<<"$3"
		case $3 in *" ") words+=("") ;; esac
		bash_complete "$2" "${words[@]}" ;;
	*.fish)
		fish_complete "$2" "$3" ;;
	*/_*)
		zsh_complete "${2%/*}" "$3" ;;
	esac
}

# zsh_complete DIR LINE: the candidates zsh offers for LINE, with the
# completions in DIR.
zsh_complete() {
	timeout 20 zsh -f "$T_DIR/complete.zsh" "$1" "$2"
}

test_expect_success 'the programs are built and their --help names options' '
	for p in $PROGS; do
		help_options $p >opts &&
		test -s opts || { echo "$p --help: no options"; return 1; }
	done
'

for p in $PROGS; do
	test_expect_success "$p: every option and subcommand in its manual" "
		check_man '$SRC' $p
	"
	for kind in bash zsh fish; do
		test_expect_success "$p: every option and subcommand in the $kind completion" "
			check_words '$SRC' $p $kind
		"
	done
	test_expect_success "$p: bash offers every option and subcommand" "
		check_offered '$SRC' $p bash
	"
done

test_expect_success 'the subcommands --help names are the ones expected' '
	help_commands osb >cmds &&
	printf "%s\n" code command config "config init" "config set" \
	    "config show" egress exec file help policy sandbox >expect &&
	test_cmp expect cmds &&
	help_commands osb-file >cmds &&
	printf "%s\n" cat chmod download ls mkdir mv replace rm rmdir search \
	    stat upload write >expect &&
	test_cmp expect cmds &&
	help_commands osb-exec >cmds &&
	printf "%s\n" interrupt logs run "session create" "session rm" \
	    "session run" status >expect &&
	test_cmp expect cmds &&
	help_commands osb-execd >cmds &&
	! test -s cmds
'

test_expect_success 'a missing option or subcommand is noticed, in every place' '
	cp -R "$SRC/man" "$SRC/completions" . &&
	mkdir orig && cp -R man completions orig/ &&
	sed -i "/Fl -cursor/d" man/osb-exec.1 &&
	! check_man . osb-exec >/dev/null &&
	sed -i "/^\.It Cm interrupt/d" orig/man/osb-exec.1 &&
	! check_man orig osb-exec >/dev/null &&
	cp "$SRC/man/osb-exec.1" man/ && check_man . osb-exec &&
	sed -i "s/--no-color//" completions/osb-file.bash &&
	! check_words . osb-file bash >/dev/null &&
	! check_offered . osb-file bash >/dev/null &&
	sed -i "s/ replace//" orig/completions/osb-file.bash &&
	! check_offered orig osb-file bash >/dev/null &&
	sed -i "s/--graceful-shutdown-timeout//" completions/_osb-execd &&
	! check_words . osb-execd zsh >/dev/null &&
	sed -i "/replace:/d" orig/completions/_osb-file &&
	! check_words orig osb-file zsh >/dev/null &&
	sed -i "s/-l follow//" completions/osb-exec.fish &&
	! check_words . osb-exec fish >/dev/null &&
	sed -i "s/-a interrupt//" orig/completions/osb-exec.fish &&
	! check_words orig osb-exec fish >/dev/null &&
	sed -i "/^\.It Cm config show/d" man/osb.1 &&
	! check_man . osb >/dev/null &&
	sed -i "s/--force//" completions/_osb &&
	! check_words . osb zsh >/dev/null &&
	sed -i "s/ egress / /" completions/osb.bash &&
	! check_offered . osb bash >/dev/null &&
	sed -i "s/-a init//" completions/osb.fish &&
	! check_words . osb fish >/dev/null
'

test_expect_success 'bash: the completions parse' '
	parses bash
'

test_expect_success 'bash: a partial word completes' '
	bash_complete "$SRC/completions/osb-file.bash" osb-file up >out &&
	has_line upload out &&
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec st >out &&
	has_line status out &&
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec session cr >out &&
	has_line create out &&
	bash_complete "$SRC/completions/osb-execd.bash" osb-execd --gr >out &&
	has_line --graceful-shutdown-timeout out
'

test_expect_success 'bash: option values complete, inline ones too' '
	bash_complete "$SRC/completions/osb-file.bash" osb-file -o j >out &&
	echo json >expect && test_cmp expect out &&
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec --output = y >out &&
	echo yaml >expect && test_cmp expect out &&
	bash_complete "$SRC/completions/osb-execd.bash" osb-execd --log-level 7 >out &&
	echo 7 >expect && test_cmp expect out &&
	bash_complete "$SRC/completions/osb-file.bash" osb-file -o json st >out &&
	echo stat >expect && test_cmp expect out
'

test_expect_success 'bash: a subcommand offers only its own options' '
	bash_complete "$SRC/completions/osb-file.bash" osb-file ls S --dep >out &&
	echo --depth >expect && test_cmp expect out &&
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec logs S ID --c >out &&
	printf "%s\n" --config --cursor >expect && test_cmp expect out
'

test_expect_success 'bash: upload completes local paths, after the sandbox' '
	mkdir up && : >up/localfile.txt &&
	cd up &&
	bash_complete "$SRC/completions/osb-file.bash" \
	    osb-file upload http : //127.0.0.1 : 44772 loc >../out &&
	cd .. && has_line localfile.txt out &&
	bash_complete "$SRC/completions/osb-file.bash" osb-file upload "" >out &&
	! test -s out
'

test_expect_success 'bash: nothing is offered inside the remote command' '
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec S ls --c >out &&
	! test -s out &&
	bash_complete "$SRC/completions/osb-exec.bash" osb-exec run S -- "" >out &&
	! test -s out
'

test_expect_success ZSH 'zsh: the completions parse' '
	parses zsh
'
for p in $PROGS; do
	test_expect_success ZSH "$p: zsh offers every subcommand" "
		check_offered_commands '$SRC' $p zsh
	"
done
test_expect_success ZSH 'zsh: a partial word completes, after options too' '
	zsh_complete "$SRC/completions" "osb-file up" >out &&
	has_line upload out &&
	zsh_complete "$SRC/completions" "osb-exec -o json st" >out &&
	has_line status out &&
	zsh_complete "$SRC/completions" "osb-execd --gr" >out &&
	has_line --graceful-shutdown-timeout out
'

test_expect_success FISH 'fish: the completions parse' '
	parses fish
'
for p in $PROGS; do
	test_expect_success FISH "$p: fish offers every option and subcommand" "
		check_offered '$SRC' $p fish
	"
done
test_expect_success FISH 'fish: a partial word completes, after options too' '
	fish_complete "$SRC/completions/osb-file.fish" "osb-file up" >out &&
	has_line upload out &&
	fish_complete "$SRC/completions/osb-exec.fish" "osb-exec -o json st" >out &&
	has_line status out
'

if command -v mandoc >/dev/null; then
	test_expect_success 'mandoc -T lint finds no warnings' '
		mandoc -T lint -W warning "$SRC"/man/*.[158] >out 2>&1 &&
		! test -s out
	'
else
	test_skip 'mandoc -T lint finds no warnings' 'no mandoc'
fi

if command -v groff >/dev/null; then
	test_expect_success 'groff -mandoc -ww finds no warnings' '
		for m in "$SRC"/man/*.[158]; do
			groff -mandoc -t -ww -z "$m" 2>>out || return 1
		done &&
		! test -s out
	'
else
	test_skip 'groff -mandoc -ww finds no warnings' 'no groff'
fi

test_expect_success 'each manual names itself and its section' '
	for m in "$SRC"/man/*.[158]; do
		n=${m##*/} &&
		up=$(echo "${n%.*}" | tr a-z A-Z) &&
		grep -qx "\.Dt $up ${n##*.}" "$m" &&
		grep -qx "\.Nm ${n%.*}" "$m" ||
		{ echo "$m: .Dt or .Nm does not match"; return 1; }
	done
'

test_done
