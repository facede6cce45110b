#!/usr/bin/env bash
# Registry images, local runtime: create from a cached image until the
# sandbox runs and its execd answers (target: median <= 150 ms), and a
# pull + unpack of a 3-layer 50 MB image from a loopback registry against
# skopeo copy plus umoci unpack run by hand (target: within 1.5x).
. "$(dirname "$0")/../lib.sh"
. "$T_DIR/../lib-images.sh"
trap 'stop_sandboxes; stop_registries; t_cleanup' EXIT
cd "$TMP" || exit 1

# Three layers of ~17 MB of data that does not compress, over busybox.
make_image >make.log 2>&1 && umoci unpack --image "$TMP/layout:img" big >>make.log 2>&1 &&
for i in 1 2 3; do
	head -c 17000000 /dev/urandom >"big/rootfs/data$i" &&
	umoci repack --image "$TMP/layout:img" big >>make.log 2>&1 || exit 1
done || { echo "image pull: building the image failed"; exit 1; }
start_registry reg && push v1 || { echo "image pull: no registry"; exit 1; }
IMG=$REG/test/img:v1

osb-sandbox image pull -q "$IMG" >/dev/null || exit 1
hyperfine -N --warmup 3 --runs 30 --export-json create.json \
	--cleanup "osb-sandbox kill --all" "osb-sandbox create -q -i $IMG" \
	>/dev/null 2>&1 || { echo "image create: hyperfine failed"; exit 1; }
median=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' create.json | head -1)
awk -v m="$median" 'BEGIN { printf "image create: create -q -i from the cache, median %.1f ms over 30 runs (target <= 150 ms)\n", m * 1000 }'

hyperfine -N --runs 5 --export-json pull.json \
	--prepare "bash -c 'osb-sandbox kill --all; osb-sandbox image rm $IMG; osb-sandbox image prune >/dev/null; true'" \
	"osb-sandbox image pull -q $IMG" \
	--prepare "bash -c 'rm -rf $TMP/hand && mkdir $TMP/hand'" \
	"bash -c 'skopeo --insecure-policy copy -q --src-tls-verify=false docker://$IMG oci:$TMP/hand/oci:x && umoci unpack --image $TMP/hand/oci:x $TMP/hand/b'" \
	>pull.log 2>&1 || { cat pull.log; echo "image pull: hyperfine failed"; exit 1; }
sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' pull.json | head -2 | tr '\n' ' ' |
	awk '{ printf "image pull: 3 layers, 50 MB: osb %.0f ms, skopeo + umoci by hand %.0f ms: %.2fx (target <= 1.5x)\n", $1 * 1000, $2 * 1000, $1 / $2 }'
