#!/usr/bin/env bash
# Containment without root: the same suite as t4025 (t/lib-contain.sh),
# the sandboxes made by an unprivileged user (nobody), rootless.
. "$(dirname "$0")/lib.sh"
. "$T_DIR/lib-contain.sh"

[ "$(id -u)" = 0 ] || skip_all "runs as root, to test as nobody"
command -v setpriv >/dev/null || skip_all "no setpriv"
NOBODY_HOME=$TMP/nobody
mkdir -p "$NOBODY_HOME" && chmod 755 "$TMP" && chown 65534:65534 "$NOBODY_HOME" ||
	skip_all "cannot make a home for nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Ur true 2>/dev/null ||
	skip_all "no user namespaces for unprivileged users here"
TUN_MODE=$(stat -c %a /dev/net/tun 2>/dev/null) ||
	skip_all "no /dev/net/tun for slirp4netns"
chmod 0666 /dev/net/tun || skip_all "cannot open /dev/net/tun to users"

AS="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$NOBODY_HOME XDG_STATE_HOME=$NOBODY_HOME/state PATH=$PATH"
mkdir -p "$NOBODY_HOME/state/osb" && chown -R 65534:65534 "$NOBODY_HOME/state"
trap '$AS osb-sandbox kill --all >/dev/null 2>&1;
	XDG_STATE_HOME=$NOBODY_HOME/state stop_sandboxes;
	chmod "$TUN_MODE" /dev/net/tun;
	rm -f /root/osb-marker-$$ /home/osb-marker-$$; t_cleanup' EXIT
XDG_STATE_HOME=$NOBODY_HOME/state

contain_suite

test_done
