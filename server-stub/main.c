/* SPDX-License-Identifier: MIT */
/*
 * lecternd: the reference server of Lectern. Parses the command line, opens (or refuses)
 * the database, then either creates a user, seeds the demo content, or serves HTTP until
 * SIGTERM or SIGINT, finishing the requests in flight before closing the database.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

struct options {
	const char *listen;
	const char *db;
	const char *create_user;
	const char *role;
	int threads;
	bool seed_demo;
	struct srv_http_limits limits; /* --max-conns, --max-conns-per-ip, ... (0: default) */
	int registration;              /* enum srv_registration */
	int busy_timeout_ms;           /* 0: store/db.c's default */
	int access_ttl;                /* --access-ttl; -1: the default */
	int refresh_grace;             /* --refresh-grace; -1: the default */
	int offline_login_days;        /* --offline-login-days; -1: the default */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: lecternd [--listen HOST:PORT] [--db PATH] [--seed-demo] [--threads N]\n"
	        "                [--slow-threads N] [--slow-queue N]\n"
	        "                [--max-conns N] [--max-conns-per-ip N] [--request-deadline S]\n"
	        "                [--trusted-proxy ADDR] [--registration POLICY]\n"
	        "                [--busy-timeout MS] [--access-ttl S] [--refresh-grace S]\n"
	        "                [--offline-login-days N]\n"
	        "       lecternd --db PATH --create-user USERNAME --role "
	        "learner|instructor|admin\n"
	        "       lecternd --help | --version\n"
	        "\n"
	        "  --listen HOST:PORT  address to serve on (default 127.0.0.1:7878; port 0:\n"
	        "                      any free port, printed on stdout)\n"
	        "  --db PATH           database file (default ./lecternd.db)\n"
	        "  --seed-demo         fill an empty database with demo content first\n"
	        "  --threads N         worker threads (default 4)\n"
	        "  --slow-threads N    threads hashing passwords for log-ins, sign-ups and\n"
	        "                      password changes (default 2)\n"
	        "  --slow-queue N      such requests waiting for one before 503 (default 32)\n"
	        "  --create-user NAME  create a user (password read from stdin) and exit\n"
	        "  --role ROLE         the new user's role\n"
	        "  --max-conns N       connections at once, all clients (default 1024)\n"
	        "  --max-conns-per-ip N  connections from one address (default 64)\n"
	        "  --request-deadline SECONDS  time for a request's head and body to\n"
	        "                      arrive (default 30)\n"
	        "  --trusted-proxy ADDR  take the client address of requests from ADDR\n"
	        "                      from X-Forwarded-For (behind a reverse proxy)\n"
	        "  --registration POLICY  who may sign up: open, learners (default: an\n"
	        "                      instructor needs an invite), invite, closed\n"
	        "  --busy-timeout MS   how long a write waits for the database lock before\n"
	        "                      answering 503 (default 5000)\n"
	        "  --access-ttl SECONDS  lifetime of access tokens (default 900; 0: born\n"
	        "                      expired, for tests of the refresh paths)\n"
	        "  --refresh-grace SECONDS  how long the refresh token just rotated out\n"
	        "                      may rotate again, for an answer lost on the way\n"
	        "                      (default 300; 0: never, any reuse revokes)\n"
	        "  --offline-login-days N  how long a client may let a user sign in offline\n"
	        "                      after an online sign-in (default 14; 0: never)\n");
}

/* A decimal integer in [min, max] into *out; -1 when s is anything else. */
static int
parse_limit(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Returns 0, 1 (exit 1: usage error) or 2 (exit 0: --help/--version done). */
static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"db", required_argument, NULL, 'd'},
	    {"seed-demo", no_argument, NULL, 's'},
	    {"threads", required_argument, NULL, 't'},
	    {"create-user", required_argument, NULL, 'c'},
	    {"role", required_argument, NULL, 'r'},
	    {"registration", required_argument, NULL, 'R'},
	    {"busy-timeout", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"max-conns", required_argument, NULL, 'M'},
	    {"max-conns-per-ip", required_argument, NULL, 'P'},
	    {"request-deadline", required_argument, NULL, 'D'},
	    {"trusted-proxy", required_argument, NULL, 'T'},
	    {"slow-threads", required_argument, NULL, 'S'},
	    {"slow-queue", required_argument, NULL, 'Q'},
	    {"access-ttl", required_argument, NULL, 'A'},
	    {"refresh-grace", required_argument, NULL, 'G'},
	    {"offline-login-days", required_argument, NULL, 'O'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 'l':
			o->listen = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case 's':
			o->seed_demo = true;
			break;
		case 'c':
			o->create_user = optarg;
			break;
		case 'r':
			o->role = optarg;
			break;
		case 't':
			o->threads = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->threads < 1 || o->threads > 256)
				return 1;
			break;
		case 'R':
			o->registration = srv_registration_parse(optarg);
			if (o->registration < 0)
				return 1;
			break;
		case 'b':
			if (parse_limit(optarg, 1, 600000, &o->busy_timeout_ms) != 0)
				return 1;
			break;
		case 'h':
			usage(stdout);
			return 2;
		case 'V':
			printf("lecternd %s\n", LECTERN_VERSION);
			return 2;
		case 'M':
			if (parse_limit(optarg, 1, 100000, &o->limits.max_conns) != 0)
				return 1;
			break;
		case 'P':
			if (parse_limit(optarg, 1, 100000, &o->limits.max_conns_per_ip) != 0)
				return 1;
			break;
		case 'D':
			if (parse_limit(optarg, 1, 3600, &o->limits.request_deadline_s) != 0)
				return 1;
			break;
		case 'T':
			if (!srv_http_addr_valid(optarg))
				return 1;
			o->limits.trusted_proxy = optarg;
			break;
		case 'S':
			if (parse_limit(optarg, 1, 64, &o->limits.slow_threads) != 0)
				return 1;
			break;
		case 'Q':
			if (parse_limit(optarg, 1, 10000, &o->limits.slow_queue) != 0)
				return 1;
			break;
		case 'A':
			if (parse_limit(optarg, 0, 86400, &o->access_ttl) != 0)
				return 1;
			break;
		case 'G':
			if (parse_limit(optarg, 0, 86400, &o->refresh_grace) != 0)
				return 1;
			break;
		case 'O':
			if (parse_limit(optarg, 0, 365, &o->offline_login_days) != 0)
				return 1;
			break;
		default:
			return 1;
		}
	}
	if (optind < argc)
		return 1;
	if ((o->role != NULL) != (o->create_user != NULL))
		return 1;
	if (o->create_user && (o->seed_demo || srv_role_parse(o->role) < 0))
		return 1;
	return 0;
}

