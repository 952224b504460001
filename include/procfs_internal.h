/* SPDX-License-Identifier: MIT */
/*
 * procfs_internal.h - what the pieces of /proc share (core/proc/procfs_dir.c,
 * procfs_link.c, procfs_text.c, procfs_pid.c; no other file includes it):
 * the kinds of inode and how an inode says which entry it is, the numbering
 * of the per-process and system files, and the text buffers that a file's
 * contents are rendered into when it is opened.
 */
#ifndef ATLAS_PROCFS_INTERNAL_H
#define ATLAS_PROCFS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"
#include "vfs.h"

/* What an inode of /proc is; its index and pid say which one (procfs_dir.c). */
enum kind {
	K_ROOT,
	K_SYSFILE, /* index: procfs_sysfiles[] */
	K_SELF,	   /* /proc/self, /proc/thread-self */
	K_PIDDIR,  /* index: tid for task/TID, 0 for the process */
	K_PIDFILE, /* index: pidents[] */
	K_FDDIR,
	K_FDLINK, /* index: the descriptor */
	K_TASKDIR,
	K_SYSDIR, /* index: 0 for /proc/sys, 1 + i for /proc/sys/sysctl_dirs[i] */
	K_SYSCTL, /* index: sysctls[] */
};

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
/* The names of the system files, indexed by enum sysfile (procfs_text.c). */
extern const char *const procfs_sysfiles[S_COUNT];

/* An inode's priv2: kind (8 bits) | index (24 bits) | pid (32 bits); procfs_dir.c encodes it. */
static inline enum kind procfs_kind_of(const struct inode *i)
{
	return (enum kind)(i->priv2 >> 56);
}

static inline unsigned procfs_index_of(const struct inode *i)
{
	return (unsigned)(i->priv2 >> 32) & 0xFFFFFF;
}

static inline int procfs_pid_of(const struct inode *i)
{
	return (int)(uint32_t)i->priv2;
}

/* The process an inode belongs to (zombies included), or NULL once it is gone. */
static inline struct proc *procfs_proc_of(const struct inode *i)
{
	return proc_find(procfs_pid_of(i), 1);
}

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

/* Append n bytes of p to s (kmalloc'd, grown by doubling); on failure s->err = -ENOMEM and later adds do nothing. */
void procfs_sb_add(struct sb *s, const char *p, size_t n);

/* Append a formatted line of at most 255 bytes to s, as procfs_sb_add. */
void procfs_sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hand s's buffer to t (the caller of open frees it at release), or free it and return s->err. Returns 0 or -errno. */
int procfs_sb_done(struct sb *s, struct text *t);

/* The text of system file index (enum sysfile) into t, allocated here. Returns 0 or -errno. procfs_text.c. */
int procfs_gen_sys(unsigned index, struct text *t);

/* /proc/mounts (and /proc/PID/mounts) as the current process sees it, into t. Returns 0 or -errno. */
int procfs_gen_mounts(struct text *t);

/*
 * The text of p's file e (enum pident) into t, allocated here; with th the
 * thread's own (/proc/PID/task/TID/e). Returns 0 or -errno. procfs_pid.c.
 */
int procfs_gen_pid(struct proc *p, const struct thread *th, unsigned e, struct text *t);

/* inode_ops.readlink of /proc/self, thread-self, PID/{exe,cwd,root} and fd/N: the path. procfs_link.c. */
long procfs_readlink(struct inode *link, char *buf, size_t size);

/* inode_ops.get_link of the magic links: a reference to the inode itself in *out. Returns 0 or -errno. */
int procfs_get_link(struct inode *link, struct inode **out);

#endif
