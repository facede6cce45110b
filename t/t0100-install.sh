#!/usr/bin/env bash
# make install: programs, man pages, completions, library, header, osb.pc.
. "$(dirname "$0")/lib.sh"
top=$(cd "$T_DIR/.." && pwd)
build=$(dirname "$OSB_BIN")
dest=$TMP/dest

test_expect_success 'make install DESTDIR PREFIX puts everything in place' '
	make -s -C "$top" install BUILD="$build" DESTDIR="$dest" PREFIX=/usr \
		>log 2>&1 || { cat log; return 1; }
	for f in lib/libosb.a include/osb/osb.h include/osb/http.h \
		lib/pkgconfig/osb.pc share/man/man5/osb-config.5; do
		test -e "$dest/usr/$f" || { echo "missing $f"; return 1; }
	done &&
	for p in $(ls "$OSB_BIN"); do
		for f in bin/$p share/man/man[18]/$p.[18] \
			share/bash-completion/completions/$p \
			share/zsh/site-functions/_$p \
			share/fish/vendor_completions.d/$p.fish; do
			ls "$dest"/usr/$f >/dev/null 2>&1 ||
				{ echo "missing $f"; return 1; }
		done
	done &&
	test -x "$dest/usr/bin/osb-exec"
'

test_expect_success 'the installed library links through osb.pc' '
	cat >prog.c <<-\EOC &&
	#include <osb.h>
	int main(void) {
		struct osb_endpoint ep;
		struct osb_error err;
		if (osb_endpoint_init(&ep, "127.0.0.1:1", &err) < 0)
			return 1;
		osb_endpoint_free(&ep);
		return 0;
	}
	EOC
	sed -i "s|^prefix=.*|prefix=$dest/usr|" "$dest/usr/lib/pkgconfig/osb.pc" &&
	PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig &&
	cc ${OSB_SANITIZE:+-fsanitize=address,undefined} -o prog prog.c $(PKG_CONFIG_PATH=$PKG_CONFIG_PATH pkg-config --cflags --libs osb) &&
	./prog
'

test_done
