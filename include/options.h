/* SPDX-License-Identifier: MIT */
/*
 * options.h - Atlas's key=value options.
 *
 * Options come from \atlas.cfg on the boot volume and from the image's
 * LoadOptions (UEFI shell command line, boot entry); efi/ parses the file
 * first and the command line second, so the command line wins. The parsed
 * result travels to the kernel inside struct boot_info.
 */
#ifndef ATLAS_OPTIONS_H
#define ATLAS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum report_mode { REPORT_HUMAN, REPORT_JSON, REPORT_BOTH };
enum serial_mode { SERIAL_AUTO, SERIAL_OFF, SERIAL_PORT };
/* FINISH_MONITOR: the serial command monitor (core/report/monitor.c), left by its shutdown or reboot command. */
enum on_finish { FINISH_SHUTDOWN, FINISH_REBOOT, FINISH_HALT, FINISH_EXIT, FINISH_MONITOR };
/* log=: debug adds kdebug's lines; syscalls adds one line per system call (core/proc/syscall.c). */
enum log_level { LOG_INFO, LOG_DEBUG, LOG_SYSCALLS };
/* selftest=: deliberate kernel faults, each of which must end in a clean report. */
enum selftest { SELFTEST_NONE, SELFTEST_KSTACK, SELFTEST_NULL, SELFTEST_RODATA };
/*
 * gop=: the GOP mode efi/ leaves set at ExitBootServices. auto keeps the
 * firmware's mode unless it is smaller than 800x600, list prints the modes
 * first and then acts as auto, WxH asks for that mode, off leaves the
 * framebuffer alone (no GOP calls, no framebuffer console).
 */
enum gop_select { GOP_AUTO, GOP_OFF, GOP_LIST, GOP_SIZE };
/* What the framebuffer shows when the run ends: the layout pictures, or the console as it was. */
enum screen_mode { SCREEN_LAYOUT, SCREEN_CONSOLE };
/*
 * hw=: how much of the hardware picture (PCI, /proc/iomem, /proc/ioports,
 * ACPI tables, SMBIOS) the boot report prints. summary: one line and one
 * {"rec":"hw"} record (the monitor's lspci, iomem, acpi, dmi show the rest);
 * full: everything, with names from pci.ids.
 */
enum hw_report { HW_SUMMARY, HW_FULL };
#define OPT_GOP_DIM_MAX 65535 /* largest width or height gop=WxH accepts */

#define OPT_TESTS_MAX 256
#define OPT_EBS_STALE_MAX 16
#define OPT_WALK_MAX 8
#define OPT_RUN_MAX 512
#define OPT_PATH_MAX 96
/* menu_timeout=: seconds the pre-boot menu waits for a first key; 0 waits for ever. */
#define OPT_MENU_TIMEOUT_DEFAULT 5
#define OPT_MENU_TIMEOUT_MAX 3600
/* watchdog=: a system call longer than this is reported (core/proc/sysguard.c); off: never. */
#define OPT_WATCHDOG_DEFAULT_MS 1000
#define OPT_WATCHDOG_MAX_MS 600000

struct options {
	enum report_mode report;
	enum serial_mode serial;
	uint16_t serial_port; /* with SERIAL_PORT */
	enum on_finish on_finish;
	enum log_level log;
	char tests[OPT_TESTS_MAX]; /* "all", "none" or "NAME,NAME,..." */
	unsigned ebs_stale;	   /* lab bench: first N ExitBootServices calls get a stale key */
	enum selftest selftest;
	unsigned nwalk; /* walk=0xVA,...: addresses to show the page walk of */
	uint64_t walk[OPT_WALK_MAX];
	int bench; /* bench=on: emit {"rec":"bench"} measurements */
	/* run="\\path\\prog.elf arg1 arg2;\\other.elf": extra programs from the boot volume */
	char run[OPT_RUN_MAX];
	enum gop_select gop;
	uint32_t gop_width, gop_height; /* with GOP_SIZE */
	enum screen_mode screen;
	int menu;	       /* menu=on: efi/menu.c's pre-boot menu on the firmware console */
	unsigned menu_timeout; /* seconds before it boots by itself; 0: wait for a key */
	unsigned watchdog_ms;  /* report system calls that take longer; 0: off */
	/* initrd=\\PATH: the initramfs on the boot volume; empty means \\atlas\\initrd.cpio when there is one */
	char initrd[OPT_PATH_MAX];
	/* init="/PATH ARG...": the program pid 1 runs on the console terminal; empty: none */
	char init[OPT_PATH_MAX];
	int aslr; /* aslr=on: randomized stack, mmap base, brk and static-pie base */
	enum hw_report hw;
};

/* Called once per problem found; msg is one line, without a newline. */
typedef void (*opt_warn_fn)(void *ctx, const char *msg);

/* Fill o with the documented defaults. */
void options_defaults(struct options *o);

/*
 * Apply the key=value words in text[0..len) to o. Words are separated by
 * blanks, tabs or newlines; '#' starts a comment to the end of the line.
 * A value may be quoted with "..." to contain blanks. source names the origin
 * in warnings ("atlas.cfg", "command line"). When skip_first_word is set and
 * the first word has no '=', it is skipped: the UEFI shell puts the program
 * name there. Unknown keys, bad values and words without '=' each produce one
 * warning naming the word, and leave the earlier value in place.
 * Returns the number of warnings issued.
 */
int options_parse(struct options *o, const char *text, size_t len, const char *source, int skip_first_word,
		  opt_warn_fn warn, void *ctx);

/*
 * The keys (core/lib/optkeys.c), for the text reader (core/lib/options.c).
 * A key is either one of a list of names, stored as its index in an int or
 * enum field of struct options (names, count, field), or parsed and shown by
 * functions of its own (parse, show).
 */
struct opt_key {
	const char *name;
	const char *expected; /* what the value may be, for warnings */
	const char *const *names;
	size_t count;
	size_t field; /* offsetof(struct options, ...) */
	int (*parse)(struct options *o, const char *v, size_t n);
	void (*show)(const struct options *o, char *buf, size_t size);
};
/* The key spelled k[0..n), or NULL. */
const struct opt_key *opt_key_find(const char *k, size_t n);
/* "report, serial, ...": every key, in table order, into buf[0..size) (cut if it does not fit). */
void opt_keys_list(char *buf, size_t size);
/* Apply value v[0..n) (quotes removed) to o; 1 when k accepts it, 0 (and o untouched) otherwise. */
int opt_key_parse(struct options *o, const struct opt_key *k, const char *v, size_t n);
/* k's current value in o, as a warning quotes it ("keeping '...'"). */
void opt_key_show(const struct options *o, const struct opt_key *k, char *buf, size_t size);
/*
 * p[0..n) for a message in dst[0..size) (size > 4): printable ASCII as is,
 * any other byte as \xNN, and "..." at the end when it does not all fit.
 */
void opt_show_bytes(char *dst, size_t size, const char *p, size_t n);

/* Canonical spelling of the values, for reports. Never NULL. */
const char *options_report_name(enum report_mode m);
const char *options_finish_name(enum on_finish f);
const char *options_log_name(enum log_level l);
const char *options_selftest_name(enum selftest t);

/*
 * Format the serial setting ("auto", "off", "0x3f8") into buf[0..size).
 * Returns buf.
 */
char *options_serial_str(const struct options *o, char *buf, size_t size);

/* Format the gop setting ("auto", "off", "list", "1920x1080") into buf[0..size). Returns buf. */
char *options_gop_str(const struct options *o, char *buf, size_t size);

#endif
