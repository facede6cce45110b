/*
 * jupyter_msg.h — the Jupyter messaging protocol (v5.3) on ZeroMQ
 * sockets: messages built, signed with HMAC-SHA256, sent, and received
 * with their signature checked.
 *
 * A message on the wire is a multipart ZeroMQ message: routing
 * identities, the "<IDS|MSG>" delimiter, the hex HMAC of the next four
 * frames, then header, parent_header, metadata and content as JSON, then
 * any binary buffers.
 */
#ifndef EXECD_JUPYTER_MSG_H
#define EXECD_JUPYTER_MSG_H

#include <stddef.h>

#include <jansson.h>

/* The protocol version our headers carry. */
#define JUPYTER_PROTOCOL "5.3"
/* Hex digits of a signature (HMAC-SHA256). */
#define JUPYTER_SIG_HEX 64

/*
 * One client's side of a connection: the signing key and the session
 * id of the messages it sends. Used by one thread at a time.
 */
struct jupyter_session;

/* A session signing with key (the connection file's "key"); NULL when
 * out of memory or OpenSSL has no HMAC-SHA256. */
struct jupyter_session *jupyter_session_new(const char *key);
void jupyter_session_free(struct jupyter_session *);

/* A message received and checked. */
struct jupyter_msg {
	json_t *header, *parent, *metadata, *content;
	const char *type;	/* header's msg_type */
	const char *parent_id;	/* parent_header's msg_id, "" when none */
};

/*
 * Send a msg_type message with content (stolen; NULL: {}) on socket.
 * Its msg_id goes to id (33 bytes) when id is not NULL. Returns 0, -1
 * when it could not be built or sent.
 */
int jupyter_send(void *socket, struct jupyter_session *, const char *type,
    json_t *content, char *id);

/*
 * Receive one message from socket without waiting. Returns 1 with msg
 * filled (release it with jupyter_msg_free), 0 when nothing is waiting,
 * -1 for a message that was dropped: badly framed, a wrong signature,
 * not JSON.
 */
int jupyter_recv(void *socket, struct jupyter_session *,
    struct jupyter_msg *msg);
void jupyter_msg_free(struct jupyter_msg *);

/* One frame of a multipart message. */
struct jupyter_frame {
	const void *data;
	size_t len;
};

/*
 * The message in n frames (identities, delimiter, signature, the four
 * JSON parts, buffers), its signature checked: 0 with msg filled, -1
 * when it is badly framed, wrongly signed or its parts are not JSON
 * objects. What jupyter_recv does once it has the frames.
 */
int jupyter_parse(struct jupyter_session *, const struct jupyter_frame *,
    int n, struct jupyter_msg *msg);
/* The lowercase hex HMAC of the n parts into hex (JUPYTER_SIG_HEX + 1
 * bytes); 0, or -1 when OpenSSL failed. */
int jupyter_sign(struct jupyter_session *, const void *const *part,
    const size_t *len, int n, char *hex);

#endif
