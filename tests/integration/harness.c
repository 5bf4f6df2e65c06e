/* SPDX-License-Identifier: MIT */
/* The integration-test harness; see harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "common/uuid.h"

/* Everything to clean up at exit or on a fatal signal; fixed arrays so a handler can walk it. */
#define H_MAX 16
static pid_t h_pids[H_MAX];
static char h_dirs[H_MAX][256];
static int h_registered;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
cleanup_all(void)
{
	for (int i = 0; i < H_MAX; i++) {
		if (h_pids[i] > 0) {
			kill(h_pids[i], SIGKILL);
			waitpid(h_pids[i], NULL, 0);
			h_pids[i] = 0;
		}
	}
	for (int i = 0; i < H_MAX; i++) {
		if (h_dirs[i][0] != '\0') {
			nftw(h_dirs[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
			h_dirs[i][0] = '\0';
		}
	}
}

/* Only async-signal-safe calls: kill the servers, then re-raise so the exit status is true. */
static void
on_signal(int sig)
{
	for (int i = 0; i < H_MAX; i++) {
		if (h_pids[i] > 0)
			kill(h_pids[i], SIGKILL);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
register_cleanup(void)
{
	if (h_registered)
		return;
	h_registered = 1;
	atexit(cleanup_all);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
track_pid(pid_t pid, pid_t old)
{
	for (int i = 0; i < H_MAX; i++) {
		if (h_pids[i] == old) {
			h_pids[i] = pid;
			return;
		}
	}
}

static const char *
lecternd_path(void)
{
	const char *p = getenv("LECTERND");
	if (p == NULL || *p == '\0') {
		fprintf(stderr, "harness: LECTERND is not set\n");
		return NULL;
	}
	return p;
}

int
h_server_init(struct h_server *srv)
{
	register_cleanup();
	memset(srv, 0, sizeof(*srv));
	srv->out_fd = -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(srv->dir, sizeof(srv->dir), "%s/lectern-it-XXXXXX",
	         tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(srv->dir) == NULL) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", srv->dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < H_MAX; i++) {
		if (h_dirs[i][0] == '\0') {
			snprintf(h_dirs[i], sizeof(h_dirs[i]), "%s", srv->dir);
			break;
		}
	}
	snprintf(srv->db, sizeof(srv->db), "%s/lecternd.db", srv->dir);
	snprintf(srv->log, sizeof(srv->log), "%s/lecternd.log", srv->dir);
	return 0;
}

int
h_server_create_user(const struct h_server *srv, const char *name, const char *role,
                     const char *password)
{
	const char *exe = lecternd_path();
	if (exe == NULL)
		return -1;
	int in[2];
	if (pipe(in) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		int fd = open(srv->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(exe, exe, "--db", srv->db, "--create-user", name, "--role", role,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\n", password);
	if (write(in[1], line, (size_t)n) != n)
		fprintf(stderr, "harness: could not write the password\n");
	close(in[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "harness: lecternd --create-user %s failed (status %d)\n", name,
		        st);
		return -1;
	}
	return 0;
}

/* Drains the server's stdout so it never blocks on a full pipe; ends at EOF. */
static void *
drain(void *arg)
{
	int fd = (int)(long)arg;
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

/* Reads the first stdout line within timeout_ms; returns its length or -1. */
static int
read_line(int fd, char *line, size_t cap, int timeout_ms)
{
	size_t len = 0;
	int64_t end = lc_monotonic_ms() + timeout_ms;
	while (len + 1 < cap) {
		int left = (int)(end - lc_monotonic_ms());
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, left) <= 0)
			continue;
		ssize_t n = read(fd, line + len, 1);
		if (n <= 0)
			return -1;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return (int)len;
}

static void
print_log(const struct h_server *srv)
{
	FILE *f = fopen(srv->log, "r");
	if (f == NULL)
		return;
	char buf[1024];
	fprintf(stderr, "---- %s ----\n", srv->log);
	while (fgets(buf, sizeof(buf), f) != NULL)
		fputs(buf, stderr);
	fclose(f);
}

int
h_server_start(struct h_server *srv)
{
	const char *exe = lecternd_path();
	if (exe == NULL)
		return -1;
	int out[2];
	if (pipe2(out, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		/* LECTERN_TEST_SERVER_STDERR=1 shows the server's log live, for debugging. */
		const char *live = getenv("LECTERN_TEST_SERVER_STDERR");
		int fd = live != NULL && *live == '1'
		             ? -1
		             : open(srv->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		const char *argv[32] = {exe, "--listen", "127.0.0.1:0", "--db", srv->db};
		size_t n = 5;
		for (size_t i = 0; srv->extra_args != NULL && srv->extra_args[i] != NULL &&
		                   n < sizeof(argv) / sizeof(argv[0]) - 1;
		     i++)
			argv[n++] = srv->extra_args[i];
		argv[n] = NULL;
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	srv->pid = pid;
	track_pid(pid, 0);
	char line[256];
	/* Generous: a cold start under ASan on a loaded 2-core machine. */
	if (read_line(out[0], line, sizeof(line), 30000) < 0) {
		fprintf(stderr, "harness: lecternd did not say it was listening\n");
		close(out[0]);
		h_server_kill(srv);
		print_log(srv);
		return -1;
	}
	const char *p = strstr(line, "http://127.0.0.1:");
	char *end = NULL;
	long port = p != NULL ? strtol(p + strlen("http://127.0.0.1:"), &end, 10) : 0;
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "harness: unexpected first line from lecternd: %s\n", line);
		close(out[0]);
		h_server_kill(srv);
		return -1;
	}
	srv->port = (int)port;
	snprintf(srv->url, sizeof(srv->url), "http://127.0.0.1:%d", srv->port);
	pthread_t t;
	if (pthread_create(&t, NULL, drain, (void *)(long)out[0]) == 0)
		pthread_detach(t);
	else
		close(out[0]);
	return 0;
}

static int
reap(struct h_server *srv, int sig)
{
	if (srv->pid <= 0)
		return 0;
	kill(srv->pid, sig);
	int st = 0;
	/* A clean stop is expected within 20 s; after that the server is killed. */
	int64_t end = lc_monotonic_ms() + 20000;
	pid_t r;
	while ((r = waitpid(srv->pid, &st, WNOHANG)) == 0 && lc_monotonic_ms() < end)
		usleep(10000);
	if (r == 0) {
		fprintf(stderr, "harness: lecternd ignored signal %d; killing it\n", sig);
		kill(srv->pid, SIGKILL);
		waitpid(srv->pid, &st, 0);
	}
	track_pid(0, srv->pid);
	srv->pid = 0;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int
h_server_stop(struct h_server *srv)
{
	int rc = reap(srv, SIGTERM);
	if (rc != 0) {
		fprintf(stderr, "harness: lecternd exited with status %d\n", rc);
		print_log(srv);
	}
	return rc;
}

void
h_server_kill(struct h_server *srv)
{
	reap(srv, SIGKILL);
}

int
h_server_restart(struct h_server *srv)
{
	h_server_stop(srv);
	return h_server_start(srv);
}

int
h_server_up(struct h_server *srv)
{
	if (h_server_init(srv) != 0)
		return -1;
	if (h_server_create_user(srv, "root", "admin", H_PASSWORD) != 0)
		return -1;
	return h_server_start(srv);
}

int
h_server_down(struct h_server *srv)
{
	int rc = h_server_stop(srv);
	for (int i = 0; i < H_MAX; i++) {
		if (h_dirs[i][0] != '\0' && strcmp(h_dirs[i], srv->dir) == 0) {
			nftw(h_dirs[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
			h_dirs[i][0] = '\0';
		}
	}
	return rc;
}

/* ---- HTTP ------------------------------------------------------------------------------ */

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	lc_buf_append(ud, ptr, size * nmemb);
	return size * nmemb;
}

/* Keeps only the headers of the last response (after redirects or 100 Continue). */
static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct lc_buf *b = ud;
	size_t n = size * nmemb;
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
		lc_buf_reset(b);
	lc_buf_append(b, ptr, n);
	return n;
}

const char *h_source_address;

int
h_request(const struct h_server *srv, const char *method, const char *path,
          const char *const *headers, const char *body, size_t body_len, struct h_resp *out)
{
	memset(out, 0, sizeof(*out));
	CURL *c = curl_easy_init();
	if (c == NULL)
		return -1;
	char *url = lc_asprintf("%s%s", srv->url, path);
	struct lc_buf hb = {0}, bb = {0};
	struct curl_slist *hl = NULL;
	/* libcurl adds Expect: 100-continue to large bodies; the tests want one plain exchange. */
	hl = curl_slist_append(hl, "Expect:");
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (h_source_address != NULL) {
		char iface[64];
		snprintf(iface, sizeof(iface), "host!%s", h_source_address);
		curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	else
		fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
	out->headers = lc_buf_steal(&hb);
	out->body_len = bb.len;
	out->body = lc_buf_steal(&bb);
	if (out->body_len > 0)
		out->json = cJSON_ParseWithLength(out->body, out->body_len);
	return rc == CURLE_OK ? 0 : -1;
}

int
h_call(const struct h_server *srv, const char *method, const char *path, const char *token,
       const char *json, const char *const *extra, struct h_resp *out)
{
	const char *hdrs[24];
	size_t n = 0;
	char auth[600];
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs[n++] = auth;
	}
	if (json != NULL)
		hdrs[n++] = "Content-Type: application/json";
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 23; i++)
		hdrs[n++] = extra[i];
	hdrs[n] = NULL;
	char *full = lc_asprintf("%s%s", H_API, path);
	int rc = h_request(srv, method, full, hdrs, json, json != NULL ? strlen(json) : 0, out);
	free(full);
	return rc;
}

long
h_callf(const struct h_server *srv, const char *method, const char *token, const char *json,
        struct h_resp *out, const char *path_fmt, ...)
{
	va_list ap;
	va_start(ap, path_fmt);
	char *path = lc_vasprintf(path_fmt, ap);
	va_end(ap);
	h_call(srv, method, path, token, json, NULL, out);
	free(path);
	return out->status;
}

void
h_resp_free(struct h_resp *r)
{
	free(r->headers);
	free(r->body);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
h_resp_header(const struct h_resp *r, const char *name, char *out, size_t out_len)
{
	size_t nl = strlen(name);
	for (const char *p = r->headers; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			const char *e = p + len;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' '))
				e--;
			snprintf(out, out_len, "%.*s", (int)(e - v), v);
			return out;
		}
		p = eol != NULL ? eol + 1 : p + len;
	}
	return NULL;
}

static const cJSON *
json_at(const cJSON *json, const char *dotted)
{
	char key[128];
	const cJSON *cur = json;
	while (cur != NULL && *dotted != '\0') {
		const char *dot = strchr(dotted, '.');
		size_t len = dot != NULL ? (size_t)(dot - dotted) : strlen(dotted);
		snprintf(key, sizeof(key), "%.*s", (int)len, dotted);
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		dotted += len + (dot != NULL ? 1 : 0);
	}
	return cur;
}

const char *
h_json_str(const cJSON *json, const char *dotted)
{
	const cJSON *v = json_at(json, dotted);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
h_json_num(const cJSON *json, const char *dotted, double def)
{
	const cJSON *v = json_at(json, dotted);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

bool
h_is_error(const struct h_resp *r, const char *type)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	if (!cJSON_IsObject(r->json) || cJSON_GetArraySize(r->json) != 1 || !cJSON_IsObject(e) ||
	    cJSON_GetArraySize(e) != 2)
		return false;
	const char *t = h_json_str(e, "type");
	return t != NULL && strcmp(t, type) == 0 && h_json_str(e, "message") != NULL;
}

const char *
h_error_message(const struct h_resp *r)
{
	const char *m = h_json_str(r->json, "error.message");
	return m != NULL ? m : "";
}

int
h_copy_id(const cJSON *json, const char *dotted, char out[H_ID_LEN + 1])
{
	const char *s = h_json_str(json, dotted);
	if (s == NULL || strlen(s) != H_ID_LEN) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, s, H_ID_LEN + 1);
	return 0;
}

/* ---- "Invalid parameters: ..." ----------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits a key list into sorted "idx:key" or "key" strings; returns the count (max cap). */
static size_t
param_set(const char *list, char **out, size_t cap)
{
	size_t n = 0;
	char *copy = lc_strdup(list), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL && n < cap;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		char prefix[16] = "";
		char *colon = strchr(tok, ':');
		if (colon != NULL) {
			snprintf(prefix, sizeof(prefix), "%.*s:", (int)(colon - tok), tok);
			tok = colon + 1;
			while (*tok == ' ')
				tok++;
		}
		char *s2 = NULL;
		for (char *k = colon != NULL ? strtok_r(tok, ".", &s2) : tok; k != NULL && n < cap;
		     k = colon != NULL ? strtok_r(NULL, ".", &s2) : NULL)
			out[n++] = lc_asprintf("%s%s", prefix, k);
	}
	free(copy);
	qsort(out, n, sizeof(*out), cmp_str);
	return n;
}

bool
h_invalid_params_are(const struct h_resp *r, const char *keys)
{
	const char *msg = h_error_message(r);
	const char *prefix = "Invalid parameters: ";
	if (strncmp(msg, prefix, strlen(prefix)) != 0)
		return false;
	char *got[64], *want[64];
	size_t ng = param_set(msg + strlen(prefix), got, 64);
	size_t nw = param_set(keys, want, 64);
	bool same = ng == nw;
	for (size_t i = 0; same && i < ng; i++)
		same = strcmp(got[i], want[i]) == 0;
	for (size_t i = 0; i < ng; i++)
		free(got[i]);
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	return same;
}
