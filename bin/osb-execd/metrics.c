/*
 * metrics.c — CPU and memory of the machine the daemon runs in, once
 * (GET /metrics) or one sample a second as SSE (GET /metrics/watch).
 *
 * CPU use is the busy share of /proc/stat ticks between two readings, so a
 * reading needs an earlier one: /metrics keeps the last one it took, and
 * each watch stream keeps its own.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

struct cpu_ticks {
	unsigned long long busy, total;
	int64_t at_ms;
};

struct watch {
	struct cpu_ticks last;
	int64_t next_ms;
};

/* Read the aggregate "cpu" line of /proc/stat; -1 when it can't be read. */
static int
read_cpu_ticks(struct cpu_ticks *t)
{
	unsigned long long v[8] = { 0 };
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 4)
		return -1;
	/* idle and iowait are not busy; the rest is. */
	t->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	t->busy = t->total - v[3] - v[4];
	t->at_ms = osb_now_ms();
	return 0;
}

/* The busy share of the ticks from a to b, in percent. */
static double
cpu_percent(const struct cpu_ticks *a, const struct cpu_ticks *b)
{
	if (b->total <= a->total)
		return 0.0;
	return 100.0 * (double)(b->busy - a->busy) /
	    (double)(b->total - a->total);
}

/* MemTotal and MemTotal - MemAvailable in KiB; -1 when unreadable. */
static int
read_memory(unsigned long long *total_kib, unsigned long long *used_kib)
{
	char line[256];
	unsigned long long total = 0, avail = 0, v;
	FILE *f;

	if ((f = fopen("/proc/meminfo", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu", &v) == 1)
			total = v;
		else if (sscanf(line, "MemAvailable: %llu", &v) == 1)
			avail = v;
	}
	fclose(f);
	if (total == 0)
		return -1;
	*total_kib = total;
	*used_kib = total - (avail < total ? avail : total);
	return 0;
}

/* A Metrics object from a CPU reading pair; NULL when /proc fails us. */
static json_t *
metrics_sample(const struct cpu_ticks *before, const struct cpu_ticks *now)
{
	unsigned long long total, used;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (read_memory(&total, &used) < 0)
		return NULL;
	return json_pack("{s:f, s:f, s:f, s:f, s:I}",
	    "cpu_count", (double)(cpus > 0 ? cpus : 1),
	    "cpu_used_pct", cpu_percent(before, now),
	    "mem_total_mib", (double)total / 1024.0,
	    "mem_used_mib", (double)used / 1024.0,
	    "timestamp", (json_int_t)osb_now_ms());
}

/* GET /metrics: one sample. */
int
metrics_get(struct osb_req *req)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct cpu_ticks last;
	struct cpu_ticks before, now;
	json_t *m;

	pthread_mutex_lock(&lock);
	before = last;
	pthread_mutex_unlock(&lock);
	/* Too short a gap says nothing: measure over 100 ms instead. */
	if (before.at_ms == 0 || osb_now_ms() - before.at_ms < 100) {
		if (read_cpu_ticks(&before) < 0)
			goto fail;
		usleep(100 * 1000);
	}
	if (read_cpu_ticks(&now) < 0)
		goto fail;
	pthread_mutex_lock(&lock);
	last = now;
	pthread_mutex_unlock(&lock);
	if ((m = metrics_sample(&before, &now)) == NULL)
		goto fail;
	return osb_reply_json(req, 200, m);
fail:
	return osb_reply_error(req, 500, OSB_E_RUNTIME,
	    "error reading runtime metrics: /proc unreadable");
}

/* Stream producer: one sample each second, on the second. */
static int
watch_next(void *arg, json_t **event, int timeout_ms)
{
	struct watch *w = arg;
	struct cpu_ticks now;
	int64_t wait_ms = w->next_ms - osb_now_ms();

	if (wait_ms > timeout_ms) {
		usleep((useconds_t)timeout_ms * 1000);
		return 0;
	}
	if (wait_ms > 0)
		usleep((useconds_t)wait_ms * 1000);
	if (osb_server_stopping())
		return -1;
	w->next_ms += 1000;
	if (read_cpu_ticks(&now) < 0)
		return -1;
	*event = metrics_sample(&w->last, &now);
	w->last = now;
	return *event ? 1 : -1;
}

/* GET /metrics/watch: a sample a second, as SSE. */
int
metrics_watch(struct osb_req *req)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (w == NULL || read_cpu_ticks(&w->last) < 0) {
		free(w);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "error reading runtime metrics: /proc unreadable");
	}
	w->next_ms = osb_now_ms() + 1000;
	return osb_reply_sse(req, watch_next, free, w, 0);
}
