/* SPDX-License-Identifier: MIT */
/*
 * menu.c - the pre-boot menu (menu=on): five settings on the firmware's text
 * console, before ExitBootServices, while ConOut and ConIn still exist.
 *
 *   Tests        which tests= selection runs
 *   Report       report=human|json|both
 *   Screen       gop=auto|off|WxH, the sizes the GOP offers
 *   At the end   on_finish=
 *   Shell        init=/bin/sh: busybox's shell on the console after the tests
 *
 * The main screen lists them; Enter (or the line's digit) opens one, and its
 * screen lists the values to pick from (Up/Down and Enter, or a digit). "Boot
 * now" (0), Esc, or menu_timeout seconds without a key boot. What the menu
 * changed becomes key=value words parsed after atlas.cfg and LoadOptions, so
 * they win exactly as if they had been written last; bi->menu_words keeps them
 * for the kernel's {"rec":"menu"}.
 *
 * Keys come from ConIn by polling with Stall, so the countdown needs no timer
 * event, and every ConIn or ConOut failure ends the menu (logged) instead of
 * stopping the boot. Under OVMF, ConIn merges the PS/2 keyboard and the
 * serial terminal (arrows arrive there as VT100 escapes, which the firmware
 * turns into scan codes), and ConOut is mirrored to the serial port.
 */
#include <stdarg.h>

#include "efi.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

#define MENU_POLL_US 20000 /* ConIn is polled this often */
#define USEC_PER_SEC 1000000
#define MENU_POLLS_PER_SECOND (USEC_PER_SEC / MENU_POLL_US)
#define MENU_INPUT_ERRORS_MAX 5 /* ReadKeyStroke failures in a row before the menu gives up */
#define MENU_CHOICES_MAX 48	/* values one setting offers, the GOP sizes included */
#define MENU_VALUE_MAX 32	/* one value, as written after key= */
#define MENU_DIGIT_CHOICES 9	/* values 1..9 have a digit shortcut */
#define MENU_LINE_MAX 160	/* one line of the screen, before it is cut to the console's width */
#define MENU_DEFAULT_COLS 80	/* when ConOut cannot say (QueryMode failed) */
#define MENU_DEFAULT_ROWS 25
#define MENU_CHOICE_CHROME 6 /* lines around the list of values: title, blank, blank, two help lines, spare */
#define BOOT_NOW_ROW SET_COUNT
#define ASCII_DEL 0x7f
#define MENU_VALUE_COLUMN 13 /* a value and the blanks before its description */
#define MENU_BACK 0	     /* choose(): back to the main screen */

#define ATTR_NORMAL EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK)
#define ATTR_TITLE EFI_TEXT_ATTR(EFI_WHITE, EFI_BLACK)
#define ATTR_SELECTED EFI_TEXT_ATTR(EFI_BLACK, EFI_LIGHTGRAY)
#define ATTR_WARNING EFI_TEXT_ATTR(EFI_YELLOW, EFI_BLACK)

enum setting_id { SET_TESTS, SET_REPORT, SET_GOP, SET_FINISH, SET_SHELL, SET_COUNT };

struct choice {
	char value[MENU_VALUE_MAX]; /* as written after key= */
	const char *what;	    /* a few words about it */
};

struct setting {
	const char *key;   /* the option it sets */
	const char *label; /* its name on the main screen */
	struct choice choice[MENU_CHOICES_MAX];
	int count;
	int initial; /* the value in force when the menu opened */
	int cur;     /* the value chosen */
};

enum key_kind { KEY_OTHER, KEY_UP, KEY_DOWN, KEY_ENTER, KEY_ESC, KEY_DIGIT };

struct key {
	enum key_kind kind;
	int digit; /* with KEY_DIGIT */
};

