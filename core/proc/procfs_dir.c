/* SPDX-License-Identifier: MIT */
/*
 * procfs_dir.c - /proc as a file system: the tree of directories and links
 * made on lookup and listed by readdir, the inode numbers, /proc/sys, and
 * opening and reading a file, whose text is generated when it is opened (a
 * snapshot each open, as seq_file gives on Linux for files this small):
 * the system files' text in procfs_text.c, a process's in procfs_pid.c,
 * the links in procfs_link.c (shared: include/procfs_internal.h).
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
 * Inode numbers: 1 the root, 2.. the system files, and for a process
 * (pid << 20) | (kind << 16) | index, so ls -i and find see stable numbers.
 */
#include "procfs_dir.h"
#include "aslr.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "proc.h"
#include "procfs_internal.h"
#include "vfs.h"

#define PROC_SUPER_MAGIC 0x9fa0UL
#define PROCFS_DEV MKDEV(0, 20)
#define PID_COOKIE 0x100000ULL /* getdents offsets of pid directories: this + pid */

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

static struct super procfs = { .type = "proc", .source = "proc", .dev = PROCFS_DEV, .magic = PROC_SUPER_MAGIC };
static const struct inode_ops dir_iops, file_iops, link_iops, self_iops, sysctl_iops;
static const struct file_ops dir_fops, file_fops, sysctl_fops;

/* priv2: kind (8 bits) | index (24 bits) | pid (32 bits). */
static uint64_t enc(enum kind k, unsigned index, int pid)
{
	return (uint64_t)k << 56 | (uint64_t)(index & 0xFFFFFF) << 32 | (uint32_t)pid;
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

/*
 * The inodes made last, kept (one reference each) so that a walk such as
 * /proc/self/maps finds its three inodes instead of allocating, stamping
 * and freeing them each time: Linux keeps them in the dcache. An inode here
 * is a pure function of its parent and priv2 (kind, index, pid), so a kept
 * one is the inode a new make() would give; p_lookup still checks that
 * the process exists before it hands one out. Direct-mapped by a hash of
 * (parent, priv2); a new inode replaces the slot's old one. Emptied as
 * each process ends (procfs_forget), so only the running processes' walks
 * are kept.
 */
#define ICACHE_BITS 5
static struct inode *icache[1u << ICACHE_BITS];

static unsigned icache_slot(const struct inode *parent, uint64_t key)
{
	uint64_t h = (key ^ (uint64_t)(uintptr_t)parent) * 0x9E3779B97F4A7C15ULL;

	return (unsigned)(h >> (64 - ICACHE_BITS));
}

void procfs_forget(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(icache); i++) {
		inode_put(icache[i]);
		icache[i] = NULL;
	}
}

/* The inode for an entry (a new reference); its parent (a directory of ours) is referenced by it. */
static struct inode *make(enum kind k, unsigned index, int pid, unsigned mode, struct inode *parent)
{
	uint64_t key = enc(k, index, pid);
	unsigned slot = icache_slot(parent, key);
	struct inode *i = icache[slot];

	if (parent && i && i->parent == parent && i->priv2 == key && i->mode == mode)
		return inode_get(i);
	i = inode_new(NULL, mode);
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
	if (parent) {
		inode_put(icache[slot]);
		icache[slot] = inode_get(i);
	}
	return i;
}

