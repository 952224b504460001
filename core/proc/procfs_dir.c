/* SPDX-License-Identifier: MIT */
/*
 * procfs_dir.c - /proc as a file system: directories and links made on
 * lookup, files whose text is generated when they are opened (a snapshot
 * each open, as seq_file gives on Linux for files this small), in the
 * formats of core/proc/procfs.c and procfs_sys.c.
 *
 *   /proc                 meminfo cpuinfo uptime loadavg stat version filesystems
 *                         mounts iomem ioports self thread-self sys/ PID...
 *   /proc/sys/kernel      randomize_va_space (read and written, as sysctl does)
 *   /proc/PID             auxv cmdline comm cwd environ exe fd/ maps mounts root smaps
 *                         smaps_rollup stat statm status task/
 *   /proc/PID/task/TID    the same, for each thread (stat, status and comm are the
 *                         thread's own: its tid, state, signals, times, name)
 *   /proc/TID             any thread's /proc/PID/task/TID, found by lookup only
 *                         (Linux's hidden thread directories: pmap TID, kill)
 *
 * exe, cwd, root and fd/N are "magic" links: readlink gives a path, but a
 * walk through them lands on the inode itself (inode_ops.get_link), so
 * /proc/self/exe opens the running program even if its name is gone.
 *
 * Inode numbers: 1 the root, 2.. the system files, and for a process
 * (pid << 20) | (kind << 16) | index, so ls -i and find see stable numbers.
 */
#include "procfs_dir.h"
#include "aslr.h"
#include "cpu.h"
#include "devfs.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktime.h"
#include "kvm.h"
#include "pageref.h"
#include "pipe.h"
#include "pmm.h"
#include "proc.h"
#include "procfs.h"
#include "procfs_sys.h"
#include "ramfs.h"
#include "sched.h"
#include "tsc.h"
#include "tty.h"
#include "vfs.h"
#include "x86.h"

#define PROC_SUPER_MAGIC 0x9fa0UL
#define PROCFS_DEV MKDEV(0, 20)
#define PID_COOKIE 0x100000ULL	/* getdents offsets of pid directories: this + pid */
#define PF_RANDOMIZE 0x00400000 /* /proc/PID/stat flags: Linux sets it when exec randomized the layout */

enum kind {
	K_ROOT,
	K_SYSFILE, /* index: sysfiles[] */
	K_SELF,	   /* /proc/self, /proc/thread-self */
	K_PIDDIR,  /* index: tid for task/TID, 0 for the process */
	K_PIDFILE, /* index: pidents[] */
	K_FDDIR,
	K_FDLINK, /* index: the descriptor */
	K_TASKDIR,
	K_SYSDIR, /* index: 0 for /proc/sys, 1 + i for /proc/sys/sysctl_dirs[i] */
	K_SYSCTL, /* index: sysctls[] */
};

/* /proc/sys: the kernel parameters Atlas has, as sysctl(8) reads and writes them. */
static const char *const sysctl_dirs[] = { "kernel" };
static const struct {
	unsigned dir; /* sysctl_dirs[] */
	const char *name;
	long (*show)(char *buf, size_t size);	    /* the text, as ksnprintf: its length */
	int (*store)(const char *text, size_t len); /* NULL: read-only */
} sysctls[] = {
	{ 0, "randomize_va_space", aslr_sysctl_show, aslr_sysctl_store },
};
#define SYSCTL_WRITE_MAX 64 /* a value written at once; longer writes are -EINVAL */

enum pident {
	P_AUXV,
	P_CMDLINE,
	P_COMM,
	P_CWD,
	P_ENVIRON,
	P_EXE,
	P_FD,
	P_MAPS,
	P_MOUNTS,
	P_ROOT,
	P_SMAPS,
	P_SMAPS_ROLLUP,
	P_STAT,
	P_STATM,
	P_STATUS,
	P_TASK,
	P_COUNT
};

static const struct {
	const char *name;
	unsigned mode;
} pidents[P_COUNT] = {
	[P_AUXV] = { "auxv", S_IFREG | 0400 },	     [P_CMDLINE] = { "cmdline", S_IFREG | 0444 },
	[P_COMM] = { "comm", S_IFREG | 0644 },	     [P_CWD] = { "cwd", S_IFLNK | 0777 },
	[P_ENVIRON] = { "environ", S_IFREG | 0400 }, [P_EXE] = { "exe", S_IFLNK | 0777 },
	[P_FD] = { "fd", S_IFDIR | 0500 },	     [P_MAPS] = { "maps", S_IFREG | 0444 },
	[P_MOUNTS] = { "mounts", S_IFREG | 0444 },   [P_ROOT] = { "root", S_IFLNK | 0777 },
	[P_SMAPS] = { "smaps", S_IFREG | 0444 },     [P_SMAPS_ROLLUP] = { "smaps_rollup", S_IFREG | 0444 },
	[P_STAT] = { "stat", S_IFREG | 0444 },	     [P_STATM] = { "statm", S_IFREG | 0444 },
	[P_STATUS] = { "status", S_IFREG | 0444 },   [P_TASK] = { "task", S_IFDIR | 0555 },
};

enum sysfile {
	S_CMDLINE,
	S_CPUINFO,
	S_FILESYSTEMS,
	S_IOMEM,
	S_IOPORTS,
	S_LOADAVG,
	S_MEMINFO,
	S_MOUNTS,
	S_STAT,
	S_UPTIME,
	S_VERSION,
	S_COUNT
};

