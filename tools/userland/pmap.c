/* SPDX-License-Identifier: MIT */
/*
 * pmap.c - the memory map of processes, printed byte for byte as procps-ng
 * 4.0.2's pmap(1) (Debian 12's /usr/bin/pmap) prints it. Debian's busybox has
 * no pmap applet and procps's is dynamically linked; Atlas runs static
 * programs only, so its initramfs carries this one as /bin/pmap. Written from
 * procps's behaviour (its src/pmap.c and library/readproc.c, escape.c, pids.c
 * at tag v4.0.2 were read for the rules; no code is taken from them).
 *
 *   pmap [-x | -X | -XX | -d | -c | -C FILE] [-q] [-p] [-A LOW[,HIGH]] PID...
 *   pmap -n | -N FILE         write an rc file (~/.pmaprc) for -c / -C
 *
 * What it reads, per PID (libproc2's PIDS_SELECT_PID, all of them before the
 * first is printed): /proc/PID/status for the thread group (a thread's id
 * shows its process), /proc/PID/stat for the command name, the state and the
 * stack's start, /proc/PID/cmdline for the header; then /proc/TGID/maps, or
 * /proc/TGID/smaps for -x, -X and -c.
 *
 * Exit status as procps's: 0; 1 for a bad option or argument, or a map that
 * could not be opened; 42 (or'ed in) when a PID was not found.
 *
 * This file: the command line, the default, -x and -d formats, messages.
 * pmap_procs.c reads the processes, pmap_extended.c prints -X, -XX and -c
 * (pmap.h). gnu_getopt.c parses options as glibc does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include "gnu_getopt.h"
#include "pmap.h"

/* libproc2 selects at most this many PIDs at once (FILL_ID_MAX). */
#define PIDS_MAX 255

const char *prog;
struct pmap_options opt = { .range_high = ~0UL };
static int stdout_closed;

/* ---- messages: procps's xwarnx()/xerrx(), which are glibc's error() ---- */

