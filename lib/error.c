/* error.c — filling struct osb_error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void
osb_error_set(struct osb_error *err, long status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->status = status;
	strlcpy(err->code, code ? code : "", sizeof(err->code));
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void
osb_error_prefix(struct osb_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->message)];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	strlcpy(old, err->message, sizeof(old));
	/* The tail of a too-long message goes; the context stays. */
	if (snprintf(err->message, sizeof(err->message), "%s: %s", prefix,
	    old) < 0)
		strlcpy(err->message, prefix, sizeof(err->message));
}
