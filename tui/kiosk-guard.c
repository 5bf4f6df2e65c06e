/* SPDX-License-Identifier: MIT */
/*
 * The kiosk admin's password (issue 13, item 5): made by `lectern kiosk-passwd`, kept as
 * an argon2id string in the kiosk's config (admin_hash), checked when someone asks to
 * leave the program. Curses-free, so that unit tests call it directly.
 */
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "tui/tui.h"

/* crypto_pwhash_STRBYTES, which tui.h must not need <sodium.h> for. */
_Static_assert(crypto_pwhash_STRBYTES <= 128, "admin hash buffer");

bool
tui_admin_check(const struct tui_config *cfg, const char *password)
{
	if (cfg == NULL || cfg->admin_hash == NULL || cfg->admin_hash[0] == '\0' ||
	    password == NULL || sodium_init() < 0)
		return false;
	return crypto_pwhash_str_verify(cfg->admin_hash, password, strlen(password)) == 0;
}

int
tui_admin_hash(const char *password, char out[128])
{
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -LC_ENOMEM;
	return 0;
}
