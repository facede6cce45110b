/*
 * serve.c — `osb-sandbox serve`: this host's local runtime as an
 * OpenSandbox lifecycle server (specs/sandbox-lifecycle.yml), for the
 * official SDKs, the Python CLI and osb's own remote mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local.h"
#include "serve.h"
#include "serve_http.h"
#include "server.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
/* On SIGTERM: how long requests under way may take to finish. */
#define GRACE_MS 2000

struct serve serve;

static int signal_pipe[2] = { -1, -1 };

/* The help text, to f. */
static void
usage(FILE *f)
{
	fprintf(f,
"usage: osb-sandbox serve [--listen ADDR:PORT] [--api-key KEY] [--quiet]\n"
"                         [--allow-host-path DIR]... [--allow-image-path DIR]...\n"
"                         [--runtime RUNTIME] [--advertise HOST:PORT]\n"
"                         [--max-client-connections N] [--idle-timeout DURATION]\n"
"\n"
"Serve the OpenSandbox lifecycle API (/v1/sandboxes...) over the local\n"
"runtime, with /v1/sandboxes/ID/proxy/PORT/... reaching sandbox ports.\n"
"\n"
"      --listen ADDR:PORT  address to listen on (default " DEFAULT_LISTEN ")\n"
"      --api-key KEY       require OPEN-SANDBOX-API-KEY: KEY on every API\n"
"                          request (default: no check; never on the proxy)\n"
"      --allow-host-path DIR\n"
"                          host volumes may come from under DIR (repeatable;\n"
"                          default: none, every host volume is refused)\n"
"      --allow-image-path DIR\n"
"                          rootfs directory images may come from under DIR\n"
"                          (repeatable; default: none)\n"
"      --runtime RUNTIME   the OCI runtime sandboxes run on (default:\n"
"                          $OSB_RUNTIME or runc; crun, runsc, a path)\n"
"      --advertise HOST:PORT\n"
"                          the address proxy endpoints name (default: the\n"
"                          --listen address)\n"
"      --max-client-connections N\n"
"                          connections one client address may hold open;\n"
"                          more are closed at once (default %d)\n"
"      --idle-timeout DURATION\n"
"                          close a connection idle that long between\n"
"                          requests (default %ds); streams are never cut\n"
"  -q, --quiet             no log line per request\n"
"  -h, --help              show this help\n"
"\n"
"Runs in the foreground, logging to stderr; SIGTERM or SIGINT stops it\n"
"and leaves the sandboxes running.\n", OSB_PER_ADDRESS_LIMIT,
	    OSB_IDLE_TIMEOUT);
}

/* Add dir (absolute, made real) to a NULL-ended list. 0, or -1 when it
 * is no directory. */
static int
add_allowed(char ***list, const char *dir)
{
	char real[PATH_MAX], **grown;
	size_t n = 0;

	if (*dir != '/' || realpath(dir, real) == NULL) {
		fprintf(stderr, "osb-sandbox serve: %s: %s\n", dir, *dir != '/' ?
		    "not an absolute path" : strerror(errno));
		return -1;
	}
	while (*list != NULL && (*list)[n] != NULL)
		n++;
	if ((grown = reallocarray(*list, n + 2, sizeof(char *))) == NULL ||
	    (grown[n] = strdup(real)) == NULL) {
		if (grown != NULL)
			*list = grown;
		fprintf(stderr, "osb-sandbox serve: out of memory\n");
		return -1;
	}
	grown[n + 1] = NULL;
	*list = grown;
	return 0;
}

/* Free a list of add_allowed. */
static void
free_allowed(char **list)
{
	char **p;

	for (p = list; p != NULL && *p != NULL; p++)
		free(*p);
	free(list);
}

/* Fill serve from the command line; returns 0, or the exit status of a
 * usage error or --help (-1 for 0). */
