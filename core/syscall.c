/* SPDX-License-Identifier: MIT */
/*
 * syscall.c - the Linux x86-64 system-call ABI: number in RAX, arguments in
 * RDI, RSI, RDX, R10, R8, R9, result (or -errno) in RAX. Every user pointer
 * goes through uaccess; anything unknown returns -ENOSYS and is logged once
 * per number.
 */
#include "fbcon.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "proc.h"
#include "procfs.h"
#include "random.h"
#include "report.h"
#include "serial.h"
#include "sysguard.h"
#include "tsc.h"
#include "uaccess.h"
#include "x86.h"

/* Linux x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
enum {
	NR_read = 0,
	NR_write = 1,
	NR_open = 2,
	NR_close = 3,
	NR_lseek = 8,
	NR_mmap = 9,
	NR_mprotect = 10,
	NR_munmap = 11,
	NR_brk = 12,
	NR_ioctl = 16,
	NR_readv = 19,
	NR_writev = 20,
	NR_sched_yield = 24,
	NR_madvise = 28,
	NR_nanosleep = 35,
	NR_getpid = 39,
	NR_exit = 60,
	NR_uname = 63,
	NR_arch_prctl = 158,
	NR_gettid = 186,
	NR_set_tid_address = 218,
	NR_clock_gettime = 228,
	NR_exit_group = 231,
	NR_openat = 257,
	NR_getrandom = 318,
	NR_MAX_LOGGED = 512,
};

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define O_ACCMODE 3
#define O_RDONLY 0
#define AT_FDCWD (-100)
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_BOOTTIME 7
#define IOV_MAX 1024
#define IO_CHUNK 512
#define GETRANDOM_MAX (32U << 20)
#define PATH_MAX 256
#define NSEC_PER_SEC 1000000000ULL
#define SYSCALL_INSN_LEN 2 /* 0F 05 */
/* An output piece's text, escaped, stays under this (the rest of the record fits in the other ~200 bytes). */
#define OUTPUT_ESCAPED_MAX (JREC_MAX - 200)
/* Below this many bytes a piece fits whatever they are (6 characters each at worst). */
#define OUTPUT_SAFE (OUTPUT_ESCAPED_MAX / 6)

struct lx_iovec {
	uint64_t base, len;
};

struct lx_timespec {
	int64_t sec, nsec;
};

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static uint64_t logged_unknown[NR_MAX_LOGGED / 64];

static struct fdesc *fd_get(struct proc *p, uint64_t fd)
{
	return fd < PROC_FDS && p->fd[fd].kind != FD_NONE ? &p->fd[fd] : NULL;
}

/* One {"rec":"output"} with what is held (the bytes as they are: NUL and non-UTF-8 escaped). */
static void emit_output(struct proc *p)
{
	struct jrec r;

	jrec_begin(&r, "output");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_strn(&r, "text", p->out, p->out_len);
	report_emit(&r);
	p->out_len = 0;
}

void proc_flush_output(struct proc *p)
{
	if (p->out_len)
		emit_output(p);
}

/*
 * With report=json the console carries only records, so a program's output
 * is cut into lines and each becomes {"rec":"output"} (long lines in pieces).
 */
static void json_output(struct proc *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			emit_output(p); /* an empty line is still a line */
			continue;
		}
		p->out[p->out_len++] = s[i];
		/* A piece must fit a record escaped: binary bytes take 6 characters each. */
		if (p->out_len == sizeof(p->out) - 1 ||
		    (p->out_len >= OUTPUT_SAFE && jrec_strn_size(p->out, p->out_len) > OUTPUT_ESCAPED_MAX))
			proc_flush_output(p);
	}
}