struct ui {
	SIMPLE_INPUT_INTERFACE *in;
	SIMPLE_TEXT_OUTPUT_INTERFACE *out;
	UINTN cols, rows;
	UINTN row;	     /* lines written since the screen was cleared */
	UINTN countdown_row; /* where the countdown line is, on the main screen */
	EFI_STATUS status;   /* the failure that ended the menu */
	const char *failed;  /* the call that failed */
	unsigned timeout;    /* menu_timeout */
	unsigned left;	     /* seconds to go; the countdown runs while counting is set */
	int counting;
	int input_errors;     /* ReadKeyStroke failures in a row */
	const char *warnings; /* the firmware stage's warnings so far, one per line (bi->warnings) */
	struct setting set[SET_COUNT];
};

static struct ui menu; /* large (the GOP sizes): not on the firmware's stack */

/* ---- the settings ------------------------------------------------------------ */

static void add_choice(struct setting *s, const char *value, const char *what)
{
	if (s->count == MENU_CHOICES_MAX)
		return;
	kstrlcpy(s->choice[s->count].value, value, sizeof(s->choice[0].value));
	s->choice[s->count].what = what;
	s->count++;
}

/*
 * Select the value the options hold now. A value the list does not offer
 * (tests=boot.stack,mm.wx, a gop= size the GOP lacks) goes first, so that
 * leaving it alone changes nothing.
 */
static void select_current(struct setting *s, const char *now)
{
	for (int i = 0; i < s->count; i++) {
		if (!strcmp(s->choice[i].value, now)) {
			s->initial = s->cur = i;
			return;
		}
	}
	if (s->count == MENU_CHOICES_MAX)
		s->count--;
	memmove(&s->choice[1], &s->choice[0], sizeof(s->choice[0]) * (size_t)s->count);
	s->count++;
	kstrlcpy(s->choice[0].value, now, sizeof(s->choice[0].value));
	s->choice[0].what = strlen(now) < sizeof(s->choice[0].value) ? "as the options say" :
								       "as the options say (cut here)";
	s->initial = s->cur = 0;
}

/* A choice offered whatever the machine: the value as the option takes it, and what it does. */
struct fixed_choice {
	const char *value, *what;
};

static const struct fixed_choice tests_choices[] = {
	{ "all", "every self-test and the ring-3 suite" },   { "boot", "boot.*: where the kernel runs, its tables" },
	{ "mm", "mm.*: the memory manager's checks" },	     { "user", "user.*: the ring-3 suite" },
	{ "boot,mm", "the kernel's own checks, no ring 3" }, { "none", "no tests: the reports only" },
};

static const struct fixed_choice report_choices[] = {
	{ "human", "tables and a TAP stream" },
	{ "json", "JSON-lines records" },
	{ "both", "both, interleaved" },
};

static const struct fixed_choice finish_choices[] = {
	{ "shutdown", "power off" },
	{ "reboot", "reset the machine" },
	{ "halt", "stop; the screen stays" },
	{ "exit", "QEMU's isa-debug-exit (elsewhere: power off)" },
	{ "monitor", "a command prompt: serial port and PS/2 keyboard" },
};

/* init=: "" (written init=) runs no program after the tests. */
static const struct fixed_choice shell_choices[] = {
	{ "", "none: the run ends as At the end says" },
	{ "/bin/sh", "busybox sh on the console; its exit ends the run" },
};

/* Name a setting, offer its fixed choices c[0..n), and select now, the value it has. */
static void setup_fixed(struct setting *s, const char *key, const char *label, const struct fixed_choice *c, size_t n,
			const char *now)
{
	s->key = key;
	s->label = label;
	for (size_t i = 0; i < n; i++)
		add_choice(s, c[i].value, c[i].what);
	select_current(s, now);
}

#define FIXED(list) list, sizeof(list) / sizeof((list)[0])

