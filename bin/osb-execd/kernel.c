/*
 * kernel.c — a kernel's thread, from start to death, and the cells it
 * runs. Requests from connection threads (a cell, an interrupt, stop)
 * are left under the kernel's lock and the thread woken through an
 * eventfd; only the thread touches the sockets and reaps the process.
 *
 * A cell is over when both its execute_reply (shell) and the idle status
 * it caused (iopub) are in: the kernel publishes all of a cell's output
 * before that idle, and the two come on different sockets in either
 * order.
 */
#include <sys/eventfd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "command.h"
#include "jupyter_msg.h"
#include "kernel.h"
#include "kernel_libs.h"
#include "kernel_launch.h"
#include "log.h"
#include "util.h"

/* Heartbeat: a ping this often, and how long an answer may take
 * (EXECD_KERNEL_HEARTBEAT_TIMEOUT overrides). */
#define HB_INTERVAL_MS 1000
#define HB_TIMEOUT_MS 10000
/* How long a kernel may take to answer its first kernel_info_request. */
#define START_TIMEOUT_MS 60000
/* A kernel that exits while starting (a port taken meanwhile, say) is
 * started again, this many times in all. */
#define START_ATTEMPTS 3
/* Until iopub is seen to work, kernel_info_request is sent this often. */
#define INFO_RETRY_MS 100
/* After shutdown_request, how long before the kernel is killed. */
#define STOP_GRACE_MS 1000
/* Without a pidfd, how often to look whether the kernel has exited. */
#define REAP_POLL_MS 50
/* ZeroMQ's reconnect interval: the kernel binds its ports a second or so
 * after it starts, and the default 100 ms would add to every start. */
#define RECONNECT_MS 10

struct kernel_cell {
	struct kernel_cell *next;
	struct kernel *k;
	char *code;
	struct evq *q;
	char msg_id[33];
	int64_t start_ms;
	int sent, busy, replied, idle;
	int gone;		/* its stream is over */
	int interrupted;	/* interrupted because its stream went */
	json_t *error;		/* {"ename","evalue","traceback"} */
	int refs;		/* the kernel's until it ends, the stream's */
};

struct kernel {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* the state changed */
	int refs;
	enum kernel_state state;
	char why[512];		/* dead: why */
	char label[64];
	struct kernel_spec *spec;
	char *cwd;
	pid_t pid;		/* > 0 while the process is not reaped */
	struct kernel_cell *cells, **tail;	/* the first runs once sent */
	int stop, interrupt;	/* asked for */
	int wake_fd;
	pthread_t thread;
	int joined;

	/* The thread's own. */
	struct kernel_proc proc;
	void *sock[KCH_N];
	struct jupyter_session *js;
	int info_seen, iopub_seen, hb_waiting, stop_sent, exited;
	int64_t started_ms, info_sent_ms, hb_sent_ms, hb_next_ms;
	int64_t stop_deadline;
};

static void *zctx;
static char zctx_err[256];	/* why there is no zctx */
static pthread_once_t zonce = PTHREAD_ONCE_INIT;
static int64_t hb_timeout_ms = HB_TIMEOUT_MS;

/* The libraries, the ZeroMQ context and the heartbeat timeout, set up
 * once. */
static void
kernel_init_once(void)
{
	const char *hb = getenv("EXECD_KERNEL_HEARTBEAT_TIMEOUT");
	int64_t ms;

	if (kernel_libs_load(zctx_err, sizeof(zctx_err)) == 0 &&
	    (zctx = kl.zmq_ctx_new()) == NULL)
		snprintf(zctx_err, sizeof(zctx_err), "no ZeroMQ context: %s",
		    kl.zmq_strerror(kl.zmq_errno()));
	if (hb && *hb && osb_duration_parse(hb, &ms) == 0 && ms > 0)
		hb_timeout_ms = ms;
	else if (hb && *hb)
		execd_log(LOG_WARN_, "EXECD_KERNEL_HEARTBEAT_TIMEOUT=%s: not a "
		    "duration, %d s it is", hb, HB_TIMEOUT_MS / 1000);
}

const char *
kernel_state_name(enum kernel_state st)
{
	static const char *const names[] = { "starting", "idle", "busy",
	    "dead" };

	return names[st];
}

