/*
 * jupyter_msg.c — Jupyter messages on ZeroMQ: framing, HMAC-SHA256
 * signatures (OpenSSL's EVP_MAC, set up once per session with its key),
 * and the JSON parts.
 */
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/core_names.h>

#include "command.h"
#include "jupyter_msg.h"
#include "kernel_libs.h"

#define DELIMITER "<IDS|MSG>"
#define DELIMITER_LEN (sizeof(DELIMITER) - 1)
/* Frames kept of one message: identities, delimiter, signature, the four
 * JSON parts; buffers past these are read and dropped. */
#define MAX_FRAMES 16

struct jupyter_session {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;	/* keyed; re-initialised for each message */
	char session[33];
	char username[32];
};

/* A session signing with key; NULL on failure. */
struct jupyter_session *
jupyter_session_new(const char *key)
{
	OSSL_PARAM params[2];
	struct jupyter_session *s;
	char digest[] = "SHA256";

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	params[0] = kl.OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = kl.OSSL_PARAM_construct_end();
	if ((s->mac = kl.EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (s->ctx = kl.EVP_MAC_CTX_new(s->mac)) == NULL ||
	    kl.EVP_MAC_init(s->ctx, (const unsigned char *)key, strlen(key),
	    params) != 1) {
		jupyter_session_free(s);
		return NULL;
	}
	cmd_random_id(s->session, sizeof(s->session), 0);
	strlcpy(s->username, "osb-execd", sizeof(s->username));
	return s;
}

/* Release a session. */
void
jupyter_session_free(struct jupyter_session *s)
{
	if (s == NULL)
		return;
	kl.EVP_MAC_CTX_free(s->ctx);
	kl.EVP_MAC_free(s->mac);
	free(s);
}

/* The lowercase hex HMAC of the n parts into hex; 0, or -1 when
 * OpenSSL failed. */
int
jupyter_sign(struct jupyter_session *s, const void *const *part,
    const size_t *len, int n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0, i;
	int k;

	if (kl.EVP_MAC_init(s->ctx, NULL, 0, NULL) != 1)
		return -1;
	for (k = 0; k < n; k++)
		if (kl.EVP_MAC_update(s->ctx, part[k], len[k]) != 1)
			return -1;
	if (kl.EVP_MAC_final(s->ctx, md, &mdlen, sizeof(md)) != 1 ||
	    mdlen * 2 != JUPYTER_SIG_HEX)
		return -1;
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[JUPYTER_SIG_HEX] = '\0';
	return 0;
}

/* Now as ISO 8601 in UTC with microseconds, as Jupyter dates are. */
static void
iso_now(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", (long)tv.tv_usec);
}

/* The header of a new type message from s, its msg_id in id. */
static json_t *
new_header(struct jupyter_session *s, const char *type, char *id)
{
	char date[64];

	cmd_random_id(id, 33, 0);
	iso_now(date, sizeof(date));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id,
	    "session", s->session, "username", s->username, "date", date,
	    "msg_type", type, "version", JUPYTER_PROTOCOL);
}

/* Send the frames as one multipart message; 0 or -1. */
static int
send_frames(void *socket, const void *const *part, const size_t *len, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (kl.zmq_send(socket, part[k], len[k], k + 1 < n ?
		    ZMQ_SNDMORE : 0) < 0)
			return -1;
	return 0;
}

int
jupyter_send(void *socket, struct jupyter_session *s, const char *type,
    json_t *content, char *id)
{
	char msg_id[33], sig[JUPYTER_SIG_HEX + 1];
	const void *part[6];
	size_t len[6];
	char *json[4] = { NULL, NULL, NULL, NULL };
	json_t *doc[4];
	int k, rc = -1;

	doc[0] = new_header(s, type, msg_id);
	doc[1] = json_object();
	doc[2] = json_object();
	doc[3] = content ? content : json_object();
	for (k = 0; k < 4; k++) {
		json[k] = doc[k] ? json_dumps(doc[k], JSON_COMPACT) : NULL;
		json_decref(doc[k]);
	}
	for (k = 0; k < 4 && json[k]; k++) {
		part[k + 2] = json[k];
		len[k + 2] = strlen(json[k]);
	}
	if (k == 4 && jupyter_sign(s, part + 2, len + 2, 4, sig) == 0) {
		part[0] = DELIMITER;
		len[0] = DELIMITER_LEN;
		part[1] = sig;
		len[1] = JUPYTER_SIG_HEX;
		rc = send_frames(socket, part, len, 6);
	}
	for (k = 0; k < 4; k++)
		free(json[k]);
	if (rc == 0 && id)
		memcpy(id, msg_id, sizeof(msg_id));
	return rc;
}

