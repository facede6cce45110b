/*
 * code_bash.c — bash contexts on the daemon's bash sessions.
 *
 * A run is the session's own run (session_run), answering the request
 * with the session's events, in raw framing: a cell's output comes as a
 * kernel's stream does, in pieces as written, not a line per event.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "code_bash.h"
#include "session.h"
#include "util.h"

int
code_bash_run(struct osb_req *req, const char *id, const char *code)
{
	json_t *body = json_pack("{s:s, s:s}", "command", code, "osb_framing",
	    "raw");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	osb_buf_free(&req->body);
	if (text == NULL || osb_buf_append(&req->body, text, strlen(text)) < 0) {
		free(text);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	free(text);
	req->params[0] = id;
	return session_run(req);
}
