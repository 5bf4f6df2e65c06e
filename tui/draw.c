/* SPDX-License-Identifier: MIT */
/*
 * Drawing helpers shared by the views: colours (or attributes on monochrome terminals and
 * under NO_COLOR), width-aware text output, lists, one-line fields and the bottom-row
 * prompts. Text is written with addnstr() of UTF-8, which ncursesw places by cell width.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/text.h"
#include "tui/markdown.h"
#include "tui/term.h"
#include "tui/config.h"
#include "tui/text.h"
#include "tui/tui-int.h"

static attr_t role_attrs[TUI_ROLE_COUNT];

void
tui_colors_init(struct tui_app *app)
{
	const char *no_color = getenv("NO_COLOR");

	/* Without colour every role still differs where it matters: bold, reverse, underline. */
	role_attrs[TUI_ROLE_NORMAL] = A_NORMAL;
	role_attrs[TUI_ROLE_TITLE] = A_REVERSE | A_BOLD;
	role_attrs[TUI_ROLE_STATUS] = A_REVERSE;
	role_attrs[TUI_ROLE_SELECTED] = A_REVERSE;
	role_attrs[TUI_ROLE_HEADING] = A_BOLD;
	role_attrs[TUI_ROLE_CODE] = A_NORMAL;
	role_attrs[TUI_ROLE_LINK] = A_UNDERLINE;
	role_attrs[TUI_ROLE_QUOTE] = A_NORMAL;
	role_attrs[TUI_ROLE_MATCH] = A_BOLD | A_UNDERLINE;
	role_attrs[TUI_ROLE_DIM] = A_NORMAL;
	role_attrs[TUI_ROLE_GOOD] = A_BOLD;
	role_attrs[TUI_ROLE_WARN] = A_BOLD;
	role_attrs[TUI_ROLE_BAD] = A_BOLD;
	/* The status line's states: without colour the word says it, in bold (A9). */
	role_attrs[TUI_ROLE_OFFLINE] = A_REVERSE | A_BOLD;
	role_attrs[TUI_ROLE_LOGIN] = A_REVERSE | A_BOLD;
	role_attrs[TUI_ROLE_ISSUES] = A_REVERSE | A_BOLD;
	app->color = has_colors() && (no_color == NULL || no_color[0] == '\0');
	if (!app->color)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_CYAN, -1);
	init_pair(3, COLOR_GREEN, -1);
	init_pair(4, COLOR_YELLOW, -1);
	init_pair(5, COLOR_RED, -1);
	init_pair(6, COLOR_BLACK, COLOR_YELLOW);
	init_pair(7, COLOR_BLUE, -1);
	init_pair(8, COLOR_BLACK, COLOR_YELLOW);   /* offline */
	init_pair(9, COLOR_WHITE, COLOR_RED);      /* needs login */
	init_pair(10, COLOR_WHITE, COLOR_MAGENTA); /* sync issues */
	role_attrs[TUI_ROLE_TITLE] = COLOR_PAIR(1) | A_BOLD;
	role_attrs[TUI_ROLE_STATUS] = COLOR_PAIR(1);
	role_attrs[TUI_ROLE_HEADING] = COLOR_PAIR(2) | A_BOLD;
	role_attrs[TUI_ROLE_CODE] = COLOR_PAIR(3);
	role_attrs[TUI_ROLE_LINK] = COLOR_PAIR(7) | A_UNDERLINE;
	role_attrs[TUI_ROLE_QUOTE] = COLOR_PAIR(4);
	role_attrs[TUI_ROLE_MATCH] = COLOR_PAIR(6) | A_BOLD;
	role_attrs[TUI_ROLE_DIM] = COLOR_PAIR(7);
	role_attrs[TUI_ROLE_GOOD] = COLOR_PAIR(3) | A_BOLD;
	role_attrs[TUI_ROLE_WARN] = COLOR_PAIR(4) | A_BOLD;
	role_attrs[TUI_ROLE_BAD] = COLOR_PAIR(5) | A_BOLD;
	role_attrs[TUI_ROLE_OFFLINE] = COLOR_PAIR(8) | A_BOLD;
	role_attrs[TUI_ROLE_LOGIN] = COLOR_PAIR(9) | A_BOLD;
	role_attrs[TUI_ROLE_ISSUES] = COLOR_PAIR(10) | A_BOLD;
}

