/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: lecternd's JSON body validators (validate.c). The input is two bytes
 * of settings and a request body. The body is parsed as the HTTP layer parses it
 * (cJSON_ParseWithOpts, NUL-terminated, cJSON's nesting limit), then every getter
 * (srv_get_str/int/num/bool/enum/uuid/time/str_array/new_id) reads its key from the body
 * and from each element of its "items" array, with the options and bounds the settings
 * pick, including the extreme ones (INT64_MIN..INT64_MAX). A value a getter accepts must
 * lie within the bounds it was given, and a body with a bad key must fail the check with
 * a 400.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "server-stub/srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	int64_t min, max;
} int_bounds[] = {
    {0, 100}, {1, 1000}, {INT64_MIN, INT64_MAX}, {0, INT64_MAX / 2}, {-5, 5}, {0, INT64_MAX},
};

static const struct {
	size_t min, max;
} str_bounds[] = {{0, 0}, {1, 80}, {36, 36}, {0, SIZE_MAX}};

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Runs every getter on obj; returns how many answered SRV_BAD. */
static int
check_object(struct srv_check *c, const cJSON *obj, unsigned opt, int ib, int sb)
{
	static const char *const colours[] = {"red", "green", "blue", NULL};
	int64_t i = 0, t = 0;
	double n = 0;
	bool b;
	const char *s = NULL, *e = NULL, *u = NULL, *text = NULL;
	const cJSON *a = NULL;
	char id[LC_UUID_LEN + 1];
	int n_bad = 0, rc;
	size_t len;

	rc = srv_get_str(c, obj, "s", opt, str_bounds[sb].min, str_bounds[sb].max, &s);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && s != NULL)
		CHECK(srv_utf8_len(s, &len) && len >= str_bounds[sb].min &&
		      len <= str_bounds[sb].max);
	rc = srv_get_int(c, obj, "i", opt, int_bounds[ib].min, int_bounds[ib].max, &i);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "i")))
		CHECK(i >= int_bounds[ib].min && i <= int_bounds[ib].max);
	rc = srv_get_num(c, obj, "n", opt, -1e6, 1e6, &n);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "n")))
		CHECK(isfinite(n) && n >= -1e6 && n <= 1e6);
	n_bad += srv_get_bool(c, obj, "b", opt, &b) == SRV_BAD;
	rc = srv_get_enum(c, obj, "e", opt, colours, &e);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && e != NULL)
		CHECK(strcmp(e, "red") == 0 || strcmp(e, "green") == 0 || strcmp(e, "blue") == 0);
	rc = srv_get_uuid(c, obj, "u", opt, &u);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && u != NULL)
		CHECK(strlen(u) == LC_UUID_LEN);
	rc = srv_get_time(c, obj, "t", opt, &t, &text);
	n_bad += rc == SRV_BAD;
	rc = srv_get_str_array(c, obj, "a", opt, 20, 5, &a);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT && a != NULL)
		CHECK(cJSON_GetArraySize(a) <= 5);
	rc = srv_get_new_id(c, obj, id);
	n_bad += rc == SRV_BAD;
	if (rc == SRV_GOT)
		CHECK(strlen(id) == LC_UUID_LEN);
	return n_bad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_check c;
	struct srv_resp resp;
	const char *end = NULL;
	const cJSON *items, *it;
	char *text;
	cJSON *body;
	int n_bad, index = 0;
	bool failed;

	if (size < 2 || size > 64 * 1024)
		return 0;
	text = lc_strndup((const char *)data + 2, size - 2);
	body = cJSON_ParseWithOpts(text, &end, 1);
	free(text);
	if (body == NULL)
		return 0;
	unsigned opt = data[0] % 4; /* SRV_OPTIONAL, REQUIRED, NULLABLE or both */
	int ib = data[1] % (int)(sizeof(int_bounds) / sizeof(int_bounds[0]));
	int sb = (data[1] / 16) % (int)(sizeof(str_bounds) / sizeof(str_bounds[0]));

	srv_check_init(&c);
	n_bad = check_object(&c, body, opt, ib, sb);
	items = cJSON_GetObjectItemCaseSensitive(body, "items");
	if (!cJSON_IsArray(items))
		items = NULL;
	cJSON_ArrayForEach(it, items)
	{
		srv_check_element(&c, index++);
		n_bad += check_object(&c, it, opt, ib, sb);
	}
	memset(&resp, 0, sizeof(resp));
	failed = srv_check_failed(&c, &resp);
	CHECK(failed == (n_bad > 0));
	CHECK(!failed || resp.status == 400);
	srv_resp_finish(&resp);
	srv_check_finish(&c);
	cJSON_Delete(body);
	return 0;
}
