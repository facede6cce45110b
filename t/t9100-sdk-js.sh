#!/usr/bin/env bash
# The official OpenSandbox JavaScript SDK against osb-execd, with an access
# token: commands (streamed, failing, timed out, background, status, logs,
# interrupt), bash sessions, files (write, read, upload, download, info,
# list, search, mv, rm, mkdir, replace, permissions) and metrics, each
# through the SDK's own calls and result parsing (t/sdk-js/execd.mjs).
# The SDK, at the version t/sdk-js/package-lock.json pins, is installed
# once into t/sdk-js/node_modules from the npm registry; without node, npm
# or the registry the script skips.

# npm keeps the user's own settings (registry, proxy, CA) although lib.sh
# gives the tests a home of their own.
: "${NPM_CONFIG_USERCONFIG:=${HOME:-}/.npmrc}"
export NPM_CONFIG_USERCONFIG
. "$(dirname "$0")/lib.sh"

SDK=$T_DIR/sdk-js
require NODE
command -v flock >/dev/null || skip_all "flock not installed"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] ||
	skip_all "the SDK needs node 20 or later, not $(node --version)"

# sdk_install: npm ci into $SDK/node_modules, unless what is there was
# installed from this package-lock.json; one install at a time, however
# many test runs share the tree.
sdk_install() {
	(
		flock -w 150 9 || exit 1
		[ "$SDK/node_modules/.package-lock.json" -nt "$SDK/package-lock.json" ] &&
			exit 0
		cd "$SDK" &&
		timeout 120 npm ci --ignore-scripts --no-audit --no-fund \
			--loglevel=error --cache "$TMP/npm-cache"
	) 9<"$SDK" >"$TMP/npm.log" 2>&1
}
sdk_install ||
	skip_all "npm ci of the SDK failed (exit $?) $(grep -m 1 "^npm error" "$TMP/npm.log")"

start_execd --access-token "sdk-token-$$"
mkdir "$TMP/work"

# The checks print TAP lines of their own, counted here as this script's.
EXECD_TOKEN=sdk-token-$$ WORK=$TMP/work timeout 60 \
	node "$SDK/execd.mjs" >"$TMP/sdk.tap" 2>"$TMP/sdk.err"
sdk_status=$?
cat "$TMP/sdk.tap"
T_COUNT=$(grep -c '^\(not \)\?ok ' "$TMP/sdk.tap")
T_FAILED=$(grep '^not ok ' "$TMP/sdk.tap" | grep -vc ' # TODO ')

test_expect_success 'the SDK checks ran to their end' '
	cat "$TMP/sdk.err" &&
	test $sdk_status = 0 &&
	test ! -s "$TMP/sdk.err"
'

test_expect_success 'osb-execd stops cleanly' '
	stop_execd
'

test_done