/* Wake the kernel's thread. */
static void
wake(struct kernel *k)
{
	uint64_t one = 1;

	(void)!write(k->wake_fd, &one, sizeof(one));
}

/* Release the kernel once the last reference is gone. */
void
kernel_unref(struct kernel *k)
{
	int last;

	pthread_mutex_lock(&k->lock);
	last = --k->refs == 0;
	pthread_mutex_unlock(&k->lock);
	if (!last)
		return;
	kernel_spec_free(k->spec);
	free(k->cwd);
	if (k->wake_fd >= 0)
		close(k->wake_fd);
	pthread_cond_destroy(&k->cond);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* Drop a reference to a cell; the last one frees it. */
static void
cell_unref(struct kernel_cell *c)
{
	struct kernel *k = c->k;
	int last;

	pthread_mutex_lock(&k->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&k->lock);
	if (!last)
		return;
	free(c->code);
	json_decref(c->error);
	free(c);
	kernel_unref(k);
}

/* Unlink cell c from the queue; called with the lock held. */
static void
unlink_cell_locked(struct kernel *k, struct kernel_cell *c)
{
	struct kernel_cell **pp;

	for (pp = &k->cells; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = c->next;
	if (k->tail == &c->next)
		k->tail = pp;
}

/* The end of a cell's events: the kernel lets go of it. */
static void
cell_end(struct kernel *k, struct kernel_cell *c)
{
	pthread_mutex_lock(&k->lock);
	unlink_cell_locked(k, c);
	pthread_mutex_unlock(&k->lock);
	evq_end(c->q);
	cell_unref(c);
}

/* {"type":"error","error":{"ename":..., "evalue":..., "traceback":[]}} */
static json_t *
error_event(const char *ename, const char *evalue)
{
	return json_pack("{s:s, s:{s:s, s:s, s:[]}}", "type", "error", "error",
	    "ename", ename, "evalue", evalue, "traceback");
}

/* Set the state; called with the lock held. */
static void
set_state_locked(struct kernel *k, enum kernel_state st)
{
	k->state = st;
	pthread_cond_broadcast(&k->cond);
}

/*
 * The kernel is dead (why): say so, and end every cell, the one running
 * and those queued, with an error saying why.
 */
static void
kernel_dead(struct kernel *k, const char *why)
{
	struct kernel_cell *c;

	pthread_mutex_lock(&k->lock);
	if (k->state != KERNEL_DEAD) {
		strlcpy(k->why, why, sizeof(k->why));
		set_state_locked(k, KERNEL_DEAD);
	}
	pthread_mutex_unlock(&k->lock);
	for (;;) {
		pthread_mutex_lock(&k->lock);
		c = k->cells;
		pthread_mutex_unlock(&k->lock);
		if (c == NULL)
			break;
		evq_push(c->q, error_event("DeadKernelError", k->why));
		cell_end(k, c);
	}
}

/* A socket of type connected to the kernel's port; NULL on failure. */
static void *
channel(struct kernel *k, int type, int port)
{
	int zero = 0, ivl = RECONNECT_MS;
	char addr[64];
	void *s;

	if ((s = kl.zmq_socket(zctx, type)) == NULL)
		return NULL;
	snprintf(addr, sizeof(addr), "tcp://127.0.0.1:%d", port);
	kl.zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	kl.zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	if (type == ZMQ_SUB)
		kl.zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (kl.zmq_connect(s, addr) < 0) {
		kl.zmq_close(s);
		return NULL;
	}
	return s;
}

/* Close the sockets and the session. */
static void
disconnect(struct kernel *k)
{
	int i;

	for (i = 0; i < KCH_N; i++) {
		if (k->sock[i])
			kl.zmq_close(k->sock[i]);
		k->sock[i] = NULL;
	}
	jupyter_session_free(k->js);
	k->js = NULL;
}

/* Connect the five channels; 0, or -1 with err set. */
static int
connect_channels(struct kernel *k, char *err, size_t errlen)
{
	static const int type[KCH_N] = { ZMQ_DEALER, ZMQ_SUB, ZMQ_DEALER,
	    ZMQ_DEALER, ZMQ_REQ };
	int i;

	if ((k->js = jupyter_session_new(k->proc.key)) == NULL) {
		snprintf(err, errlen, "no HMAC-SHA256 for message signing");
		return -1;
	}
	for (i = 0; i < KCH_N; i++)
		if ((k->sock[i] = channel(k, type[i], k->proc.port[i])) ==
		    NULL) {
			snprintf(err, errlen, "connect to the kernel: %s",
			    kl.zmq_strerror(kl.zmq_errno()));
			disconnect(k);
			return -1;
		}
	return 0;
}

/* Launch the process and connect to it; 0, or -1 with err set. */
static int
boot(struct kernel *k, char *err, size_t errlen)
{
	if (zctx == NULL) {
		snprintf(err, errlen, "%s", zctx_err);
		return -1;
	}
	if (kernel_launch(k->spec, k->cwd, &k->proc, err, errlen) < 0)
		return -1;
	pthread_mutex_lock(&k->lock);
	k->pid = k->proc.pid;
	pthread_mutex_unlock(&k->lock);
	k->info_seen = k->iopub_seen = k->hb_waiting = k->exited = 0;
	if (connect_channels(k, err, errlen) < 0)
		return -1;
	k->info_sent_ms = cmd_clock_ms();
	jupyter_send(k->sock[KCH_SHELL], k->js, "kernel_info_request", NULL,
	    NULL);
	return 0;
}

/*
 * Reap the process if it has exited (or, with kill set, kill it first),
 * its whole group with it. Returns 1 when it is gone, with how it ended
 * in e.
 */
static int
reap(struct kernel *k, int kill_it, struct cmd_exit *e)
{
	siginfo_t si;
	int wstatus;
	pid_t pid = k->proc.pid;

	if (pid <= 0)
		return 0;
	memset(&si, 0, sizeof(si));
	if (!kill_it && (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) < 0 || si.si_pid != pid))
		return 0;
	/* Before the reaping, while the group's id can't be reused: what
	 * the kernel started goes with it. */
	kill(-pid, SIGKILL);
	pthread_mutex_lock(&k->lock);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	k->pid = 0;
	pthread_mutex_unlock(&k->lock);
	k->proc.pid = 0;
	cmd_exit_describe(wstatus, e);
	return 1;
}

/* MIME bundle data with "text/plain" called "text", as the Go execd has
 * it; NULL when there is nothing in it. */
static json_t *
results_of(json_t *data)
{
	const char *mime;
	json_t *v, *out;

	if (json_object_size(data) == 0 || (out = json_object()) == NULL)
		return NULL;
	json_object_foreach(data, mime, v) {
		json_object_set(out, strcmp(mime, "text/plain") == 0 ? "text" :
		    mime, v);
	}
	return out;
}

/* {"ename", "evalue", "traceback"} of an error or execute_reply. */
static json_t *
error_of(json_t *content)
{
	return json_pack("{s:O?, s:O?, s:O?}", "ename",
	    json_object_get(content, "ename"), "evalue",
	    json_object_get(content, "evalue"), "traceback",
	    json_object_get(content, "traceback"));
}

/* An iopub message about cell c. */
static void
on_cell_iopub(struct kernel_cell *c, struct jupyter_msg *m)
{
	const char *state, *name;
	json_t *results, *count, *text;

	if (strcmp(m->type, "status") == 0) {
		state = json_string_value(json_object_get(m->content,
		    "execution_state"));
		if (state && strcmp(state, "busy") == 0)
			c->busy = 1;
		else if (state && strcmp(state, "idle") == 0)
			c->idle = 1;
	} else if (strcmp(m->type, "stream") == 0) {
		name = json_string_value(json_object_get(m->content, "name"));
		text = json_object_get(m->content, "text");
		/* The text as a JSON value, not a C string: it may hold
		 * U+0000, and all of it goes on. */
		if (name && json_string_length(text) > 0 &&
		    (strcmp(name, "stdout") == 0 ||
		    strcmp(name, "stderr") == 0))
			evq_push(c->q, json_pack("{s:s, s:O}", "type", name,
			    "text", text));
	} else if (strcmp(m->type, "execute_result") == 0 ||
	    strcmp(m->type, "display_data") == 0) {
		count = json_object_get(m->content, "execution_count");
		if (json_integer_value(count) > 0)
			evq_push(c->q, json_pack("{s:s, s:O}", "type",
			    "execution_count", "execution_count", count));
		results = results_of(json_object_get(m->content, "data"));
		if (results)
			evq_push(c->q, json_pack("{s:s, s:o}", "type", "result",
			    "results", results));
	} else if (strcmp(m->type, "error") == 0 && c->error == NULL)
		c->error = error_of(m->content);
}

/* An execute_reply for cell c: an error the iopub did not tell of is
 * taken from it. */
static void
on_cell_reply(struct kernel_cell *c, struct jupyter_msg *m)
{
	const char *status = json_string_value(json_object_get(m->content,
	    "status"));

	c->replied = 1;
	if (c->error || status == NULL || strcmp(status, "ok") == 0)
		return;
	if (strcmp(status, "error") == 0)
		c->error = error_of(m->content);
	else
		c->error = json_pack("{s:s, s:s, s:[]}", "ename",
		    "ExecutionAborted", "evalue", status, "traceback");
}

/* The cell being run now (sent), or NULL; only the thread sends. */
static struct kernel_cell *
running_cell(struct kernel *k)
{
	struct kernel_cell *c;

	pthread_mutex_lock(&k->lock);
	c = k->cells && k->cells->sent ? k->cells : NULL;
	pthread_mutex_unlock(&k->lock);
	return c;
}

/* Read what waits on channel ch and act on it. */
static void
drain(struct kernel *k, int ch)
{
	struct kernel_cell *c;
	struct jupyter_msg m;
	int rc;

	while ((rc = jupyter_recv(k->sock[ch], k->js, &m)) != 0) {
		if (rc < 0) {
			execd_log(LOG_WARN_, "context %s: dropped a message "
			    "with a bad signature or shape", k->label);
			continue;
		}
		c = running_cell(k);
		if (ch == KCH_IOPUB) {
			k->iopub_seen = 1;
			if (c && strcmp(m.parent_id, c->msg_id) == 0)
				on_cell_iopub(c, &m);
		} else if (ch == KCH_SHELL) {
			if (strcmp(m.type, "kernel_info_reply") == 0)
				k->info_seen = 1;
			else if (c && strcmp(m.type, "execute_reply") == 0 &&
			    strcmp(m.parent_id, c->msg_id) == 0)
				on_cell_reply(c, &m);
		}
		jupyter_msg_free(&m);
	}
}

/* The heartbeat's answers. */
static void
drain_heartbeat(struct kernel *k, int64_t now)
{
	char buf[64];

	while (kl.zmq_recv(k->sock[KCH_HB], buf, sizeof(buf),
	    ZMQ_DONTWAIT) >= 0) {
		k->hb_waiting = 0;
		k->hb_next_ms = now + HB_INTERVAL_MS;
	}
}

/* Interrupt what the kernel runs, the way its kernelspec asks. */
static void
send_interrupt(struct kernel *k)
{
	execd_log(LOG_INFO_, "context %s: interrupting the kernel", k->label);
	if (k->spec->interrupt_message)
		jupyter_send(k->sock[KCH_CONTROL], k->js, "interrupt_request",
		    NULL, NULL);
	else if (k->proc.pid > 0)
		kill(-k->proc.pid, SIGINT);
}

/*
 * Send cell c to the kernel. Not stop_on_error: the cells are requests
 * of their own, and a kernel told so would abort the next one when this
 * one fails.
 */
static void
send_cell(struct kernel *k, struct kernel_cell *c)
{
	json_t *content = json_pack("{s:s, s:b, s:b, s:{}, s:b, s:b}", "code",
	    c->code, "silent", 0, "store_history", 1, "user_expressions",
	    "allow_stdin", 0, "stop_on_error", 0);

	c->start_ms = cmd_clock_ms();
	if (jupyter_send(k->sock[KCH_SHELL], k->js, "execute_request",
	    content, c->msg_id) < 0) {
		evq_push(c->q, error_event("KernelError", "could not send the "
		    "cell to the kernel"));
		cell_end(k, c);
		return;
	}
	pthread_mutex_lock(&k->lock);
	c->sent = 1;
	pthread_mutex_unlock(&k->lock);
}

/* A finished cell's last events, and the end of its stream. */
static void
finish_cell(struct kernel *k, struct kernel_cell *c)
{
	if (c->error) {
		evq_push(c->q, json_pack("{s:s, s:s}", "type", "status",
		    "text", "error"));
		evq_push(c->q, json_pack("{s:s, s:O}", "type", "error", "error",
		    c->error));
	} else
		evq_push(c->q, cmd_complete_event(cmd_clock_ms() - c->start_ms));
	cell_end(k, c);
}

/*
 * The cells: a finished one ends, queued ones whose streams are gone are
 * dropped, a running one whose stream is gone is interrupted, and the
 * next one is sent once none runs.
 */
static void
tend_cells(struct kernel *k)
{
	struct kernel_cell *c, *drop;

	if ((c = running_cell(k)) != NULL && c->replied && c->idle)
		finish_cell(k, c);
	for (;;) {
		pthread_mutex_lock(&k->lock);
		for (drop = k->cells; drop && (drop->sent || !drop->gone);
		    drop = drop->next)
			;
		pthread_mutex_unlock(&k->lock);
		if (drop == NULL)
			break;
		cell_end(k, drop);
	}
	pthread_mutex_lock(&k->lock);
	c = k->cells;
	if (c && c->sent && c->gone && !c->interrupted) {
		c->interrupted = 1;
		k->interrupt = 1;
	}
	if (c && c->sent && c->busy && k->interrupt) {
		k->interrupt = 0;
		pthread_mutex_unlock(&k->lock);
		send_interrupt(k);
		return;
	}
	/* Nothing runs: an interrupt asked for has nothing to stop. */
	if (c == NULL || !c->sent)
		k->interrupt = 0;
	if (c && !c->sent && k->state == KERNEL_IDLE) {
		pthread_mutex_unlock(&k->lock);
		send_cell(k, c);
		return;
	}
	pthread_mutex_unlock(&k->lock);
}

/* The poll timeout up to the next thing to do by the clock. */
static long
next_timeout(struct kernel *k, int64_t now)
{
	int64_t until = INT64_MAX;

	if (k->state == KERNEL_STARTING) {
		until = k->started_ms + START_TIMEOUT_MS;
		if (k->info_seen)
			until = k->info_sent_ms + INFO_RETRY_MS;
	} else
		until = k->hb_waiting ? k->hb_sent_ms + hb_timeout_ms :
		    k->hb_next_ms;
	if (k->stop_sent && k->stop_deadline < until)
		until = k->stop_deadline;
	if (k->proc.pidfd < 0 && now + REAP_POLL_MS < until)
		until = now + REAP_POLL_MS;
	return until <= now ? 0 : (long)(until - now);
}

/* While starting: ready once kernel_info has been answered and iopub is
 * seen to deliver (its first messages may be lost otherwise). */
static void
check_ready(struct kernel *k, int64_t now)
{
	if (k->state != KERNEL_STARTING)
		return;
	if (k->info_seen && k->iopub_seen) {
		pthread_mutex_lock(&k->lock);
		set_state_locked(k, KERNEL_IDLE);
		pthread_mutex_unlock(&k->lock);
		k->hb_next_ms = now;
		execd_log(LOG_INFO_, "context %s: kernel %s (pid %ld) ready in "
		    "%lld ms", k->label, k->spec->name, (long)k->proc.pid,
		    (long long)(now - k->started_ms));
	} else if (k->info_seen && now - k->info_sent_ms >= INFO_RETRY_MS) {
		k->info_sent_ms = now;
		jupyter_send(k->sock[KCH_SHELL], k->js, "kernel_info_request",
		    NULL, NULL);
	}
}

/* The heartbeat: ping when due; 1 when an answer is overdue. */
static int
heartbeat(struct kernel *k, int64_t now)
{
	if (k->state == KERNEL_STARTING)
		return 0;
	if (k->hb_waiting)
		return now - k->hb_sent_ms >= hb_timeout_ms;
	if (now >= k->hb_next_ms &&
	    kl.zmq_send(k->sock[KCH_HB], "ping", 4, ZMQ_DONTWAIT) == 4) {
		k->hb_waiting = 1;
		k->hb_sent_ms = now;
	}
	return 0;
}

/* Has the kernel been asked to stop? */
static int
stop_asked(struct kernel *k)
{
	int stop;

	pthread_mutex_lock(&k->lock);
	stop = k->stop;
	pthread_mutex_unlock(&k->lock);
	return stop;
}

/* Stop as asked: a shutdown_request, then time to go. 1 once the time
 * is up. */
static int
stopping(struct kernel *k, int64_t now)
{
	if (!stop_asked(k))
		return 0;
	if (!k->stop_sent) {
		k->stop_sent = 1;
		k->stop_deadline = now + STOP_GRACE_MS;
		/* A kernel still starting would not hear it. */
		if (k->state == KERNEL_STARTING)
			return 1;
		jupyter_send(k->sock[KCH_CONTROL], k->js, "shutdown_request",
		    json_pack("{s:b}", "restart", 0), NULL);
	}
	return now >= k->stop_deadline;
}

/* Why the process ended, for the cells and the log, into why. */
static void
exit_reason(struct kernel *k, const struct cmd_exit *e, char *why,
    size_t len)
{
	char tail[256];

	if (stop_asked(k))
		snprintf(why, len, "the kernel was shut down");
	else if (k->state == KERNEL_STARTING) {
		kernel_log_tail(&k->proc, tail, sizeof(tail));
		snprintf(why, len, "the kernel exited while starting (%s)%s%s",
		    e->text, *tail ? ": " : "", tail);
	} else
		snprintf(why, len, "the kernel died (%s)", e->text);
}

/*
 * One round of the thread: wait for something to do, do it. Returns 0
 * to go on, 1 once the kernel is gone or to be killed (why says which,
 * "" for a stop).
 */
static int
kernel_round(struct kernel *k, char *why, size_t len)
{
	zmq_pollitem_t items[KCH_N + 2];
	struct cmd_exit e;
	uint64_t ticks;
	int64_t now = cmd_clock_ms();
	int i, n = 0;

	for (i = 0; i < KCH_N; i++)
		items[n++] = (zmq_pollitem_t){ k->sock[i], -1, ZMQ_POLLIN, 0 };
	items[n++] = (zmq_pollitem_t){ NULL, k->wake_fd, ZMQ_POLLIN, 0 };
	if (k->proc.pidfd >= 0)
		items[n++] = (zmq_pollitem_t){ NULL, k->proc.pidfd, ZMQ_POLLIN,
		    0 };
	if (kl.zmq_poll(items, n, next_timeout(k, now)) < 0 &&
	    kl.zmq_errno() != EINTR)
		return snprintf(why, len, "poll: %s",
		    kl.zmq_strerror(kl.zmq_errno())), 1;
	(void)!read(k->wake_fd, &ticks, sizeof(ticks));
	now = cmd_clock_ms();
	drain(k, KCH_SHELL);
	drain(k, KCH_IOPUB);
	drain(k, KCH_CONTROL);
	drain(k, KCH_STDIN);
	drain_heartbeat(k, now);
	check_ready(k, now);
	tend_cells(k);
	if (reap(k, 0, &e)) {
		k->exited = 1;
		exit_reason(k, &e, why, len);
		return 1;
	}
	if (stopping(k, now))
		return snprintf(why, len, "the kernel was shut down"), 1;
	if (heartbeat(k, now))
		return snprintf(why, len, "the kernel did not answer its "
		    "heartbeat for %lld s", (long long)hb_timeout_ms / 1000), 1;
	if (k->state == KERNEL_STARTING && now - k->started_ms >=
	    START_TIMEOUT_MS)
		return snprintf(why, len, "the kernel did not answer within "
		    "%d s of its start", START_TIMEOUT_MS / 1000), 1;
	return 0;
}

/* Kill and reap what is left of the process, and let go of it all. */
static void
teardown(struct kernel *k)
{
	struct cmd_exit e;

	reap(k, 1, &e);
	disconnect(k);
	kernel_proc_release(&k->proc);
}

/*
 * The kernel's thread: start it (again, when it exits while starting),
 * serve it until it dies or is stopped, and end its cells.
 */
static void *
kernel_thread(void *arg)
{
	struct kernel *k = arg;
	char why[512], err[400];
	int attempt;

	for (attempt = 1; ; attempt++) {
		k->started_ms = cmd_clock_ms();
		if (boot(k, err, sizeof(err)) < 0) {
			snprintf(why, sizeof(why), "the kernel could not start: "
			    "%s", err);
			break;
		}
		while (!kernel_round(k, why, sizeof(why)))
			;
		if (!k->exited || k->state != KERNEL_STARTING ||
		    attempt == START_ATTEMPTS || stop_asked(k))
			break;
		execd_log(LOG_WARN_, "context %s: %s; starting it again",
		    k->label, why);
		teardown(k);
	}
	teardown(k);
	execd_log(stop_asked(k) ? LOG_INFO_ : LOG_WARN_, "context %s: %s",
	    k->label, why);
	kernel_dead(k, why);
	return NULL;
}

struct kernel *
kernel_start(struct kernel_spec *spec, const char *cwd, const char *label)
{
	struct kernel *k;

	pthread_once(&zonce, kernel_init_once);
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		kernel_spec_free(spec);
		return NULL;
	}
	pthread_mutex_init(&k->lock, NULL);
	cmd_cond_init(&k->cond);
	k->refs = 1;
	k->spec = spec;
	k->tail = &k->cells;
	k->proc.pidfd = -1;
	strlcpy(k->label, label, sizeof(k->label));
	k->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if ((cwd && (k->cwd = strdup(cwd)) == NULL) || k->wake_fd < 0 ||
	    pthread_create(&k->thread, NULL, kernel_thread, k) != 0) {
		kernel_unref(k);
		return NULL;
	}
	return k;
}

