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
#include <strings.h>

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
	bool repeats; /* may be given on many lines (bind, color) */
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

/* ---- bind and color (issue 15) ---------------------------------------------------------- */

static const char *const action_names[TUI_ACT_COUNT] = {
    "none",     "back",   "quit", "home", "help",      "sync",    "issues", "sign-in",
    "sign-out", "redraw", "down", "up",   "page-down", "page-up", "top",    "bottom",
};

/* The screens a binding may name: the views' names, spaces written as '-'. */
static const char *const screen_names[] = {
    "global",  "home",          "catalog",     "course-details", "course", "reader",
    "quiz",    "forum",         "topic",       "sync-issues",    "help",   "teaching",
    "preview", "course-editor", "quiz-editor", "waiting-writes",
};

static const char *const role_names[TUI_CONFIG_ROLES] = {
    "normal", "title", "status", "selected", "heading", "code",    "link",        "quote",
    "match",  "dim",   "good",   "warn",     "bad",     "offline", "needs-login", "sync-issues",
};

static const char *const fkey_names[] = {
    NULL, "Up", "Down", "Left", "Right", "PgUp", "PgDn", "Home", "End", "Delete",
};

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

static const char *const cattr_names[] = {"bold",     "underline", "reverse", "dim",
                                          "standout", "italic",    "blink"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *
tui_config_action_name(enum tui_action action)
{
	return action >= 0 && action < TUI_ACT_COUNT ? action_names[action] : "?";
}

const char *
tui_config_role_name(int role)
{
	return role >= 0 && role < TUI_CONFIG_ROLES ? role_names[role] : "?";
}

/* Splits the next blank-separated word off *s (in place); NULL when none is left. */
static char *
next_word(char **s)
{
	char *w = *s;

	while (*w == ' ' || *w == '\t')
		w++;
	if (*w == '\0')
		return NULL;
	*s = w;
	while (**s != '\0' && **s != ' ' && **s != '\t')
		(*s)++;
	if (**s != '\0')
		*(*s)++ = '\0';
	return w;
}

/*
 * A key as the file names it: one character (UTF-8), Ctrl-X or ^X, a named key (Enter,
 * Tab, Space, Esc, Backspace, Up, Down, Left, Right, PgUp, PgDn, Home, End, Delete), or
 * F1..F12. False when it is none of them.
 */
static bool
parse_key(const char *k, struct tui_binding *b)
{
	static const struct {
		const char *name;
		unsigned ch;
	} chars[] = {
	    {"Enter", '\r'}, {"Tab", '\t'}, {"Space", ' '}, {"Esc", 27}, {"Backspace", 127}};
	size_t len = strlen(k);

	b->fkey = TUI_FKEY_NONE;
	b->ch = 0;
	for (size_t i = 0; i < N_OF(chars); i++)
		if (strcasecmp(k, chars[i].name) == 0) {
			b->ch = chars[i].ch;
			return true;
		}
	for (size_t i = 1; i < N_OF(fkey_names); i++)
		if (strcasecmp(k, fkey_names[i]) == 0) {
			b->fkey = (enum tui_fkey)i;
			return true;
		}
	if ((k[0] == 'F' || k[0] == 'f') && len >= 2 && len <= 3) {
		long n = whole_number(k + 1, 12);

		if (n >= 1) {
			b->fkey = (enum tui_fkey)(TUI_FKEY_F1 + n - 1);
			return true;
		}
	}
	if ((strncasecmp(k, "Ctrl-", 5) == 0 && len == 6) || (k[0] == '^' && len == 2)) {
		char c = k[len - 1];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < '@' || c > '_')
			return false;
		b->ch = (unsigned)(c - '@');
		return true;
	}
	/* One character: decode UTF-8 by hand (no locale needed to read the file). */
	{
		const unsigned char *u = (const unsigned char *)k;
		unsigned n = u[0] < 0x80    ? 1
		             : u[0] >= 0xf0 ? 4
		             : u[0] >= 0xe0 ? 3
		             : u[0] >= 0xc0 ? 2
		                            : 0;
		unsigned ch = n == 1 ? u[0] : u[0] & (0x7fu >> n);

		if (n == 0 || len != n || u[0] <= ' ' || u[0] == 0x7f)
			return false;
		for (unsigned i = 1; i < n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return false;
			ch = (ch << 6) | (u[i] & 0x3f);
		}
		b->ch = ch;
		return true;
	}
}

