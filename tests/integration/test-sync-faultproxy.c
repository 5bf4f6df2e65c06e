/* SPDX-License-Identifier: MIT */
/*
 * Self test of the fault proxy (faultproxy.c): a real HTTP server (libmicrohttpd) counts
 * the requests it acted on, a real client (libcurl) goes through the proxy, and each fault
 * is checked from both ends: what the server did and what the client saw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "faultproxy.h"

struct upstream {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t lock;
	int acted; /* complete requests the server answered */
};

struct fixture {
	struct upstream up;
	struct fp_proxy *proxy;
	CURL *curl;
};

/* Body of /chunked: sent without a length, so MHD uses chunked encoding. */
static ssize_t
chunk_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	const char *text = cls;
	size_t len = strlen(text);

	if (pos >= len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Small pieces, so the body really arrives in several chunks. */
	if (max > 7)
		max = 7;
	if (max > len - pos)
		max = len - (size_t)pos;
	memcpy(buf, text + pos, max);
	return (ssize_t)max;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	static const char *const chunked_text = "one two three four five six seven eight nine";
	struct upstream *up = cls;
	struct MHD_Response *response;
	struct lc_buf *body = *req_cls;
	enum MHD_Result ret;
	char reply[128];
	int acted;

	if (body == NULL) {
		body = lc_calloc(1, sizeof(*body));
		*req_cls = body;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		lc_buf_append(body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&up->lock);
	acted = ++up->acted;
	pthread_mutex_unlock(&up->lock);
	if (strcmp(url, "/chunked") == 0) {
		response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64, chunk_reader,
		                                             (void *)chunked_text, NULL);
	} else {
		snprintf(reply, sizeof(reply), "{\"acted\":%d,\"len\":%zu,\"path\":\"%s\"}", acted,
		         body->len, url);
		response =
		    MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_MUST_COPY);
	}
	ret = MHD_queue_response(connection, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return ret;
}

static void
request_done(void *cls, struct MHD_Connection *connection, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct lc_buf *body = *req_cls;

	lc_buf_finish(body);
	free(body);
	*req_cls = NULL;
}

static int
upstream_acted(struct upstream *up)
{
	int n;

	pthread_mutex_lock(&up->lock);
	n = up->acted;
	pthread_mutex_unlock(&up->lock);
	return n;
}

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	const union MHD_DaemonInfo *info;
	char *cause = NULL;

	struct sockaddr_in addr = {.sin_family = AF_INET};

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_mutex_init(&f->up.lock, NULL);
	f->up.daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer, &f->up,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)10, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
	assert_non_null(f->up.daemon);
	info = MHD_get_daemon_info(f->up.daemon, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	f->up.port = info->port;
	assert_int_equal(fp_start(f->up.port, &f->proxy, &cause), 0);
	fp_set_fault_path(f->proxy, "/api/v1/sync");
	f->curl = curl_easy_init();
	assert_non_null(f->curl);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	curl_easy_cleanup(f->curl);
	fp_stop(f->proxy);
	MHD_stop_daemon(f->up.daemon);
	pthread_mutex_destroy(&f->up.lock);
	free(f);
	return 0;
}

static size_t
collect(char *data, size_t size, size_t n, void *ctx)
{
	lc_buf_append(ctx, data, size * n);
	return size * n;
}

/* POSTs body to path through the proxy; returns curl's code, the reply in out. */
static CURLcode
post(struct fixture *f, const char *path, const char *body, struct lc_buf *out)
{
	char url[256];

	lc_buf_reset(out);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fp_port(f->proxy), path);
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT, 20L);
	return curl_easy_perform(f->curl);
}

/* The server acts asynchronously to a cut request: give it a moment before counting. */
static void
settle(void)
{
	usleep(200 * 1000);
}

static void
test_pass_through_relays_and_counts_bytes_on_one_connection(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	struct fp_stats st;

	assert_int_equal(post(f, "/api/v1/sync", "{\"x\":1}", &out), CURLE_OK);
	assert_non_null(strstr(lc_buf_str(&out), "\"acted\":1,\"len\":7,"));
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	assert_non_null(strstr(lc_buf_str(&out), "\"acted\":2,\"len\":2,"));
	fp_stats(f->proxy, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.connections, 1); /* keep-alive kept */
	assert_int_equal(st.faults_applied, 0);
	/* Heads are counted: each direction is well above the bodies alone. */
	assert_true(st.bytes_up > 7 + 2 + 2 * 40);
	assert_true(st.bytes_down > (int64_t)out.len * 2 + 2 * 40);
	lc_buf_finish(&out);
}

static void
test_drop_response_after_server_acted(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};

	fp_set_fault(f->proxy, FP_DROP_RESPONSE, 1, 0);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_GOT_NOTHING);
	assert_int_equal(upstream_acted(&f->up), 1);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	assert_int_equal(upstream_acted(&f->up), 2);
	lc_buf_finish(&out);
}

static void
test_cut_response_mid_body_after_server_acted(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};

	fp_set_fault(f->proxy, FP_CUT_RESPONSE, 1, 0);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_PARTIAL_FILE);
	assert_int_equal(upstream_acted(&f->up), 1);
	assert_true(out.len > 0); /* part of the body did arrive */
	lc_buf_finish(&out);
}