static const char *const sysfiles[S_COUNT] = {
	[S_CMDLINE] = "cmdline", [S_CPUINFO] = "cpuinfo", [S_FILESYSTEMS] = "filesystems", [S_IOMEM] = "iomem",
	[S_IOPORTS] = "ioports", [S_LOADAVG] = "loadavg", [S_MEMINFO] = "meminfo",	   [S_MOUNTS] = "mounts",
	[S_STAT] = "stat",	 [S_UPTIME] = "uptime",	  [S_VERSION] = "version",
};

static struct super procfs = { .type = "proc", .source = "proc", .dev = PROCFS_DEV, .magic = PROC_SUPER_MAGIC };
static const struct inode_ops dir_iops, file_iops, link_iops, self_iops, sysctl_iops;
static const struct file_ops dir_fops, file_fops, sysctl_fops;
static procfs_text_fn extra_text[S_COUNT];

void procfs_set_text(const char *name, procfs_text_fn fn)
{
	for (int i = 0; i < S_COUNT; i++)
		if (!strcmp(sysfiles[i], name))
			extra_text[i] = fn;
}

/* priv2: kind (8 bits) | index (24 bits) | pid (32 bits). */
static uint64_t enc(enum kind k, unsigned index, int pid)
{
	return (uint64_t)k << 56 | (uint64_t)(index & 0xFFFFFF) << 32 | (uint32_t)pid;
}

static enum kind kind_of(const struct inode *i)
{
	return (enum kind)(i->priv2 >> 56);
}

static unsigned index_of(const struct inode *i)
{
	return (unsigned)(i->priv2 >> 32) & 0xFFFFFF;
}

static int pid_of(const struct inode *i)
{
	return (int)(uint32_t)i->priv2;
}

static uint64_t ino_of(enum kind k, unsigned index, int pid)
{
	if (k == K_ROOT)
		return 1;
	if (k == K_SYSFILE)
		return 2 + index;
	if (k == K_SELF)
		return 2 + S_COUNT + index;
	return (uint64_t)pid << 20 | (uint64_t)k << 16 | (index & 0xFFFF);
}

/* A fresh inode for an entry; its parent (a directory of ours) is referenced by it. */
static struct inode *make(enum kind k, unsigned index, int pid, unsigned mode, struct inode *parent)
{
	struct inode *i = inode_new(NULL, mode);

	if (!i)
		return NULL;
	i->sb = &procfs;
	i->ino = ino_of(k, index, pid);
	i->priv2 = enc(k, index, pid);
	i->nlink = S_ISDIR(mode) ? 2 : 1;
	i->iop = S_ISDIR(mode) ? &dir_iops :
		 S_ISLNK(mode) ? (k == K_SELF ? &self_iops : &link_iops) :
		 k == K_SYSCTL ? &sysctl_iops :
				 &file_iops;
	i->fop = S_ISDIR(mode) ? &dir_fops : S_ISLNK(mode) ? NULL : k == K_SYSCTL ? &sysctl_fops : &file_fops;
	i->parent = parent ? inode_get(parent) : i;
	return i;
}

static void evict(struct inode *i)
{
	if (i->parent && i->parent != i)
		inode_put(i->parent);
}

static struct proc *proc_of(const struct inode *i)
{
	return proc_find(pid_of(i), 1);
}

/* ---- lookup ---- */

static int parse_num(const char *name, size_t len, int *out)
{
	int v = 0;

	if (!len || len > 9 || (name[0] == '0' && len > 1))
		return -ENOENT;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -ENOENT;
		v = v * 10 + (name[i] - '0');
	}
	*out = v;
	return 0;
}

static int is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(name, s, len);
}

static struct thread *find_tid(struct proc *p, int tid)
{
	for (struct thread *t = p->threads; t; t = t->next_in_proc)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The process whose live thread has id tid, or NULL. */
static struct proc *proc_of_tid(int tid)
{
	for (struct proc *q = proc_first(); q; q = q->next_all) {
		struct thread *t = find_tid(q, tid);

		if (t && t->state != T_DEAD)
			return q;
	}
	return NULL;
}

static int p_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct proc *p = NULL;
	struct inode *i = NULL;
	int pid = pid_of(dir), n;

	switch (kind_of(dir)) {
	case K_ROOT:
		for (int s = 0; s < S_COUNT; s++)
			if (is(name, len, sysfiles[s]))
				i = make(K_SYSFILE, (unsigned)s, 0, S_IFREG | 0444, dir);
		if (!i && (is(name, len, "self") || is(name, len, "thread-self")))
			i = make(K_SELF, is(name, len, "self") ? 0 : 1, 0, S_IFLNK | 0777, dir);
		if (!i && is(name, len, "sys"))
			i = make(K_SYSDIR, 0, 0, S_IFDIR | 0555, dir);
		if (!i && !parse_num(name, len, &n) && proc_find(n, 1))
			i = make(K_PIDDIR, 0, n, S_IFDIR | 0555, dir);
		/* Any thread's id opens, as Linux's /proc/TID (left out of readdir): its /proc/PID/task/TID. */
		if (!i && !parse_num(name, len, &n) && (p = proc_of_tid(n)))
			i = make(K_PIDDIR, (unsigned)n, p->pid, S_IFDIR | 0555, dir);
		break;
	case K_PIDDIR:
		p = proc_of(dir);
		if (!p)
			return -ENOENT;
		for (int e = 0; e < P_COUNT; e++)
			if (is(name, len, pidents[e].name) && !(e == P_TASK && index_of(dir)))
				i = make(e == P_FD   ? K_FDDIR :
					 e == P_TASK ? K_TASKDIR :
						       K_PIDFILE,
					 (unsigned)e, pid, pidents[e].mode, dir);
		break;
	case K_FDDIR:
		p = proc_of(dir);
		if (!p || !p->files || parse_num(name, len, &n) || !fd_file(p->files, n))
			return -ENOENT;
		i = make(K_FDLINK, (unsigned)n, pid, S_IFLNK | 0700, dir);
		break;
	case K_TASKDIR:
		p = proc_of(dir);
		if (!p || parse_num(name, len, &n) || !find_tid(p, n))
			return -ENOENT;
		i = make(K_PIDDIR, (unsigned)n, pid, S_IFDIR | 0555, dir);
		break;
	case K_SYSDIR:
		for (unsigned d = 0; !index_of(dir) && d < ARRAY_SIZE(sysctl_dirs); d++)
			if (is(name, len, sysctl_dirs[d]))
				i = make(K_SYSDIR, d + 1, 0, S_IFDIR | 0555, dir);
		for (unsigned e = 0; index_of(dir) && e < ARRAY_SIZE(sysctls); e++)
			if (sysctls[e].dir + 1 == index_of(dir) && is(name, len, sysctls[e].name))
				i = make(K_SYSCTL, e, 0, S_IFREG | (sysctls[e].store ? 0644 : 0444), dir);
		break;
	default:
		return -ENOTDIR;
	}
	if (!i)
		return -ENOENT;
	*out = i;
	return 0;
}