static const char *
set_bind(struct tui_config_file *cf, const char *value)
{
	char *copy = lc_strdup(value), *rest = copy, *screen, *key, *action;
	struct tui_binding b = {0};
	const char *why = NULL;
	size_t i;

	screen = next_word(&rest);
	key = next_word(&rest);
	action = next_word(&rest);
	if (screen == NULL || key == NULL || action == NULL || next_word(&rest) != NULL) {
		why = "SCREEN KEY ACTION (bind = global g home)";
		goto out;
	}
	for (i = 0; i < N_OF(screen_names) && strcmp(screen, screen_names[i]) != 0; i++)
		;
	if (i == N_OF(screen_names)) {
		why = "SCREEN KEY ACTION, SCREEN one of global, home, catalog, course-details, "
		      "course, reader, quiz, forum, topic, sync-issues, help, teaching, preview, "
		      "course-editor, quiz-editor, waiting-writes";
		goto out;
	}
	snprintf(b.screen, sizeof(b.screen), "%s", screen);
	if (!parse_key(key, &b)) {
		why = "SCREEN KEY ACTION, KEY one character, Ctrl-X, F1..F12 or one of Enter, Tab, "
		      "Space, Esc, Backspace, Up, Down, Left, Right, PgUp, PgDn, Home, End, Delete";
		goto out;
	}
	for (i = 0; i < TUI_ACT_COUNT && strcmp(action, action_names[i]) != 0; i++)
		;
	if (i == TUI_ACT_COUNT) {
		why =
		    "SCREEN KEY ACTION, ACTION one of none, back, quit, home, help, sync, issues, "
		    "sign-in, sign-out, redraw, down, up, page-down, page-up, top, bottom";
		goto out;
	}
	b.action = (enum tui_action)i;
	for (int j = 0; j < cf->n_binds; j++)
		if (strcmp(cf->binds[j].screen, b.screen) == 0 && cf->binds[j].fkey == b.fkey &&
		    cf->binds[j].ch == b.ch) {
			why = "a key not bound before on that screen";
			goto out;
		}
	if (cf->n_binds == TUI_CONFIG_BINDS_MAX) {
		why = "one of at most 64 bindings";
		goto out;
	}
	cf->binds[cf->n_binds++] = b;
out:
	free(copy);
	return why;
}

/* default, a colour's name, or color0..color255. */
static bool
parse_color(const char *c, short *out)
{
	long n;

	if (strcmp(c, "default") == 0) {
		*out = -1;
		return true;
	}
	for (size_t i = 0; i < N_OF(color_names); i++)
		if (strcmp(c, color_names[i]) == 0) {
			*out = (short)i;
			return true;
		}
	if (strncmp(c, "color", 5) != 0 || c[5] == '\0' || (n = whole_number(c + 5, 255)) < 0)
		return false;
	*out = (short)n;
	return true;
}

static const char *
set_color(struct tui_config_file *cf, const char *value)
{
	static const char *const form =
	    "ROLE FG BG [ATTR...], ROLE one of normal, title, status, selected, heading, code, "
	    "link, quote, match, dim, good, warn, bad, offline, needs-login, sync-issues; FG and "
	    "BG default, black, red, green, "
	    "yellow, blue, magenta, cyan, white or color0..color255; ATTR bold, underline, "
	    "reverse, dim, standout, italic or blink";
	char *copy = lc_strdup(value), *rest = copy, *role, *fg, *bg, *attr;
	struct tui_color_spec spec = {.set = true};
	const char *why = NULL;
	size_t r;

	role = next_word(&rest);
	fg = next_word(&rest);
	bg = next_word(&rest);
	for (r = 0; role != NULL && r < TUI_CONFIG_ROLES && strcmp(role, role_names[r]) != 0; r++)
		;
	if (role == NULL || bg == NULL || r == TUI_CONFIG_ROLES || !parse_color(fg, &spec.fg) ||
	    !parse_color(bg, &spec.bg)) {
		why = form;
		goto out;
	}
	while ((attr = next_word(&rest)) != NULL) {
		size_t a;

		for (a = 0; a < N_OF(cattr_names) && strcmp(attr, cattr_names[a]) != 0; a++)
			;
		if (a == N_OF(cattr_names)) {
			why = form;
			goto out;
		}
		spec.attrs |= 1u << a;
	}
	if (cf->colors[r].set) {
		why = "given once per role";
		goto out;
	}
	cf->colors[r] = spec;
out:
	free(copy);
	return why;
}

static const struct config_key keys[] = {
    {"kiosk", set_kiosk, false},
    {"idle_minutes", set_idle, false},
    {"idle_seconds", set_idle_seconds, false},
    {"admin_hash", set_admin_hash, false},
    {"background_sync", set_background_sync, false},
    {"server", set_server, false},
    {"bind", set_bind, true},
    {"color", set_color, true},
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
		if (seen[i] && !keys[i].repeats)
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
	cfg->file = cf;
}
