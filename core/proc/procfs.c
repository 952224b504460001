/* SPDX-License-Identifier: MIT */
/*
 * procfs.c - a process's memory as Linux shows it: /proc/PID/maps,
 * /proc/PID/status and procps-ng's `pmap -x`. Pure formatting over a VMA list
 * (include/vma.h) and the RSS / dirty counts the caller reads from the page
 * tables; nothing here allocates or touches page tables.
 *
 * Every function writes like snprintf: never past size, always terminated
 * when size > 0, and returns the length the whole text needs.
 *
 * Where the output follows Linux or procps and why:
 *   - maps: fs/proc/task_mmu.c show_vma_header_prefix() + show_map_vma():
 *     "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " then, for a named area,
 *     seq_pad() to 25 + 6 * sizeof(void *) - 1 = 72 characters and one more
 *     space, so the name starts at column 74 (1-based) whatever the width of
 *     the addresses. Linux prints offset 0 for areas without a file, so only
 *     VMA_IMAGE shows v->offset. A '\n' in a path is written "\012", as
 *     seq_file_path(m, file, "\n") does.
 *   - pmap -x: procps-ng 4.0 src/pmap.c one_proc(): "%u:   %s" header, the
 *     columns "%016lx %7lu %7llu %7llu %5s %s", Mode is the maps perms with
 *     'p' turned into '-' plus a fifth '-', the mapping is the basename of a
 *     path, else "  [ stack ]" for the area holding the stack, else
 *     "  [ anon ]" -- the heap included (procps only names [heap] with -k).
 *     Kbytes is the size >> 10; RSS and Dirty are per area in kB, truncated
 *     as the kernel's smaps does (value >> 10), and totalled as those kB
 *     values. The separator line ends with a space, as procps prints it.
 *   - status: fs/proc/array.c proc_pid_status() + task_mem(): "Key:\tvalue",
 *     sizes "%8lu kB", the fields in Linux's relative order. The name is comm,
 *     at most 15 characters, with '\n' and '\\' escaped as proc_task_name()
 *     does.
 */
#include <stdarg.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "paging.h"
#include "procfs.h"
#include "procfs_sys.h"

/* seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) in show_vma_header_prefix(). */
#define MAPS_PAD 72
/* TASK_COMM_LEN - 1 */
#define COMM_MAX 15

/* A path as seq_file_path(m, file, "\n") prints it: '\n' becomes "\012". */
static void put_path(struct kbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			kbuf_putc(o, '\\');
			kbuf_putc(o, (char)('0' + ((c >> 6) & 7)));
			kbuf_putc(o, (char)('0' + ((c >> 3) & 7)));
			kbuf_putc(o, (char)('0' + (c & 7)));
		} else {
			kbuf_putc(o, (char)c);
		}
	}
}

static size_t name_len(const struct vma *v)
{
	return strnlen(v->name, sizeof(v->name));
}

static const char *kind_name(enum vma_kind k)
{
	switch (k) {
	case VMA_HEAP:
		return "[heap]";
	case VMA_STACK:
		return "[stack]";
	case VMA_IMAGE: /* has its own name; not reached */
	case VMA_ANON:
	default:
		return "[anon]";
	}
}

/* At least 8 lowercase hex digits of x (more when x needs them), as "%08lx" prints it, at p. Returns the end. */
static char *put_hex8(char *p, uint64_t x)
{
	static const char digits[] = "0123456789abcdef";
	int n = x >> 32 ? (64 - __builtin_clzll(x) + 3) / 4 : 8;

	for (int i = n - 1; i >= 0; i--, x >>= 4)
		p[i] = digits[x & 15];
	return p + n;
}

/*
 * One maps line for v at p, which has room for PROCFS_MAPS_LINE_MAX bytes;
 * returns its end (no terminator). Formatted by hand, not by kvsnprintf:
 * /proc/PID/maps is read often (every pmap, every libc's pthread_getattr_np)
 * and a format parser per field cost ~8,000 cycles a line under TCG.
 */
char *procfs_maps_put(char *p, const struct vma *v)
{
	char *line = p;

	p = put_hex8(p, v->start);
	*p++ = '-';
	p = put_hex8(p, v->end);
	*p++ = ' ';
	*p++ = v->prot & VM_READ ? 'r' : '-';
	*p++ = v->prot & VM_WRITE ? 'w' : '-';
	*p++ = v->prot & VM_EXEC ? 'x' : '-';
	*p++ = 'p';
	*p++ = ' ';
	p = put_hex8(p, v->kind == VMA_IMAGE ? v->offset : 0);
	__builtin_memcpy(p, " 00:00 0 ", 9);
	p += 9;
	/* seq_pad(m, ' '): fill up to the width, then one space. */
	while (p - line < MAPS_PAD)
		*p++ = ' ';
	*p++ = ' ';
	if (v->kind == VMA_IMAGE) {
		/* seq_file_path(m, file, "\n"): a '\n' in the path is written "\012". */
		for (size_t i = 0, n = name_len(v); i < n; i++) {
			if (v->name[i] == '\n') {
				__builtin_memcpy(p, "\\012", 4);
				p += 4;
			} else {
				*p++ = v->name[i];
			}
		}
	} else {
		const char *s = kind_name(v->kind);

		while (*s)
			*p++ = *s++;
	}
	*p++ = '\n';
	return p;
}

