/* SPDX-License-Identifier: MIT */
/*
 * The config file's parser: one table of keys, each with the function that checks and
 * stores its value, so that a new key (issue 15's bindings and colours) is one row and one
 * small function, and every line's error names the file and line the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "tui/config.h"

#define IDLE_MINUTES_MAX 1440
#define KIOSK_IDLE_DEFAULT_S 600

struct config_key {
	const char *name;
	/* Stores value in cf; returns NULL, or what a good value looks like. */
	const char *(*set)(struct tui_config_file *cf, const char *value);
};

static const char *
set_kiosk(struct tui_config_file *cf, const char *value)
{
	static const char *const names[] = {"off", "keep", "wipe"};

	for (int i = 0; i < 3; i++)
		if (strcmp(value, names[i]) == 0) {
			cf->kiosk = (enum tui_kiosk)i;
			return NULL;
		}
	return "off, keep or wipe";
}

/* A whole number in 0..max, or -1. */
static long
whole_number(const char *value, long max)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

static const char *
set_idle(struct tui_config_file *cf, const char *value)
{
	long v = whole_number(value, IDLE_MINUTES_MAX);

	if (v < 0)
		return "a number of minutes from 0 (never) to 1440";
	cf->idle_s = (int)v * 60;
	return NULL;
}

/* The same in seconds, for a lab that wants less than a minute (and for tests). */
static const char *
set_idle_seconds(struct tui_config_file *cf, const char *value)
{
	long v = whole_number(value, IDLE_MINUTES_MAX * 60L);

	if (v < 0)
		return "a number of seconds from 0 (never) to 86400";
	cf->idle_s = (int)v;
	return NULL;
}

static const char *
set_admin_hash(struct tui_config_file *cf, const char *value)
{
	/* crypto_pwhash_str()'s form; checking the password itself is the verifier's job. */
	if (strncmp(value, "$argon2id$", 10) != 0 && strncmp(value, "$argon2i$", 9) != 0)
		return "a crypto_pwhash_str() hash ($argon2id$...)";
	free(cf->admin_hash);
	cf->admin_hash = lc_strdup(value);
	return NULL;
}

static const char *
set_background_sync(struct tui_config_file *cf, const char *value)
{
	if (strcmp(value, "yes") == 0)
		cf->background_sync = true;
	else if (strcmp(value, "no") == 0)
		cf->background_sync = false;
	else
		return "yes or no";
	return NULL;
}

static const char *
set_server(struct tui_config_file *cf, const char *value)
{
	if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
		return "a URL starting with http:// or https://";
	free(cf->server);
	cf->server = lc_strdup(value);
	return NULL;
}

static const struct config_key keys[] = {
    {"kiosk", set_kiosk},
    {"idle_minutes", set_idle},
    {"idle_seconds", set_idle_seconds},
    {"admin_hash", set_admin_hash},
    {"background_sync", set_background_sync},
    {"server", set_server},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Parses one line (no newline, modified in place). Returns 0 or -LC_EINVAL with *cause. */
static int
parse_line(const char *path, int lineno, char *line, struct tui_config_file *cf, bool *seen,
           char **cause)
{
	char *key, *value, *end;
	const char *why;

	while (is_blank(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	key = line;
	while (is_key_char(*line))
		line++;
	end = line;
	while (is_blank(*line))
		line++;
	if (end == key || *line != '=')
		return lc_cause_set(cause, -LC_EINVAL, "%s:%d: expected `key = value`", path,
		                    lineno);
	*end = '\0';
	value = line + 1;
	while (is_blank(*value))
		value++;
	/* A comment after the value needs a blank before its `#`. */
	for (char *p = value; *p != '\0'; p++)
		if (*p == '#' && p > value && is_blank(p[-1])) {
			*p = '\0';
			break;
		}
	end = value + strlen(value);
	while (end > value && is_blank(end[-1]))
		*--end = '\0';
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(keys[i].name, key) != 0)
			continue;
		if (seen[i])
			return lc_cause_set(cause, -LC_EINVAL, "%s:%d: %s is given twice", path,
			                    lineno, key);
		seen[i] = true;
		why = keys[i].set(cf, value);
		if (why != NULL)
			return lc_cause_set(cause, -LC_EINVAL, "%s:%d: %s must be %s, not \"%s\"",
			                    path, lineno, key, why, value);
		return 0;
	}
	return lc_cause_set(cause, -LC_EINVAL, "%s:%d: unknown key \"%s\"", path, lineno, key);
}

int
tui_config_file_parse(const char *path, const char *text, struct tui_config_file *out, char **cause)
{
	bool seen[N_KEYS] = {false};
	char *copy = lc_strdup(text), *line = copy;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->idle_s = -1;
	for (int lineno = 1; line != NULL && rc == 0; lineno++) {
		char *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		rc = parse_line(path, lineno, line, out, seen, cause);
		line = nl != NULL ? nl + 1 : NULL;
	}
	free(copy);
	if (rc < 0)
		tui_config_file_finish(out);
	else
		out->path = lc_strdup(path);
	return rc;
}

int
tui_config_file_read(const char *path, bool required, struct tui_config_file *out, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->idle_s = -1;
	if (path == NULL)
		return required ? lc_cause_set(cause, -LC_EINVAL, "no config file named") : 0;
	rc = lc_read_file(path, &text, &len);
	if (rc == -LC_ENOTFOUND && !required)
		return 0;
	if (rc < 0)
		return lc_cause_set(cause, -LC_EIO, "%s: %s", path,
		                    rc == -LC_ENOTFOUND ? "no such file" : "cannot read it");
	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return lc_cause_set(cause, -LC_EINVAL, "%s: not a text file", path);
	}
	rc = tui_config_file_parse(path, text, out, cause);
	free(text);
	return rc;
}

void
tui_config_file_finish(struct tui_config_file *cf)
{
	free(cf->path);
	free(cf->admin_hash);
	free(cf->server);
	memset(cf, 0, sizeof(*cf));
	cf->idle_s = -1;
}

char *
tui_config_default_path(void)
{
	const char *base = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (base != NULL && base[0] == '/')
		return lc_asprintf("%s/lectern/config", base);
	if (home == NULL || home[0] == '\0')
		return NULL;
	return lc_asprintf("%s/.config/lectern/config", home);
}

int
tui_config_kiosk_arg(const char *arg)
{
	if (arg == NULL || strcmp(arg, "keep") == 0)
		return TUI_KIOSK_KEEP;
	if (strcmp(arg, "wipe") == 0)
		return TUI_KIOSK_WIPE;
	return -1;
}

void
tui_config_apply(struct tui_config *cfg, const struct tui_config_file *cf, int kiosk_opt)
{
	cfg->kiosk = kiosk_opt >= 0 ? (enum tui_kiosk)kiosk_opt : cf->kiosk;
	if (cf->idle_s >= 0)
		cfg->idle_s = cf->idle_s;
	else
		cfg->idle_s = cfg->kiosk != TUI_KIOSK_OFF ? KIOSK_IDLE_DEFAULT_S : 0;
	cfg->admin_hash = cf->admin_hash;
	cfg->kiosk_background_sync = cf->background_sync;
	if (cfg->server_url == NULL)
		cfg->server_url = cf->server;
}