static void vmessage(const char *fmt, va_list ap)
{
	if (!stdout_closed)
		fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void errx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/*
 * procps's close_stdout() at exit: a failed write to stdout (a full disk, a
 * closed terminal; not a closed pipe) is "write error" and status 1.
 */
static void close_stdout(void)
{
	int pending = __fpending(stdout) != 0, prev_fail = ferror(stdout) != 0;
	int close_fail = fclose(stdout) != 0;

	stdout_closed = 1;
	if (prev_fail || (close_fail && (pending || errno != EBADF))) {
		if (!close_fail && errno != EPIPE)
			errno = 0;
		if (errno != EPIPE) {
			if (errno)
				warnx_("write error: %s", strerror(errno));
			else
				warnx_("write error");
			_exit(EXIT_FAILURE);
		}
	}
	if (ferror(stderr) || fclose(stderr))
		_exit(EXIT_FAILURE);
}

static void __attribute__((noreturn)) usage(FILE *out)
{
	fprintf(out, "\nUsage:\n %s [options] PID [PID ...]\n\nOptions:\n", prog);
	fputs(" -x, --extended              show details\n"
	      " -X                          show even more details\n"
	      "            WARNING: format changes according to /proc/PID/smaps\n"
	      " -XX                         show everything the kernel provides\n"
	      " -c, --read-rc               read the default rc\n"
	      " -C, --read-rc-from=<file>   read the rc from file\n"
	      " -n, --create-rc             create new default rc\n"
	      " -N, --create-rc-to=<file>   create new rc to file\n"
	      "            NOTE: pid arguments are not allowed with -n, -N\n"
	      " -d, --device                show the device format\n"
	      " -q, --quiet                 do not display header and footer\n"
	      " -p, --show-path             show path in the mapping\n"
	      " -A, --range=<low>[,<high>]  limit results to the given range\n"
	      "\n"
	      " -h, --help     display this help and exit\n"
	      " -V, --version  output version information and exit\n"
	      "\nFor more details see pmap(1).\n",
	      out);
	exit(out == stderr ? EXIT_FAILURE : EXIT_SUCCESS);
}

int heading(const char *s, int width, int right)
{
	int len = (int)strlen(s);

	if (width < 1) {
		puts(s);
		return width;
	}
	if (width < len)
		width = len;
	printf(right ? "%*.*s " : "%-*.*s ", width, width, s);
	return width;
}

/* ---- reading /proc ---- */

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		char *bigger;

		n += got;
		if (n < cap)
			break;
		bigger = realloc(buf, cap * 2 + 1);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		errx_("ERROR: memory allocation failed");
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *next_line(struct lines *in, char *buf, size_t size)
{
	size_t n = 0;

	if (in->pos >= in->end)
		return NULL;
	while (n + 1 < size && in->pos < in->end) {
		buf[n] = *in->pos++;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- the Mapping column of the default, -x and -d formats ---- */

/*
 * The device minor of System V shared memory, found as procps does: attach a
 * segment and look for it in our own maps. procps does this at start; here it
 * is done the first time a map shows something that could be such a segment
 * (same answer, and no shmget() where there is no System V IPC).
 */
static unsigned shm_minor(void)
{
	static unsigned minor = ~0U;
	static int done;
	char line[256], perms[32];
	void *addr;
	FILE *f;
	int id;

	if (done)
		return minor;
	done = 1;
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return minor;
	id = shmget(IPC_PRIVATE, 42, IPC_CREAT | 0666);
	if (id == -1) {
		fclose(f);
		return minor;
	}
	addr = shmat(id, NULL, SHM_RDONLY);
	if (addr != (void *)-1) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long start, end;
			unsigned long long offset, inode;
			unsigned major, min;

			if (sscanf(line, "%lx-%lx %31s %llx %x:%x %llu", &start, &end, perms, &offset, &major, &min,
				   &inode) < 6)
				continue;
			if (start > (unsigned long)addr || major || perms[3] != 's' || !strstr(line, "/SYSV"))
				continue;
			minor = min;
			break;
		}
		if (shmdt(addr))
			perror("shared memory detach");
	}
	fclose(f);
	if (shmctl(id, IPC_RMID, NULL) && errno != EINVAL)
		perror("shared memory remove");
	return minor;
}

/*
 * procps's mapping_name(): a System V segment by its id; a file by its base
 * name (its path from the first '/' with -p; "/" itself when the path ends
 * there); anything else "  [ stack ]" when it holds the stack's start (from
 * stat, ends included), else "  [ anon ]" -- [heap], [vdso] and the like too.
 * line is the maps line without its '\n'. Returns static storage.
 */
static const char *mapping_name(const struct target *t, unsigned long addr, unsigned long len, const char *line,
				unsigned major, unsigned minor, unsigned long long inode)
{
	static char name[LINE_MAX_PMAP];
	const char *slash;

	if (!major && strstr(line, "/SYSV") && minor == shm_minor()) {
		snprintf(name, sizeof(name), "  [ shmid=0x%llx ]", inode);
		return name;
	}
	slash = strrchr(line, '/');
	if (slash) {
		if (opt.showpath)
			slash = strchr(line, '/');
		else if (slash[1])
			slash++;
		snprintf(name, sizeof(name), "%s", slash);
		return name;
	}
	if (t->start_stack >= addr && t->start_stack <= addr + len)
		return "  [ stack ]";
	return "  [ anon ]";
}

/* ---- one process: procps's one_proc() ---- */

/* Column widths of -x and -d (procps's, for 64-bit longs). */
enum { W_ADDR = 16, W_KBYTES = 7, W_RSS = 7, W_DIRTY = 7, W_MODE = 5, W_OFFSET = 16, W_DEVICE = 9 };

/*
 * Prints one process's map. Returns 0, or 1 when its maps (smaps) could not
 * be opened -- the header line is out by then, as with procps.
 */
static int one_proc(const struct target *t)
{
	char path[64], line[LINE_MAX_PMAP], perms[32] = "";
	unsigned long start = 0, end = 0, size = 0;
	unsigned long shared = 0, private_rw = 0, private_ro = 0; /* bytes */
	unsigned long long rss = 0, shared_dirty = 0, private_dirty = 0;
	unsigned long long total_rss = 0, total_dirty = 0; /* kB */
	unsigned long long offset = 0, inode = 0;
	unsigned major = 0, minor = 0;
	const char *name = NULL; /* -x: the area whose smaps block is being read */
	struct lines in;
	size_t len;
	char *text;

	printf("%u:   %s\n", (unsigned)t->tgid, t->cmdline);
	snprintf(path, sizeof(path), "/proc/%u/%s", (unsigned)t->tgid, opt.x || opt.X || opt.c ? "smaps" : "maps");
	text = slurp(path, &len);
	if (!text)
		return 1;
	if (opt.X || opt.c) {
		extended(text, len);
		free(text);
		return 0;
	}
	if (opt.x && !opt.q) {
		heading("Address", W_ADDR, 0);
		heading("Kbytes", W_KBYTES, 1);
		heading("RSS", W_RSS, 1);
		heading("Dirty", W_DIRTY, 1);
		heading("Mode", W_MODE, 0);
		heading("Mapping", 0, 0);
	}
	if (opt.d && !opt.q) {
		heading("Address", W_ADDR, 0);
		heading("Kbytes", W_KBYTES, 1);
		heading("Mode", W_MODE, 0);
		heading("Offset", W_OFFSET, 0);
		heading("Device", W_DEVICE, 0);
		heading("Mapping", 0, 0);
	}

	in = (struct lines){ text, text, text + len };
	while (next_line(&in, line, sizeof(line))) {
		char key[21], *s;
		unsigned long long value;

		/* smaps keys start upper case; area lines with a lower-case hex digit or a digit. */
		if (line[0] >= 'A' && line[0] <= 'Z') {
			if (sscanf(line, "%20[^:]: %llu", key, &value) != 2)
				continue;
			if (!strcmp(key, "Rss")) {
				rss = value;
				total_rss += value;
			} else if (!strcmp(key, "Shared_Dirty")) {
				shared_dirty = value;
				total_dirty += value;
			} else if (!strcmp(key, "Private_Dirty")) {
				private_dirty = value;
				total_dirty += value;
			} else if (!strcmp(key, "Swap")) {
				/* -x prints an area at its Swap line, the last field procps needs. */
				if (name)
					printf("%0*lx %*lu %*llu %*llu %*s %s\n", W_ADDR, start, W_KBYTES, size >> 10,
					       W_RSS, rss, W_DIRTY, private_dirty + shared_dirty, W_MODE, perms, name);
				rss = shared_dirty = private_dirty = 0;
				size = end = 0;
				perms[0] = '\0';
				name = NULL;
			}
			continue;
		}
		sscanf(line, "%lx-%lx %31s %llx %x:%x %llu", &start, &end, perms, &offset, &major, &minor, &inode);
		/* -A: areas ending at or below LOW are skipped, the first starting past HIGH ends the list. */
		if (end - 1 < opt.range_low)
			continue;
		if (opt.range_high < start)
			break;
		s = strchr(line, '\n');
		if (s)
			*s = '\0';
		for (s = line; *s; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
				*s = '?';
		size = end - start;
		if (perms[3] == 's')
			shared += size;
		if (perms[3] == 'p') {
			perms[3] = '-';
			if (perms[1] == 'w')
				private_rw += size;
			else
				private_ro += size;
		}
		/* Solaris's fifth Mode letter, 'R' for no swap reserved: always '-' here. */
		perms[4] = '-';
		perms[5] = '\0';
		name = mapping_name(t, start, size, line, major, minor, inode);
		if (opt.x)
			continue;
		if (opt.d)
			printf("%0*lx %*lu %*s %0*llx %03x:%05x %s\n", W_ADDR, start, W_KBYTES, size >> 10, W_MODE,
			       perms, W_OFFSET, offset, major, minor, name);
		else
			printf("%016lx %6luK %s %s\n", start, size >> 10, perms, name);
	}
	free(text);

	if (opt.q)
		return 0;
	if (opt.x) {
		heading("----------------", W_ADDR, 0);
		heading("-------", W_KBYTES, 1);
		heading("-------", W_RSS, 1);
		heading("-------", W_DIRTY, 1);
		putchar('\n');
		printf("%-*s ", W_ADDR, "total kB");
		printf("%*ld %*llu %*llu\n", W_KBYTES, (long)((shared + private_rw + private_ro) >> 10), W_RSS,
		       total_rss, W_DIRTY, total_dirty);
	} else if (opt.d) {
		printf("mapped: %ldK    writeable/private: %ldK    shared: %ldK\n",
		       (long)((shared + private_rw + private_ro) >> 10), (long)(private_rw >> 10),
		       (long)(shared >> 10));
	} else {
		printf(" total %16ldK\n", (long)((shared + private_rw + private_ro) >> 10));
	}
	return 0;
}

/* ---- the command line ---- */

/* -A LOW[,HIGH], hexadecimal; either may be left out ("-A ,HIGH"); one value is both. */
static void parse_range(const char *arg)
{
	char *buf = strdup(arg), *low, *high;

	if (!buf)
		errx_("%s: '%s'", "failed to parse argument", arg);
	low = buf;
	high = strchr(low, ',');
	if (high)
		*high++ = '\0';
	else
		high = low;
	if (low[0])
		opt.range_low = strtoul(low, &low, 16);
	if (high[0])
		opt.range_high = strtoul(high, &high, 16);
	if (*low || *high) {
		free(buf);
		errx_("%s: '%s'", "failed to parse argument", arg);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	static const struct gnu_option longopts[] = {
		{ "extended", GNU_NO_ARG, 'x' },  { "device", GNU_NO_ARG, 'd' },
		{ "quiet", GNU_NO_ARG, 'q' },	  { "range", GNU_REQUIRED_ARG, 'A' },
		{ "help", GNU_NO_ARG, 'h' },	  { "version", GNU_NO_ARG, 'V' },
		{ "read-rc", GNU_NO_ARG, 'c' },	  { "read-rc-from", GNU_REQUIRED_ARG, 'C' },
		{ "create-rc", GNU_NO_ARG, 'n' }, { "create-rc-to", GNU_REQUIRED_ARG, 'N' },
		{ "show-path", GNU_NO_ARG, 'p' }, { NULL, 0, 0 },
	};
	struct target *targets;
	struct gnu_getopt g;
	char *rc_file = NULL;
	int npids = 0, found = 0, ret = 0, c;
	int pids[PIDS_MAX];

	prog = argv[0] && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0] ? argv[0] : "pmap";
	procs_init();
	atexit(close_stdout);
	if (argc < 2)
		usage(stderr);
	if (gnu_getopt_init(&g, argc, argv, "xXrdqA:hVcC:nN:p", longopts))
		errx_("ERROR: memory allocation failed");
	while ((c = gnu_getopt(&g)) != -1) {
		switch (c) {
		case 'x':
			opt.x = 1;
			break;
		case 'X':
			opt.X++;
			break;
		case 'r':
			warnx_("option -r is ignored as SunOS compatibility");
			break;
		case 'd':
			opt.d = 1;
			break;
		case 'q':
			opt.q = 1;
			break;
		case 'A':
			parse_range(g.optarg);
			break;
		case 'h':
			usage(stdout);
		case 'V':
			/* procps says "pmap from procps-ng 4.0.2"; this is not procps. */
			printf("%s from Atlas (procps-ng 4.0.2 compatible)\n", prog);
			return EXIT_SUCCESS;
		case 'c':
			opt.c = 1;
			break;
		case 'C':
			opt.C = 1;
			rc_file = g.optarg;
			break;
		case 'n':
			opt.n = 1;
			break;
		case 'N':
			opt.N = 1;
			rc_file = g.optarg;
			break;
		case 'p':
			opt.showpath = 1;
			break;
		default:
			usage(stderr);
		}
	}

	if (opt.c + opt.C + opt.d + opt.n + opt.N + opt.x + !!opt.X > 1)
		errx_("options -c, -C, -d, -n, -N, -x, -X are mutually exclusive");
	if ((opt.n || opt.N) && (opt.q || opt.showpath))
		errx_("options -p, -q are mutually exclusive with -n, -N");
	if ((opt.n || opt.N) && g.noperands > 0)
		errx_("too many arguments");
	if (opt.N) {
		if (!rc_create(rc_file))
			errx_("couldn't create the rc file");
		warnx_("rc file successfully created, feel free to edit the content");
		return EXIT_SUCCESS;
	}
	if (opt.n) {
		int ok;

		rc_file = rc_default_file();
		if (!rc_file)
			return EXIT_FAILURE;
		ok = rc_create(rc_file);
		free(rc_file);
		if (!ok)
			errx_("couldn't create ~/.%src", prog);
		warnx_("~/.%src file successfully created, feel free to edit the content", prog);
		return EXIT_SUCCESS;
	}
	if (g.noperands < 1)
		errx_("argument missing");
	if (opt.C)
		opt.c = 1;
	if (opt.c) {
		if (!opt.C)
			rc_file = rc_default_file();
		if (!rc_file)
			return EXIT_FAILURE;
		if (!rc_read(rc_file)) {
			if (opt.C)
				errx_("couldn't read the rc file");
			warnx_("couldn't read ~/.%src", prog);
			return EXIT_FAILURE;
		}
	}

	/* PID or /proc/PID; a /proc/ path without a number is skipped, anything else is a usage error. */
	for (int i = 0; i < g.noperands; i++) {
		const char *arg = g.operands[i];
		unsigned long pid;
		char *end;

		if (!strncmp(arg, "/proc/", 6)) {
			arg += 6;
			if (*arg < '0' || *arg > '9')
				continue;
		}
		if (*arg < '0' || *arg > '9')
			usage(stderr);
		pid = strtoul(arg, &end, 0);
		if (pid < 1 || pid > 0x7fffffffUL || *end)
			usage(stderr);
		if (npids < PIDS_MAX)
			pids[npids] = (int)pid;
		npids++;
	}
	if (npids < 1 || npids > PIDS_MAX)
		errx_("library failed pids statistics");

	/* All of them first, as procps_pids_select() does; a PID not there is left out. */
	targets = calloc((size_t)npids, sizeof(*targets));
	if (!targets)
		errx_("ERROR: memory allocation failed");
	for (int i = 0; i < npids; i++)
		if (!select_pid(pids[i], &targets[found]))
			found++;
	for (int i = 0; i < found; i++) {
		ret |= one_proc(&targets[i]);
		free(targets[i].cmdline);
	}
	free(targets);
	free(g.operands);
	if (found < npids)
		ret |= 42;
	return ret;
}