static void setup_settings(struct ui *ui, const struct options *o)
{
	static struct efi_gop_size sizes[MENU_CHOICES_MAX];
	struct setting *s;
	char now[MENU_VALUE_MAX], size[MENU_VALUE_MAX];
	int n, current;

	setup_fixed(&ui->set[SET_TESTS], "tests", "Tests", FIXED(tests_choices), o->tests);
	setup_fixed(&ui->set[SET_REPORT], "report", "Report", FIXED(report_choices), options_report_name(o->report));

	/* The screen sizes are the GOP's own. */
	s = &ui->set[SET_GOP];
	s->key = "gop";
	s->label = "Screen";
	add_choice(s, "auto", "the firmware's mode, unless smaller than 800x600");
	add_choice(s, "off", "no framebuffer: serial only");
	n = efi_gop_sizes(sizes, MENU_CHOICES_MAX, &current);
	for (int i = 0; i < n; i++) {
		ksnprintf(size, sizeof(size), "%ux%u", sizes[i].width, sizes[i].height);
		add_choice(s, size, i == current ? "the firmware's mode now" : "");
	}
	select_current(s, options_gop_str(o, now, sizeof(now)));

	setup_fixed(&ui->set[SET_FINISH], "on_finish", "At the end", FIXED(finish_choices),
		    options_finish_name(o->on_finish));
	setup_fixed(&ui->set[SET_SHELL], "init", "Shell", FIXED(shell_choices), o->init);
}

/* A value as the screens show it: the empty one (init=) is "none". */
static const char *shown(const struct choice *c)
{
	return c->value[0] ? c->value : "none";
}

/* "tests=boot report=json" for every setting the menu changed, into buf[0..size); returns its length. */
static size_t changed_words(const struct ui *ui, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < SET_COUNT && used < size; i++) {
		const struct setting *s = &ui->set[i];

		if (s->cur != s->initial)
			used += (size_t)ksnprintf(buf + used, size - used, "%s%s=%s", used ? " " : "", s->key,
						  s->choice[s->cur].value);
	}
	return used < size ? used : size - 1;
}

/* ---- the console ------------------------------------------------------------- */

/* Remember the first failure; 0 when s is EFI_SUCCESS, -EIO otherwise. */
static int check(struct ui *ui, EFI_STATUS s, const char *call)
{
	if (s == EFI_SUCCESS)
		return 0;
	if (!ui->failed) {
		ui->status = s;
		ui->failed = call;
	}
	return -EIO;
}

/*
 * The drawing calls below do nothing once a ConOut call has failed, so a
 * screen is drawn with a run of them and checked once at the end.
 */

/* Write text (ASCII, cut to the console's width) at the cursor, in attr. */
static void put_text(struct ui *ui, UINTN attr, const char *text)
{
	CHAR16 wide[MENU_LINE_MAX + 1];
	size_t n = 0;

	if (ui->failed)
		return;
	while (n < MENU_LINE_MAX && n + 1 < ui->cols && text[n]) {
		unsigned char c = (unsigned char)text[n];

		wide[n++] = c >= ' ' && c < ASCII_DEL ? (CHAR16)c : L'?';
	}
	wide[n] = 0;
	if (!check(ui, ui->out->SetAttribute(ui->out, attr), "SetAttribute"))
		check(ui, ui->out->OutputString(ui->out, wide), "OutputString");
}