_Static_assert(16 + 1 + 16 + 6 + 16 + 9 <= MAPS_PAD, "a maps line's fields fit before the name's column");
_Static_assert(MAPS_PAD + 1 + 4 * VMA_NAME + 1 <= PROCFS_MAPS_LINE_MAX, "PROCFS_MAPS_LINE_MAX holds any maps line");

size_t procfs_maps(const struct vma_list *l, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };
	char line[PROCFS_MAPS_LINE_MAX];

	for (const struct vma *v = l ? vma_first(l) : NULL; v; v = vma_next(v)) {
		size_t n = (size_t)(procfs_maps_put(line, v) - line);

		if (o.len + n < o.size) {
			__builtin_memcpy(o.buf + o.len, line, n);
			o.len += n;
		} else {
			kbuf_write(&o, line, n);
		}
	}
	return kbuf_end(&o);
}

size_t procfs_maps_line(const struct vma *v, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };
	char line[PROCFS_MAPS_LINE_MAX];

	kbuf_write(&o, line, (size_t)(procfs_maps_put(line, v) - line));
	return kbuf_end(&o);
}

/* The Mapping column of pmap -x, see mapping_name() in procps src/pmap.c. */
static void pmap_name(struct kbuf *o, const struct vma *v)
{
	const char *s = v->name;
	size_t len = name_len(v), base = 0;

	if (v->kind == VMA_STACK) {
		kbuf_write(o, "  [ stack ]", 11);
		return;
	}
	if (v->kind != VMA_IMAGE) {
		/* [heap] has no '/' either: procps shows it as anonymous memory. */
		kbuf_write(o, "  [ anon ]", 10);
		return;
	}
	/*
	 * The part after the last '/', or that '/' itself when nothing follows.
	 * Linux always prints an absolute path; a name without any '/' is
	 * shown whole, as its basename.
	 */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '/')
			base = i + 1 < len ? i + 1 : i;
	}
	put_path(o, s + base, len - base);
}

static void pmap_header(struct kbuf *o, int pid, const char *cmdline)
{
	kbuf_printf(o, "%u:   %s\n", (unsigned)pid, cmdline ? cmdline : "");
	/* justify_print(): "%-16.16s ", three "%7.7s ", "%-5.5s ", then puts("Mapping"). */
	kbuf_printf(o, "%-16s %7s %7s %7s %-5s %s\n", "Address", "Kbytes", "RSS", "Dirty", "Mode", "Mapping");
}

static void pmap_row(struct kbuf *o, const struct vma *v, const struct vma_usage *u, struct pmap_totals *t)
{
	uint64_t rss_kb = u->rss >> 10, dirty_kb = u->dirty >> 10;
	char mode[6];

	t->bytes += v->end - v->start;
	t->rss_kb += rss_kb;
	t->dirty_kb += dirty_kb;
	mode[0] = v->prot & VM_READ ? 'r' : '-';
	mode[1] = v->prot & VM_WRITE ? 'w' : '-';
	mode[2] = v->prot & VM_EXEC ? 'x' : '-';
	mode[3] = '-'; /* 'p' (private) becomes '-'; shared would stay 's' */
	mode[4] = '-'; /* procps's 'R' (no swap reserved) column, always '-' */
	mode[5] = '\0';
	kbuf_printf(o, "%016llx %7llu %7llu %7llu %5s ", (unsigned long long)v->start,
		    (unsigned long long)((v->end - v->start) >> 10), (unsigned long long)rss_kb,
		    (unsigned long long)dirty_kb, mode);
	pmap_name(o, v);
	kbuf_putc(o, '\n');
}

static void pmap_total(struct kbuf *o, const struct pmap_totals *t)
{
	/* Four justify_print()s, each followed by a space, then "\n". */
	kbuf_printf(o, "%-16s %7s %7s %7s \n", "----------------", "-------", "-------", "-------");
	kbuf_printf(o, "%-16s %7llu %7llu %7llu\n", "total kB", (unsigned long long)(t->bytes >> 10),
		    (unsigned long long)t->rss_kb, (unsigned long long)t->dirty_kb);
}

