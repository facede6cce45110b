#!/usr/bin/env bash
# Completion of osb (commands, config, and a program's own completion for
# its command) and of sandbox ids for the SANDBOX operands of osb-exec and
# osb-file, in bash, zsh and fish.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$T_DIR/.." && pwd)
C=$SRC/completions
IDS="3f2a9c01 3f77e2aa b0cafe12"

# A stand-in osb-sandbox on PATH that lists IDS for the call the
# completions make, and fails loudly for anything else.
mkdir -p "$TMP/fake"
cat >"$TMP/fake/osb-sandbox" <<EOF
#!/bin/sh
if [ "\$*" = "--request-timeout 3 list -q" ]; then
	printf '%s\n' $IDS
	exit 0
fi
echo "osb-sandbox: unexpected call: \$*" >&2
exit 1
EOF
chmod 755 "$TMP/fake/osb-sandbox"
FAKE_PATH=$TMP/fake:$PATH
# The PATH the shells complete with: each test says which.
CPATH=$FAKE_PATH
# The programs without osb-sandbox (fish completes only commands it finds).
mkdir -p "$TMP/only"
ln -s "$OSB_BIN/osb" "$OSB_BIN/osb-exec" "$OSB_BIN/osb-file" "$TMP/only/"

# bash_complete FILE WORD...: the candidates bash offers for the last WORD
# of the command line WORD... (stderr kept in ./complete.err).
bash_complete() {
	PATH=$CPATH bash -c '
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
	' bash_complete "$@" 2>complete.err
}

# offers_bash LINE CANDIDATE...: bash offers exactly the candidates for
# the last word of LINE (an empty one when LINE ends in a space), and
# says nothing on stderr.
offers_bash() {
	local line=$1 file
	local -a words
	shift
	read -ra words <<<"$line"
	case $line in *" ") words+=("") ;; esac
	file=$C/${words[0]}.bash
	bash_complete "$file" "${words[@]}" | sort >offered &&
	printf "%s\n" "$@" | sed "/^$/d" | sort >expect &&
	test_cmp expect offered && ! test -s complete.err
}

test_expect_success 'bash: osb offers its commands and options' '
	offers_bash "osb " sandbox exec command file code policy egress \
	    config help &&
	offers_bash "osb co" code command config &&
	offers_bash "osb -o json --config x e" egress exec &&
	offers_bash "osb --f" --force &&
	offers_bash "osb --output = y" yaml &&
	offers_bash "osb --protocol h" http https &&
	offers_bash "osb help f" file
'

test_expect_success 'bash: osb config, its keys and their values' '
	offers_bash "osb config " init show set &&
	offers_bash "osb -o json config s" show set &&
	offers_bash "osb config set output." output.format output.color &&
	offers_bash "osb config set connection.use" connection.use_server_proxy &&
	offers_bash "osb config set output.format " table json yaml &&
	offers_bash "osb config set connection.protocol " http https &&
	offers_bash "osb config set output.color t" true &&
	offers_bash "osb config set defaults.image " &&
	offers_bash "osb config init --f" --force &&
	offers_bash "osb config show --f" &&
	offers_bash "osb config show -o " table json yaml
'

test_expect_success 'bash: a command is completed by its program'\''s completion' '
	offers_bash "osb file up" upload &&
	offers_bash "osb -o json exec st" status &&
	offers_bash "osb command session cr" create &&
	offers_bash "osb exec logs S ID --c" --config --cursor &&
	offers_bash "osb --config x file ls S --dep" --depth &&
	offers_bash "osb exec S ls --c"
'

test_expect_success 'bash: the program is handed the line as if typed itself' '
	mkdir comp && cp "$C/osb.bash" comp/ &&
	cat >comp/osb-code.bash <<-\EOF &&
	_osb_code_probe()
	{
		COMPREPLY=("$1|$2|$3|$COMP_CWORD|${COMP_WORDS[*]}|$COMP_LINE|${COMP_LINE:0:COMP_POINT}")
	}
	complete -F _osb_code_probe osb-code
	EOF
	bash_complete comp/osb.bash osb -o json code run S x >out &&
	echo "osb-code|x|S|5|osb-code -o json run S x|osb-code -o json run S x|osb-code -o json run S x" >expect &&
	test_cmp expect out
'

test_expect_success 'bash: a program without a completion offers nothing' '
	mkdir -p lone && cp "$C/osb.bash" lone/ &&
	bash_complete lone/osb.bash osb policy "" >out &&
	! test -s out && ! test -s complete.err
'

