/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for tui/config.c (issue 13): the config file's keys, its errors naming file
 * and line, and the command line winning over the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "tui/config.h"

static void
test_config_reads_every_key(void **state)
{
	struct tui_config_file cf;
	char *cause = NULL;

	(void)state;
	assert_int_equal(
	    tui_config_file_parse("lab.conf",
	                          "# a lab kiosk\n"
	                          "\n"
	                          "kiosk = wipe\n"
	                          "  idle_minutes=5   # five\n"
	                          "admin_hash = $argon2id$v=19$m=65536,t=2,p=1$abc$def\n"
	                          "background_sync = yes\r\n"
	                          "server = http://127.0.0.1:7878",
	                          &cf, &cause),
	    0);
	assert_null(cause);
	assert_string_equal(cf.path, "lab.conf");
	assert_int_equal(cf.kiosk, TUI_KIOSK_WIPE);
	assert_int_equal(cf.idle_s, 300);
	assert_string_equal(cf.admin_hash, "$argon2id$v=19$m=65536,t=2,p=1$abc$def");
	assert_true(cf.background_sync);
	assert_string_equal(cf.server, "http://127.0.0.1:7878");
	tui_config_file_finish(&cf);
}

/* idle_seconds, for a limit under a minute (and the e2e tests of the idle sign-out). */
static void
test_config_idle_seconds_sets_seconds(void **state)
{
	struct tui_config_file cf;
	struct tui_config cfg = {0};

	(void)state;
	assert_int_equal(tui_config_file_parse("x", "kiosk = keep\nidle_seconds = 45\n", &cf, NULL),
	                 0);
	assert_int_equal(cf.idle_s, 45);
	tui_config_apply(&cfg, &cf, -1);
	assert_int_equal(cfg.idle_s, 45);
	tui_config_file_finish(&cf);
}

static void
test_config_empty_has_defaults(void **state)
{
	struct tui_config_file cf;
	struct tui_config cfg = {0};

	(void)state;
	assert_int_equal(tui_config_file_parse("x", "", &cf, NULL), 0);
	assert_int_equal(cf.kiosk, TUI_KIOSK_OFF);
	assert_int_equal(cf.idle_s, -1);
	assert_null(cf.admin_hash);
	assert_false(cf.background_sync);
	tui_config_apply(&cfg, &cf, -1);
	assert_int_equal(cfg.kiosk, TUI_KIOSK_OFF);
	assert_int_equal(cfg.idle_s, 0);
	/* --kiosk: keep, and the kiosk's idle sign-out of 10 minutes. */
	tui_config_apply(&cfg, &cf, tui_config_kiosk_arg(NULL));
	assert_int_equal(cfg.kiosk, TUI_KIOSK_KEEP);
	assert_int_equal(cfg.idle_s, 600);
	tui_config_file_finish(&cf);
}

static void
expect_error(const char *text, const char *message)
{
	struct tui_config_file cf;
	char *cause = NULL;

	assert_int_equal(tui_config_file_parse("/etc/lab/config", text, &cf, &cause), -LC_EINVAL);
	assert_non_null(cause);
	if (strstr(cause, message) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", cause, message);
	free(cause);
	assert_null(cf.path);
	assert_null(cf.admin_hash);
}

static void
test_config_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("kiosk = keep\nkisok = wipe\n", "/etc/lab/config:2: unknown key \"kisok\"");
	expect_error("kiosk = sometimes\n",
	             "/etc/lab/config:1: kiosk must be off, keep or wipe, not \"sometimes\"");
	expect_error("\n\nidle_minutes = 10m\n", "/etc/lab/config:3: idle_minutes must be");
	expect_error("idle_minutes = -1\n", "config:1: idle_minutes must be");
	expect_error("idle_minutes = 99999\n", "config:1: idle_minutes must be");
	expect_error("idle_seconds = 86401\n", "config:1: idle_seconds must be");
	expect_error("idle_seconds = 5s\n", "config:1: idle_seconds must be");
	expect_error("background_sync = true\n", "config:1: background_sync must be yes or no");
	expect_error("server = ftp://x\n", "config:1: server must be a URL");
	expect_error("admin_hash = hunter2\n", "config:1: admin_hash must be");
	expect_error("kiosk\n", "config:1: expected `key = value`");
	expect_error("= keep\n", "config:1: expected `key = value`");
	expect_error("kiosk = keep\nkiosk = wipe\n", "config:2: kiosk is given twice");
	/* An admin hash from one line must not survive a later line's error. */
	expect_error("admin_hash = $argon2id$x\nnope = 1\n", "config:2: unknown key");
}

static void
test_config_command_line_wins(void **state)
{
	struct tui_config_file cf;
	struct tui_config cfg = {.server_url = "http://cli:1"};

	(void)state;
	assert_int_equal(
	    tui_config_file_parse("f", "kiosk = wipe\nidle_minutes = 0\nserver = http://file:2\n",
	                          &cf, NULL),
	    0);
	tui_config_apply(&cfg, &cf, tui_config_kiosk_arg("keep"));
	assert_int_equal(cfg.kiosk, TUI_KIOSK_KEEP);
	assert_int_equal(cfg.idle_s, 0); /* the file said never */
	assert_string_equal(cfg.server_url, "http://cli:1");
	cfg.server_url = NULL;
	tui_config_apply(&cfg, &cf, -1);
	assert_int_equal(cfg.kiosk, TUI_KIOSK_WIPE);
	assert_string_equal(cfg.server_url, "http://file:2");
	assert_int_equal(tui_config_kiosk_arg("wipe"), TUI_KIOSK_WIPE);
	assert_int_equal(tui_config_kiosk_arg("off"), -1);
	assert_int_equal(tui_config_kiosk_arg(""), -1);
	tui_config_file_finish(&cf);
}

static void
test_config_file_missing_or_required(void **state)
{
	char dir[] = "/tmp/lc-config-XXXXXX", *path, *cause = NULL;
	struct tui_config_file cf;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = malloc(strlen(dir) + 16);
	snprintf(path, strlen(dir) + 16, "%s/config", dir);
	/* The default file may be missing; a file --config names may not. */
	assert_int_equal(tui_config_file_read(path, false, &cf, &cause), 0);
	assert_null(cf.path);
	assert_int_equal(tui_config_file_read(path, true, &cf, &cause), -LC_EIO);
	assert_non_null(strstr(cause, "no such file"));
	free(cause);
	cause = NULL;
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("kiosk = keep\nbogus = 1\n", fp);
	fclose(fp);
	assert_int_equal(tui_config_file_read(path, false, &cf, &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, ":2: unknown key \"bogus\""));
	assert_non_null(strstr(cause, path));
	free(cause);
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_reads_every_key),
	    cmocka_unit_test(test_config_empty_has_defaults),
	    cmocka_unit_test(test_config_idle_seconds_sets_seconds),
	    cmocka_unit_test(test_config_errors_name_file_and_line),
	    cmocka_unit_test(test_config_command_line_wins),
	    cmocka_unit_test(test_config_file_missing_or_required),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
