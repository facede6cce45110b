#!/usr/bin/env bash
# cppcheck finds nothing to warn about in any C file.
. "$(dirname "$0")/lib.sh"
top=$(cd "$T_DIR/.." && pwd)
command -v cppcheck >/dev/null || skip_all "cppcheck not installed"

test_expect_success 'cppcheck: no warnings' '
	cd "$top" &&
	cppcheck --quiet --enable=warning,performance,portability \
		--error-exitcode=1 -D_GNU_SOURCE -Ilib -Ibin/osb-execd \
		lib/*.c bin/*.c bin/*/*.c t/unit/*.c t/fuzz/*.c
'

test_done
