/*
 * serve.h — `osb-sandbox serve`: the lifecycle API over the local runtime.
 */
#ifndef OSB_SANDBOX_SERVE_H
#define OSB_SANDBOX_SERVE_H

/* Run the server until SIGTERM or SIGINT; argv[0] is "serve". Returns
 * the exit status: 0 after a clean stop, 1 when it could not start, 2 on
 * a usage error. */
int serve_main(int argc, char **argv);

#endif