static void evict(struct inode *i)
{
	if (i->parent && i->parent != i)
		inode_put(i->parent);
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
	int pid = procfs_pid_of(dir), n;

	switch (procfs_kind_of(dir)) {
	case K_ROOT:
		for (int s = 0; s < S_COUNT; s++)
			if (is(name, len, procfs_sysfiles[s]))
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
		p = procfs_proc_of(dir);
		if (!p)
			return -ENOENT;
		for (int e = 0; e < P_COUNT; e++)
			if (is(name, len, pidents[e].name) && !(e == P_TASK && procfs_index_of(dir)))
				i = make(e == P_FD   ? K_FDDIR :
					 e == P_TASK ? K_TASKDIR :
						       K_PIDFILE,
					 (unsigned)e, pid, pidents[e].mode, dir);
		break;
	case K_FDDIR:
		p = procfs_proc_of(dir);
		if (!p || !p->files || parse_num(name, len, &n) || !fd_file(p->files, n))
			return -ENOENT;
		i = make(K_FDLINK, (unsigned)n, pid, S_IFLNK | 0700, dir);
		break;
	case K_TASKDIR:
		p = procfs_proc_of(dir);
		if (!p || parse_num(name, len, &n) || !find_tid(p, n))
			return -ENOENT;
		i = make(K_PIDDIR, (unsigned)n, pid, S_IFDIR | 0555, dir);
		break;
	case K_SYSDIR:
		for (unsigned d = 0; !procfs_index_of(dir) && d < ARRAY_SIZE(sysctl_dirs); d++)
			if (is(name, len, sysctl_dirs[d]))
				i = make(K_SYSDIR, d + 1, 0, S_IFDIR | 0555, dir);
		for (unsigned e = 0; procfs_index_of(dir) && e < ARRAY_SIZE(sysctls); e++)
			if (sysctls[e].dir + 1 == procfs_index_of(dir) && is(name, len, sysctls[e].name))
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
	struct proc *p = procfs_kind_of(dir) == K_ROOT ? NULL : procfs_proc_of(dir);
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
	switch (procfs_kind_of(dir)) {
	case K_ROOT:
		for (; *pos < 2 + S_COUNT + 2; (*pos)++) {
			uint64_t k = *pos - 2;
			const char *name = k < S_COUNT ? procfs_sysfiles[k] : k == S_COUNT ? "self" : "thread-self";

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

			if (e == P_TASK && procfs_index_of(dir))
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
		for (; procfs_index_of(dir) == 0 && *pos - 2 < ARRAY_SIZE(sysctl_dirs); (*pos)++) {
			const char *name = sysctl_dirs[*pos - 2];

			if (ctx->emit(ctx, name, strlen(name), ino_of(K_SYSDIR, (unsigned)(*pos - 1), 0), DT_DIR,
				      *pos + 1))
				return 0;
		}
		for (; procfs_index_of(dir) && *pos - 2 < ARRAY_SIZE(sysctls); (*pos)++) {
			unsigned e = (unsigned)(*pos - 2);

			if (sysctls[e].dir + 1 != procfs_index_of(dir))
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

	if ((f->flags & O_ACCMODE) != O_RDONLY &&
	    !(procfs_kind_of(ino) == K_SYSCTL && sysctls[procfs_index_of(ino)].store))
		return -EACCES;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (procfs_kind_of(ino) == K_SYSFILE) {
		err = procfs_gen_sys(procfs_index_of(ino), t);
	} else if (procfs_kind_of(ino) == K_SYSCTL) {
		err = gen_sysctl(procfs_index_of(ino), t);
	} else {
		struct proc *p = procfs_proc_of(ino);
		/* A file of /proc/PID/task/TID (or /proc/TID): its directory names the thread. */
		int tid = ino->parent && ino->parent != ino && procfs_kind_of(ino->parent) == K_PIDDIR ?
				  (int)procfs_index_of(ino->parent) :
				  0;
		struct thread *th = p && tid ? find_tid(p, tid) : NULL;

		err = !p || (tid && !th) ? -ESRCH : procfs_gen_pid(p, th, procfs_index_of(ino), t);
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
	err = sysctls[procfs_index_of(f->ino)].store(text, n);
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
	if (procfs_kind_of(ino) != K_ROOT && procfs_kind_of(ino) != K_SYSDIR && !procfs_proc_of(ino))
		return -ENOENT;
	return 0;
}

static const struct inode_ops dir_iops = { .lookup = p_lookup, .iterate = p_iterate, .evict = evict, .open = dir_open };
static const struct inode_ops file_iops = { .evict = evict, .open = p_open };
static const struct inode_ops sysctl_iops = { .evict = evict, .open = p_open, .truncate = sysctl_truncate };
static const struct inode_ops link_iops = { .readlink = procfs_readlink, .evict = evict, .get_link = procfs_get_link };
/* /proc/self is an ordinary symlink ("1234"), walked as one. */
static const struct inode_ops self_iops = { .readlink = procfs_readlink, .evict = evict };
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