/* Console output, through a kernel bounce buffer. */
static long write_console(struct proc *p, uint64_t ubuf, uint64_t len)
{
	char chunk[IO_CHUNK];
	uint64_t done = 0;

	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		if (copy_from_user(chunk, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		if (report_human())
			console_write(chunk, n);
		else
			json_output(p, chunk, n);
		done += n;
	}
	return (long)done;
}

static long sys_write(struct proc *p, uint64_t fd, uint64_t buf, uint64_t len)
{
	struct fdesc *f = fd_get(p, fd);

	if (!f)
		return -EBADF;
	if (f->kind != FD_CONSOLE)
		return -EBADF; /* stdin and /proc snapshots are read-only */
	return write_console(p, buf, len);
}

static long sys_read(struct proc *p, uint64_t fd, uint64_t buf, uint64_t len)
{
	struct fdesc *f = fd_get(p, fd);
	size_t n;

	if (!f)
		return -EBADF;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	if (f->kind == FD_STDIN)
		return 0; /* no keyboard yet: end of file */
	if (f->kind != FD_MEMFILE)
		return -EBADF;
	n = f->pos < f->size ? f->size - f->pos : 0;
	if (n > len)
		n = len;
	if (copy_to_user(buf, f->data + f->pos, n))
		return -EFAULT;
	f->pos += n;
	return (long)n;
}

/* readv and writev: the same loop over struct iovec with read or write. */
static long sys_rwv(struct proc *p, uint64_t fd, uint64_t uiov, uint64_t cnt, int writing)
{
	long total = 0;

	if (!fd_get(p, fd))
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		struct lx_iovec v;
		long r;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		r = writing ? sys_write(p, fd, v.base, v.len) : sys_read(p, fd, v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if (!writing && (uint64_t)r < v.len)
			break; /* short read: end of file */
	}
	return total;
}

/* Render /proc/self/maps or /proc/self/status into a fresh snapshot. */
static char *proc_file(struct proc *p, const char *name, size_t *size)
{
	struct proc_status st;
	size_t need;
	char *buf;

	memset(&st, 0, sizeof(st));
	st.name = p->name;
	st.pid = p->pid;
	st.state = 'R';
	st.threads = 1;
	/* Only status needs the resident counts, which cost a walk over every page. */
	if (strcmp(name, "maps"))
		uvm_status(&p->uvm, &st);
	need = !strcmp(name, "maps") ? procfs_maps(p->uvm.vmas, NULL, 0) : procfs_status(&st, NULL, 0);
	buf = kmalloc(need + 1);
	if (!buf)
		return NULL;
	if (!strcmp(name, "maps"))
		procfs_maps(p->uvm.vmas, buf, need + 1);
	else
		procfs_status(&st, buf, need + 1);
	*size = need;
	return buf;
}

static long sys_openat(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t flags)
{
	char path[PATH_MAX], pidself[32];
	const char *leaf = NULL;
	long len;

	if (dirfd != AT_FDCWD)
		return -EBADF;
	len = strncpy_from_user(path, upath, sizeof(path));
	if (len < 0)
		return len;
	ksnprintf(pidself, sizeof(pidself), "/proc/%d/", p->pid);
	if (!strncmp(path, "/proc/self/", 11))
		leaf = path + 11;
	else if (!strncmp(path, pidself, strlen(pidself)))
		leaf = path + strlen(pidself);
	if (!leaf || (strcmp(leaf, "maps") && strcmp(leaf, "status")))
		return -ENOENT; /* the only files there are */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	for (int fd = 0; fd < PROC_FDS; fd++) {
		if (p->fd[fd].kind != FD_NONE)
			continue;
		p->fd[fd].data = proc_file(p, leaf, &p->fd[fd].size);
		if (!p->fd[fd].data)
			return -ENOMEM;
		p->fd[fd].kind = FD_MEMFILE;
		p->fd[fd].pos = 0;
		return fd;
	}
	return -EMFILE;
}

static long sys_close(struct proc *p, uint64_t fd)
{
	struct fdesc *f = fd_get(p, fd);

	if (!f)
		return -EBADF;
	kfree(f->data);
	memset(f, 0, sizeof(*f));
	return 0;
}

static long sys_lseek(struct proc *p, uint64_t fd, int64_t off, uint64_t whence)
{
	struct fdesc *f = fd_get(p, fd);
	int64_t base;

	if (!f)
		return -EBADF;
	if (f->kind != FD_MEMFILE)
		return -ESPIPE;
	base = whence == SEEK_SET ? 0 :
	       whence == SEEK_CUR ? (int64_t)f->pos :
	       whence == SEEK_END ? (int64_t)f->size :
				    -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (size_t)(base + off);
	return (long)f->pos;
}

static uint64_t now_ns(void)
{
	return tsc_to_ns(rdtsc());
}

static long sys_clock_gettime(uint64_t clk, uint64_t uts)
{
	uint64_t ns = now_ns();
	struct lx_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	/* No RTC reading yet: CLOCK_REALTIME counts from boot like the monotonic clocks. */
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_MONOTONIC_RAW && clk != CLOCK_BOOTTIME)
		return -EINVAL;
	return copy_to_user(uts, &ts, sizeof(ts));
}

static long sys_nanosleep(uint64_t ureq)
{
	struct lx_timespec ts;
	uint64_t ticks, hz = tsc_hz(), now;

	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	/* sec * hz can overflow for any sec past ~5.8e9 / GHz: such a sleep lasts for ever, it does not wrap. */
	if (hz && (uint64_t)ts.sec > UINT64_MAX / hz)
		ticks = UINT64_MAX;
	else
		ticks = (uint64_t)ts.sec * hz + (uint64_t)ts.nsec * hz / NSEC_PER_SEC;
	now = rdtsc();
	proc_sleep_until(ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks);
	return 0;
}

static long sys_uname(uint64_t ubuf)
{
	struct lx_utsname u;

	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, "Atlas", sizeof(u.sysname));
	kstrlcpy(u.nodename, "atlas", sizeof(u.nodename));
	kstrlcpy(u.release, "0.1", sizeof(u.release));
	kstrlcpy(u.version, "Atlas bare-metal UEFI kernel", sizeof(u.version));
	kstrlcpy(u.machine, "x86_64", sizeof(u.machine));
	kstrlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u));
}