int
kernel_wait_ready(struct kernel *k, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&k->lock);
	while (k->state == KERNEL_STARTING)
		pthread_cond_wait(&k->cond, &k->lock);
	if (k->state == KERNEL_DEAD) {
		strlcpy(err, k->why, errlen);
		rc = -1;
	}
	pthread_mutex_unlock(&k->lock);
	return rc;
}

enum kernel_state
kernel_state(struct kernel *k, char *why, size_t len)
{
	enum kernel_state st;

	pthread_mutex_lock(&k->lock);
	st = k->state;
	if (st == KERNEL_IDLE && k->cells)
		st = KERNEL_BUSY;
	if (why)
		strlcpy(why, st == KERNEL_DEAD ? k->why : "", len);
	pthread_mutex_unlock(&k->lock);
	return st;
}

struct kernel_cell *
kernel_submit(struct kernel *k, const char *code, struct evq *q, char *err,
    size_t errlen)
{
	struct kernel_cell *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->code = strdup(code)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->k = k;
	c->q = q;
	c->refs = 2;
	pthread_mutex_lock(&k->lock);
	if (k->state == KERNEL_DEAD || k->stop) {
		snprintf(err, errlen, "%s", k->state == KERNEL_DEAD ? k->why :
		    "the kernel is shutting down");
		pthread_mutex_unlock(&k->lock);
		free(c->code);
		free(c);
		return NULL;
	}
	k->refs++;
	*k->tail = c;
	k->tail = &c->next;
	pthread_mutex_unlock(&k->lock);
	wake(k);
	return c;
}

void
kernel_cell_gone(struct kernel_cell *c)
{
	struct kernel *k = c->k;

	pthread_mutex_lock(&k->lock);
	c->gone = 1;
	pthread_mutex_unlock(&k->lock);
	wake(k);
	evq_detach(c->q);
	cell_unref(c);
}

int
kernel_interrupt(struct kernel *k, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&k->lock);
	if (k->state == KERNEL_DEAD) {
		strlcpy(err, k->why, errlen);
		rc = -1;
	} else
		k->interrupt = 1;
	pthread_mutex_unlock(&k->lock);
	wake(k);
	return rc;
}

void
kernel_stop(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	k->stop = 1;
	pthread_mutex_unlock(&k->lock);
	wake(k);
}

void
kernel_join(struct kernel *k)
{
	if (!k->joined)
		pthread_join(k->thread, NULL);
	k->joined = 1;
}

void
kernel_release_all(void)
{
	if (zctx)
		kl.zmq_ctx_term(zctx);
	zctx = NULL;
	kernel_launcher_stop();
}