_Static_assert(TUI_CONFIG_ROLES == TUI_ROLE_COUNT, "config.c's role names follow tui_role");

/*
 * The config file's `color = ROLE FG BG [ATTR...]` lines (issue 15), over the defaults
 * above: the attributes always, the colours only when colour is in use (NO_COLOR wins).
 */
void
tui_colors_apply(struct tui_app *app, const struct tui_config_file *cf)
{
	static const attr_t bits[] = {A_BOLD,     A_UNDERLINE, A_REVERSE, A_DIM,
	                              A_STANDOUT, A_ITALIC,    A_BLINK};

	for (int r = 0; cf != NULL && r < TUI_ROLE_COUNT; r++) {
		const struct tui_color_spec *c = &cf->colors[r];
		attr_t a = A_NORMAL;

		if (!c->set)
			continue;
		for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
			if (c->attrs & (1u << b))
				a |= bits[b];
		if (app->color && c->fg < COLORS && c->bg < COLORS &&
		    init_pair((short)(16 + r), c->fg, c->bg) == OK)
			a |= COLOR_PAIR(16 + r);
		role_attrs[r] = a;
	}
}

attr_t
tui_attr(enum tui_role role)
{
	return role_attrs[role];
}

int
tui_body_top(void)
{
	return 1;
}

int
tui_body_rows(void)
{
	return LINES > 3 ? LINES - 2 : 1;
}

int
tui_putn(int y, int x, const char *s, size_t len, int cells, attr_t attr)
{
	size_t fit, i = 0;
	int used = 0;
	bool cut = false;

	if (cells <= 0 || s == NULL)
		return 0;
	/* Every screen draws through here, so every cut ends with "…" (ux review A13/E9). */
	fit = tui_text_clip(s, len, cells, &used, &cut);
	attrset(attr);
	move(y, x);
	/*
	 * Control characters (C0, DEL, C1) would move the cursor or start an escape sequence:
	 * draw them as spaces, and bytes that are not UTF-8 as '?'. What is a control is
	 * common/text.c's rule, the same the command line prints by (review M3).
	 */
	while (i < fit) {
		size_t run = lc_text_safe_span(s + i, fit - i);
		uint32_t cp;

		/* Not UTF-8 (LANG=C): only ASCII goes out as it is; tui_wc_width() agrees. */
		if (tui_text_ascii())
			for (size_t a = 0; a < run; a++)
				if ((unsigned char)s[i + a] >= 0x80) {
					run = a;
					break;
				}
		if (run > 0)
			addnstr(s + i, (int)run);
		i += run;
		if (i < fit) {
			i += lc_utf8_decode(s + i, fit - i, &cp);
			if (lc_text_is_control(cp))
				addch(' ');
			else if (tui_text_ascii() && cp != 0xfffd)
				addstr(tui_ascii_subst((wchar_t)cp));
			else
				addch('?');
		}
	}
	if (cut) {
		addstr(tui_text_ellipsis());
		used += tui_text_width(tui_text_ellipsis());
	}
	attrset(A_NORMAL);
	return used;
}

int
tui_put(int y, int x, const char *s, int cells, attr_t attr)
{
	return s == NULL ? 0 : tui_putn(y, x, s, strlen(s), cells, attr);
}

void
tui_clear_to_eol(int y, int x, attr_t attr)
{
	attrset(attr);
	for (int i = x; i < COLS; i++)
		mvaddch(y, i, ' ');
	attrset(A_NORMAL);
}

/*
 * Text drawn in pieces (styles, marked matches) that filled all `cells` exactly with more
 * to come: its last cells become the ellipsis, as tui_putn() does within one piece.
 * Returns the cells used.
 */
static int
mark_cut_end(int y, int x, int cells, attr_t attr)
{
	const char *mark = tui_text_ellipsis();
	int w = tui_text_width(mark);

	if (cells >= w) {
		attrset(attr);
		mvaddstr(y, x + cells - w, mark);
		attrset(A_NORMAL);
	}
	return cells;
}

/* True when s holds something to see besides blanks and the bytes in skip. */
static bool
has_text(const char *s, const char *skip)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && strchr(skip, *s) == NULL)
			return true;
	return false;
}