/* One whole line, then CR LF; a line that would scroll the screen is dropped. */
static void put_line(struct ui *ui, UINTN attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put_line(struct ui *ui, UINTN attr, const char *fmt, ...)
{
	static const CHAR16 crlf[] = { L'\r', L'\n', 0 };
	char line[MENU_LINE_MAX];
	va_list ap;

	if (ui->failed || ui->row + 1 >= ui->rows)
		return;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ui->row++;
	put_text(ui, attr, line);
	if (!ui->failed && !check(ui, ui->out->SetAttribute(ui->out, ATTR_NORMAL), "SetAttribute"))
		check(ui, ui->out->OutputString(ui->out, (CHAR16 *)crlf), "OutputString");
}

static void clear(struct ui *ui)
{
	ui->row = 0;
	if (!ui->failed && !check(ui, ui->out->SetAttribute(ui->out, ATTR_NORMAL), "SetAttribute"))
		check(ui, ui->out->ClearScreen(ui->out), "ClearScreen");
}

static void countdown_text(const struct ui *ui, char *buf, size_t size)
{
	if (ui->counting)
		ksnprintf(buf, size, "Booting in %u s; any key stops the countdown.      ", ui->left);
	else if (!ui->timeout)
		kstrlcpy(buf, "Waiting for a key (menu_timeout=0).", size);
	else
		kstrlcpy(buf, "Countdown stopped.", size);
}

/* Rewrite the countdown line in place. 0, or -EIO when ConOut failed. */
static int draw_countdown(struct ui *ui)
{
	char text[MENU_LINE_MAX];

	countdown_text(ui, text, sizeof(text));
	if (!ui->failed && !check(ui, ui->out->SetCursorPosition(ui->out, 0, ui->countdown_row), "SetCursorPosition"))
		put_text(ui, ATTR_NORMAL, text);
	return ui->failed ? -EIO : 0;
}

/*
 * The warnings logged before the menu, under it: clearing the screen for the
 * menu would otherwise erase them a moment after they appeared. As many as
 * the screen has rows for; the kernel's report repeats them all.
 */
static void draw_warnings(struct ui *ui)
{
	const char *w = ui->warnings;

	if (!w || !w[0])
		return;
	put_line(ui, ATTR_NORMAL, "%s", "");
	put_line(ui, ATTR_WARNING, "%s", "Warnings so far (the kernel's report repeats them):");
	while (*w) {
		int n = 0;

		while (w[n] && w[n] != '\n')
			n++;
		put_line(ui, ATTR_WARNING, "  %.*s", n, w);
		w += n + (w[n] == '\n');
	}
}

/* The main screen with line sel highlighted. 0, or -EIO when ConOut failed. */
static int draw_main(struct ui *ui, int sel)
{
	char text[MENU_LINE_MAX];

	clear(ui);
	put_line(ui, ATTR_TITLE, "Atlas boot menu");
	put_line(ui, ATTR_NORMAL, "%s", "");
	for (int i = 0; i < SET_COUNT; i++) {
		const struct setting *s = &ui->set[i];

		put_line(ui, i == sel ? ATTR_SELECTED : ATTR_NORMAL, "%s %d  %-11s %s%s", i == sel ? ">" : " ", i + 1,
			 s->label, shown(&s->choice[s->cur]), s->cur != s->initial ? "  (changed)" : "");
	}
	put_line(ui, sel == BOOT_NOW_ROW ? ATTR_SELECTED : ATTR_NORMAL, "%s 0  Boot now",
		 sel == BOOT_NOW_ROW ? ">" : " ");
	put_line(ui, ATTR_NORMAL, "%s", "");
	put_line(ui, ATTR_NORMAL, "Up/Down choose a line, Enter or 1-%d change it, 0 or Esc boots.", SET_COUNT);
	ui->countdown_row = ui->row;
	countdown_text(ui, text, sizeof(text));
	put_line(ui, ATTR_NORMAL, "%s", text);
	draw_warnings(ui);
	return ui->failed ? -EIO : 0;
}

/* One setting's values with value sel highlighted. 0, or -EIO when ConOut failed. */
static int draw_choices(struct ui *ui, const struct setting *s, int sel)
{
	UINTN room = ui->rows > MENU_CHOICE_CHROME + 1 ? ui->rows - MENU_CHOICE_CHROME : 1;
	int top = (UINTN)sel >= room ? sel - (int)room + 1 : 0;

	clear(ui);
	put_line(ui, ATTR_TITLE, "Atlas boot menu: %s (%s=)", s->label, s->key);
	put_line(ui, ATTR_NORMAL, "%s", "");
	for (int i = top; i < s->count && (UINTN)(i - top) < room; i++) {
		char digit[4] = " ";

		if (i < MENU_DIGIT_CHOICES)
			ksnprintf(digit, sizeof(digit), "%d", i + 1);
		put_line(ui, i == sel ? ATTR_SELECTED : ATTR_NORMAL, "%s %s  %-*s%s%s", i == sel ? ">" : " ", digit,
			 s->choice[i].what[0] ? MENU_VALUE_COLUMN : 0, shown(&s->choice[i]), s->choice[i].what,
			 i == s->cur ? "  (now)" : "");
	}
	put_line(ui, ATTR_NORMAL, "%s", "");
	put_line(ui, ATTR_NORMAL, "Up/Down and Enter, or 1-%d, take a value; Esc goes back. (%d of %d)",
		 s->count < MENU_DIGIT_CHOICES ? s->count : MENU_DIGIT_CHOICES, sel + 1, s->count);
	return ui->failed ? -EIO : 0;
}

/* ---- keys -------------------------------------------------------------------- */

static struct key translate(const EFI_INPUT_KEY *k)
{
	struct key out = { KEY_OTHER, 0 };

	if (k->ScanCode == SCAN_UP)
		out.kind = KEY_UP;
	else if (k->ScanCode == SCAN_DOWN)
		out.kind = KEY_DOWN;
	else if (k->ScanCode == SCAN_ESC)
		out.kind = KEY_ESC;
	else if (k->UnicodeChar == CHAR_CARRIAGE_RETURN || k->UnicodeChar == CHAR_LINEFEED)
		out.kind = KEY_ENTER;
	else if (k->UnicodeChar >= L'0' && k->UnicodeChar <= L'9') {
		out.kind = KEY_DIGIT;
		out.digit = k->UnicodeChar - L'0';
	}
	return out;
}

/*
 * Wait up to a second for a key. Returns 1 with *key, 0 when the second
 * passed, -EIO when ConIn failed MENU_INPUT_ERRORS_MAX times in a row (or
 * Stall failed).
 */
static int next_key(struct ui *ui, struct key *key)
{
	for (int i = 0; i < MENU_POLLS_PER_SECOND; i++) {
		EFI_INPUT_KEY k;
		EFI_STATUS s = ui->in->ReadKeyStroke(ui->in, &k);

		if (s == EFI_SUCCESS) {
			ui->input_errors = 0;
			*key = translate(&k);
			return 1;
		}
		if (s != EFI_NOT_READY && ++ui->input_errors >= MENU_INPUT_ERRORS_MAX)
			return check(ui, s, "ReadKeyStroke");
		if (check(ui, efi_bs->Stall(MENU_POLL_US), "Stall"))
			return -EIO;
	}
	return 0;
}

/* ---- the loop ---------------------------------------------------------------- */

static int wrap(int i, int count)
{
	return i < 0 ? count - 1 : i >= count ? 0 : i;
}

/* One setting's screen; returns MENU_BACK for the main screen, or how the menu ended (enum boot_menu_end). */
static int choose(struct ui *ui, struct setting *s)
{
	int sel = s->cur;

	for (;;) {
		struct key k;
		int got;

		if (draw_choices(ui, s, sel))
			return MENU_END_OUTPUT_ERROR;
		do {
			got = next_key(ui, &k);
		} while (got == 0); /* the countdown stopped when the key that opened this screen came */
		if (got < 0)
			return MENU_END_INPUT_ERROR;
		switch (k.kind) {
		case KEY_UP:
		case KEY_DOWN:
			sel = wrap(sel + (k.kind == KEY_UP ? -1 : 1), s->count);
			break;
		case KEY_ENTER:
			s->cur = sel;
			return MENU_BACK;
		case KEY_ESC:
			return MENU_BACK;
		case KEY_DIGIT:
			if (k.digit == 0)
				return MENU_BACK;
			if (k.digit <= s->count && k.digit <= MENU_DIGIT_CHOICES) {
				s->cur = k.digit - 1;
				return MENU_BACK;
			}
			break;
		default:
			break;
		}
	}
}

static enum boot_menu_end run(struct ui *ui)
{
	int sel = 0;

	ui->left = ui->timeout;
	ui->counting = ui->timeout > 0;
	for (;;) {
		struct key k;
		int got, end, open = -1;

		if (draw_main(ui, sel))
			return MENU_END_OUTPUT_ERROR;
		for (got = 0; !got;) {
			got = next_key(ui, &k);
			if (got < 0)
				return MENU_END_INPUT_ERROR;
			if (got || !ui->counting)
				continue;
			if (--ui->left == 0)
				return MENU_END_TIMEOUT;
			if (draw_countdown(ui))
				return MENU_END_OUTPUT_ERROR;
		}
		ui->counting = 0;
		switch (k.kind) {
		case KEY_UP:
		case KEY_DOWN:
			sel = wrap(sel + (k.kind == KEY_UP ? -1 : 1), SET_COUNT + 1);
			break;
		case KEY_ENTER:
			if (sel == BOOT_NOW_ROW)
				return MENU_END_BOOT;
			open = sel;
			break;
		case KEY_ESC:
			return MENU_END_ESC;
		case KEY_DIGIT:
			if (k.digit == 0)
				return MENU_END_BOOT;
			if (k.digit <= SET_COUNT)
				open = sel = k.digit - 1;
			break;
		default:
			break;
		}
		if (open < 0)
			continue;
		end = choose(ui, &ui->set[open]);
		if (end != MENU_BACK)
			return (enum boot_menu_end)end;
	}
}

void efi_menu(struct boot_info *bi)
{
	struct ui *ui = &menu;
	enum boot_menu_end end;
	size_t n;

	bi->menu_end = MENU_END_OFF;
	bi->menu_words[0] = 0;
	if (!bi->opts.menu)
		return;
	memset(ui, 0, sizeof(*ui));
	ui->in = efi_st->ConIn;
	ui->out = efi_st->ConOut;
	ui->timeout = bi->opts.menu_timeout;
	ui->warnings = bi->warnings;
	if (!ui->in || !ui->out || !ui->out->Mode) {
		efi_warn("menu: no %s; booting with the options as they are\n", ui->in ? "ConOut" : "ConIn");
		bi->menu_end = MENU_END_NO_CONSOLE;
		return;
	}
	if (ui->out->QueryMode(ui->out, (UINTN)ui->out->Mode->Mode, &ui->cols, &ui->rows) != EFI_SUCCESS || !ui->cols ||
	    !ui->rows) {
		ui->cols = MENU_DEFAULT_COLS;
		ui->rows = MENU_DEFAULT_ROWS;
	}
	setup_settings(ui, &bi->opts);
	/* Keys pressed before the menu was there are not meant for it. */
	if (check(ui, ui->in->Reset(ui->in, FALSE), "ConIn Reset"))
		efi_warn("menu: ConIn Reset failed: %s; going on\n", efi_status_str(ui->status));
	ui->failed = NULL;

	end = run(ui);
	bi->menu_end = end;
	if (end == MENU_END_INPUT_ERROR || end == MENU_END_OUTPUT_ERROR) {
		efi_warn("menu: %s failed: %s; booting with the choices made so far\n", ui->failed,
			 efi_status_str(ui->status));
	} else {
		clear(ui); /* the firmware stage's log goes on below */
		if (ui->failed)
			efi_warn("menu: %s failed: %s\n", ui->failed, efi_status_str(ui->status));
	}
	n = changed_words(ui, bi->menu_words, sizeof(bi->menu_words));
	if (n)
		options_parse(&bi->opts, bi->menu_words, n, "menu", 0, efi_option_warning, bi);
	efi_log("Atlas: boot menu ended (%s); %s%s\n", boot_menu_end_name(end),
		n ? "appended to the options: " : "options unchanged", bi->menu_words);
}
