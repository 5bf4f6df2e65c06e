/* SPDX-License-Identifier: MIT */
/*
 * A fault-injecting HTTP/1.1 reverse proxy for loopback tests and the sync benchmark.
 *
 * The client is pointed at the proxy's port; every request is read whole, sent to the
 * upstream server on a fresh connection, and the whole response relayed back, so the proxy
 * can act at the points that matter for exactly-once delivery: after the server has acted
 * but before the client hears of it (drop, cut mid-body), before the server has seen a
 * whole request (cut request), with latency (delay), or twice (repeat). Faults apply only to
 * requests whose path (without query) equals the configured fault path, so logins and
 * digests go through while /api/v1/sync is tormented.
 *
 * In pass-through mode it is a byte counter: bytes each way on the client side, headers
 * included, and the number of requests (round trips). It can also keep copies of the
 * response bodies of the fault path, for the benchmark's "floor" computation.
 *
 * Runs on threads of its own (one accept thread, one per client connection).
 */
#ifndef FAULTPROXY_H
#define FAULTPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fp_fault {
	FP_PASS,          /* relay unchanged */
	FP_DROP_RESPONSE, /* the server acts; the client's connection closes with no answer */
	FP_CUT_RESPONSE,  /* the server acts; the client gets the head and half the body */
	FP_CUT_REQUEST,   /* the server gets the head and half the body, then a close */
	FP_DELAY,         /* the response is held delay_ms, then sent in two halves */
	FP_REPEAT,        /* the server gets the request twice; the client gets the 2nd answer */
	FP_REFUSE,        /* the connection closes before anything reaches the server */
	FP_FAULT_COUNT,
};

/* Counters since start or the last fp_reset_stats(). */
struct fp_stats {
	int64_t requests;       /* requests read from clients (all paths) */
	int64_t bytes_up;       /* bytes read from clients, heads included */
	int64_t bytes_down;     /* bytes written to clients, heads included */
	int64_t connections;    /* client connections accepted */
	int64_t faults_applied; /* requests that met a fault other than FP_PASS */
	int64_t upstream_sends; /* requests (or parts) sent to the upstream */
};

struct fp_proxy;

/*
 * Starts a proxy on 127.0.0.1 (a free port) relaying to 127.0.0.1:upstream_port.
 * Returns 0 and *out (stop with fp_stop()), or a negative lc_err with a message in *cause.
 */
int fp_start(int upstream_port, struct fp_proxy **out, char **cause);
/* Stops the threads, closes every socket and frees. Accepts NULL. */
void fp_stop(struct fp_proxy *proxy);

/* The port the proxy listens on. */
int fp_port(const struct fp_proxy *proxy);
/* Points the proxy at another upstream port (a restarted server). */
void fp_set_upstream(struct fp_proxy *proxy, int upstream_port);

/*
 * Only requests to this exact path (query ignored) meet faults; NULL for every path.
 * The string is copied.
 */
void fp_set_fault_path(struct fp_proxy *proxy, const char *path);
/*
 * The next `count` requests on the fault path meet `fault` (count < 0: all of them), then
 * the proxy passes again. delay_ms is used by FP_DELAY.
 */
void fp_set_fault(struct fp_proxy *proxy, enum fp_fault fault, int count, int delay_ms);

void fp_stats(struct fp_proxy *proxy, struct fp_stats *out);
void fp_reset_stats(struct fp_proxy *proxy);

/* One captured response: its head (status line and headers) and its body with any chunked
 * framing removed but still content-encoded (gzip, zstd) as the server sent it. */
struct fp_response {
	char *head;
	char *body;
	size_t body_len;
	char *request; /* the raw request that got this answer (head and body as sent) */
	size_t request_len;
};

/*
 * While on, responses on the fault path are kept in order. fp_take_responses() hands them
 * over (*out: an array of *n, free with fp_responses_free()) and empties the list.
 */
void fp_capture(struct fp_proxy *proxy, bool on);
void fp_take_responses(struct fp_proxy *proxy, struct fp_response **out, size_t *n);
void fp_responses_free(struct fp_response *responses, size_t n);

/* A short name for a fault ("drop-response"), for test messages. */
const char *fp_fault_name(enum fp_fault fault);

#endif
