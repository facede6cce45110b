# t/lib-images.sh — a registry of the tests' own on loopback, and small
# images built from busybox with umoci, for the tests and benchmarks of
# registry images. Source after lib.sh; call stop_registries on exit.

REG_PIDS=""

# stop_registries: end every registry start_registry started.
stop_registries() {
	local p
	for p in $REG_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# start_registry NAME [AUTH-FILE]: a registry on a free loopback port,
# its storage under $TMP/NAME; its address in $REG.
start_registry() {
	local port
	port=$(free_port)
	mkdir -p "$TMP/$1"
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage: {filesystem: {rootdirectory: $TMP/$1/store}}"
		echo "http: {addr: 127.0.0.1:$port}"
		[ -z "${2:-}" ] ||
			echo "auth: {htpasswd: {realm: osb-test, path: $2}}"
	} >"$TMP/$1/config.yml"
	docker-registry serve "$TMP/$1/config.yml" >"$TMP/$1/log" 2>&1 &
	REG_PIDS="${REG_PIDS:+$REG_PIDS }$!"
	REG=127.0.0.1:$port
	wait_http "http://$REG/v2/"
}

# The test image: busybox in a first layer with /gone/file, a second
# layer that deletes /gone (a whiteout) and adds /etc/two, and a config.
make_image() {
	local b=$TMP/bundle r=$TMP/bundle/rootfs c
	umoci init --layout "$TMP/layout" &&
	umoci new --image "$TMP/layout:img" &&
	umoci unpack --image "$TMP/layout:img" "$b" &&
	mkdir -p "$r/bin" "$r/etc" "$r/gone" "$r/work" &&
	cp "$(command -v busybox)" "$r/bin/busybox" &&
	for c in sh cat ls echo sleep tail pwd env test readlink; do
		ln -s busybox "$r/bin/$c" || return 1
	done &&
	echo bye >"$r/gone/file" && echo one >"$r/etc/one" &&
	umoci repack --image "$TMP/layout:img" "$b" &&
	rm -r "$r/gone" && echo two >"$r/etc/two" &&
	umoci repack --image "$TMP/layout:img" "$b" &&
	umoci config --image "$TMP/layout:img" --config.env PATH=/bin \
		--config.env GREETING=hello --config.env WHO=image \
		--config.workingdir /work \
		--config.cmd sleep --config.cmd 86400 &&
	umoci config --image "$TMP/layout:img" --tag user \
		--config.user 1234:5678
}

# push TAG [SKOPEO-ARGS...]: the test image (tag img, or user: the same
# with a User) to the registry at $REG as test/img:TAG.
push() {
	local tag=$1 src=img
	shift
	[ "$tag" = user ] && src=user
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$TMP/layout:$src" \
		"docker://$REG/test/img:$tag" >/dev/null
}