size_t procfs_pmap_x(const struct vma_list *l, int pid, const char *cmdline, vma_usage_fn usage, void *ctx, char *buf,
		     size_t size)
{
	struct kbuf o = { buf, size, 0 };
	struct pmap_totals t = { 0, 0, 0 };

	pmap_header(&o, pid, cmdline);
	for (const struct vma *v = l ? vma_first(l) : NULL; v; v = vma_next(v)) {
		struct vma_usage u = { 0, 0 };

		if (usage)
			usage(v, &u, ctx);
		pmap_row(&o, v, &u, &t);
	}
	pmap_total(&o, &t);
	return kbuf_end(&o);
}

size_t procfs_pmap_header(int pid, const char *cmdline, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	pmap_header(&o, pid, cmdline);
	return kbuf_end(&o);
}

size_t procfs_pmap_row(const struct vma *v, const struct vma_usage *u, struct pmap_totals *t, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	pmap_row(&o, v, u, t);
	return kbuf_end(&o);
}

size_t procfs_pmap_total(const struct pmap_totals *t, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	pmap_total(&o, t);
	return kbuf_end(&o);
}

/* fs/proc/array.c task_state_array, by its letter. */
static const char *state_name(char c)
{
	switch (c) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'D':
		return "D (disk sleep)";
	case 'T':
		return "T (stopped)";
	case 't':
		return "t (tracing stop)";
	case 'X':
		return "X (dead)";
	case 'Z':
		return "Z (zombie)";
	case 'P':
		return "P (parked)";
	case 'I':
		return "I (idle)";
	default:
		return NULL;
	}
}

/* seq_put_decimal_ull_width(m, " kB\n<Key>:\t", bytes >> 10, 8) in task_mem(). */
static void kb_line(struct kbuf *o, const char *key, uint64_t bytes)
{
	kbuf_printf(o, "%s:\t%8llu kB\n", key, (unsigned long long)(bytes >> 10));
}

size_t procfs_status(const struct proc_status *st, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };
	const char *name, *state;
	size_t len;

	if (!st)
		return kbuf_end(&o);
	name = st->name ? st->name : "";
	len = strnlen(name, COMM_MAX);
	state = state_name(st->state);
	/* proc_task_name(): seq_escape_str(m, tcomm, ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\"). */
	kbuf_write(&o, "Name:\t", 6);
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '\n') {
			kbuf_write(&o, "\\n", 2);
		} else if (name[i] == '\\') {
			kbuf_write(&o, "\\\\", 2);
		} else {
			kbuf_putc(&o, name[i]);
		}
	}
	kbuf_putc(&o, '\n');
	kbuf_printf(&o, "Umask:\t%04o\n", st->umask);
	if (state)
		kbuf_printf(&o, "State:\t%s\n", state);
	else
		kbuf_printf(&o, "State:\t%c (unknown)\n", st->state ? st->state : '?');
	kbuf_printf(&o, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", st->tgid ? st->tgid : st->pid,
		    st->pid, st->ppid);
	/* One user: root everywhere; no supplementary groups. */
	kbuf_printf(&o, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\nGroups:\t\n", st->fdsize);
	kbuf_printf(&o, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", st->tgid ? st->tgid : st->pid, st->pid,
		    st->pgid, st->sid);
	/* proc_pid_status(): task_mem, task_core_dumping and task_thp_status only when the task has an mm. */
	if (st->has_mm) {
		kb_line(&o, "VmPeak", st->vm_peak);
		kb_line(&o, "VmSize", st->vm_size);
		kb_line(&o, "VmLck", 0);
		kb_line(&o, "VmPin", 0);
		kb_line(&o, "VmHWM", st->vm_hwm);
		kb_line(&o, "VmRSS", st->vm_rss);
		kb_line(&o, "RssAnon", st->rss_anon);
		kb_line(&o, "RssFile", st->rss_file);
		kb_line(&o, "RssShmem", 0);
		kb_line(&o, "VmData", st->vm_data);
		kb_line(&o, "VmStk", st->vm_stk);
		kb_line(&o, "VmExe", st->vm_exe);
		kb_line(&o, "VmLib", 0);
		kb_line(&o, "VmPTE", st->vm_pte);
		kb_line(&o, "VmSwap", 0);
		kb_line(&o, "HugetlbPages", 0);
		kbuf_printf(&o, "CoreDumping:\t0\nTHP_enabled:\t0\n");
	}
	kbuf_printf(&o, "Threads:\t%d\nSigQ:\t0/1024\n", st->threads);
	kbuf_printf(&o, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		    (unsigned long long)st->sig_pnd, (unsigned long long)st->shd_pnd, (unsigned long long)st->sig_blk,
		    (unsigned long long)st->sig_ign, (unsigned long long)st->sig_cgt);
	/* Root's capabilities, all 41 of Linux 6.1 (CAP_LAST_CAP 40). */
	kbuf_printf(&o, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
			"CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n");
	kbuf_printf(&o, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", st->no_new_privs);
	kbuf_printf(&o, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	kbuf_printf(&o, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
		    (unsigned long long)st->voluntary, (unsigned long long)st->nonvoluntary);
	return kbuf_end(&o);
}
