/* SPDX-License-Identifier: MIT */
/*
 * optkeys.c - the keys of Atlas's options and their values: what each key
 * accepts, how its current value is shown, the defaults and the canonical
 * names (see options.h). core/lib/options.c reads the text.
 *
 * Built into the kernel, efi/ and the host tests: no libc, no allocation.
 * Values arrive without quotes, v[0..n), not NUL-terminated.
 *
 * Adding a key: one line in keys[]: ENUM_KEY for one of a list of names,
 * FN_KEY with a parse_FIELD and a show_FIELD for anything else.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "options.h"

/* No value may be longer than the longest one that can be stored (tests). */
#define VALUE_MAX (OPT_TESTS_MAX - 1)

static const char *const report_names[] = { "human", "json", "both" };
static const char *const finish_names[] = { "shutdown", "reboot", "halt", "exit", "monitor" };
static const char *const log_names[] = { "info", "debug", "syscalls" };
static const char *const selftest_names[] = { "none", "kstack", "null", "rodata" };
static const char *const onoff_names[] = { "off", "on" };
static const char *const gop_names[] = { "auto", "off", "list" };  /* enum gop_select up to GOP_SIZE */
static const char *const screen_names[] = { "layout", "console" }; /* enum screen_mode */
static const char *const hw_names[] = { "summary", "full" };	   /* enum hw_report */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Does v[0..n) spell exactly the NUL-terminated s? */
static bool same(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(v, s, n) == 0;
}

/* Index of v[0..n) in names[], or -1. */
static int lookup(const char *const *names, size_t count, const char *v, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (same(v, n, names[i]))
			return (int)i;
	return -1;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

/*
 * Copy p[0..n) into dst[0..size) for a warning: printable ASCII as is, any
 * other byte as \xNN (so NULs and control bytes cannot cut or break the
 * line), and "..." at the end when it does not all fit. size must be > 4.
 */
void opt_show_bytes(char *dst, size_t size, const char *p, size_t n)
{
	size_t need = 0, room = size - 1, o = 0, i;

	/* Does everything fit? Stop counting as soon as it cannot. */
	for (i = 0; i < n && need <= room; i++)
		need += (p[i] >= 0x20 && p[i] < 0x7f) ? 1 : 4;
	if (need > room)
		room -= 3; /* leave space for "..." */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 > room)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 > room)
				break;
			ksnprintf(dst + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = 0;
}

/*
 * Parsers get the value with its quotes removed, v[0..n) with n <= VALUE_MAX
 * (n is 0 for "key="). They change o only when they accept the value, and
 * return whether they did.
 */

/* "auto", "off" or "0x" and 1+ hex digits giving 0x1..0xffff. */
static int parse_serial(struct options *o, const char *v, size_t n)
{
	uint32_t port = 0;

	if (same(v, n, "auto") || same(v, n, "off")) {
		o->serial = v[0] == 'a' ? SERIAL_AUTO : SERIAL_OFF;
		o->serial_port = 0;
		return true;
	}
	if (n < 3 || v[0] != '0' || v[1] != 'x')
		return false;
	for (size_t i = 2; i < n; i++) {
		int d = hex_digit_value(v[i]);

		if (d < 0)
			return false;
		port = port * 16 + (uint32_t)d;
		if (port > 0xffff) /* checked every digit, so it cannot wrap */
			return false;
	}
	if (port == 0)
		return false;
	o->serial = SERIAL_PORT;
	o->serial_port = (uint16_t)port;
	return true;
}

/* "all", "none", or NAME[,NAME]... with NAME of [A-Za-z0-9_.-]+. */
static int parse_tests(struct options *o, const char *v, size_t n)
{
	size_t run = 0; /* length of the current NAME */

	if (n == 0 || n > VALUE_MAX)
		return false;
	/* "all" and "none" pass this check too. */
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ',') {
			if (run == 0)
				return false;
			run = 0;
		} else if (is_name_char(v[i])) {
			run++;
		} else {
			return false;
		}
	}
	if (run == 0)
		return false;
	memset(o->tests, 0, sizeof(o->tests));
	memcpy(o->tests, v, n);
	return true;
}