test_expect_success 'bash: SANDBOX operands offer the sandbox ids' '
	CPATH=$FAKE_PATH &&
	offers_bash "osb-exec " run status logs interrupt session $IDS &&
	offers_bash "osb-exec 3f" 3f2a9c01 3f77e2aa &&
	offers_bash "osb-exec run " $IDS &&
	offers_bash "osb-exec -o json status b" b0cafe12 &&
	offers_bash "osb-exec session run " $IDS &&
	offers_bash "osb-exec session run S " &&
	offers_bash "osb-exec logs S " &&
	offers_bash "osb-exec S " &&
	offers_bash "osb-file " cat write upload download rm mv mkdir rmdir \
	    ls search stat chmod replace &&
	offers_bash "osb-file cat " $IDS &&
	offers_bash "osb-file --execd-token t stat 3f7" 3f77e2aa &&
	offers_bash "osb-file cat S " &&
	offers_bash "osb file upload b" b0cafe12 &&
	offers_bash "osb exec " run status logs interrupt session $IDS
'

test_expect_success 'bash: no osb-sandbox, or one that fails: no ids, no noise' '
	CPATH=$TMP/only:/usr/bin:/bin &&
	offers_bash "osb-exec run " &&
	offers_bash "osb-file cat " &&
	mkdir -p noexec && cp "$TMP/fake/osb-sandbox" noexec/ &&
	chmod 644 noexec/osb-sandbox && CPATH=$TMP/noexec:/usr/bin:/bin &&
	offers_bash "osb-file cat " &&
	mkdir -p broken &&
	printf "#!/bin/sh\necho broken >&2\nexit 1\n" >broken/osb-sandbox &&
	chmod 755 broken/osb-sandbox && CPATH=$TMP/broken:/usr/bin:/bin &&
	offers_bash "osb-exec status " &&
	offers_bash "osb-file stat "
'

# The real osb-sandbox, once the local runtime can make a sandbox here.
if [ -x "$OSB_BIN/osb-sandbox" ] &&
    ID=$(osb-sandbox create -q 2>/dev/null) && [ -n "$ID" ]; then
	test_expect_success 'bash: the ids of real sandboxes are offered' '
		CPATH=$OSB_BIN:/usr/bin:/bin &&
		bash_complete "$C/osb-file.bash" osb-file cat "" >out &&
		grep -qx "$ID" out &&
		osb-sandbox list -q | sort >expect && sort out >offered &&
		test_cmp expect offered
	'
	osb-sandbox kill "$ID" >/dev/null 2>&1
else
	test_skip 'bash: the ids of real sandboxes are offered' \
	    'osb-sandbox cannot create a sandbox here'
fi

# offers_in SHELL LINE CANDIDATE...: SHELL (zsh or fish) offers exactly
# the candidates for LINE, with the completions of $C.
offers_in() {
	local sh=$1 line=$2
	shift 2
	case $sh in
	zsh)	PATH=$CPATH timeout 20 zsh -f "$T_DIR/complete.zsh" "$C" \
		    "$line" ;;
	fish)	PATH=$CPATH fish -c "set -p fish_complete_path $C
		    complete -C '$line'" | cut -f1 | sort -u ;;
	esac >offered 2>complete.err &&
	printf "%s\n" "$@" | sed "/^$/d" | sort >expect &&
	test_cmp expect offered && ! test -s complete.err
}

for sh in zsh fish; do
	if ! command -v $sh >/dev/null; then
		test_skip "$sh: osb and sandbox ids complete" "no $sh"
		continue
	fi
	test_expect_success "$sh: osb offers its commands, config and keys" "
		CPATH=\$FAKE_PATH &&
		offers_in $sh 'osb ' sandbox exec command file code policy \
		    egress config help &&
		offers_in $sh 'osb con' config &&
		offers_in $sh 'osb config ' init show set &&
		offers_in $sh 'osb config set output.' output.format output.color &&
		offers_in $sh 'osb config set output.color ' true false &&
		offers_in $sh 'osb config init --f' --force &&
		offers_in $sh 'osb help e' egress exec
	"
	test_expect_success "$sh: a command is completed by its program" "
		CPATH=\$FAKE_PATH &&
		offers_in $sh 'osb file up' upload &&
		offers_in $sh 'osb -o json exec st' status
	"
	test_expect_success "$sh: SANDBOX operands offer the sandbox ids" "
		CPATH=\$FAKE_PATH &&
		offers_in $sh 'osb-exec ' run status logs interrupt session \$IDS &&
		offers_in $sh 'osb-exec run 3f' 3f2a9c01 3f77e2aa &&
		offers_in $sh 'osb-exec session rm ' \$IDS &&
		offers_in $sh 'osb-file stat ' \$IDS &&
		offers_in $sh 'osb file cat b' b0cafe12 &&
		CPATH=\$TMP/only:/usr/bin:/bin &&
		offers_in $sh 'osb-file stat '
	"
done

test_done