/* "HOST:PORT" or "[v6]:PORT" → host (malloc'd) and port. */
static int
split_listen(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hlen;
	char *end;
	long p;

	if (colon == NULL)
		return -1;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && colon[-1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	p = strtol(colon + 1, &end, 10);
	if (hlen == 0 || *end != '\0' || colon[1] == '\0' || p < 0 || p > 65535)
		return -1;
	*host = lc_strndup(h, hlen);
	*port = (int)p;
	return 0;
}

static int
create_user(struct srv_ctx *ctx, const struct options *o)
{
	char line[256];
	char *cause = NULL;
	size_t n;
	int rc;

	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "lecternd: no password on stdin\n");
		return 1;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	rc = srv_user_create_cli(ctx, o->create_user, line, (enum srv_role)srv_role_parse(o->role),
	                         &cause);
	sodium_memzero(line, sizeof(line));
	if (rc != 0) {
		fprintf(stderr, "lecternd: %s\n", cause ? cause : lc_strerror(rc));
		free(cause);
		return 1;
	}
	return 0;
}

static int
serve(struct srv_ctx *ctx, const struct options *o)
{
	struct srv_http *http = NULL;
	char *host = NULL, *cause = NULL;
	int port, bound, sig = 0;
	sigset_t set;

	if (split_listen(o->listen, &host, &port) != 0) {
		fprintf(stderr, "lecternd: --listen wants HOST:PORT, not '%s'\n", o->listen);
		return 1;
	}
	/* Block the stop signals in every thread; the main thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv_http_start(ctx, host, port, o->threads, &o->limits, &http, &bound, &cause) != 0) {
		fprintf(stderr, "lecternd: %s\n", cause ? cause : "cannot listen");
		free(cause);
		free(host);
		return 1;
	}
	/* An IPv6 literal needs brackets in a URL. */
	if (strchr(host, ':'))
		printf("lecternd listening on http://[%s]:%d\n", host, bound);
	else
		printf("lecternd listening on http://%s:%d\n", host, bound);
	fflush(stdout);
	free(host);
	sigwait(&set, &sig);
	lc_log(LC_LOG_INFO, "signal %d: stopping", sig);
	srv_http_stop(http);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o = {.listen = "127.0.0.1:7878",
	                    .db = "./lecternd.db",
	                    .threads = 4,
	                    .registration = SRV_REG_LEARNERS,
	                    .access_ttl = -1,
	                    .refresh_grace = -1,
	                    .offline_login_days = -1};
	struct srv_ctx ctx;
	char *cause = NULL;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		if (rc == 1)
			usage(stderr);
		return rc == 1 ? 1 : 0;
	}
	lc_log_to(stderr, LC_LOG_INFO);
	if (sodium_init() < 0) {
		fprintf(stderr, "lecternd: libsodium cannot start\n");
		return 1;
	}
	rc = srv_ctx_init(&ctx, o.db, &cause);
	if (rc != 0) {
		/* The cause names the file already. */
		if (cause)
			fprintf(stderr, "lecternd: %s\n", cause);
		else
			fprintf(stderr, "lecternd: %s: %s\n", o.db, lc_strerror(rc));
		free(cause);
		return 1;
	}
	ctx.registration = o.registration;
	/* In ctx, 0 means the default and a negative value 0 seconds (srv_access_ttl()). */
	if (o.access_ttl >= 0)
		ctx.access_ttl = o.access_ttl > 0 ? o.access_ttl : -1;
	if (o.refresh_grace >= 0)
		ctx.refresh_grace = o.refresh_grace > 0 ? o.refresh_grace : -1;
	if (o.offline_login_days >= 0)
		ctx.offline_login_days = o.offline_login_days > 0 ? o.offline_login_days : -1;
	if (o.busy_timeout_ms > 0)
		srv_ctx_busy_timeout(&ctx, o.busy_timeout_ms);
	if (o.create_user) {
		rc = create_user(&ctx, &o);
	} else {
		rc = 0;
		if (o.seed_demo && srv_seed_demo(&ctx, &cause) != 0) {
			fprintf(stderr, "lecternd: --seed-demo: %s\n", cause ? cause : "failed");
			free(cause);
			rc = 1;
		}
		if (rc == 0)
			rc = serve(&ctx, &o);
	}
	srv_ctx_finish(&ctx);
	return rc;
}
