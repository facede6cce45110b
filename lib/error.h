/* error.h — what went wrong, carried from libosb to the program that prints it. */
#ifndef OSB_ERROR_H
#define OSB_ERROR_H

/*
 * status is the HTTP status when a server answered (0 when none did), code
 * the server's error code ("FILE_NOT_FOUND") or "" and message a
 * lowercase sentence naming what was being done ("upload /x: 413 too large").
 */
struct osb_error {
	long status;
	char code[64];
	char message[1024];
};

void osb_error_set(struct osb_error *, long status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Put "context: " in front of the message already there. */
void osb_error_prefix(struct osb_error *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
