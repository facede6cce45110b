/*
 * osb-execd — the in-sandbox daemon serving the OpenSandbox execd API:
 * commands, bash sessions, files, metrics.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "code.h"
#include "command.h"
#include "files.h"
#include "guard.h"
#include "log.h"
#include "metrics.h"
#include "pty.h"
#include "server.h"
#include "session.h"
#include "tmp_journal.h"
#include "util.h"

#define DEFAULT_PORT 44772
/* After the children are ended: time for their streams to say so. */
#define DRAIN_MS 1000
#define TOKEN_HEADER "X-EXECD-ACCESS-TOKEN"

struct options {
	const char *listen;
	unsigned short port;
	int listen_fd;
	const char *token;
	int64_t grace_ms;
	unsigned per_client;	/* connections one client address may hold */
	unsigned idle_s;	/* idle connection timeout, seconds */
};

static int signal_pipe[2] = { -1, -1 };

/* GET /ping: the daemon is up. */
static int
ping(struct osb_req *req)
{
	return osb_reply_empty(req, 200);
}

/* The execd API; a route with a body handler takes uploads. */
static const struct osb_route routes[] = {
	{ "GET", "/ping", ping, NULL, NULL },
	{ "POST", "/command", command_run, NULL, NULL },
	{ "DELETE", "/command", command_interrupt, NULL, NULL },
	{ "GET", "/command/status/{}", command_status, NULL, NULL },
	{ "GET", "/command/{}/logs", command_logs, NULL, NULL },
	{ "POST", "/session", session_create, NULL, NULL },
	{ "POST", "/session/{}/run", session_run, NULL, NULL },
	{ "DELETE", "/session/{}", session_delete, NULL, NULL },
	{ "GET", "/files/info", files_info, NULL, NULL },
	{ "DELETE", "/files", files_remove, NULL, NULL },
	{ "POST", "/files/permissions", files_chmod, NULL, NULL },
	{ "POST", "/files/mv", files_move, NULL, NULL },
	{ "GET", "/files/search", files_search, NULL, NULL },
	{ "POST", "/files/replace", files_replace, NULL, NULL },
	{ "POST", "/files/upload", upload_finish, upload_body, upload_done },
	{ "GET", "/files/download", files_download, NULL, NULL },
	{ "GET", "/directories/list", dirs_list, NULL, NULL },
	{ "POST", "/directories", dirs_make, NULL, NULL },
	{ "DELETE", "/directories", dirs_remove, NULL, NULL },
	{ "POST", "/code", code_run, NULL, NULL },
	{ "DELETE", "/code", code_interrupt, NULL, NULL },
	{ "POST", "/code/context", code_context_create, NULL, NULL },
	{ "GET", "/code/contexts", code_contexts_list, NULL, NULL },
	{ "DELETE", "/code/contexts", code_contexts_delete, NULL, NULL },
	{ "GET", "/code/contexts/{}", code_context_get, NULL, NULL },
	{ "DELETE", "/code/contexts/{}", code_context_delete, NULL, NULL },
	{ "GET", "/metrics", metrics_get, NULL, NULL },
	{ "GET", "/metrics/watch", metrics_watch, NULL, NULL },
	{ "POST", "/pty", pty_create, NULL, NULL },
	{ "GET", "/pty/{}", pty_status, NULL, NULL },
	{ "DELETE", "/pty/{}", pty_delete, NULL, NULL },
	{ "GET", "/pty/{}/ws", pty_ws, NULL, osb_websocket_done },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* The help text, to f. */
static void
usage(FILE *f)
{
	fprintf(f,
"usage: osb-execd [--listen ADDR] [--port PORT] [--listen-fd FD]\n"
"                 [--access-token TOKEN] [--log-level N]\n"
"                 [--graceful-shutdown-timeout DURATION]\n"
"                 [--max-client-connections N] [--idle-timeout DURATION]\n"
"\n"
"Serve the OpenSandbox execd API: commands, sessions, code, files, metrics.\n"
"\n"
"      --listen ADDR       address to listen on: IP, IP:PORT or [IPv6]:PORT\n"
"                          (default: every IPv4 address)\n"
"      --port PORT         port to listen on (default %d)\n"
"      --listen-fd FD      serve on the listening socket FD, inherited\n"
"                          (a sandbox's init binds it before execd starts)\n"
"      --access-token TOKEN\n"
"                          require X-EXECD-ACCESS-TOKEN: TOKEN on every request\n"
"                          (default: $EXECD_ACCESS_TOKEN; none: no check)\n"
"      --log-level N       0 emergencies only .. 7 debug (default 6)\n"
"      --graceful-shutdown-timeout DURATION\n"
"                          on SIGTERM, how long open streams may run on\n"
"                          (default: $EXECD_API_GRACE_SHUTDOWN or 1s)\n"
"      --max-client-connections N\n"
"                          connections one client address may hold open;\n"
"                          more are closed at once (default %d)\n"
"      --idle-timeout DURATION\n"
"                          close a connection idle that long between\n"
"                          requests (default %ds); streams are never cut\n"
"  -h, --help              show this help\n"
"      --version           show the version\n"
"\n"
"The log goes to stderr, or to the file named by $EXECD_LOG_FILE.\n"
"Kernelspecs are looked for along $JUPYTER_PATH and Jupyter's data path;\n"
"$EXECD_KERNEL_HEARTBEAT_TIMEOUT (default 10s) is how long a kernel may\n"
"leave its heartbeat unanswered.\n",
	    DEFAULT_PORT, OSB_PER_ADDRESS_LIMIT, OSB_IDLE_TIMEOUT);
}

/* Print "osb-execd: what" and exit 2. */
static void __attribute__((noreturn))
usage_error(const char *what)
{
	fprintf(stderr, "osb-execd: %s\n", what);
	exit(2);
}

/* Is fd a socket that listens? */
static int
is_listening(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on;
}

/* Fill opts from flags and environment; exits on a usage error. */
static void
parse_options(int argc, char **argv, struct options *opts)
{
	enum { O_LISTEN = 256, O_PORT, O_TOKEN, O_LEVEL, O_GRACE, O_VERSION,
	    O_LISTEN_FD, O_PER_CLIENT, O_IDLE };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "listen-fd", required_argument, NULL, O_LISTEN_FD },
		{ "port", required_argument, NULL, O_PORT },
		{ "access-token", required_argument, NULL, O_TOKEN },
		{ "log-level", required_argument, NULL, O_LEVEL },
		{ "graceful-shutdown-timeout", required_argument, NULL,
		    O_GRACE },
		{ "max-client-connections", required_argument, NULL,
		    O_PER_CLIENT },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *grace = getenv("EXECD_API_GRACE_SHUTDOWN");
	const char *errstr;
	char errbuf[128];
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
		case O_LISTEN_FD:
			opts->listen_fd = (int)strtonum(optarg, 3, 1023,
			    &errstr);
			if (errstr || !is_listening(opts->listen_fd)) {
				fprintf(stderr, "osb-execd: listen fd %s: %s\n",
				    optarg, errstr ? errstr :
				    "not a listening socket");
				exit(2);
			}
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
		case O_PER_CLIENT:
			if (osb_server_parse_limit(optarg, &opts->per_client,
			    errbuf, sizeof(errbuf)) < 0)
				usage_error(errbuf);
			break;
		case O_IDLE:
			if (osb_server_parse_timeout(optarg, &opts->idle_s,
			    errbuf, sizeof(errbuf)) < 0)
				usage_error(errbuf);
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

/* SIGTERM, SIGINT: wake main through signal_pipe. */
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

/* The temp file journal; the files a daemon killed mid-upload left are
 * removed now. Without one the daemon still serves. */
static void
open_journal(void)
{
	char err[512];
	int n;

	if ((n = tmp_journal_open(err, sizeof(err))) < 0)
		execd_log(LOG_WARN_, "%s: temp files left by a crash will "
		    "not be removed", err);
	else if (n > 0)
		execd_log(LOG_INFO_, "removed %d temp file%s left by a "
		    "daemon that was killed", n, n == 1 ? "" : "s");
}

/* Wait up to ms for the open connections to close. */
static void
wait_connections(struct osb_server *srv, int64_t ms)
{
	int64_t waited;

	for (waited = 0; osb_server_connections(srv) > 0 && waited < ms;
	    waited += 20)
		usleep(20 * 1000);
}

/*
 * Stop: no new connections, let open streams finish within the grace
 * window, then end the children and whatever is still open.
 */
static void
shut_down(struct osb_server *srv, int64_t grace_ms)
{
	osb_server_quiesce(srv);
	wait_connections(srv, grace_ms);
	command_shutdown();
	code_shutdown();
	pty_shutdown();
	/* The streams of the commands just ended get their last events. */
	wait_connections(srv, DRAIN_MS);
	osb_server_stop(srv);
}

/* Serve until SIGTERM or SIGINT, then shut down gracefully. */
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
	if (guard_start(errbuf, sizeof(errbuf)) < 0)
		execd_log(LOG_WARN_, "%s: commands will outlive a daemon "
		    "that is killed", errbuf);
	open_journal();
	cfg.listen = opts.listen;
	cfg.port = opts.port;
	cfg.listen_fd = opts.listen_fd;
	cfg.token = opts.token;
	cfg.token_header = TOKEN_HEADER;
	cfg.routes = routes;
	cfg.per_address_limit = opts.per_client;
	cfg.idle_timeout = opts.idle_s;
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
	tmp_journal_close();
	execd_log(LOG_INFO_, "stopped");
	return 0;
}
