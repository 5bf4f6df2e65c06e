/* SPDX-License-Identifier: MIT */
/*
 * The config file of `lectern` (issue 13): $XDG_CONFIG_HOME/lectern/config, else
 * ~/.config/lectern/config, or the file --config names. Lines `key = value`; blank lines and
 * lines whose first non-blank is `#` are ignored, and so is ` # ...` after a value. A line
 * that is not `key = value`, an unknown key, a key given twice or a bad value is an error
 * naming the file and line: a lab's typo must not silently leave a kiosk open.
 *
 * No curses here: the parser is a table of keys (config.c), so that issue 15 adds its key
 * bindings and colours as rows of that table and tests run without a terminal.
 */
#ifndef TUI_CONFIG_H
#define TUI_CONFIG_H

#include <stdbool.h>

#include "tui/tui.h"

/*
 * Issue 15: key bindings and colours, as newsboat and neomutt have them.
 *
 *   bind = SCREEN KEY ACTION     SCREEN: global or a screen's name (home, catalog, ...);
 *                                KEY: a character, Ctrl-X, or a name (Up, PgDn, Enter...)
 *   color = ROLE FG BG [ATTR...] ROLE: title, status, selected, ...; FG/BG: default, black,
 *                                red, ..., white or color0..color255; ATTR: bold, ...
 *
 * A bound key does what the action's own default key does on that screen (the key loop
 * translates it before the screen sees it), so the global keys and the list movement keys
 * are all reachable; `none` makes a key do nothing. Bindings never apply on the sign-in
 * screen, where keys type text.
 */
enum tui_action {
	TUI_ACT_NONE,      /* the key does nothing */
	TUI_ACT_BACK,      /* Esc */
	TUI_ACT_QUIT,      /* Q */
	TUI_ACT_HOME,      /* H */
	TUI_ACT_HELP,      /* ? */
	TUI_ACT_SYNC,      /* s */
	TUI_ACT_ISSUES,    /* i */
	TUI_ACT_SIGN_IN,   /* L */
	TUI_ACT_SIGN_OUT,  /* X */
	TUI_ACT_REDRAW,    /* Ctrl-L */
	TUI_ACT_DOWN,      /* Down */
	TUI_ACT_UP,        /* Up */
	TUI_ACT_PAGE_DOWN, /* PgDn */
	TUI_ACT_PAGE_UP,   /* PgUp */
	TUI_ACT_TOP,       /* Home */
	TUI_ACT_BOTTOM,    /* End */
	TUI_ACT_COUNT,
};

/* The function keys a binding may name (no curses here: app.c maps them to KEY_*). */
enum tui_fkey {
	TUI_FKEY_NONE, /* a character key */
	TUI_FKEY_UP,
	TUI_FKEY_DOWN,
	TUI_FKEY_LEFT,
	TUI_FKEY_RIGHT,
	TUI_FKEY_PGUP,
	TUI_FKEY_PGDN,
	TUI_FKEY_HOME,
	TUI_FKEY_END,
	TUI_FKEY_DELETE,
	TUI_FKEY_F1, /* F1..F12 follow */
};

#define TUI_CONFIG_BINDS_MAX 64
#define TUI_CONFIG_SCREEN_MAX 24

struct tui_binding {
	char screen[TUI_CONFIG_SCREEN_MAX]; /* "global" or a screen's name, spaces as '-' */
	enum tui_fkey fkey;                 /* TUI_FKEY_NONE: ch is the key */
	unsigned ch;                        /* a character (Ctrl-X is 24) */
	enum tui_action action;
};

/* The colour roles, in the order of draw.c's enum tui_role. */
#define TUI_CONFIG_ROLES 16

enum tui_color_attr {
	TUI_CATTR_BOLD = 1,
	TUI_CATTR_UNDERLINE = 2,
	TUI_CATTR_REVERSE = 4,
	TUI_CATTR_DIM = 8,
	TUI_CATTR_STANDOUT = 16,
	TUI_CATTR_ITALIC = 32,
	TUI_CATTR_BLINK = 64,
};

struct tui_color_spec {
	bool set;
	short fg, bg;   /* -1: the terminal's default; 0..255 */
	unsigned attrs; /* enum tui_color_attr bits (used with and without colour) */
};

/* What the file said. Strings are owned (tui_config_file_finish()). */
struct tui_config_file {
	char *path;           /* the file read, or NULL when the default file is missing */
	enum tui_kiosk kiosk; /* kiosk = off|keep|wipe (default off) */
	int idle_s;           /* idle_minutes = N (0..1440) or idle_seconds = N, in seconds; -1 */
	char *admin_hash;     /* admin_hash = $argon2id$...; NULL when not given */
	bool background_sync; /* background_sync = yes|no (default no) */
	char *server;         /* server = http(s)://...; NULL when not given */
	struct tui_binding binds[TUI_CONFIG_BINDS_MAX]; /* bind = ... lines, in file order */
	int n_binds;
	struct tui_color_spec colors[TUI_CONFIG_ROLES]; /* color = ... lines, by role */
};

/* The name of an action or role as the file spells it ("page-down", "status"). */
const char *tui_config_action_name(enum tui_action action);
const char *tui_config_role_name(int role);

/*
 * The default file's path ($XDG_CONFIG_HOME/lectern/config, else ~/.config/...). Caller
 * frees; NULL when neither is set.
 */
char *tui_config_default_path(void);

/*
 * Reads path into *out (zeroed first; defaults filled). A missing file is fine when
 * !required (out->path stays NULL); any other failure returns -LC_EINVAL (a bad line:
 * "FILE:LINE: ...") or -LC_EIO with *cause (caller frees), and *out holds nothing to free.
 */
int tui_config_file_read(const char *path, bool required, struct tui_config_file *out,
                         char **cause);

/* Parses text as the file named path (for tests and for tui_config_file_read()). */
int tui_config_file_parse(const char *path, const char *text, struct tui_config_file *out,
                          char **cause);

void tui_config_file_finish(struct tui_config_file *cf);

/*
 * `--kiosk`, `--kiosk=keep`, `--kiosk=wipe` (arg NULL for the bare option): the kiosk mode
 * it names, or -1 for a bad value.
 */
int tui_config_kiosk_arg(const char *arg);

/*
 * Fills cfg's issue-13 fields from the file and the command line (kiosk_opt: -1 when
 * --kiosk was not given): the command line wins; idle sign-out defaults to 10 minutes in
 * kiosk mode and never outside it. cfg keeps pointers into cf.
 */
void tui_config_apply(struct tui_config *cfg, const struct tui_config_file *cf, int kiosk_opt);

#endif
