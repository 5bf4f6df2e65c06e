/* SPDX-License-Identifier: MIT */
/* Unit tests for common/: buffers, UUIDs, RFC 3339, causes, folders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/text.h"
#include "common/uuid.h"

static void
test_buf_grows_and_stays_terminated(void **state)
{
	struct lc_buf b;

	(void)state;
	lc_buf_init(&b);
	assert_string_equal(lc_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		lc_buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	lc_buf_putc(&b, 'x');
	assert_int_equal(b.data[b.len - 1], 'x');
	char *s = lc_buf_steal(&b);
	assert_null(b.data);
	free(s);
	lc_buf_finish(&b);
	lc_buf_finish(NULL);
}

static void
test_uuid_is_v4_and_validates(void **state)
{
	char a[LC_UUID_LEN + 1], b[LC_UUID_LEN + 1];

	(void)state;
	lc_uuid_new(a);
	lc_uuid_new(b);
	assert_true(lc_uuid_valid(a));
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_false(lc_uuid_valid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
	assert_false(lc_uuid_valid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
	assert_false(lc_uuid_valid("3f2504e0x4f89-11d3-9a0c-0305e82c3301"));
	assert_false(lc_uuid_valid(NULL));
	assert_true(lc_uuid_valid("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
}

static void
test_rfc3339_round_trip_and_rejects(void **state)
{
	char s[LC_RFC3339_LEN + 1];
	int64_t t;

	(void)state;
	lc_rfc3339(1795414272, s);
	assert_string_equal(s, "2026-11-23T06:11:12Z");
	assert_int_equal(lc_rfc3339_parse(s, &t), 0);
	assert_int_equal(t, 1795414272);
	assert_int_equal(lc_rfc3339_parse("2026-11-23T07:11:12.5+01:00", &t), 0);
	assert_int_equal(t, 1795414272);
	assert_int_equal(lc_rfc3339_parse("2026-13-23T06:11:12Z", &t), -LC_EINVAL);
	assert_int_equal(lc_rfc3339_parse("2026-11-23 06:11:12", &t), -LC_EINVAL);
	assert_int_equal(lc_rfc3339_parse("2026-11-23T06:11:12Zjunk", &t), -LC_EINVAL);
	assert_int_equal(lc_rfc3339_parse(NULL, &t), -LC_EINVAL);
}

static void
test_cause_replaces_and_tolerates_null(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(lc_cause_set(&cause, -LC_EINVAL, "bad %s", "x"), -LC_EINVAL);
	assert_string_equal(cause, "bad x");
	lc_cause_set(&cause, -LC_EIO, "second");
	assert_string_equal(cause, "second");
	free(cause);
	assert_int_equal(lc_cause_set(NULL, -LC_EIO, "ignored"), -LC_EIO);
	assert_string_equal(lc_strerror(-LC_EDB), "database error");
}

static void
test_mkdir_parents_makes_private_folders(void **state)
{
	char tmpl[] = "/tmp/lc-common-XXXXXX";
	char *dir, *file, *content = NULL;
	struct stat st;
	size_t len;

	(void)state;
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	file = lc_asprintf("%s/a/b/file.txt", dir);
	assert_int_equal(lc_mkdir_parents(file, 0700), 0);
	char *sub = lc_asprintf("%s/a/b", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(lc_read_file(file, &content, &len), -LC_ENOTFOUND);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("hello", fp);
	fclose(fp);
	assert_int_equal(lc_read_file(file, &content, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(content, "hello");
	free(content);
	unlink(file);
	rmdir(sub);
	free(sub);
	sub = lc_asprintf("%s/a", dir);
	rmdir(sub);
	rmdir(dir);
	free(sub);
	free(file);
}

/*
 * Security review 2026-11-29, M3: what lectern prints from the server or the replica keeps
 * printable text (UTF-8 included) and loses every control a terminal would act on: C0 but
 * newline and tab, DEL, C1 (U+0080..U+009F, e.g. U+009B CSI) and bytes that are not UTF-8
 * (a bare 0x9b is CSI on an 8-bit terminal).
 */
static void
test_text_clean_neutralises_c0_del_c1_and_bad_bytes(void **state)
{
	char *out;

	(void)state;
	out = lc_text_cleaned("t\x1b]0;pwned\x07\x1b[2J\x1b[31mNOW", 0);
	assert_string_equal(out, "t?]0;pwned??[2J?[31mNOW");
	free(out);
	out = lc_text_cleaned("a\x7f b\xc2\x9b c\xc2\x85 d\x9b e\xc2", 0);
	assert_string_equal(out, "a? b? c? d? e?");
	free(out);
	/* Printable UTF-8 stays: U+00A0 is the first character after C1. */
	out = lc_text_cleaned("caf\xc3\xa9 \xe5\xad\xa6 \xc2\xa0 \xf0\x9f\x98\x80", 0);
	assert_string_equal(out, "caf\xc3\xa9 \xe5\xad\xa6 \xc2\xa0 \xf0\x9f\x98\x80");
	free(out);
	/* Overlong and surrogate forms are not characters. */
	out = lc_text_cleaned("x\xc0\x9by\xed\xa0\x80z", 0);
	assert_string_equal(out, "x??y???z");
	free(out);
	/* Newline and tab: kept only for bodies; one-line fields stay on one line. */
	out = lc_text_cleaned("a\nb\tc\r", LC_TEXT_KEEP_LINES);
	assert_string_equal(out, "a\nb\tc?");
	free(out);
	out = lc_text_cleaned("a\nb\tc", 0);
	assert_string_equal(out, "a?b?c");
	free(out);
	out = lc_text_cleaned(NULL, 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(lc_text_safe_span("abc\x1b"
	                                   "def",
	                                   7),
	                 3);
	assert_int_equal(lc_text_safe_span("\xe5\xad\xa6\xc2\x9b", 5), 3);
	assert_int_equal(lc_text_safe_span("\xe5\xad", 2), 0); /* cut short */
	assert_true(lc_text_is_control(0x9b));
	assert_true(lc_text_is_control(0x7f));
	assert_false(lc_text_is_control(0xa0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_grows_and_stays_terminated),
	    cmocka_unit_test(test_uuid_is_v4_and_validates),
	    cmocka_unit_test(test_rfc3339_round_trip_and_rejects),
	    cmocka_unit_test(test_cause_replaces_and_tolerates_null),
	    cmocka_unit_test(test_mkdir_parents_makes_private_folders),
	    cmocka_unit_test(test_text_clean_neutralises_c0_del_c1_and_bad_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