/* Seconds 0..OPT_MENU_TIMEOUT_MAX in decimal: no sign, no leading zeros (but "0" itself). */
static int parse_menu_timeout(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 0 || (n > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
		if (x > OPT_MENU_TIMEOUT_MAX) /* checked every digit, so it cannot wrap */
			return false;
	}
	o->menu_timeout = x;
	return true;
}

/* watchdog=off or milliseconds 1..OPT_WATCHDOG_MAX_MS in decimal (no sign, no leading zero). */
static int parse_watchdog(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 3 && !memcmp(v, "off", 3)) {
		o->watchdog_ms = 0;
		return true;
	}
	if (n == 0 || v[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
		if (x > OPT_WATCHDOG_MAX_MS) /* checked every digit, so it cannot wrap */
			return false;
	}
	o->watchdog_ms = x;
	return true;
}

/* 0xVA[,0xVA]...: at most OPT_WALK_MAX 64-bit hex addresses. */
static int parse_walk(struct options *o, const char *v, size_t n)
{
	uint64_t addr[OPT_WALK_MAX];
	unsigned count = 0;
	size_t i = 0;

	while (i < n) {
		uint64_t a = 0;
		size_t digits = 0;

		if (count == OPT_WALK_MAX || n - i < 3 || v[i] != '0' || v[i + 1] != 'x')
			return false;
		for (i += 2; i < n && v[i] != ','; i++, digits++) {
			int d = hex_digit_value(v[i]);

			if (d < 0 || digits == 16)
				return false;
			a = a * 16 + (uint64_t)d;
		}
		if (!digits || (i < n && i + 1 == n))
			return false;
		addr[count++] = a;
		if (i < n)
			i++; /* the comma */
	}
	if (!count)
		return false;
	memcpy(o->walk, addr, sizeof(addr[0]) * count);
	o->nwalk = count;
	return true;
}

/*
 * run=PROGRAM[;PROGRAM...], each "PATH ARG...": printable ASCII (quote the
 * value to keep the blanks), no empty entries; PATH starts with '\\' or '/'.
 */
static int parse_run(struct options *o, const char *v, size_t n)
{
	bool at_start = true;

	if (n == 0 || n >= sizeof(o->run))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7F)
			return false;
		if (at_start && v[i] != ' ') {
			if (v[i] != '\\' && v[i] != '/')
				return false;
			at_start = false;
		}
		if (v[i] == ';')
			at_start = true;
	}
	if (at_start)
		return false; /* empty last entry */
	memset(o->run, 0, sizeof(o->run));
	memcpy(o->run, v, n);
	return true;
}

/* A decimal 1..OPT_GOP_DIM_MAX without leading zeros: v[0..n). */
static int parse_dim(const char *v, size_t n, uint32_t *out)
{
	uint32_t x = 0;

	if (n == 0 || v[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint32_t)(v[i] - '0');
		if (x > OPT_GOP_DIM_MAX) /* checked every digit, so it cannot wrap */
			return false;
	}
	*out = x;
	return true;
}

/* "auto", "off", "list" or WxH (decimal, lower-case 'x'). */
static int parse_gop(struct options *o, const char *v, size_t n)
{
	int i = lookup(gop_names, COUNT(gop_names), v, n);
	uint32_t w, h;
	size_t x = 0;

	if (i >= 0) {
		o->gop = (enum gop_select)i;
		o->gop_width = o->gop_height = 0;
		return true;
	}
	while (x < n && v[x] != 'x')
		x++;
	if (x == n || !parse_dim(v, x, &w) || !parse_dim(v + x + 1, n - x - 1, &h))
		return false;
	o->gop = GOP_SIZE;
	o->gop_width = w;
	o->gop_height = h;
	return true;
}

/* Small decimal count 0..OPT_EBS_STALE_MAX: no sign, no leading '+'. */
static int parse_ebs_stale(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 0 || n > 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x > OPT_EBS_STALE_MAX)
		return false;
	o->ebs_stale = x;
	return true;
}

/* A path (and for init=, arguments): printable ASCII, starting with one of first, shorter than size. */
static int parse_path_into(char *dst, size_t size, const char *v, size_t n, const char *first)
{
	bool ok = false;

	for (const char *f = first; n && *f; f++)
		ok |= v[0] == *f;
	if (!ok || n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7F)
			return false;
	memset(dst, 0, size);
	memcpy(dst, v, n);
	return true;
}