/* The frames of one multipart message. */
struct frames {
	zmq_msg_t f[MAX_FRAMES];
	int n;
};

/* Release the frames. */
static void
free_frames(struct frames *fr)
{
	int k;

	for (k = 0; k < fr->n; k++)
		kl.zmq_msg_close(&fr->f[k]);
	fr->n = 0;
}

/*
 * Read a whole multipart message into fr (the first MAX_FRAMES parts).
 * Returns 1, 0 when none is waiting, -1 on a receive error.
 */
static int
read_frames(void *socket, struct frames *fr)
{
	zmq_msg_t extra;
	int more, flags = ZMQ_DONTWAIT;

	fr->n = 0;
	do {
		zmq_msg_t *m = fr->n < MAX_FRAMES ? &fr->f[fr->n] : &extra;

		kl.zmq_msg_init(m);
		if (kl.zmq_msg_recv(m, socket, flags) < 0) {
			kl.zmq_msg_close(m);
			more = fr->n == 0 && kl.zmq_errno() == EAGAIN ? 0 : -1;
			free_frames(fr);
			return more;
		}
		flags = 0;
		more = kl.zmq_msg_more(m);
		if (m == &extra)
			kl.zmq_msg_close(m);
		else
			fr->n++;
	} while (more);
	return 1;
}

/*
 * Parse a frame as a JSON object; NULL when it is not one. A string may
 * hold U+0000: Python's json writes it as \u0000 for any "\0" printed,
 * and refusing it dropped the whole message (and the cell's output).
 */
static json_t *
frame_json(const struct jupyter_frame *f)
{
	json_t *doc = json_loadb(f->data, f->len, JSON_ALLOW_NUL, NULL);

	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Is the signature frame f[0] right for the four frames after it? */
static int
signature_ok(struct jupyter_session *s, const struct jupyter_frame *f)
{
	char want[JUPYTER_SIG_HEX + 1];
	const void *part[4];
	size_t len[4];
	int k;

	if (f[0].len != JUPYTER_SIG_HEX)
		return 0;
	for (k = 0; k < 4; k++) {
		part[k] = f[1 + k].data;
		len[k] = f[1 + k].len;
	}
	return jupyter_sign(s, part, len, 4, want) == 0 &&
	    kl.CRYPTO_memcmp(want, f[0].data, JUPYTER_SIG_HEX) == 0;
}

int
jupyter_parse(struct jupyter_session *s, const struct jupyter_frame *f,
    int n, struct jupyter_msg *msg)
{
	int d;

	memset(msg, 0, sizeof(*msg));
	for (d = 0; d < n; d++)
		if (f[d].len == DELIMITER_LEN &&
		    memcmp(f[d].data, DELIMITER, DELIMITER_LEN) == 0)
			break;
	if (d + 5 >= n || !signature_ok(s, f + d + 1))
		return -1;
	msg->header = frame_json(&f[d + 2]);
	msg->parent = frame_json(&f[d + 3]);
	msg->metadata = frame_json(&f[d + 4]);
	msg->content = frame_json(&f[d + 5]);
	msg->type = json_string_value(json_object_get(msg->header,
	    "msg_type"));
	msg->parent_id = json_string_value(json_object_get(msg->parent,
	    "msg_id"));
	if (msg->parent_id == NULL)
		msg->parent_id = "";
	if (msg->header == NULL || msg->parent == NULL ||
	    msg->metadata == NULL || msg->content == NULL ||
	    msg->type == NULL) {
		jupyter_msg_free(msg);
		return -1;
	}
	return 0;
}

int
jupyter_recv(void *socket, struct jupyter_session *s,
    struct jupyter_msg *msg)
{
	struct jupyter_frame f[MAX_FRAMES];
	struct frames fr;
	int rc, k;

	memset(msg, 0, sizeof(*msg));
	if ((rc = read_frames(socket, &fr)) <= 0)
		return rc;
	for (k = 0; k < fr.n; k++) {
		f[k].data = kl.zmq_msg_data(&fr.f[k]);
		f[k].len = kl.zmq_msg_size(&fr.f[k]);
	}
	rc = jupyter_parse(s, f, fr.n, msg) == 0 ? 1 : -1;
	free_frames(&fr);
	return rc;
}

/* Release what jupyter_recv filled in. */
void
jupyter_msg_free(struct jupyter_msg *msg)
{
	json_decref(msg->header);
	json_decref(msg->parent);
	json_decref(msg->metadata);
	json_decref(msg->content);
	memset(msg, 0, sizeof(*msg));
}