int
tui_put_marked(int y, int x, const char *s, int cells, attr_t attr)
{
	int used = 0;
	bool in_match = false, cut = false;

	while (*s != '\0' && used < cells) {
		size_t len = strcspn(s, "\x02\x03");

		/* A piece that is cut ends the line: nothing may follow its "…". */
		tui_text_clip(s, len, cells - used, NULL, &cut);
		used += tui_putn(y, x + used, s, len, cells - used,
		                 in_match ? tui_attr(TUI_ROLE_MATCH) : attr);
		if (cut)
			return used;
		s += len;
		if (*s == '\x02')
			in_match = true;
		else if (*s == '\x03')
			in_match = false;
		if (*s != '\0')
			s++;
	}
	if (used >= cells && has_text(s, "\x02\x03"))
		used = mark_cut_end(y, x, cells, attr);
	return used;
}

void
tui_draw_title(const char *title, const char *right)
{
	int rw = right ? tui_text_width(right) : 0;

	tui_clear_to_eol(0, 0, tui_attr(TUI_ROLE_TITLE));
	tui_put(0, 1, title, COLS - rw - 3, tui_attr(TUI_ROLE_TITLE));
	if (right != NULL && rw < COLS - 2)
		tui_put(0, COLS - rw - 1, right, rw, tui_attr(TUI_ROLE_TITLE));
}

void
tui_draw_progress(int y, int x, int cells, int percent)
{
	tui_draw_progress_attr(y, x, cells, percent, A_NORMAL);
}

/* As tui_draw_progress(), every cell also in attr (a selected row's highlight). */
void
tui_draw_progress_attr(int y, int x, int cells, int percent, attr_t attr)
{
	char label[8];
	int bar = cells - 7, fill;

	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	snprintf(label, sizeof(label), " %3d%%", percent);
	if (bar < 3) {
		tui_put(y, x, label, cells, attr);
		return;
	}
	fill = bar * percent / 100;
	attrset(attr);
	mvaddch(y, x, '[');
	attrset(attr | tui_attr(TUI_ROLE_GOOD));
	for (int i = 0; i < bar; i++)
		mvaddch(y, x + 1 + i, i < fill ? '#' : '.');
	attrset(attr);
	mvaddch(y, x + 1 + bar, ']');
	attrset(A_NORMAL);
	tui_put(y, x + 2 + bar, label, 5, attr);
}

void
tui_list_clamp(struct tui_list *list, int rows)
{
	if (rows < 1)
		rows = 1;
	if (list->sel >= list->n)
		list->sel = list->n - 1;
	if (list->sel < 0)
		list->sel = 0;
	if (list->sel < list->top)
		list->top = list->sel;
	if (list->sel >= list->top + rows)
		list->top = list->sel - rows + 1;
	if (list->top < 0)
		list->top = 0;
}

bool
tui_list_key(struct tui_list *list, wint_t key, bool fn_key, int rows)
{
	if ((fn_key && key == KEY_DOWN) || (!fn_key && key == 'j'))
		list->sel++;
	else if ((fn_key && key == KEY_UP) || (!fn_key && key == 'k'))
		list->sel--;
	else if ((fn_key && key == KEY_NPAGE) || (!fn_key && key == ' '))
		list->sel += rows;
	else if (fn_key && key == KEY_PPAGE)
		list->sel -= rows;
	else if ((fn_key && key == KEY_HOME) || (!fn_key && key == 'g'))
		list->sel = 0;
	else if ((fn_key && key == KEY_END) || (!fn_key && key == 'G'))
		list->sel = list->n - 1;
	else
		return false;
	tui_list_clamp(list, rows);
	return true;
}

void
tui_field_set(struct tui_field *field, const char *utf8)
{
	size_t len = utf8 ? strlen(utf8) : 0, i = 0;

	field->len = 0;
	while (i < len && field->len < (int)(sizeof(field->text) / sizeof(wchar_t)) - 1) {
		wchar_t wc;

		i += tui_utf8_decode(utf8 + i, len - i, &wc);
		field->text[field->len++] = wc;
	}
	field->text[field->len] = 0;
	field->cursor = field->len;
}

