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

/*
 * Issue 15 ("Config file"): bind and color lines, many of each, read into the tables the
 * key loop and draw.c use; the screen, key, action, role, colour and attribute names.
 */
static void
test_config_reads_bindings_and_colours(void **state)
{
	struct tui_config_file cf;
	struct tui_config cfg = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(tui_config_file_parse("c",
	                                       "bind = global g home\n"
	                                       "bind = global Ctrl-R redraw   # like less\n"
	                                       "bind = home J page-down\n"
	                                       "bind = course-details F5 sync\n"
	                                       "bind = reader ^N down\n"
	                                       "bind = global Left none\n"
	                                       "bind = global é help\n"
	                                       "bind = quiz-editor Enter top\n"
	                                       "color = status white red bold\n"
	                                       "color = selected default color202 reverse "
	                                       "underline\n",
	                                       &cf, &cause),
	                 0);
	assert_null(cause);
	assert_int_equal(cf.n_binds, 8);
	assert_string_equal(cf.binds[0].screen, "global");
	assert_int_equal(cf.binds[0].fkey, TUI_FKEY_NONE);
	assert_int_equal(cf.binds[0].ch, 'g');
	assert_int_equal(cf.binds[0].action, TUI_ACT_HOME);
	assert_int_equal(cf.binds[1].ch, 18); /* Ctrl-R */
	assert_int_equal(cf.binds[1].action, TUI_ACT_REDRAW);
	assert_string_equal(cf.binds[2].screen, "home");
	assert_int_equal(cf.binds[2].action, TUI_ACT_PAGE_DOWN);
	assert_int_equal(cf.binds[3].fkey, TUI_FKEY_F1 + 4);
	assert_int_equal(cf.binds[4].ch, 14); /* ^N */
	assert_int_equal(cf.binds[5].fkey, TUI_FKEY_LEFT);
	assert_int_equal(cf.binds[5].action, TUI_ACT_NONE);
	assert_int_equal(cf.binds[6].ch, 0xe9);
	assert_int_equal(cf.binds[7].ch, '\r');
	assert_true(cf.colors[2].set); /* status */
	assert_int_equal(cf.colors[2].fg, 7);
	assert_int_equal(cf.colors[2].bg, 1);
	assert_int_equal(cf.colors[2].attrs, TUI_CATTR_BOLD);
	assert_true(cf.colors[3].set); /* selected */
	assert_int_equal(cf.colors[3].fg, -1);
	assert_int_equal(cf.colors[3].bg, 202);
	assert_int_equal(cf.colors[3].attrs, TUI_CATTR_REVERSE | TUI_CATTR_UNDERLINE);
	assert_false(cf.colors[1].set);
	assert_string_equal(tui_config_role_name(2), "status");
	assert_string_equal(tui_config_action_name(TUI_ACT_PAGE_DOWN), "page-down");
	tui_config_apply(&cfg, &cf, -1);
	assert_ptr_equal(cfg.file, &cf);
	tui_config_file_finish(&cf);
}

/* Issue 15: a bad bind or color line is refused naming the file, the line and the form. */
static void
test_config_bad_bindings_and_colours_name_the_line(void **state)
{
	(void)state;
	expect_error("bind = global g\n", "config:1: bind must be SCREEN KEY ACTION");
	expect_error("bind = global g home now\n", "config:1: bind must be SCREEN KEY ACTION");
	expect_error("\nbind = inbox g home\n", "config:2: bind must be SCREEN KEY ACTION, SCREEN");
	expect_error("bind = login g home\n", "SCREEN one of global");
	expect_error("bind = global gg home\n", "config:1: bind must be SCREEN KEY ACTION, KEY");
	expect_error("bind = global Ctrl-1 home\n", "KEY one character");
	expect_error("bind = global F13 home\n", "KEY one character");
	expect_error("bind = global g go-home\n", "ACTION one of none, back");
	expect_error("bind = global g home\nbind = global g help\n",
	             "config:2: bind must be a key not bound before on that screen");
	expect_error("color = status\n", "config:1: color must be ROLE FG BG");
	expect_error("color = statusline white blue\n", "config:1: color must be ROLE FG BG");
	expect_error("color = status white navy\n", "config:1: color must be ROLE FG BG");
	expect_error("color = status color256 blue\n", "config:1: color must be ROLE FG BG");
	expect_error("color = status white blue shiny\n", "color must be ROLE FG BG");
	expect_error("color = bad red default\ncolor = bad red default bold\n",
	             "config:2: color must be given once per role");
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
	    cmocka_unit_test(test_config_reads_bindings_and_colours),
	    cmocka_unit_test(test_config_bad_bindings_and_colours_name_the_line),
	    cmocka_unit_test(test_config_file_missing_or_required),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