/* initrd=\PATH on the boot volume (or /PATH: the same, with slashes). */
static int parse_initrd(struct options *o, const char *v, size_t n)
{
	return parse_path_into(o->initrd, sizeof(o->initrd), v, n, "\\/");
}

/* init="/PATH ARG...": a path in the root file system, then arguments; init= (empty): none. */
static int parse_init(struct options *o, const char *v, size_t n)
{
	if (n == 0) {
		memset(o->init, 0, sizeof(o->init));
		return true;
	}
	return parse_path_into(o->init, sizeof(o->init), v, n, "/");
}

/* The show functions write the current value, for "keeping '...'". */

static void show_serial(const struct options *o, char *buf, size_t size)
{
	options_serial_str(o, buf, size);
}

static void show_tests(const struct options *o, char *buf, size_t size)
{
	opt_show_bytes(buf, size, o->tests, strnlen(o->tests, sizeof(o->tests)));
}

static void show_ebs_stale(const struct options *o, char *buf, size_t size)
{
	ksnprintf(buf, size, "%u", o->ebs_stale);
}

static void show_run(const struct options *o, char *buf, size_t size)
{
	opt_show_bytes(buf, size, o->run[0] ? o->run : "none", o->run[0] ? strnlen(o->run, sizeof(o->run)) : 4);
}

static void show_menu_timeout(const struct options *o, char *buf, size_t size)
{
	ksnprintf(buf, size, "%u", o->menu_timeout);
}

static void show_gop(const struct options *o, char *buf, size_t size)
{
	options_gop_str(o, buf, size);
}

static void show_watchdog(const struct options *o, char *buf, size_t size)
{
	if (o->watchdog_ms)
		ksnprintf(buf, size, "%u", o->watchdog_ms);
	else
		kstrlcpy(buf, "off", size);
}

static void show_walk(const struct options *o, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	if (!o->nwalk)
		kstrlcpy(buf, "none", size);
	for (unsigned i = 0; i < o->nwalk && used < size; i++)
		used += (size_t)ksnprintf(buf + used, size - used, "%s0x%llx", i ? "," : "",
					  (unsigned long long)o->walk[i]);
}

static void show_initrd(const struct options *o, char *buf, size_t size)
{
	if (o->initrd[0])
		opt_show_bytes(buf, size, o->initrd, strnlen(o->initrd, sizeof(o->initrd)));
	else
		kstrlcpy(buf, "default", size);
}

static void show_init(const struct options *o, char *buf, size_t size)
{
	if (o->init[0])
		opt_show_bytes(buf, size, o->init, strnlen(o->init, sizeof(o->init)));
	else
		kstrlcpy(buf, "none", size);
}

#define ENUM_KEY(key, expected, member, list)                                                  \
	{                                                                                      \
		key, expected, list, COUNT(list), offsetof(struct options, member), NULL, NULL \
	}
#define FN_KEY(key, expected, member)                                    \
	{                                                                \
		key, expected, NULL, 0, 0, parse_##member, show_##member \
	}

/* The fields ENUM_KEY writes are int-sized (enums and on/off ints). */
_Static_assert(sizeof(enum report_mode) == sizeof(int) && sizeof(enum on_finish) == sizeof(int) &&
		       sizeof(enum log_level) == sizeof(int) && sizeof(enum selftest) == sizeof(int) &&
		       sizeof(enum screen_mode) == sizeof(int) && sizeof(enum hw_report) == sizeof(int),
	       "enum option fields are stored as int");

static int *field_of(struct options *o, const struct opt_key *k)
{
	return (int *)(void *)((char *)o + k->field);
}

int opt_key_parse(struct options *o, const struct opt_key *k, const char *v, size_t n)
{
	int i;

	if (k->parse)
		return k->parse(o, v, n);
	i = lookup(k->names, k->count, v, n);
	if (i < 0)
		return false;
	*field_of(o, k) = i;
	return true;
}

void opt_key_show(const struct options *o, const struct opt_key *k, char *buf, size_t size)
{
	unsigned i;

	if (k->show) {
		k->show(o, buf, size);
		return;
	}
	i = (unsigned)*field_of((struct options *)o, k);
	kstrlcpy(buf, i < k->count ? k->names[i] : "?", size);
}