static long sys_arch_prctl(struct proc *p, uint64_t code, uint64_t addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (!user_range_ok(addr, 0) || addr >= USER_END)
			return -EPERM;
		p->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &p->fs_base, sizeof(p->fs_base));
	default:
		return -EINVAL;
	}
}

static long sys_getrandom(uint64_t ubuf, uint64_t len)
{
	uint8_t chunk[64];
	uint64_t done = 0;

	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		random_fill(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/* Unknown numbers: -ENOSYS, said once per number (numbers past NR_MAX_LOGGED share one slot). */
static long unknown(uint64_t nr)
{
	struct proc *p = proc_current();
	uint64_t slot = nr < NR_MAX_LOGGED ? nr : NR_MAX_LOGGED - 1;
	struct jrec r;

	if (logged_unknown[slot / 64] & (1ULL << (slot % 64)))
		return -ENOSYS;
	logged_unknown[slot / 64] |= 1ULL << (slot % 64);
	if (report_human())
		kprintf("syscall %llu (from %s, pid %d) is not implemented: -ENOSYS\n", (unsigned long long)nr, p->name,
			p->pid);
	jrec_begin(&r, "enosys");
	jrec_u64(&r, "nr", nr);
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	report_emit(&r);
	return -ENOSYS;
}

void syscall_dispatch(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	uint64_t nr = tf->rax, a0 = tf->rdi, a1 = tf->rsi, a2 = tf->rdx, a3 = tf->r10, a4 = tf->r8;
	long r;

	p->syscalls++;
	sysguard_enter(p, nr);
	switch (nr) {
	case NR_read:
		r = sys_read(p, a0, a1, a2);
		break;
	case NR_write:
		r = sys_write(p, a0, a1, a2);
		break;
	case NR_open:
		r = sys_openat(p, AT_FDCWD, a0, a1);
		break;
	case NR_openat:
		r = sys_openat(p, (int64_t)a0, a1, a2);
		break;
	case NR_close:
		r = sys_close(p, a0);
		break;
	case NR_lseek:
		r = sys_lseek(p, a0, (int64_t)a1, a2);
		break;
	case NR_mmap:
		/* A file mapping of a descriptor that is not open is -EBADF before anything else, as in Linux. */
		r = !((int)a3 & LX_MAP_ANONYMOUS) && !fd_get(p, a4) ? -EBADF :
								      uvm_mmap(&p->uvm, a0, a1, (int)a2, (int)a3);
		break;
	case NR_mprotect:
		r = uvm_mprotect(&p->uvm, a0, a1, (int)a2);
		break;
	case NR_munmap:
		r = uvm_munmap(&p->uvm, a0, a1);
		break;
	case NR_madvise:
		r = uvm_madvise(&p->uvm, a0, a1, (int)a2);
		break;
	case NR_brk:
		r = (long)uvm_brk(&p->uvm, a0);
		break;
	case NR_ioctl:
		r = fd_get(p, a0) ? -ENOTTY : -EBADF;
		break; /* TIOCGWINSZ too: no terminal */
	case NR_readv:
		r = sys_rwv(p, a0, a1, a2, 0);
		break;
	case NR_writev:
		r = sys_rwv(p, a0, a1, a2, 1);
		break;
	case NR_sched_yield:
		proc_yield();
		r = 0;
		break;
	case NR_nanosleep:
		r = sys_nanosleep(a0);
		break;
	case NR_getpid:
	case NR_gettid:
		r = p->pid;
		break;
	case NR_exit:
	case NR_exit_group:
		proc_exit((int)(a0 & 0xff));
	case NR_uname:
		r = sys_uname(a0);
		break;
	case NR_arch_prctl:
		r = sys_arch_prctl(p, a0, a1);
		break;
	case NR_set_tid_address:
		p->clear_tid = a0;
		r = p->pid;
		break;
	case NR_clock_gettime:
		r = sys_clock_gettime(a0, a1);
		break;
	case NR_getrandom:
		r = sys_getrandom(a0, a1);
		break;
	default:
		r = unknown(nr);
	}
	tf->rax = (uint64_t)r;
	sysguard_exit(p, tf); /* the watchdog; an out-of-memory kill does not return */
	/*
	 * SYSCALL from the last bytes of the user half leaves RCX at USER_END,
	 * which is not canonical: ret_to_user would take IRETQ, and IRETQ raises
	 * #GP in ring 0 for it on real CPUs. Linux answers with SIGSEGV; so do we.
	 */
	if (tf->rip >= USER_END) {
		uint64_t ret = tf->rip;

		tf->rip -= SYSCALL_INSN_LEN; /* report the SYSCALL instruction, and where it would return to */
		ufault_kill(tf, SIGSEGV, ret, "return to a non-canonical address");
	}
}
