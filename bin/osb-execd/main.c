/*
 * osb-execd — the in-sandbox daemon serving the OpenSandbox execd API:
 * commands, bash sessions, files, metrics.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "files.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "util.h"

#define DEFAULT_PORT 44772
#define TOKEN_HEADER "X-EXECD-ACCESS-TOKEN"

struct options {
	const char *listen;
	unsigned short port;
	const char *token;
	int64_t grace_ms;
};

static int signal_pipe[2] = { -1, -1 };

static int
ping(struct osb_req *req)
{
	return osb_reply_empty(req, 200);
}

static const struct osb_route main_routes[] = {
	{ "GET", "/ping", ping, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static const struct osb_route *const all_routes[] = {
	main_routes, command_routes, file_routes, metrics_routes, NULL
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: osb-execd [--listen ADDR] [--port PORT] [--access-token TOKEN]\n"
"                 [--log-level N] [--graceful-shutdown-timeout DURATION]\n"
"\n"
"Serve the OpenSandbox execd API: commands, sessions, files, metrics.\n"
"\n"
"      --listen ADDR       address to listen on: IP, IP:PORT or [IPv6]:PORT\n"
"                          (default: every IPv4 address)\n"
"      --port PORT         port to listen on (default %d)\n"
"      --access-token TOKEN\n"
"                          require X-EXECD-ACCESS-TOKEN: TOKEN on every request\n"
"                          (default: $EXECD_ACCESS_TOKEN; none: no check)\n"
"      --log-level N       0 emergencies only .. 7 debug (default 6)\n"
"      --graceful-shutdown-timeout DURATION\n"
"                          on SIGTERM, how long open streams may run on\n"
"                          (default: $EXECD_API_GRACE_SHUTDOWN or 1s)\n"
"  -h, --help              show this help\n"
"      --version           show the version\n"
"\n"
"The log goes to stderr, or to the file named by $EXECD_LOG_FILE.\n",
	    DEFAULT_PORT);
}

/* Fill opts from flags and environment; exits on a usage error. */
static void
parse_options(int argc, char **argv, struct options *opts)
{
	enum { O_LISTEN = 256, O_PORT, O_TOKEN, O_LEVEL, O_GRACE, O_VERSION };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "port", required_argument, NULL, O_PORT },
		{ "access-token", required_argument, NULL, O_TOKEN },
		{ "log-level", required_argument, NULL, O_LEVEL },
		{ "graceful-shutdown-timeout", required_argument, NULL,
		    O_GRACE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *grace = getenv("EXECD_API_GRACE_SHUTDOWN");
	const char *errstr;
	int ch;

	opts->port = DEFAULT_PORT;
	opts->token = getenv("EXECD_ACCESS_TOKEN");
	/* Single-dash long options too, as the Go execd's flags take them. */
	while ((ch = getopt_long_only(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_LISTEN:
			opts->listen = optarg;
			break;
		case O_PORT:
			opts->port = (unsigned short)strtonum(optarg, 1, 65535,
			    &errstr);
			if (errstr) {
				fprintf(stderr, "osb-execd: port %s: %s\n",
				    optarg, errstr);
				exit(2);
			}
			break;
		case O_TOKEN:
			opts->token = optarg;
			break;
		case O_LEVEL:
			execd_log_level = (int)strtonum(optarg, 0, 7, &errstr);
			if (errstr) {
				fprintf(stderr, "osb-execd: log level %s: %s "
				    "(0-7)\n", optarg, errstr);
				exit(2);
			}
			break;
		case O_GRACE:
			grace = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("osb-execd %s\n", OSB_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "osb-execd: unexpected argument: %s\n",
		    argv[optind]);
		usage(stderr);
		exit(2);
	}
	opts->grace_ms = 1000;
	if (grace && (osb_duration_parse(grace, &opts->grace_ms) < 0 ||
	    opts->grace_ms < 0)) {
		fprintf(stderr, "osb-execd: graceful shutdown timeout %s: "
		    "not a duration\n", grace);
		exit(2);
	}
}

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(signal_pipe[1], &c, 1);
	errno = saved;
}

/* Route SIGTERM and SIGINT to signal_pipe; ignore SIGPIPE (closed peers). */
static int
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* Send the log to $EXECD_LOG_FILE when set; -1 when it can't be opened. */
static int
open_log(void)
{
	const char *path = getenv("EXECD_LOG_FILE");
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "osb-execd: log file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	execd_log_fd = fd;
	return 0;
}

/*
 * Stop: no new connections, let open streams finish within the grace
 * window, then end the children and whatever is still open.
 */
static void
shut_down(struct osb_server *srv, int64_t grace_ms)
{
	int64_t waited = 0;

	osb_server_quiesce(srv);
	while (osb_server_connections(srv) > 0 && waited < grace_ms) {
		usleep(20 * 1000);
		waited += 20;
	}
	command_shutdown();
	osb_server_stop(srv);
}

int
main(int argc, char **argv)
{
	struct osb_server_config cfg = { 0 };
	struct options opts = { 0 };
	struct osb_server *srv;
	char errbuf[256];
	unsigned char sig = 0;

	parse_options(argc, argv, &opts);
	if (open_log() < 0 || setup_signals() < 0)
		return 1;
	cfg.listen = opts.listen;
	cfg.port = opts.port;
	cfg.token = opts.token;
	cfg.token_header = TOKEN_HEADER;
	cfg.routes = all_routes;
	if ((srv = osb_server_start(&cfg, errbuf, sizeof(errbuf))) == NULL) {
		execd_log(LOG_ERR_, "%s", errbuf);
		return 1;
	}
	execd_log(LOG_INFO_, "osb-execd %s listening on %s port %u%s",
	    OSB_VERSION, opts.listen ? opts.listen : "*", opts.port,
	    opts.token && *opts.token ? " (access token required)" : "");
	while (read(signal_pipe[0], &sig, 1) < 0 && errno == EINTR)
		;
	execd_log(LOG_INFO_, "signal %d: shutting down (grace %lld ms)", sig,
	    (long long)opts.grace_ms);
	shut_down(srv, opts.grace_ms);
	execd_log(LOG_INFO_, "stopped");
	return 0;
}
