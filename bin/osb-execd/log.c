/* log.c — osb-execd's log lines: time, level, message; one write each. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int execd_log_level = LOG_INFO_;
int execd_log_fd = STDERR_FILENO;

/* One log line at level, when the log level lets it through. */
void
execd_log(int level, const char *fmt, ...)
{
	static const char *names[] = { "EMERG", "ALERT", "CRIT", "ERROR",
	    "WARN", "NOTICE", "INFO", "DEBUG" };
	char line[2048];
	struct tm tm;
	time_t now;
	va_list ap;
	size_t n;

	if (level > execd_log_level || level < 0 || level > 7)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof(line) - n, "%s ", names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';
	/* One write(2) per line so concurrent threads never interleave. */
	(void)!write(execd_log_fd, line, n);
}
