/*
 * tmp_journal.h — a record of the temp files osb-execd has open next to
 * their targets (uploads, replaces), so that the ones a killed daemon
 * left behind are removed at the next start.
 *
 * Each daemon keeps a directory of its own, RUNDIR, under
 * $TMPDIR/osb-execd-journal-UID (default /tmp), holding one symlink per
 * temp file in use and a lock file it holds locked for its whole life. At
 * start, a directory whose lock can be taken belongs to a daemon that is
 * gone: the temp files its links name (ours by their name) are removed,
 * then the directory. A daemon still running is never touched.
 */
#ifndef EXECD_TMP_JOURNAL_H
#define EXECD_TMP_JOURNAL_H

/* A temp file's entry in the journal; name "" when not journaled. */
struct tmp_entry {
	char name[24];
};

/* Make this daemon's journal and sweep those of daemons gone; the
 * number of temp files removed, or -1 with the reason in err (the
 * daemon goes on without a journal then). */
int tmp_journal_open(char *err, size_t errlen);
/* Note tmp (an absolute path) as in use; a failure only loses the note. */
void tmp_journal_note(const char *tmp, struct tmp_entry *);
/* tmp has been renamed into place or removed: drop its note. */
void tmp_journal_forget(struct tmp_entry *);
/* At a clean stop: remove this daemon's journal. */
void tmp_journal_close(void);

#endif
