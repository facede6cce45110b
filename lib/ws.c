/* ws.c — RFC 6455 framing; see ws.h. */
#include <stdlib.h>
#include <string.h>

#include <sha1.h>

#include "base64.h"
#include "ws.h"

/* What a handshake key is hashed with (RFC 6455 1.3). */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

void
osb_ws_accept(const char *key, char out[OSB_WS_ACCEPT_LEN + 1])
{
	unsigned char digest[SHA1_DIGEST_LENGTH];
	SHA1_CTX ctx;

	SHA1Init(&ctx);
	SHA1Update(&ctx, (const unsigned char *)key, strlen(key));
	SHA1Update(&ctx, (const unsigned char *)WS_GUID, strlen(WS_GUID));
	SHA1Final(digest, &ctx);
	osb_base64_encode(digest, sizeof(digest), out);
}

void
osb_ws_new_key(char out[25])
{
	unsigned char nonce[16];

	arc4random_buf(nonce, sizeof(nonce));
	osb_base64_encode(nonce, sizeof(nonce), out);
}

size_t
osb_ws_header(unsigned char *out, int opcode, uint64_t len,
    const unsigned char mask[4])
{
	size_t n = 2;
	int i;

	out[0] = (unsigned char)(0x80 | (opcode & 0x0f));
	if (len < 126)
		out[1] = (unsigned char)len;
	else if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		n = 4;
	} else {
		out[1] = 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask != NULL) {
		out[1] |= 0x80;
		memcpy(out + n, mask, 4);
		n += 4;
	}
	return n;
}

void
osb_ws_mask(unsigned char *data, size_t n, const unsigned char mask[4],
    uint64_t offset)
{
	size_t i;

	for (i = 0; i < n; i++)
		data[i] ^= mask[(offset + i) & 3];
}

int
osb_ws_feed(struct osb_ws_reader *r, const void *data, size_t n)
{
	return osb_buf_append(&r->in, data, n);
}

/* Record a protocol error; returns -1. */
static int
ws_fail(struct osb_ws_reader *r, const char *why, int code)
{
	r->why = why;
	r->close_code = code;
	return -1;
}

/* A frame's header, parsed. */
struct ws_frame {
	int fin, op;
	uint64_t len;
	size_t header;			/* its length */
	const unsigned char *mask;	/* NULL: not masked */
};

/*
 * The header of the frame at p (n bytes there): 1 with f filled, 0 when
 * it is not all there yet, -1 on a protocol error.
 */
static int
ws_parse_header(struct osb_ws_reader *r, const unsigned char *p, size_t n,
    struct ws_frame *f)
{
	int masked, i;

	if (n < 2)
		return 0;
	f->fin = p[0] & 0x80;
	f->op = p[0] & 0x0f;
	masked = (p[1] & 0x80) != 0;
	if (p[0] & 0x70)
		return ws_fail(r, "reserved bits set", OSB_WS_PROTOCOL_ERROR);
	if ((f->op > OSB_WS_BINARY && f->op < OSB_WS_CLOSE) ||
	    f->op > OSB_WS_PONG)
		return ws_fail(r, "unknown opcode", OSB_WS_PROTOCOL_ERROR);
	if (masked != r->masked)
		return ws_fail(r, masked ? "a masked frame from the server" :
		    "an unmasked frame from the client",
		    OSB_WS_PROTOCOL_ERROR);
	f->len = p[1] & 0x7f;
	f->header = 2;
	if (f->len == 126) {
		if (n < 4)
			return 0;
		f->len = (uint64_t)p[2] << 8 | p[3];
		f->header = 4;
	} else if (f->len == 127) {
		if (n < 10)
			return 0;
		for (f->len = 0, i = 0; i < 8; i++)
			f->len = f->len << 8 | p[2 + i];
		if (f->len >> 63)
			return ws_fail(r, "frame length out of range",
			    OSB_WS_PROTOCOL_ERROR);
		f->header = 10;
	}
	f->mask = masked ? p + f->header : NULL;
	f->header += masked ? 4 : 0;
	if ((f->op & 0x8) && (!f->fin || f->len > 125))
		return ws_fail(r, "a control frame fragmented or over 125 "
		    "bytes", OSB_WS_PROTOCOL_ERROR);
	return n < f->header ? 0 : 1;
}

/* Is a data frame of op where a message may (not) be under way? */
static int
ws_check_sequence(struct osb_ws_reader *r, const struct ws_frame *f)
{
	if (f->op == OSB_WS_CONT && r->msg_op == 0)
		return ws_fail(r, "a continuation frame with no message",
		    OSB_WS_PROTOCOL_ERROR);
	if (f->op != OSB_WS_CONT && r->msg_op != 0)
		return ws_fail(r, "a new message inside a fragmented one",
		    OSB_WS_PROTOCOL_ERROR);
	return 0;
}

int
osb_ws_next(struct osb_ws_reader *r, int *op, const unsigned char **data,
    size_t *len)
{
	struct ws_frame f;
	unsigned char *payload;
	size_t taken;
	int rc;

	if (r->why != NULL)
		return -1;
	/*
	 * What was handed out last time may go now; moved down once it is
	 * half the buffer, so that a buffer of many messages is not moved
	 * once for each.
	 */
	if (r->at > 0 && r->at >= r->in.len / 2) {
		memmove(r->in.data, r->in.data + r->at, r->in.len - r->at);
		r->in.len -= r->at;
		r->at = 0;
	}
	for (;;) {
		if ((rc = ws_parse_header(r, (unsigned char *)r->in.data +
		    r->at, r->in.len - r->at, &f)) <= 0)
			return rc;
		if (!(f.op & 0x8) && ws_check_sequence(r, &f) < 0)
			return -1;
		taken = f.op == OSB_WS_CONT ? r->msg.len : 0;
		if (f.len > r->max || taken + f.len > r->max)
			return ws_fail(r, "message too big", OSB_WS_TOO_BIG);
		if (r->in.len - r->at - f.header < f.len)
			return 0;
		payload = (unsigned char *)r->in.data + r->at + f.header;
		if (f.mask)
			osb_ws_mask(payload, (size_t)f.len, f.mask, 0);
		r->at += f.header + (size_t)f.len;
		if ((f.op & 0x8) || (f.fin && f.op != OSB_WS_CONT)) {
			*op = f.op;
			*data = payload;
			*len = (size_t)f.len;
			return 1;
		}
		if (f.op != OSB_WS_CONT) {
			r->msg_op = f.op;
			r->msg.len = 0;
		}
		if (osb_buf_append(&r->msg, payload, (size_t)f.len) < 0)
			return ws_fail(r, "out of memory", OSB_WS_TOO_BIG);
		if (f.fin) {
			*op = r->msg_op;
			*data = (unsigned char *)r->msg.data;
			*len = r->msg.len;
			r->msg_op = 0;
			return 1;
		}
	}
}

void
osb_ws_reader_free(struct osb_ws_reader *r)
{
	osb_buf_free(&r->in);
	osb_buf_free(&r->msg);
	r->at = 0;
}

int
osb_ws_close_payload(const unsigned char *data, size_t len, int *code,
    char *reason, size_t reasonlen)
{
	size_t n;

	*code = 1005;
	if (reasonlen > 0)
		reason[0] = '\0';
	if (len == 0)
		return 0;
	if (len == 1)
		return -1;
	*code = data[0] << 8 | data[1];
	if (reasonlen > 0) {
		n = len - 2 < reasonlen - 1 ? len - 2 : reasonlen - 1;
		memcpy(reason, data + 2, n);
		reason[n] = '\0';
	}
	return 0;
}