static void
test_cut_request_never_reaches_the_handler(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};

	fp_set_fault(f->proxy, FP_CUT_REQUEST, 1, 0);
	assert_int_not_equal(post(f, "/api/v1/sync", "{\"body\":\"0123456789\"}", &out), CURLE_OK);
	settle();
	assert_int_equal(upstream_acted(&f->up), 0);
	lc_buf_finish(&out);
}

static void
test_repeat_makes_the_server_act_twice(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};

	fp_set_fault(f->proxy, FP_REPEAT, 1, 0);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	assert_int_equal(upstream_acted(&f->up), 2);
	assert_non_null(strstr(lc_buf_str(&out), "\"acted\":2,")); /* the second answer */
	lc_buf_finish(&out);
}

static void
test_delay_holds_the_response(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	int64_t t0 = lc_monotonic_ms();

	fp_set_fault(f->proxy, FP_DELAY, 1, 300);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	assert_true(lc_monotonic_ms() - t0 >= 300);
	assert_non_null(strstr(lc_buf_str(&out), "\"acted\":1,"));
	lc_buf_finish(&out);
}

static void
test_refuse_closes_before_the_server(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};

	fp_set_fault(f->proxy, FP_REFUSE, 1, 0);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_GOT_NOTHING);
	settle();
	assert_int_equal(upstream_acted(&f->up), 0);
	lc_buf_finish(&out);
}

static void
test_faults_hit_only_the_fault_path_and_only_count_times(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	struct fp_stats st;

	/* A dropped answer on a reused connection makes libcurl resend on a new one. */
	curl_easy_setopt(f->curl, CURLOPT_FORBID_REUSE, 1L);
	fp_set_fault(f->proxy, FP_DROP_RESPONSE, 2, 0);
	assert_int_equal(post(f, "/api/v1/auth/token", "{}", &out), CURLE_OK);
	assert_int_equal(post(f, "/api/v1/sync?x=1", "{}", &out), CURLE_GOT_NOTHING);
	assert_int_equal(post(f, "/api/v1/sync/digest", "{}", &out), CURLE_OK);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_GOT_NOTHING);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	fp_stats(f->proxy, &st);
	assert_int_equal(st.faults_applied, 2);
	assert_int_equal(upstream_acted(&f->up), 5);
	lc_buf_finish(&out);
}

static void
test_chunked_response_is_relayed_and_captured_unframed(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	struct fp_response *resp;
	size_t n;

	fp_set_fault_path(f->proxy, "/chunked");
	fp_capture(f->proxy, true);
	assert_int_equal(post(f, "/chunked", "{}", &out), CURLE_OK);
	assert_string_equal(lc_buf_str(&out), "one two three four five six seven eight nine");
	assert_int_equal(post(f, "/other", "{}", &out), CURLE_OK);
	fp_take_responses(f->proxy, &resp, &n);
	assert_int_equal(n, 1);
	assert_string_equal(resp[0].body, "one two three four five six seven eight nine");
	assert_non_null(strcasestr(resp[0].head, "transfer-encoding: chunked"));
	assert_true(resp[0].request_len > 2);
	assert_non_null(strstr(resp[0].request, "POST /chunked HTTP/1.1\r\n"));
	assert_string_equal(resp[0].request + resp[0].request_len - 2, "{}");
	fp_responses_free(resp, n);
	lc_buf_finish(&out);
}

static void
test_expect_continue_is_answered_without_waiting(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	struct curl_slist *headers = curl_slist_append(NULL, "Expect: 100-continue");
	int64_t t0 = lc_monotonic_ms();

	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, headers);
	assert_int_equal(post(f, "/api/v1/sync", "{\"body\":\"0123456789\"}", &out), CURLE_OK);
	assert_non_null(strstr(lc_buf_str(&out), "\"acted\":1,\"len\":21,"));
	/* libcurl would wait a whole second for a 100 that never came. */
	assert_true(lc_monotonic_ms() - t0 < 900);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	lc_buf_finish(&out);
}

static void
test_upstream_down_then_back(void **state)
{
	struct fixture *f = *state;
	struct lc_buf out = {0};
	int port = f->up.port;

	fp_set_upstream(f->proxy, 1); /* nothing listens on port 1 */
	assert_int_not_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	fp_set_upstream(f->proxy, port);
	assert_int_equal(post(f, "/api/v1/sync", "{}", &out), CURLE_OK);
	assert_int_equal(upstream_acted(&f->up), 1);
	lc_buf_finish(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_pass_through_relays_and_counts_bytes_on_one_connection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drop_response_after_server_acted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_response_mid_body_after_server_acted, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cut_request_never_reaches_the_handler, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_repeat_makes_the_server_act_twice, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_delay_holds_the_response, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuse_closes_before_the_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_faults_hit_only_the_fault_path_and_only_count_times, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chunked_response_is_relayed_and_captured_unframed,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expect_continue_is_answered_without_waiting, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_upstream_down_then_back, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-faultproxy", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