static const struct opt_key keys[] = {
	ENUM_KEY("report", "human|json|both", report, report_names),
	FN_KEY("serial", "auto|off|0xPORT with PORT 0x1..0xffff", serial),
	ENUM_KEY("on_finish", "shutdown|reboot|halt|exit|monitor", on_finish, finish_names),
	FN_KEY("tests", "all|none|NAME,... with NAME of A-Z a-z 0-9 _ . -", tests),
	ENUM_KEY("log", "info|debug|syscalls", log, log_names),
	FN_KEY("ebs_stale", "a count 0..16", ebs_stale),
	ENUM_KEY("selftest", "none|kstack|null|rodata", selftest, selftest_names),
	FN_KEY("walk", "0xVA[,0xVA...] with at most 8 addresses", walk),
	ENUM_KEY("bench", "on|off", bench, onoff_names),
	FN_KEY("run", "\"\\PATH ARG...;\\PATH...\" (programs on the boot volume)", run),
	FN_KEY("gop", "auto|off|list|WxH, e.g. 1920x1080", gop),
	ENUM_KEY("screen", "layout|console", screen, screen_names),
	ENUM_KEY("menu", "on|off", menu, onoff_names),
	FN_KEY("menu_timeout", "seconds 0..3600 (0: wait for a key)", menu_timeout),
	FN_KEY("watchdog", "off|milliseconds 1..600000", watchdog),
	FN_KEY("initrd", "\\PATH of a newc cpio archive on the boot volume", initrd),
	FN_KEY("init", "\"/PATH ARG...\" (the program pid 1 runs on the console)", init),
	ENUM_KEY("aslr", "on|off", aslr, onoff_names),
	ENUM_KEY("hw", "summary|full", hw, hw_names),
};

/* "report, serial, ..." from keys[], so the list follows the table; cut if it ever outgrows buf. */
void opt_keys_list(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < COUNT(keys) && used < size; i++)
		used += (size_t)ksnprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i].name);
}

const struct opt_key *opt_key_find(const char *k, size_t n)
{
	for (size_t i = 0; i < COUNT(keys); i++)
		if (same(k, n, keys[i].name))
			return &keys[i];
	return NULL;
}

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->report = REPORT_HUMAN;
	o->serial = SERIAL_AUTO;
	o->serial_port = 0;
	o->on_finish = FINISH_SHUTDOWN;
	o->log = LOG_INFO;
	kstrlcpy(o->tests, "all", sizeof(o->tests));
	o->menu_timeout = OPT_MENU_TIMEOUT_DEFAULT;
	o->watchdog_ms = OPT_WATCHDOG_DEFAULT_MS;
}

const char *options_selftest_name(enum selftest t)
{
	return (unsigned)t < COUNT(selftest_names) ? selftest_names[t] : "?";
}

const char *options_report_name(enum report_mode m)
{
	return (unsigned)m < COUNT(report_names) ? report_names[m] : "?";
}

const char *options_finish_name(enum on_finish f)
{
	return (unsigned)f < COUNT(finish_names) ? finish_names[f] : "?";
}

const char *options_log_name(enum log_level l)
{
	return (unsigned)l < COUNT(log_names) ? log_names[l] : "?";
}

char *options_gop_str(const struct options *o, char *buf, size_t size)
{
	if (o->gop == GOP_SIZE)
		ksnprintf(buf, size, "%ux%u", o->gop_width, o->gop_height);
	else
		kstrlcpy(buf, (unsigned)o->gop < COUNT(gop_names) ? gop_names[o->gop] : "?", size);
	return buf;
}

char *options_serial_str(const struct options *o, char *buf, size_t size)
{
	switch (o->serial) {
	case SERIAL_AUTO:
		kstrlcpy(buf, "auto", size);
		break;
	case SERIAL_OFF:
		kstrlcpy(buf, "off", size);
		break;
	case SERIAL_PORT:
		ksnprintf(buf, size, "0x%x", o->serial_port);
		break;
	default:
		kstrlcpy(buf, "?", size);
		break;
	}
	return buf;
}
