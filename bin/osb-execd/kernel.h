/*
 * kernel.h — one Jupyter kernel and the cells it runs.
 *
 * Each kernel has a thread of its own that owns its ZeroMQ sockets
 * (shell, iopub, stdin, control, heartbeat): it starts the process,
 * waits until the kernel answers, sends the queued cells one at a time
 * in the order they came, turns what the kernel publishes about the
 * cell at hand into execd events, watches the heartbeat and the process,
 * and ends every stream with an error when the kernel dies.
 *
 * The events of a cell, as the Go execd sends them: stdout and stderr,
 * execution_count then result for an execute_result, result for
 * display_data (MIME bundles with "text/plain" called "text"), and at the
 * end execution_complete, or status "error" then error.
 */
#ifndef EXECD_KERNEL_H
#define EXECD_KERNEL_H

#include <stddef.h>

#include "command.h"
#include "kernel_spec.h"

struct kernel;
struct kernel_cell;

enum kernel_state { KERNEL_STARTING, KERNEL_IDLE, KERNEL_BUSY, KERNEL_DEAD };

/* The state's name: "starting", "idle", "busy", "dead". */
const char *kernel_state_name(enum kernel_state);

/*
 * Start the kernel of spec (taken) in cwd (NULL: ours); label names it
 * in the log. Returns at once with the kernel starting (one reference,
 * the caller's), NULL when out of memory.
 */
struct kernel *kernel_start(struct kernel_spec *spec, const char *cwd,
    const char *label);

/* Wait until the kernel is ready: 0, or -1 with why it died in err. */
int kernel_wait_ready(struct kernel *, char *err, size_t errlen);

/* The kernel's state, and why it died into why (may be NULL). */
enum kernel_state kernel_state(struct kernel *, char *why, size_t len);

/*
 * Queue code to run after the cells already queued; its events go to q,
 * whose producer side the kernel takes over. Returns the cell, held for
 * the stream until kernel_cell_gone, or NULL with why in err when the
 * kernel is dead (q is then left to the caller).
 */
struct kernel_cell *kernel_submit(struct kernel *, const char *code,
    struct evq *q, char *err, size_t errlen);

/*
 * The cell's stream is over (its done callback): a cell still queued is
 * dropped, one running is interrupted, as the Go execd does when its
 * client goes away.
 */
void kernel_cell_gone(struct kernel_cell *);

/*
 * Interrupt the cell running now (a signal to the kernel's group, or an
 * interrupt_request, as the kernelspec's interrupt_mode says); nothing
 * when none runs. Returns 0, or -1 with why in err when it is dead.
 */
int kernel_interrupt(struct kernel *, char *err, size_t errlen);

/* Ask the kernel to shut down; kernel_join waits until it has. */
void kernel_stop(struct kernel *);
void kernel_join(struct kernel *);

/* Drop the caller's reference (the kernel must have been joined). */
void kernel_unref(struct kernel *);

/* On shutdown, once every kernel is joined: release ZeroMQ. */
void kernel_release_all(void);

#endif
