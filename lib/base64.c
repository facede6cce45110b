/* base64.c — RFC 4648 base64 both ways. */
#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
osb_base64_encode(const void *data, size_t n, char *out)
{
	const unsigned char *p = data;
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

int
osb_base64_decode(const char *text, struct osb_buf *b)
{
	unsigned acc = 0;
	int bits = 0;
	const char *p, *at;
	unsigned char byte;

	for (p = text; *p && *p != '='; p++) {
		if (strchr(" \t\r\n", *p))
			continue;
		if ((at = strchr(alphabet, *p)) == NULL)
			return -1;
		acc = (acc << 6) | (unsigned)(at - alphabet);
		if ((bits += 6) >= 8) {
			bits -= 8;
			byte = (unsigned char)(acc >> bits);
			if (osb_buf_append(b, &byte, 1) < 0)
				return -1;
		}
	}
	return 0;
}
