/*
 * ws.h — the WebSocket protocol (RFC 6455) without the transport: the
 * handshake key, frame headers, masking, and a reader that turns bytes in
 * into whole messages (fragments joined, control frames between them
 * handed over as they come). osb-execd's /pty/{id}/ws and osb-exec's
 * client of it both use it; it does no I/O, so it can be fuzzed.
 */
#ifndef OSB_WS_H
#define OSB_WS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum {
	OSB_WS_CONT = 0x0, OSB_WS_TEXT = 0x1, OSB_WS_BINARY = 0x2,
	OSB_WS_CLOSE = 0x8, OSB_WS_PING = 0x9, OSB_WS_PONG = 0xa
};

/* Close codes (RFC 6455 7.4.1). */
#define OSB_WS_NORMAL		1000
#define OSB_WS_GOING_AWAY	1001
#define OSB_WS_PROTOCOL_ERROR	1002
#define OSB_WS_TOO_BIG		1009

/* The longest frame header: 2 bytes, 8 of length, 4 of mask. */
#define OSB_WS_HEADER_MAX 14
/* The Sec-WebSocket-Accept value's length, without the NUL. */
#define OSB_WS_ACCEPT_LEN 28

/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key, into out. */
void osb_ws_accept(const char *key, char out[OSB_WS_ACCEPT_LEN + 1]);
/* A fresh random Sec-WebSocket-Key (16 random bytes in base64). */
void osb_ws_new_key(char out[25]);

/*
 * Write the header of a final frame of opcode carrying len bytes into out
 * (OSB_WS_HEADER_MAX bytes); masked with mask when it is not NULL, as a
 * client must. Returns the header's length.
 */
size_t osb_ws_header(unsigned char *out, int opcode, uint64_t len,
    const unsigned char mask[4]);
/* XOR n bytes of data with mask, the first being byte offset of the
 * payload. Masking twice unmasks. */
void osb_ws_mask(unsigned char *data, size_t n, const unsigned char mask[4],
    uint64_t offset);

/*
 * A reader of one direction of a connection. A server's (masked set)
 * refuses unmasked frames, a client's refuses masked ones. Messages
 * larger than max are refused.
 */
struct osb_ws_reader {
	int masked;			/* frames must be masked */
	size_t max;			/* the largest message taken */
	struct osb_buf in;		/* bytes not yet parsed */
	size_t at;			/* where parsing resumes in in */
	struct osb_buf msg;		/* a fragmented message so far */
	int msg_op;			/* its opcode, 0: none under way */
	const char *why;		/* the protocol error, once one came */
	int close_code;			/* the close code that goes with why */
};

/* Take n bytes from the connection; -1 when out of memory. */
int osb_ws_feed(struct osb_ws_reader *, const void *data, size_t n);
/*
 * The next whole message: 1 with its opcode in *op (TEXT, BINARY, CLOSE,
 * PING or PONG) and its payload in *data, *len (good until the next
 * call), 0 when more bytes are needed, -1 on a protocol error (r->why
 * says which, r->close_code is the code to close with). Text is not
 * checked for UTF-8 here.
 */
int osb_ws_next(struct osb_ws_reader *, int *op, const unsigned char **data,
    size_t *len);
/* Free what the reader holds. */
void osb_ws_reader_free(struct osb_ws_reader *);

/*
 * The payload of a close frame: the code (1005, none, when it has none)
 * and the reason, up to reasonlen - 1 bytes. -1 when it is malformed.
 */
int osb_ws_close_payload(const unsigned char *data, size_t len, int *code,
    char *reason, size_t reasonlen);

#endif