/* ---- readdir ---- */

static int cmp_int(int a, int b)
{
	return a < b ? -1 : a > b;
}

/* The smallest pid (or tid of p) above after, or 0. */
static int next_id(struct proc *p, int after)
{
	int best = 0;

	if (!p) {
		for (struct proc *q = proc_first(); q; q = q->next_all)
			if (q->pid > after && (!best || cmp_int(q->pid, best) < 0))
				best = q->pid;
	} else {
		for (struct thread *t = p->threads; t; t = t->next_in_proc)
			if (t->tid > after && t->state != T_DEAD && (!best || t->tid < best))
				best = t->tid;
	}
	return best;
}

static int p_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx)
{
	struct proc *p = kind_of(dir) == K_ROOT ? NULL : proc_of(dir);
	char num[16];

	if (*pos == 0) {
		if (ctx->emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		if (ctx->emit(ctx, "..", 2, dir->parent->ino, DT_DIR, 2))
			return 0;
		*pos = 2;
	}
	switch (kind_of(dir)) {
	case K_ROOT:
		for (; *pos < 2 + S_COUNT + 2; (*pos)++) {
			uint64_t k = *pos - 2;
			const char *name = k < S_COUNT ? sysfiles[k] : k == S_COUNT ? "self" : "thread-self";

			if (ctx->emit(ctx, name, strlen(name), k < S_COUNT ? 2 + k : 2 + S_COUNT + (k - S_COUNT),
				      k < S_COUNT ? DT_REG : DT_LNK, *pos + 1))
				return 0;
		}
		if (*pos == 2 + S_COUNT + 2) {
			if (ctx->emit(ctx, "sys", 3, ino_of(K_SYSDIR, 0, 0), DT_DIR, *pos + 1))
				return 0;
			(*pos)++;
		}
		if (*pos < PID_COOKIE)
			*pos = PID_COOKIE;
		for (int pid = next_id(NULL, (int)(*pos - PID_COOKIE)); pid; pid = next_id(NULL, pid)) {
			int n = ksnprintf(num, sizeof(num), "%d", pid);

			if (ctx->emit(ctx, num, (size_t)n, ino_of(K_PIDDIR, 0, pid), DT_DIR,
				      PID_COOKIE + (uint64_t)pid))
				return 0;
			*pos = PID_COOKIE + (uint64_t)pid;
		}
		return 0;
	case K_PIDDIR:
		if (!p)
			return 0;
		for (; *pos < 2 + P_COUNT; (*pos)++) {
			unsigned e = (unsigned)(*pos - 2);
			unsigned mode = pidents[e].mode;

			if (e == P_TASK && index_of(dir))
				continue;
			if (ctx->emit(ctx, pidents[e].name, strlen(pidents[e].name), ino_of(K_PIDFILE, e, p->pid),
				      mode_to_dtype(mode), *pos + 1))
				return 0;
		}
		return 0;
	case K_FDDIR:
		if (!p || !p->files)
			return 0;
		for (int fd = (int)*pos - 2; fd < p->files->cap; fd++, (*pos)++) {
			int n;

			if (!fd_file(p->files, fd))
				continue;
			n = ksnprintf(num, sizeof(num), "%d", fd);
			if (ctx->emit(ctx, num, (size_t)n, ino_of(K_FDLINK, (unsigned)fd, p->pid), DT_LNK, *pos + 1))
				return 0;
		}
		return 0;
	case K_TASKDIR:
		if (!p)
			return 0;
		if (*pos < PID_COOKIE)
			*pos = PID_COOKIE;
		for (int tid = next_id(p, (int)(*pos - PID_COOKIE)); tid; tid = next_id(p, tid)) {
			int n = ksnprintf(num, sizeof(num), "%d", tid);

			if (ctx->emit(ctx, num, (size_t)n, ino_of(K_PIDDIR, (unsigned)tid, p->pid), DT_DIR,
				      PID_COOKIE + (uint64_t)tid))
				return 0;
			*pos = PID_COOKIE + (uint64_t)tid;
		}
		return 0;
	case K_SYSDIR:
		for (; index_of(dir) == 0 && *pos - 2 < ARRAY_SIZE(sysctl_dirs); (*pos)++) {
			const char *name = sysctl_dirs[*pos - 2];

			if (ctx->emit(ctx, name, strlen(name), ino_of(K_SYSDIR, (unsigned)(*pos - 1), 0), DT_DIR,
				      *pos + 1))
				return 0;
		}
		for (; index_of(dir) && *pos - 2 < ARRAY_SIZE(sysctls); (*pos)++) {
			unsigned e = (unsigned)(*pos - 2);

			if (sysctls[e].dir + 1 != index_of(dir))
				continue;
			if (ctx->emit(ctx, sysctls[e].name, strlen(sysctls[e].name), ino_of(K_SYSCTL, e, 0), DT_REG,
				      *pos + 1))
				return 0;
		}
		return 0;
	default:
		return -ENOTDIR;
	}
}

/* ---- links ---- */

long file_describe(const struct file *f, char *buf, size_t size)
{
	const char *dev;

	if (f->path)
		return ksnprintf(buf, size, "%s", f->path);
	if (file_is_pipe(f))
		return ksnprintf(buf, size, "pipe:[%llu]", (unsigned long long)f->ino->ino);
	if (f->ino && S_ISCHR(f->ino->mode) && (dev = devfs_name(f->ino->rdev)))
		return ksnprintf(buf, size, "/dev/%s", dev);
	return ksnprintf(buf, size, "anon_inode:[%s]", f->ino && f->ino->sb ? f->ino->sb->type : "?");
}

static long p_readlink(struct inode *link, char *buf, size_t size)
{
	struct proc *p = kind_of(link) == K_SELF ? proc_current() : proc_of(link);
	char tmp[PATH_MAX];
	long n;

	if (!p)
		return -ENOENT;
	switch (kind_of(link)) {
	case K_SELF:
		n = index_of(link) ? ksnprintf(tmp, sizeof(tmp), "%d/task/%d", p->pid, thread_current()->tid) :
				     ksnprintf(tmp, sizeof(tmp), "%d", p->pid);
		break;
	case K_FDLINK: {
		struct file *f = p->files ? fd_file(p->files, (int)index_of(link)) : NULL;

		if (!f)
			return -ENOENT;
		n = file_describe(f, tmp, sizeof(tmp));
		break;
	}
	default:
		switch (index_of(link)) {
		case P_EXE:
			n = ksnprintf(tmp, sizeof(tmp), "%s", p->path);
			break;
		case P_CWD:
		case P_ROOT:
			if (!p->fs)
				return -ENOENT;
			n = vfs_dir_path(p->fs, index_of(link) == P_CWD ? p->fs->cwd : p->fs->root, tmp, sizeof(tmp));
			break;
		default:
			return -EINVAL;
		}
	}
	if (n < 0)
		return n;
	if ((size_t)n > size)
		n = (long)size;
	memcpy(buf, tmp, (size_t)n);
	return n;
}

static int p_get_link(struct inode *link, struct inode **out)
{
	struct proc *p = proc_of(link);
	struct file *f;

	if (!p)
		return -ENOENT;
	if (kind_of(link) == K_FDLINK) {
		f = p->files ? fd_file(p->files, (int)index_of(link)) : NULL;
		if (!f)
			return -ENOENT;
		*out = inode_get(f->ino);
		return 0;
	}
	switch (index_of(link)) {
	case P_CWD:
	case P_ROOT:
		if (!p->fs)
			return -ENOENT;
		*out = inode_get(index_of(link) == P_CWD ? p->fs->cwd : p->fs->root);
		return 0;
	case P_EXE:
		if (!p->fs)
			return -ENOENT;
		return vfs_walk(p->fs, NULL, p->path, WALK_FOLLOW, out);
	default:
		return -EINVAL;
	}
}

/* ---- file contents ---- */

struct text {
	char *buf;
	size_t len;
};

/* Measure with fn(NULL, 0), allocate, render: the snapshot's text. */
#define RENDER(t, call_null, call_buf)           \
	do {                                     \
		size_t need_ = (call_null);      \
		(t)->buf = kmalloc(need_ + 1);   \
		if (!(t)->buf)                   \
			return -ENOMEM;          \
		(t)->len = need_;                \
		{                                \
			char *buf = (t)->buf;    \
			size_t size = need_ + 1; \
			(void)(call_buf);        \
		}                                \
	} while (0)

/* Text built piece by piece into a growing buffer. */
struct sb {
	char *buf;
	size_t len, cap;
	int err;
};

static void sb_add(struct sb *s, const char *p, size_t n)
{
	if (s->err)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		char *nb;

		while (s->len + n + 1 > cap)
			cap *= 2;
		nb = kmalloc(cap);
		if (!nb) {
			s->err = -ENOMEM;
			return;
		}
		memcpy(nb, s->buf, s->len);
		kfree(s->buf);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = 0;
}

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_add(s, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static int sb_done(struct sb *s, struct text *t)
{
	if (s->err) {
		kfree(s->buf);
		return s->err;
	}
	if (!s->buf)
		sb_add(s, "", 0);
	t->buf = s->buf;
	t->len = s->len;
	return s->err;
}

static int gen_meminfo(struct text *t)
{
	struct pmm_stats ps;
	struct meminfo m;
	uint64_t file = ramfs_pages_total() << PAGE_SHIFT;

	pmm_get_stats(&ps);
	memset(&m, 0, sizeof(m));
	m.total = ps.total_pages << PAGE_SHIFT;
	m.free = ps.free_pages << PAGE_SHIFT;
	m.cached = m.shmem = file;
	m.available = m.free; /* RAM files cannot be dropped: only free memory is available */
	m.anon = ps.used_pages[PMM_USER] << PAGE_SHIFT;
	m.active_anon = m.anon;
	m.active_file = file;
	m.slab = m.sunreclaim = ps.used_pages[PMM_HEAP] << PAGE_SHIFT;
	m.kernel_stack = ps.used_pages[PMM_STACK] << PAGE_SHIFT;
	m.page_tables = ps.used_pages[PMM_PT] << PAGE_SHIFT;
	m.commit_limit = m.total / 2;
	for (struct proc *p = proc_first(); p; p = p->next_all)
		if (p->uvm)
			for_each_vma(v, p->uvm->vmas) if (v->prot & VM_WRITE) m.committed_as += v->end - v->start;
	m.vmalloc_total = KSTACK_AREA_END - KHEAP_BASE;
	m.vmalloc_used = (ps.used_pages[PMM_HEAP] + ps.used_pages[PMM_STACK]) << PAGE_SHIFT;
	kvm_direct_map_sizes(&m.direct_map_4k, &m.direct_map_2m, &m.direct_map_1g);
	RENDER(t, procfs_meminfo(&m, NULL, 0), procfs_meminfo(&m, buf, size));
	return 0;
}

static int gen_cpuinfo(struct text *t)
{
	const struct cpu_features *f = cpu();
	struct cpuinfo c;
	uint32_t a, b, cx, d;

	memset(&c, 0, sizeof(c));
	kstrlcpy(c.vendor, f->vendor, sizeof(c.vendor));
	kstrlcpy(c.model_name, f->brand[0] ? f->brand : f->vendor, sizeof(c.model_name));
	c.family = f->family;
	c.model = f->model;
	c.stepping = f->stepping;
	c.cpuid_level = f->max_leaf;
	c.khz = tsc_hz() / 1000;
	c.clflush = 64;
	c.phys_bits = f->phys_bits;
	c.virt_bits = f->virt_bits;
	cpuid(1, 0, &a, &b, &c.leaf1_ecx, &c.leaf1_edx);
	c.clflush = ((b >> 8) & 0xFF) * 8;
	c.apic_id = b >> 24;
	if (f->max_leaf >= 7)
		cpuid(7, 0, &a, &c.leaf7_ebx, &c.leaf7_ecx, &c.leaf7_edx);
	if (f->max_ext_leaf >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c.ext1_ecx, &c.ext1_edx);
	if (f->max_ext_leaf >= 0x80000006) {
		cpuid(0x80000006, 0, &a, &b, &cx, &d);
		c.cache_kb = cx >> 16;
	}
	RENDER(t, procfs_cpuinfo(&c, 1, NULL, 0), procfs_cpuinfo(&c, 1, buf, size));
	return 0;
}

static int gen_stat(struct text *t)
{
	struct kstat k;
	uint64_t tick_ns = 1000000000ULL / SCHED_HZ, busy = 0;

	memset(&k, 0, sizeof(k));
	for (struct proc *p = proc_first(); p; p = p->next_all) {
		k.processes++;
		busy += p->utime_ns;
		k.system += p->stime_ns / tick_ns;
		for (struct thread *th = p->threads; th; th = th->next_in_proc) {
			busy += th->utime_ns;
			k.system += th->stime_ns / tick_ns;
		}
	}
	k.user = busy / tick_ns;
	k.idle = sched_idle_ticks();
	k.ctxt = sched_switches();
	k.btime = (uint64_t)(ktime_real().sec - (int64_t)(ktime_mono_ns() / 1000000000ULL));
	k.processes = (uint64_t)proc_last_pid();
	k.running = sched_runnable();
	RENDER(t, procfs_stat(&k, 1, NULL, 0), procfs_stat(&k, 1, buf, size));
	return 0;
}

static int gen_mounts(struct text *t)
{
	struct fs_ctx *fs = proc_current() ? proc_current()->fs : NULL;
	struct super *const *m;
	struct sb s = { 0 };
	char where[PATH_MAX];
	size_t n;

	m = vfs_mounts(&n);
	for (size_t i = 0; i < n; i++) {
		long len = 1;

		if (m[i]->mountpoint && fs)
			len = vfs_dir_path(fs, m[i]->mountpoint, where, sizeof(where));
		else
			kstrlcpy(where, "/", sizeof(where));
		if (len < 0)
			continue;
		sb_printf(&s, "%s %s %s %s 0 0\n", m[i]->source, where, m[i]->type,
			  !strcmp(m[i]->type, "proc") ? "rw,nosuid,nodev,noexec,relatime" : "rw,relatime");
	}
	return sb_done(&s, t);
}

static int gen_sys(unsigned index, struct text *t)
{
	static const char *const fs_names[] = { "rootfs", "ramfs", "tmpfs", "devtmpfs", "proc", "pipefs" };
	uint64_t avg[3];
	struct sb s = { 0 };

	if (extra_text[index]) {
		long n = extra_text[index](NULL, 0);

		t->buf = n >= 0 ? kmalloc((size_t)n + 1) : NULL;
		if (!t->buf)
			return n < 0 ? (int)n : -ENOMEM;
		t->len = (size_t)extra_text[index](t->buf, (size_t)n + 1);
		return 0;
	}
	switch (index) {
	case S_MEMINFO:
		return gen_meminfo(t);
	case S_CPUINFO:
		return gen_cpuinfo(t);
	case S_STAT:
		return gen_stat(t);
	case S_MOUNTS:
		return gen_mounts(t);
	case S_UPTIME: {
		uint64_t up = ktime_mono_ns(), idle = sched_idle_ticks() * (1000000000ULL / SCHED_HZ);

		RENDER(t, procfs_uptime(up, idle, NULL, 0), procfs_uptime(up, idle, buf, size));
		return 0;
	}
	case S_LOADAVG:
		proc_loadavg(avg);
		RENDER(t, procfs_loadavg(avg, sched_runnable(), sched_threads(), proc_last_pid(), NULL, 0),
		       procfs_loadavg(avg, sched_runnable(), sched_threads(), proc_last_pid(), buf, size));
		return 0;
	case S_VERSION:
		RENDER(t, procfs_version(ATLAS_SYSNAME, ATLAS_RELEASE, ATLAS_VERSION, NULL, 0),
		       procfs_version(ATLAS_SYSNAME, ATLAS_RELEASE, ATLAS_VERSION, buf, size));
		return 0;
	case S_FILESYSTEMS:
		RENDER(t, procfs_filesystems(fs_names, ARRAY_SIZE(fs_names), NULL, 0),
		       procfs_filesystems(fs_names, ARRAY_SIZE(fs_names), buf, size));
		return 0;
	case S_CMDLINE:
		sb_printf(&s, "%s\n", g_boot ? g_boot->cmdline : "");
		return sb_done(&s, t);
	default:
		return -ENOENT; /* iomem and ioports until the PCI code provides them */
	}
}

/* argv or envp of p: the bytes between start and end of its memory, NULs included. */
static int gen_strings(struct proc *p, uint64_t start, uint64_t end, struct text *t)
{
	size_t n = end > start ? end - start : 0;

	t->buf = kmalloc(n + 1);
	if (!t->buf)
		return -ENOMEM;
	t->len = 0;
	if (p->uvm && n && !uvm_read_user(p->uvm, start, t->buf, n))
		t->len = n;
	return 0;
}

static char state_of(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (p->stop_sig)
		return 'T';
	for (const struct thread *t = p->threads; t; t = t->next_in_proc)
		if (t->state == T_RUNNABLE)
			return 'R';
	return 'S';
}

/* One thread's state letter (a task's own, as /proc/PID/task/TID shows it). */
static char thread_state_of(const struct proc *p, const struct thread *t)
{
	if (p->state == PROC_ZOMBIE || t->state == T_DEAD)
		return 'Z';
	if (t->state == T_STOPPED)
		return 'T';
	return t->state == T_RUNNABLE ? 'R' : 'S';
}

#define CAUGHT 2 /* sigset_of: signals with a handler (neither SIG_DFL nor SIG_IGN) */

static uint64_t sigset_of(const struct proc *p, uint64_t handler)
{
	uint64_t set = 0;

	if (!p->sighand)
		return 0;
	for (int i = 0; i < NSIG; i++) {
		uint64_t h = p->sighand->act[i].handler;

		if (handler == SIG_IGN ? h == SIG_IGN : h != SIG_IGN && h != SIG_DFL)
			set |= 1ULL << i;
	}
	return set;
}

/* /proc/PID/status, or with th the thread's /proc/PID/task/TID/status. */
static int gen_status(struct proc *p, const struct thread *th, struct text *t)
{
	struct proc_status st;

	memset(&st, 0, sizeof(st));
	st.name = p->name;
	st.pid = st.tgid = p->pid;
	st.ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	st.pgid = p->pgid;
	st.sid = p->sid;
	st.state = state_of(p);
	st.umask = p->fs ? p->fs->umask : 022;
	st.fdsize = p->files ? p->files->cap : 0;
	st.threads = p->nthreads;
	st.shd_pnd = p->shared_pending;
	if (p->threads) {
		st.sig_pnd = p->threads->sig_pending;
		st.sig_blk = p->threads->sig_blocked;
	}
	st.sig_ign = sigset_of(p, SIG_IGN);
	st.sig_cgt = sigset_of(p, CAUGHT);
	st.no_new_privs = p->no_new_privs;
	for (struct thread *th = p->threads; th; th = th->next_in_proc) {
		st.voluntary += th->voluntary;
		st.nonvoluntary += th->preemptions;
	}
	if (th) {
		st.name = thread_comm(th);
		st.pid = th->tid;
		st.state = thread_state_of(p, th);
		st.sig_pnd = th->sig_pending;
		st.sig_blk = th->sig_blocked;
		st.voluntary = th->voluntary;
		st.nonvoluntary = th->preemptions;
	}
	if (p->uvm) {
		uvm_status(p->uvm, &st);
		st.vm_hwm = p->uvm->peak_rss > st.vm_rss ? p->uvm->peak_rss : st.vm_rss;
	}
	RENDER(t, procfs_status(&st, NULL, 0), procfs_status(&st, buf, size));
	return 0;
}

/* /proc/PID/stat (times of every thread), or with th the thread's task/TID/stat (its own). */
static int gen_stat_pid(struct proc *p, const struct thread *th, struct text *t)
{
	struct pid_stat s;
	struct tty *tty = tty_console();
	uint64_t tick_ns = 1000000000ULL / SCHED_HZ, ut = p->utime_ns, stt = p->stime_ns;

	memset(&s, 0, sizeof(s));
	for (struct thread *th = p->threads; th; th = th->next_in_proc) {
		ut += th->utime_ns;
		stt += th->stime_ns;
	}
	s.pid = p->pid;
	s.comm = p->name;
	s.state = state_of(p);
	s.ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	s.pgrp = p->pgid;
	s.session = p->sid;
	s.tty_nr = tty->sid && tty->sid == p->sid ? (int)DEV_CONSOLE : 0;
	s.tpgid = tty->sid && tty->sid == p->sid ? tty->pgrp : -1;
	s.flags = p->uvm && p->uvm->randomized ? PF_RANDOMIZE : 0;
	s.utime = ut / tick_ns;
	s.stime = stt / tick_ns;
	s.cutime = p->cutime_ns / tick_ns;
	s.cstime = p->cstime_ns / tick_ns;
	s.priority = 20;
	s.num_threads = p->nthreads;
	s.starttime = ktime_tsc_to_mono_ns(p->start_tsc) / tick_ns;
	s.rsslim = RLIM_INFINITY;
	s.signal = p->shared_pending;
	s.sigignore = sigset_of(p, SIG_IGN);
	s.sigcatch = sigset_of(p, CAUGHT);
	s.exit_signal = p->exit_signal;
	if (p->threads)
		s.blocked = p->threads->sig_blocked;
	if (p->uvm) {
		struct proc_status st;

		memset(&st, 0, sizeof(st));
		uvm_status(p->uvm, &st);
		s.vsize = st.vm_size;
		s.rss = st.vm_rss >> PAGE_SHIFT;
		s.minflt = p->uvm->faults;
		s.startstack = p->uvm->stack_start;
		s.start_brk = p->uvm->brk_start;
		s.arg_start = p->arg_start;
		s.arg_end = p->arg_end;
		s.env_start = p->env_start;
		s.env_end = p->env_end;
		for_each_vma(v, p->uvm->vmas)
		{
			if (v->kind == VMA_IMAGE && (v->prot & VM_EXEC) && !s.startcode) {
				s.startcode = v->start;
				s.endcode = v->end;
			}
			if (v->kind == VMA_IMAGE && (v->prot & VM_WRITE)) {
				s.start_data = v->start;
				s.end_data = v->end;
			}
		}
	}
	s.exit_code = p->state == PROC_ZOMBIE ? p->wstatus : 0;
	if (th) {
		s.pid = th->tid;
		s.comm = thread_comm(th);
		s.state = thread_state_of(p, th);
		s.utime = th->utime_ns / tick_ns;
		s.stime = th->stime_ns / tick_ns;
		s.cutime = s.cstime = 0;
		s.starttime = ktime_tsc_to_mono_ns(th->start_tsc) / tick_ns;
		s.blocked = th->sig_blocked;
	}
	RENDER(t, procfs_pid_stat(&s, NULL, 0), procfs_pid_stat(&s, buf, size));
	return 0;
}

static int gen_statm(struct proc *p, struct text *t)
{
	uint64_t pages[7] = { 0 };

	if (p->uvm) {
		struct proc_status st;

		memset(&st, 0, sizeof(st));
		uvm_status(p->uvm, &st);
		pages[0] = st.vm_size >> PAGE_SHIFT;
		pages[1] = st.vm_rss >> PAGE_SHIFT;
		pages[2] = st.rss_file >> PAGE_SHIFT;
		pages[3] = st.vm_exe >> PAGE_SHIFT;
		pages[5] = (st.vm_data + st.vm_stk) >> PAGE_SHIFT;
	}
	RENDER(t, procfs_statm(pages, NULL, 0), procfs_statm(pages, buf, size));
	return 0;
}

static int gen_smaps(struct proc *p, int rollup, struct text *t)
{
	struct smaps_usage total;
	struct sb s = { 0 };
	char *line;

	memset(&total, 0, sizeof(total));
	if (!p->uvm)
		return sb_done(&s, t);
	for_each_vma(v, p->uvm->vmas)
	{
		struct smaps_usage u;
		size_t n;

		uvm_smaps(p->uvm, v, &u);
		if (rollup) {
			total.rss += u.rss;
			total.pss += u.pss;
			total.pss_dirty += u.pss_dirty;
			total.shared_clean += u.shared_clean;
			total.shared_dirty += u.shared_dirty;
			total.private_clean += u.private_clean;
			total.private_dirty += u.private_dirty;
			total.referenced += u.referenced;
			total.anonymous += u.anonymous;
			continue;
		}
		n = procfs_smaps_area(v, &u, NULL, 0);
		line = kmalloc(n + 1);
		if (!line) {
			s.err = -ENOMEM;
			break;
		}
		procfs_smaps_area(v, &u, line, n + 1);
		sb_add(&s, line, n);
		kfree(line);
	}
	if (rollup && p->uvm->vmas->n) {
		uint64_t lo = 0, hi = 0;
		size_t n;

		for_each_vma(v, p->uvm->vmas)
		{
			if (!lo)
				lo = v->start;
			hi = v->end;
		}
		sb_printf(&s, "%08llx-%08llx ---p 00000000 00:00 0", (unsigned long long)lo, (unsigned long long)hi);
		/* The same padding as a maps line before the name. */
		while (s.len < 73 && !s.err)
			sb_add(&s, " ", 1);
		sb_add(&s, "[rollup]\n", 9);
		n = procfs_smaps_area(NULL, &total, NULL, 0);
		line = kmalloc(n + 1);
		if (line) {
			procfs_smaps_area(NULL, &total, line, n + 1);
			sb_add(&s, line, n);
			kfree(line);
		}
	}
	return sb_done(&s, t);
}

static int gen_pid(struct proc *p, const struct thread *th, unsigned e, struct text *t)
{
	struct sb s = { 0 };

	switch (e) {
	case P_AUXV:
		/* The vector exec gave the program, as Linux keeps it (mm->saved_auxv), whatever it did to its stack.
		 */
		if (p->uvm)
			sb_add(&s, (const char *)p->uvm->auxv, p->uvm->auxv_words * sizeof(uint64_t));
		return sb_done(&s, t);
	case P_CMDLINE:
		return gen_strings(p, p->arg_start, p->arg_end, t);
	case P_ENVIRON:
		return gen_strings(p, p->env_start, p->env_end, t);
	case P_COMM:
		sb_printf(&s, "%.15s\n", th ? thread_comm(th) : p->name);
		return sb_done(&s, t);
	case P_MAPS:
		if (!p->uvm)
			return sb_done(&s, t);
		RENDER(t, procfs_maps(p->uvm->vmas, NULL, 0), procfs_maps(p->uvm->vmas, buf, size));
		return 0;
	case P_SMAPS:
	case P_SMAPS_ROLLUP:
		return gen_smaps(p, e == P_SMAPS_ROLLUP, t);
	case P_STATUS:
		return gen_status(p, th, t);
	case P_STAT:
		return gen_stat_pid(p, th, t);
	case P_STATM:
		return gen_statm(p, t);
	case P_MOUNTS:
		return gen_mounts(t);
	default:
		return -EINVAL;
	}
}

static int gen_sysctl(unsigned e, struct text *t)
{
	long n = sysctls[e].show(NULL, 0);

	t->buf = n >= 0 ? kmalloc((size_t)n + 1) : NULL;
	if (!t->buf)
		return n < 0 ? (int)n : -ENOMEM;
	t->len = (size_t)sysctls[e].show(t->buf, (size_t)n + 1);
	return 0;
}

static int p_open(struct inode *ino, struct file *f)
{
	struct text *t;
	int err;

	if ((f->flags & O_ACCMODE) != O_RDONLY && !(kind_of(ino) == K_SYSCTL && sysctls[index_of(ino)].store))
		return -EACCES;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (kind_of(ino) == K_SYSFILE) {
		err = gen_sys(index_of(ino), t);
	} else if (kind_of(ino) == K_SYSCTL) {
		err = gen_sysctl(index_of(ino), t);
	} else {
		struct proc *p = proc_of(ino);
		/* A file of /proc/PID/task/TID (or /proc/TID): its directory names the thread. */
		int tid = ino->parent && ino->parent != ino && kind_of(ino->parent) == K_PIDDIR ?
				  (int)index_of(ino->parent) :
				  0;
		struct thread *th = p && tid ? find_tid(p, tid) : NULL;

		err = !p || (tid && !th) ? -ESRCH : gen_pid(p, th, index_of(ino), t);
	}
	if (err) {
		kfree(t);
		return err;
	}
	f->priv = t;
	ino->size = 0; /* as on Linux: /proc files say 0 bytes; read to the end */
	return 0;
}

static long p_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct text *t = f->priv;
	size_t n;

	if (*pos >= t->len)
		return 0;
	n = t->len - *pos < u->len ? t->len - *pos : u->len;
	if (uio_copy_to(u, t->buf + *pos, n))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

/* A write to a /proc/sys file: the whole value at once, as sysctl -w writes it. Returns len or -errno. */
static long sysctl_write(struct file *f, struct uio *u, uint64_t *pos)
{
	char text[SYSCTL_WRITE_MAX];
	size_t n = u->len;
	int err;

	(void)pos;
	if (n >= sizeof(text))
		return -EINVAL;
	if (uio_copy_from(u, text, n))
		return -EFAULT;
	err = sysctls[index_of(f->ino)].store(text, n);
	return err ? err : (long)n;
}

/* O_TRUNC of a /proc/sys file (the shell's "echo 0 >"): accepted and meaningless, as proc_sys_setattr does. */
static int sysctl_truncate(struct inode *ino, uint64_t size)
{
	(void)ino;
	(void)size;
	return 0;
}

static void p_release(struct file *f)
{
	struct text *t = f->priv;

	if (t) {
		kfree(t->buf);
		kfree(t);
	}
}

static int dir_open(struct inode *ino, struct file *f)
{
	(void)f;
	if (kind_of(ino) != K_ROOT && kind_of(ino) != K_SYSDIR && !proc_of(ino))
		return -ENOENT;
	return 0;
}

static const struct inode_ops dir_iops = { .lookup = p_lookup, .iterate = p_iterate, .evict = evict, .open = dir_open };
static const struct inode_ops file_iops = { .evict = evict, .open = p_open };
static const struct inode_ops sysctl_iops = { .evict = evict, .open = p_open, .truncate = sysctl_truncate };
static const struct inode_ops link_iops = { .readlink = p_readlink, .evict = evict, .get_link = p_get_link };
/* /proc/self is an ordinary symlink ("1234"), walked as one. */
static const struct inode_ops self_iops = { .readlink = p_readlink, .evict = evict };
static const struct file_ops dir_fops = { .seekable = 1 };
static const struct file_ops file_fops = { .read = p_read, .release = p_release, .seekable = 1 };
static const struct file_ops sysctl_fops = {
	.read = p_read, .write = sysctl_write, .release = p_release, .seekable = 1
};

int procfs_mount(void)
{
	struct inode *root = vfs_root(), *dir;
	int err;

	procfs.root = make(K_ROOT, 0, 0, S_IFDIR | 0555, NULL);
	if (!procfs.root)
		return -ENOMEM;
	err = vfs_lookup_one(root, "proc", 4, &dir);
	if (err)
		return err;
	err = vfs_mount(dir, &procfs);
	inode_put(dir);
	return err;
}