static int
parse_options(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_API_KEY, O_HOST_PATH, O_IMAGE_PATH,
	    O_RUNTIME, O_ADVERTISE, O_PER_CLIENT, O_IDLE };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "api-key", required_argument, NULL, O_API_KEY },
		{ "allow-host-path", required_argument, NULL, O_HOST_PATH },
		{ "allow-image-path", required_argument, NULL, O_IMAGE_PATH },
		{ "runtime", required_argument, NULL, O_RUNTIME },
		{ "advertise", required_argument, NULL, O_ADVERTISE },
		{ "max-client-connections", required_argument, NULL,
		    O_PER_CLIENT },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char errbuf[128];
	int ch;

	serve.listen = DEFAULT_LISTEN;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_LISTEN:
			serve.listen = optarg;
			break;
		case O_API_KEY:
			serve.api_key = *optarg ? optarg : NULL;
			break;
		case O_HOST_PATH:
		case O_IMAGE_PATH:
			if (add_allowed(ch == O_HOST_PATH ? &serve.host_paths :
			    &serve.image_paths, optarg) == -1)
				return 2;
			break;
		case O_RUNTIME:
			serve.runtime = optarg;
			break;
		case O_ADVERTISE:
			serve.advertise = optarg;
			break;
		case O_PER_CLIENT:
			if (osb_server_parse_limit(optarg, &serve.per_client,
			    errbuf, sizeof(errbuf)) < 0) {
				fprintf(stderr, "osb-sandbox serve: %s\n",
				    errbuf);
				return 2;
			}
			break;
		case O_IDLE:
			if (osb_server_parse_timeout(optarg, &serve.idle_s,
			    errbuf, sizeof(errbuf)) < 0) {
				fprintf(stderr, "osb-sandbox serve: %s\n",
				    errbuf);
				return 2;
			}
			break;
		case 'q':
			serve.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "osb-sandbox serve: %s needs a value\n",
			    argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "osb-sandbox serve: unknown option "
			    "%s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "osb-sandbox serve: unexpected argument: %s\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	if (serve.advertise == NULL)
		serve.advertise = serve.listen;
	return 0;
}

/* SIGTERM, SIGINT: wake serve_main through signal_pipe. */
static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(signal_pipe[1], &c, 1);
	errno = saved;
}

/* Route SIGTERM and SIGINT to signal_pipe; ignore SIGPIPE (peers gone). */
static int
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "osb-sandbox serve: pipe: %s\n",
		    strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* Stop taking connections, give those open GRACE_MS, then end them. */
static void
shut_down(struct osb_server *srv)
{
	int waited;

	osb_server_quiesce(srv);
	for (waited = 0; osb_server_connections(srv) > 0 &&
	    waited < GRACE_MS; waited += 20)
		usleep(20 * 1000);
	osb_server_stop(srv);
}

/* Wait for SIGTERM or SIGINT; the signal. */
static int
wait_signal(void)
{
	unsigned char sig = 0;

	while (read(signal_pipe[0], &sig, 1) < 0 && errno == EINTR)
		;
	return sig;
}

/* osb-sandbox serve: serve until a signal, then stop; the exit status. */
int
serve_main(int argc, char **argv)
{
	static const struct osb_server_hooks hooks = { serve_pick,
	    serve_completed, serve_decorate };
	struct osb_server_config cfg = { 0 };
	struct osb_error err = { 0 };
	struct osb_server *srv;
	char errbuf[256];
	int rc;

	if ((rc = parse_options(argc, argv)) != 0) {
		free_allowed(serve.host_paths);
		free_allowed(serve.image_paths);
		return rc < 0 ? 0 : rc;
	}
	if ((serve.local = osb_local_open(NULL, &err)) == NULL) {
		fprintf(stderr, "osb-sandbox serve: %s\n", err.message);
		return 1;
	}
	/* Secure by default, as upstream's server: what API clients may
	 * mount from this host is what the operator named. */
	osb_local_restrict(serve.local, (const char *const *)serve.host_paths,
	    (const char *const *)serve.image_paths);
	if (serve.runtime != NULL)
		osb_local_set_runtime(serve.local, serve.runtime);
	if (setup_signals() < 0) {
		osb_local_close(serve.local);
		return 1;
	}
	cfg.listen = serve.listen;
	cfg.port = 8080;
	cfg.invalid_code = "INVALID_REQUEST";
	cfg.per_address_limit = serve.per_client;
	cfg.idle_timeout = serve.idle_s;
	if ((srv = osb_server_start_hooked(&cfg, &hooks, errbuf,
	    sizeof(errbuf))) == NULL) {
		fprintf(stderr, "osb-sandbox serve: %s\n", errbuf);
		osb_local_close(serve.local);
		return 1;
	}
	fprintf(stderr, "osb-sandbox serve: listening on http://%s/v1%s\n",
	    serve.listen, serve.api_key ? " (API key required)" : "");
	rc = wait_signal();
	fprintf(stderr, "osb-sandbox serve: signal %d: stopping; sandboxes "
	    "keep running\n", rc);
	shut_down(srv);
	osb_local_close(serve.local);
	free_allowed(serve.host_paths);
	free_allowed(serve.image_paths);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	return 0;
}
