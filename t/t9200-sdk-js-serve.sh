#!/usr/bin/env bash
# The official OpenSandbox JavaScript SDK against `osb-sandbox serve` with
# an API key: Sandbox.create, getInfo, commands.run, files, endpoints,
# renew, metadata, list filters, the server proxy (useServerProxy), pause
# and resume, kill, a wrong key (t/sdk-js/serve.mjs). The SDK is installed
# as for t9100; without node, npm or the registry the script skips.

: "${NPM_CONFIG_USERCONFIG:=${HOME:-}/.npmrc}"
export NPM_CONFIG_USERCONFIG
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-serve.sh"

SDK=$T_DIR/sdk-js
command -v node >/dev/null || skip_all "node not installed"
command -v npm >/dev/null || skip_all "npm not installed"
command -v flock >/dev/null || skip_all "flock not installed"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] ||
	skip_all "the SDK needs node 20 or later, not $(node --version)"

# sdk_install: as in t9100, one npm ci at a time into $SDK/node_modules.
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

start_serve --api-key "sdk-key-$$"

SERVE_DOMAIN=$SERVE_DOMAIN SERVE_API_KEY=sdk-key-$$ timeout 90 \
	node "$SDK/serve.mjs" >"$TMP/sdk.tap" 2>"$TMP/sdk.err"
sdk_status=$?
cat "$TMP/sdk.tap"
T_COUNT=$(grep -c '^\(not \)\?ok ' "$TMP/sdk.tap")
T_FAILED=$(grep -c '^not ok ' "$TMP/sdk.tap")

test_expect_success 'the SDK checks ran to their end' '
	cat "$TMP/sdk.err" &&
	test $sdk_status = 0 &&
	test ! -s "$TMP/sdk.err" &&
	test $T_COUNT -ge 13
'

test_expect_success 'no sandbox is left behind' '
	osb-sandbox list -o json >list &&
	test "$(json_get list items)" = 0
'

test_expect_success 'serve logged every request and stops cleanly' '
	served " POST /v1/sandboxes 202 " &&
	served " GET /sandboxes/.*/proxy/44772/ping 200 " &&
	stop_serve
'

test_done