char *
tui_field_get(const struct tui_field *field)
{
	struct lc_buf buf = {0};

	for (int i = 0; i < field->len; i++) {
		char mb[8];
		unsigned long c = (unsigned long)field->text[i];
		int n;

		/* Encode by hand: wcrtomb() depends on the locale. */
		if (c < 0x80) {
			mb[0] = (char)c;
			n = 1;
		} else if (c < 0x800) {
			mb[0] = (char)(0xc0 | (c >> 6));
			mb[1] = (char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			mb[0] = (char)(0xe0 | (c >> 12));
			mb[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			mb[2] = (char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			mb[0] = (char)(0xf0 | (c >> 18));
			mb[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			mb[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			mb[3] = (char)(0x80 | (c & 0x3f));
			n = 4;
		}
		lc_buf_append(&buf, mb, (size_t)n);
	}
	return lc_buf_steal(&buf);
}

bool
tui_field_key(struct tui_field *field, wint_t key, bool fn_key)
{
	int cap = (int)(sizeof(field->text) / sizeof(wchar_t)) - 1;

	if (fn_key) {
		if (key == KEY_LEFT && field->cursor > 0)
			field->cursor--;
		else if (key == KEY_RIGHT && field->cursor < field->len)
			field->cursor++;
		else if (key == KEY_HOME)
			field->cursor = 0;
		else if (key == KEY_END)
			field->cursor = field->len;
		else if (key == KEY_BACKSPACE && field->cursor > 0) {
			memmove(&field->text[field->cursor - 1], &field->text[field->cursor],
			        (size_t)(field->len - field->cursor + 1) * sizeof(wchar_t));
			field->cursor--;
			field->len--;
		} else if (key == KEY_DC && field->cursor < field->len) {
			memmove(&field->text[field->cursor], &field->text[field->cursor + 1],
			        (size_t)(field->len - field->cursor) * sizeof(wchar_t));
			field->len--;
		} else
			return key == KEY_LEFT || key == KEY_RIGHT || key == KEY_BACKSPACE ||
			       key == KEY_DC;
		return true;
	}
	if (key == 127 || key == 8)
		return tui_field_key(field, KEY_BACKSPACE, true);
	if (key == 21) { /* Ctrl-U clears, as in a shell */
		field->len = 0;
		field->cursor = 0;
		field->text[0] = 0;
		return true;
	}
	if (key < 0x20 || field->len >= cap)
		return false;
	memmove(&field->text[field->cursor + 1], &field->text[field->cursor],
	        (size_t)(field->len - field->cursor + 1) * sizeof(wchar_t));
	field->text[field->cursor++] = (wchar_t)key;
	field->len++;
	return true;
}

void
tui_field_draw(const struct tui_field *field, int y, int x, int cells, bool focused)
{
	int start = 0, width = 0, cx = x;

	/* Scroll so that the cursor stays visible in a field narrower than its text. */
	for (int i = field->cursor - 1; i >= 0; i--) {
		width += field->secret ? 1 : tui_wc_width(field->text[i]);
		if (width >= cells - 1) {
			start = i + 1;
			break;
		}
	}
	attrset(focused ? A_UNDERLINE | A_BOLD : A_UNDERLINE);
	move(y, x);
	for (int i = start; i < field->len; i++) {
		wchar_t wc = field->secret ? L'*' : field->text[i];
		int w = tui_wc_width(wc);
		cchar_t cc;
		wchar_t str[2] = {wc, 0};

		if (cx + w > x + cells)
			break;
		if (wc < 0x20)
			str[0] = L' ';
		cx += w;
		if (tui_text_ascii() && wc >= 0x80) {
			mvaddstr(y, cx - w, tui_ascii_subst(wc));
			continue;
		}
		setcchar(&cc, str, focused ? A_UNDERLINE | A_BOLD : A_UNDERLINE, 0, NULL);
		mvadd_wch(y, cx - w, &cc);
	}
	for (; cx < x + cells; cx++)
		mvaddch(y, cx, ' ');
	attrset(A_NORMAL);
	if (focused) {
		int cur = x;

		for (int i = start; i < field->cursor; i++)
			cur += field->secret ? 1 : tui_wc_width(field->text[i]);
		move(y, cur < x + cells ? cur : x + cells - 1);
		curs_set(1);
	}
}

/* True when the field holds typed text that Esc would lose: not empty, not as it opened. */
static bool
field_has_work(const struct tui_field *field, const char *initial)
{
	char *text;
	bool work;

	if (field->len == 0)
		return false;
	text = tui_field_get(field);
	work = strcmp(text, initial != NULL ? initial : "") != 0;
	free(text);
	return work;
}

/*
 * Runs a small modal loop on the bottom row. Keys come through tui_term_get_key(): Home and
 * End move, and an escape sequence it does not know is ignored rather than read as Esc
 * (issue 11, item 7). Esc asks before it drops typed text.
 */
static bool
prompt(struct tui_app *app, const char *label, const char *initial, bool secret, char **out)
{
	struct tui_field field = {.secret = secret};
	int lw = tui_text_width(label) + 1;
	bool done = false, ok = false;

	tui_field_set(&field, initial);
	while (!done) {
		wint_t key;
		int rc;

		tui_clear_to_eol(LINES - 1, 0, A_NORMAL);
		tui_put(LINES - 1, 0, label, COLS, A_BOLD);
		tui_field_draw(&field, LINES - 1, lw, COLS - lw - 1, true);
		refresh();
		rc = tui_term_get_key(&key, -1);
		if (rc == ERR && tui_term_interrupted())
			break; /* Ctrl-C cancels and then quits */
		if (rc == ERR || (rc == KEY_CODE_YES && key == 0))
			continue;
		if (rc == OK && (key == '\r' || key == '\n')) {
			done = ok = true;
		} else if (rc == OK && key == 27) {
			done = !field_has_work(&field, initial) ||
			       tui_confirm(app, "Discard what you typed?");
		} else if (rc == KEY_CODE_YES && key == KEY_RESIZE) {
			app->dirty = true;
		} else {
			tui_field_key(&field, key, rc == KEY_CODE_YES);
		}
	}
	curs_set(0);
	app->dirty = true;
	if (ok)
		*out = tui_field_get(&field);
	explicit_bzero(field.text, sizeof(field.text));
	return ok;
}

bool
tui_prompt(struct tui_app *app, const char *label, const char *initial, char **out)
{
	return prompt(app, label, initial, false, out);
}

bool
tui_prompt_secret(struct tui_app *app, const char *label, char **out)
{
	return prompt(app, label, "", true, out);
}

bool
tui_confirm(struct tui_app *app, const char *question)
{
	wint_t key = 0;
	int rc;

	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, question, COLS - 10, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
	tui_put(LINES - 1, 1 + tui_text_width(question) + 1, "(y/n)", 5, tui_attr(TUI_ROLE_STATUS));
	refresh();
	/* A resize or an unknown escape sequence is no answer. */
	do
		rc = tui_term_get_key(&key, -1);
	while ((rc == ERR && !tui_term_interrupted()) ||
	       (rc == KEY_CODE_YES && (key == KEY_RESIZE || key == 0)));
	app->dirty = true;
	return rc == OK && (key == 'y' || key == 'Y');
}

void
tui_draw_md_line(int y, int x, const struct tui_md_line *line, int cells)
{
	int used = 0;
	size_t i;
	bool cut = false;

	for (i = 0; i < line->n && used < cells; i++) {
		int st = line->spans[i].style;
		attr_t a = A_NORMAL;

		if (st & TUI_MD_HEADING)
			a |= tui_attr(TUI_ROLE_HEADING);
		if (st & TUI_MD_BOLD)
			a |= A_BOLD;
		if (st & TUI_MD_ITALIC)
			a |= A_ITALIC;
		if (st & TUI_MD_CODE)
			a |= tui_attr(TUI_ROLE_CODE);
		if (st & TUI_MD_LINK)
			a |= tui_attr(TUI_ROLE_LINK);
		if (st & (TUI_MD_QUOTE | TUI_MD_MARK))
			a |= tui_attr(TUI_ROLE_QUOTE);
		/* A span that is cut ends the line: nothing may follow its "…". */
		tui_text_clip(line->spans[i].text, strlen(line->spans[i].text), cells - used, NULL,
		              &cut);
		used += tui_put(y, x + used, line->spans[i].text, cells - used, a);
		if (cut)
			return;
	}
	for (; used >= cells && i < line->n; i++)
		if (has_text(line->spans[i].text, "")) {
			mark_cut_end(y, x, cells, A_NORMAL);
			return;
		}
}
