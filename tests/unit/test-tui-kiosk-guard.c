/* SPDX-License-Identifier: MIT */
/*
 * The kiosk admin's password check (issue 13, item 5): tui_admin_check() accepts only the
 * password tui_admin_hash() (what `lectern kiosk-passwd` prints) was made from, and
 * nothing at all when the config has no admin_hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tui/tui.h"

static void
test_admin_check_accepts_only_the_hashed_password(void **state)
{
	struct tui_config cfg = {.kiosk = TUI_KIOSK_KEEP};
	char hash[128];

	(void)state;
	assert_int_equal(tui_admin_hash("lab-admin-2026", hash), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_null(strstr(hash, "lab-admin-2026"));
	cfg.admin_hash = hash;
	assert_true(tui_admin_check(&cfg, "lab-admin-2026"));
	assert_false(tui_admin_check(&cfg, "lab-admin-2027"));
	assert_false(tui_admin_check(&cfg, ""));
	assert_false(tui_admin_check(&cfg, NULL));
}

static void
test_admin_check_refuses_everything_without_a_hash(void **state)
{
	struct tui_config cfg = {.kiosk = TUI_KIOSK_KEEP};

	(void)state;
	assert_false(tui_admin_check(&cfg, ""));
	assert_false(tui_admin_check(&cfg, "anything"));
	cfg.admin_hash = "";
	assert_false(tui_admin_check(&cfg, ""));
	cfg.admin_hash = "not a hash";
	assert_false(tui_admin_check(&cfg, "not a hash"));
	assert_false(tui_admin_check(NULL, "anything"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_admin_check_accepts_only_the_hashed_password),
	    cmocka_unit_test(test_admin_check_refuses_everything_without_a_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
