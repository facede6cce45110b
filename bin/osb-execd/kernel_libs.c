/*
 * kernel_libs.c — loading libzmq and libcrypto on first use; see
 * kernel_libs.h for why.
 */
#include <dlfcn.h>
#include <stdio.h>

#include <openssl/opensslv.h>

#include "kernel_libs.h"

/* The sonames of the ABI the headers describe. */
_Static_assert(ZMQ_VERSION_MAJOR == 4, "libzmq 4, whose soname is .so.5");
#define ZMQ_SONAME "libzmq.so.5"
#define SONAME_STR_(v) #v
#define SONAME_STR(v) SONAME_STR_(v)
#define CRYPTO_SONAME "libcrypto.so." SONAME_STR(OPENSSL_SHLIB_VERSION)

struct kernel_libs kl;

/* dlopen soname for good: the kernels' sockets live until exit. */
static void *
open_lib(const char *soname, char *err, size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		snprintf(err, errlen, "%s", dlerror());
	return h;
}

int
kernel_libs_load(char *err, size_t errlen)
{
	void *zmq, *crypto;

	if ((zmq = open_lib(ZMQ_SONAME, err, errlen)) == NULL ||
	    (crypto = open_lib(CRYPTO_SONAME, err, errlen)) == NULL)
		return -1;
	/* dlerror() names the file and the symbol. */
#define LOAD(h, f) \
	if ((kl.f = (__typeof__(kl.f))dlsym(h, #f)) == NULL) { \
		snprintf(err, errlen, "%s", dlerror()); \
		return -1; \
	}
#define LOAD_ZMQ(f) LOAD(zmq, f)
#define LOAD_CRYPTO(f) LOAD(crypto, f)
	KERNEL_ZMQ_FUNCS(LOAD_ZMQ)
	KERNEL_CRYPTO_FUNCS(LOAD_CRYPTO)
#undef LOAD_CRYPTO
#undef LOAD_ZMQ
#undef LOAD
	return 0;
}
