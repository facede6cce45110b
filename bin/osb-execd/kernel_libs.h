/*
 * kernel_libs.h — libzmq and libcrypto, loaded when the first kernel
 * starts rather than linked in. Only code contexts use them, and with
 * what they pull in (libstdc++, Kerberos, NORM) they would nearly double
 * the resident size of every execd, most of which never run a kernel.
 *
 * Call them through kl: kl.zmq_send(...), kl.EVP_MAC_init(...).
 */
#ifndef EXECD_KERNEL_LIBS_H
#define EXECD_KERNEL_LIBS_H

#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zmq.h>

#define KERNEL_ZMQ_FUNCS(X) \
	X(zmq_ctx_new) X(zmq_ctx_term) X(zmq_socket) X(zmq_setsockopt) \
	X(zmq_connect) X(zmq_close) X(zmq_errno) X(zmq_strerror) \
	X(zmq_recv) X(zmq_send) X(zmq_poll) X(zmq_msg_init) \
	X(zmq_msg_recv) X(zmq_msg_close) X(zmq_msg_data) X(zmq_msg_size) \
	X(zmq_msg_more)

#define KERNEL_CRYPTO_FUNCS(X) \
	X(EVP_MAC_fetch) X(EVP_MAC_free) X(EVP_MAC_CTX_new) \
	X(EVP_MAC_CTX_free) X(EVP_MAC_init) X(EVP_MAC_update) \
	X(EVP_MAC_final) X(CRYPTO_memcmp) \
	X(OSSL_PARAM_construct_utf8_string) X(OSSL_PARAM_construct_end)

struct kernel_libs {
#define KERNEL_LIBS_MEMBER(f) __typeof__(f) *f;
	KERNEL_ZMQ_FUNCS(KERNEL_LIBS_MEMBER)
	KERNEL_CRYPTO_FUNCS(KERNEL_LIBS_MEMBER)
#undef KERNEL_LIBS_MEMBER
};

extern struct kernel_libs kl;

/* Load both libraries into kl; call it once. 0, or -1 with err set (the
 * loader's own message, which names the file). */
int kernel_libs_load(char *err, size_t errlen);

#endif
