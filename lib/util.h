/*
 * util.h — small things several programs share: durations as people write
 * them, argv joined into one shell command line, writes that finish,
 * standard descriptors kept in place, and UTF-8 checks for text bound for
 * JSON.
 */
#ifndef OSB_UTIL_H
#define OSB_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* What osb_duration_parse gives for "none" (no limit, where allowed). */
#define OSB_DURATION_NONE (-1)

/*
 * "30s", "10m", "2h", "1h30m", "500ms" (units in that order, each at most
 * once), or a plain number of seconds, to milliseconds in *ms; "none" gives
 * OSB_DURATION_NONE. Returns 0, -1 when s is not a duration.
 */
int osb_duration_parse(const char *s, int64_t *ms);

/*
 * argv[0..argc-1] as one command line a POSIX shell splits back into
 * exactly those words: words with anything beyond [A-Za-z0-9_@%+=:,./-]
 * are single-quoted. Returns malloc'd text, NULL when out of memory.
 */
char *osb_shell_join(int argc, char *const argv[]);

/*
 * Write all len bytes of buf to fd, going on after short writes and
 * signals (EINTR). Returns 0, -1 with errno set.
 */
int osb_write_all(int fd, const void *buf, size_t len);

/*
 * Hold the standard descriptors (0, 1, 2) that were closed when we
 * started, so that no socket or file opened later takes their number and
 * receives our output: /dev/null opened the wrong way round, so reading
 * stdin or writing stdout fails (EBADF) as it would have.
 */
void osb_hold_std_fds(void);

/*
 * Is s (NUL-ended) valid UTF-8, as JSON text must be? Bytes of a file name
 * or an argument need not be: they must be refused by name, not lost.
 */
int osb_utf8_valid(const char *s);

/*
 * The len bytes of s with each byte that is not part of valid UTF-8
 * replaced by U+FFFD, as the execd does for command output. Returns
 * malloc'd text (NUL-ended, its length in *outlen), NULL when out of
 * memory.
 */
char *osb_utf8_repair(const char *s, size_t len, size_t *outlen);

#endif
