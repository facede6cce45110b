#!/usr/bin/env bash
# t/deps.sh, behind `make deps`: nothing to do when all is installed; as a
# user who can't install, the exact apt-get line and a failure; and
# configure naming the package that is missing.
. "$(dirname "$0")/lib.sh"
deps=$T_DIR/deps.sh

test_expect_success 'everything installed: silent success' '
	bash "$deps" bash coreutils >out 2>&1 &&
	test ! -s out
'

test_expect_success 'not root and a package missing: the apt-get line, exit 1' '
	command -v setpriv >/dev/null || { echo "no setpriv"; return 1; }
	expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash "$deps" bash no-such-package-osb &&
	stderr_is "missing packages; run: apt-get install no-such-package-osb"
'

test_expect_success 'configure names the Debian package of a missing library' '
	mkdir -p empty &&
	expect_code 1 env PKG_CONFIG_LIBDIR=$TMP/empty "$T_DIR/../configure" -q &&
	grep_q "libcurl not found: apt-get install libcurl4-openssl-dev" err
'

test_done
