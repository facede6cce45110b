/*
 * base64.h — RFC 4648 base64, for bytes that JSON text cannot carry:
 * binary results of code, raw output that is not UTF-8, and the
 * WebSocket handshake key.
 */
#ifndef OSB_BASE64_H
#define OSB_BASE64_H

#include <stddef.h>

#include "buf.h"

/* The room osb_base64_encode needs for n bytes, the NUL included. */
#define OSB_BASE64_LEN(n)	(((n) + 2) / 3 * 4 + 1)

/* Encode n bytes of data into out (OSB_BASE64_LEN(n)); its length. */
size_t osb_base64_encode(const void *data, size_t n, char *out);
/*
 * Append the bytes base64 text decodes to onto b, whitespace skipped,
 * up to the first '=' or the end. Returns 0, -1 when text is not base64
 * or memory ran out.
 */
int osb_base64_decode(const char *text, struct osb_buf *b);

#endif
