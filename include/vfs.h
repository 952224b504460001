/* SPDX-License-Identifier: MIT */
/*
 * vfs.h - the virtual file system: inodes, open files, file-descriptor
 * tables, path walk, and the operations every file system provides.
 *
 * The shape is Linux's, cut down to what a RAM-only kernel needs:
 *
 *   struct inode   one object of a file system (file, directory, symlink,
 *                  device, pipe), reference-counted; a ramfs inode also lives
 *                  while some directory names it (nlink > 0).
 *   struct file    one open(): flags and the offset, shared by dup() and
 *                  fork(), reference-counted.
 *   struct fdtable a process's descriptors: small integers to files, plus the
 *                  close-on-exec bits; shared by CLONE_FILES threads, copied
 *                  by fork().
 *   struct fs_ctx  root, cwd and umask; shared by CLONE_FS, copied by fork().
 *
 * Directories know their parent and file systems are mounted on directories
 * (root ramfs, /proc, /dev), so "..", getcwd() and mount crossing need no
 * dentry cache. Path walk follows symlinks up to SYMLOOP_MAX times and gives
 * Linux's errors (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EEXIST, EISDIR, ...).
 *
 * Context: the kernel runs with interrupts off and is not preempted; nothing
 * here takes a lock. Blocking reads (pipes, the terminal) sleep on wait
 * queues (include/wait.h).
 */
#ifndef ATLAS_VFS_H
#define ATLAS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "ktime.h"

#define NAME_MAX 255
#define PATH_MAX 4096
#define SYMLOOP_MAX 40
#define FD_MAX_DEFAULT 1024 /* RLIMIT_NOFILE soft limit, as Linux's default */
#define FD_MAX_HARD 4096    /* RLIMIT_NOFILE hard limit */

/* File types and permissions (Linux's values, <sys/stat.h>). */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IALLUGO 07777
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)

/* d_type in getdents64 (DT_*). */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

/* open() flags (Linux x86-64 values). */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_ASYNC 00020000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000
/* What F_GETFL reports and F_SETFL may change. */
#define O_STATUS_FLAGS (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME | O_DSYNC)
#define O_SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* The *at() calls. */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

/* rename2 flags. */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

/* poll() events. */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

/* Device numbers as Linux encodes them in a 32-bit dev_t (new_encode_dev). */
#define MKDEV(ma, mi) ((uint32_t)((((ma)&0xfff) << 8) | ((mi)&0xff) | (((mi) & ~0xffU) << 12)))
#define MAJOR(d) ((unsigned)(((d) >> 8) & 0xfff))
#define MINOR(d) ((unsigned)(((d)&0xff) | (((d) >> 12) & 0xfff00)))

struct inode;
struct file;
struct super;
struct waitq;

/*
 * Where read() puts bytes and write() takes them from: a user buffer (every
 * access through the checked user copy) or a kernel one (exec reading an ELF,
 * the cpio unpacker). addr and len advance as bytes move.
 */
struct uio {
	uint64_t addr;
	size_t len;
	int user;
};

static inline struct uio uio_kernel(void *p, size_t n)
{
	struct uio u = { (uint64_t)(uintptr_t)p, n, 0 };
	return u;
}

static inline struct uio uio_user(uint64_t p, size_t n)
{
	struct uio u = { p, n, 1 };
	return u;
}

/* Copy n bytes from src to the uio (a read), advancing it. Returns 0 or -EFAULT. */
int uio_copy_to(struct uio *u, const void *src, size_t n);
/* Copy n bytes from the uio to dst (a write), advancing it. Returns 0 or -EFAULT. */
int uio_copy_from(struct uio *u, void *dst, size_t n);
/* n zero bytes to the uio (a hole in a file). Returns 0 or -EFAULT. */
int uio_zero(struct uio *u, size_t n);

/* getdents64's consumer: returns 0 to go on, 1 when the buffer is full. */
struct dir_ctx {
	int (*emit)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next_pos);
};

/*
 * What a file system does with its inodes. Every method may be NULL (the
 * VFS answers with Linux's error for that case). Names are not NUL-terminated:
 * (name, len), len <= NAME_MAX, never "." or "..". Returned inodes carry a
 * reference for the caller.
 */
struct inode_ops {
	/* The entry called name in dir: 0 and *out, or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* A new entry: mode carries the type (S_IFREG, S_IFDIR, S_IFLNK with target, S_IFCHR with rdev, S_IFIFO). */
	int (*create)(struct inode *dir, const char *name, size_t len, unsigned mode, uint32_t rdev, const char *target,
		      struct inode **out);
	/* A hard link: dir gets name for target (not a directory). */
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *target);
	/* Remove name from dir (a directory only with rmdir, and only empty). */
	int (*unlink)(struct inode *dir, const char *name, size_t len, int rmdir);
	/* Move (odir, oname) to (ndir, nname) in the same file system; RENAME_* flags. */
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir, const char *nname,
		      size_t nlen, unsigned flags);
	/* A symlink's target into buf (not terminated): its length, or -errno. */
	long (*readlink)(struct inode *ino, char *buf, size_t size);
	/* Set a regular file's size (zero-filling growth). */
	int (*truncate)(struct inode *ino, uint64_t size);
	/* Emit the entries from *pos on ("." and ".." included); *pos moves past what was emitted. */
	int (*iterate)(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx);
	/* The inode is going: free what priv holds. */
	void (*evict)(struct inode *ino);
	/* open() of this inode: may set f->fop and f->priv (a snapshot, a device). */
	int (*open)(struct inode *ino, struct file *f);
	/* The directory is empty (rmdir, rename over it). */
	int (*empty)(struct inode *dir);
	/* A "magic" symlink (/proc/PID/exe, fd/N): the inode it stands for, referenced, or -errno. */
	int (*get_link)(struct inode *link, struct inode **out);
};

/* What an open file does. NULL methods answer EINVAL / EBADF / ENOTTY as Linux would. */
struct file_ops {
	/* Bytes moved (0 at end of file), or -errno; *pos is the file's offset (seekable files). */
	long (*read)(struct file *f, struct uio *u, uint64_t *pos);
	long (*write)(struct file *f, struct uio *u, uint64_t *pos);
	/*
	 * The events ready now (POLLIN, POLLOUT, POLLHUP, ...). With wq non-NULL,
	 * also the wait queue(s) to sleep on until that may change: *wq gets one.
	 */
	unsigned (*poll)(struct file *f, struct waitq **wq);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	/* The last reference is going. */
	void (*release)(struct file *f);
	int seekable; /* lseek works (else -ESPIPE) */
};

/* A mounted file system. */
struct super {
	const char *type;	  /* "ramfs", "proc", "devtmpfs" as /proc/mounts names them */
	const char *source;	  /* first field of /proc/mounts */
	uint32_t dev;		  /* st_dev */
	uint64_t next_ino;	  /* ramfs: the next inode number */
	uint64_t inodes, pages;	  /* ramfs: what it holds now (statfs) */
	struct inode *root;	  /* its root directory */
	struct inode *mountpoint; /* the directory it covers (NULL for /) */
	unsigned long magic;	  /* statfs f_type */
};

struct inode {
	uint64_t ino;
	unsigned mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t rdev;
	uint64_t size;
	struct kts atime, mtime, ctime;
	int refs; /* in-memory references: open files, walks, cwd, the tree's own (see ramfs) */
	struct super *sb;
	const struct inode_ops *iop;
	const struct file_ops *fop;
	struct inode *parent;  /* directories: the directory holding it (itself at a file system's root) */
	struct inode *mounted; /* a mount point: the root of what is mounted on it */
	void *priv;	       /* the file system's */
	uint64_t priv2;	       /* the file system's (procfs: pid and entry) */
};

#define FILE_NAME_SMALL 64 /* struct file is then 128 bytes, one slab class */

struct file {
	int refs;
	unsigned flags; /* O_ACCMODE | status flags */
	uint64_t pos;
	struct inode *ino;
	const struct file_ops *fop;
	void *priv;
	struct epitem *epitems; /* the epoll entries watching it (core/fs/eventpoll.c) */
	/*
	 * The name it was opened by, for readlink of /proc/PID/fd/N, which builds
	 * the path when it is read (as Linux's d_path does), not on every open:
	 * dir (referenced) is the directory holding the name, name the name
	 * (name_small, or kmalloc'd when longer). A directory opened by its path
	 * has dir = itself and no name. dir NULL: opened without a name.
	 */
	struct inode *dir;
	char *name;
	char name_small[FILE_NAME_SMALL];
};

struct fdtable {
	int refs;
	int cap;		/* slots in fd[] */
	struct file **fd;	/* NULL: free */
	unsigned char *cloexec; /* one byte a slot: O_CLOEXEC / FD_CLOEXEC */
};

struct fs_ctx {
	int refs;
	struct inode *root, *cwd;
	unsigned umask;
};

/* ---- inodes (core/fs/inode.c) ---- */

/* A new inode of sb with refs 1 and the current time stamps; NULL when out of memory. */
struct inode *inode_new(struct super *sb, unsigned mode);
/*
 * Take / drop a reference; the last one (with nlink 0 for ramfs) evicts it.
 * Inline: a path walk takes and drops one per component, and a call and
 * return cost more than the count under TCG. inode_put_last is the slow
 * half (the last reference, or a count already at zero, which panics).
 */
static inline struct inode *inode_get(struct inode *ino)
{
	if (ino)
		ino->refs++;
	return ino;
}

void inode_put_last(struct inode *ino);

static inline void inode_put(struct inode *ino)
{
	if (ino && ino->refs > 1)
		ino->refs--;
	else if (ino)
		inode_put_last(ino);
}
/* Mark changed now: mtime and ctime (data) or ctime only (metadata). */
void inode_touch(struct inode *ino, int data);
/* DT_* of a mode. */
unsigned mode_to_dtype(unsigned mode);

/* ---- mounts (core/fs/mount.c) ---- */

/* Mount sb's root on the directory dir (which keeps a reference). Returns 0, -ENOTDIR or -EBUSY. */
int vfs_mount(struct inode *dir, struct super *sb);
/* The root of everything (the root ramfs), or NULL before vfs_init. */
struct inode *vfs_root(void);
/* Every mounted file system, in mount order: n and the array. */
struct super *const *vfs_mounts(size_t *n);
/* Create the root ramfs and the empty directories /proc, /dev, /tmp, ... Returns 0 or -ENOMEM. */
int vfs_init(void);

/* ---- path walk (core/fs/namei.c) ---- */

#define WALK_FOLLOW 1	 /* follow a symlink in the last component */
#define WALK_DIRECTORY 2 /* the result must be a directory (ENOTDIR) */

/*
 * Resolve path from base (used when path is relative; fs->root when absolute)
 * to an inode with a reference in *out. Returns 0, -ENOENT, -ENOTDIR,
 * -ELOOP, -ENAMETOOLONG. An empty path is -ENOENT.
 */
int vfs_walk(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, struct inode **out);
/*
 * vfs_walk that also says where the result was found: *parent (referenced,
 * NULL-initialised by the caller; stays NULL when the path ends in "." or
 * "..") and its name copied to name (NAME_MAX + 1 bytes) — what an open
 * file's path is built from.
 */
int vfs_walk_named(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, struct inode **out,
		   struct inode **parent, char *name);

/*
 * Resolve all but the last component: the parent directory (referenced, in
 * *dir) and the last name (a pointer into path, in wp->name and wp->len; trailing
 * slashes are not part of it, *trailing_slash says whether there were any).
 * A path whose last component is "." or ".." gives *len 0 and *dot 1 or 2.
 * "/" gives *len 0, *dot 1 and the root. Returns 0 or as vfs_walk.
 */
struct walk_parent {
	struct inode *dir;
	const char *name;
	size_t len;
	int dot;
	int trailing_slash;
};
int vfs_walk_parent(const struct fs_ctx *fs, struct inode *base, const char *path, struct walk_parent *wp);

/* Look up one name in dir, crossing into what is mounted there: referenced inode or -errno. */
int vfs_lookup_one(struct inode *dir, const char *name, size_t len, struct inode **out);

/* The parent of dir, crossing mount points and stopping at root: referenced. */
struct inode *vfs_parent(const struct fs_ctx *fs, struct inode *dir);

/*
 * The absolute path of directory dir as seen from fs->root (getcwd), into buf.
 * Returns its length (without the NUL) or -ERANGE / -ENOENT (unlinked).
 */
long vfs_dir_path(const struct fs_ctx *fs, struct inode *dir, char *buf, size_t size);

/* 1 when path (absolute, from the root) names something. */
int vfs_exists(const char *path);

/* ---- the operations the system calls share (core/fs/vfs.c; read/write/lseek: vfs_rw.c; getdents64: vfs_dir.c) ---- */

/*
 * open: flags are open()'s (O_CREAT with mode & ~umask, O_EXCL, O_TRUNC,
 * O_DIRECTORY, O_NOFOLLOW, O_APPEND, O_NONBLOCK, ...). A new file with one
 * reference in *out. Returns 0 or -errno as Linux's open().
 */
int vfs_open(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, unsigned mode,
	     struct file **out);
/* An open file for an inode that has no path (a pipe end): one reference in *out. */
int vfs_open_inode(struct inode *ino, unsigned flags, struct file **out);
/*
 * Remember that f was opened as (dir, name) (name NULL: dir itself), for
 * /proc/PID/fd. 0 or -ENOMEM; takes a reference on dir.
 */
int file_set_name(struct file *f, struct inode *dir, const char *name);
int vfs_mknod(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode, uint32_t rdev);
int vfs_mkdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode);
int vfs_rmdir(const struct fs_ctx *fs, struct inode *base, const char *path);
int vfs_unlink(const struct fs_ctx *fs, struct inode *base, const char *path);
int vfs_symlink(const struct fs_ctx *fs, const char *target, struct inode *base, const char *path);
int vfs_link(const struct fs_ctx *fs, struct inode *obase, const char *opath, struct inode *nbase, const char *npath,
	     int follow);
int vfs_rename(const struct fs_ctx *fs, struct inode *obase, const char *opath, struct inode *nbase, const char *npath,
	       unsigned flags);
/* readlink of path (never followed): the target's length, or -EINVAL when it is not a symlink. */
long vfs_readlink(const struct fs_ctx *fs, struct inode *base, const char *path, char *buf, size_t size);
int vfs_truncate(struct inode *ino, uint64_t size);

/* read / write at the file's offset (or at *off for pread/pwrite); Linux's errors. */
long vfs_read(struct file *f, struct uio *u);
long vfs_write(struct file *f, struct uio *u);
long vfs_pread(struct file *f, struct uio *u, uint64_t off);
long vfs_pwrite(struct file *f, struct uio *u, uint64_t off);
/* lseek: SEEK_SET/CUR/END (and SEEK_DATA/SEEK_HOLE for regular files). */
long vfs_lseek(struct file *f, int64_t off, int whence);
/* getdents64 into a user buffer of size bytes: bytes written, 0 at the end, -EINVAL when one entry does not fit. */
long vfs_getdents64(struct file *f, uint64_t ubuf, size_t size);

/* ---- special files: how an inode's type finds its operations ---- */

/* A character device's open (core/fs/devfs.c): 0 or -ENXIO when no driver has its number. */
int dev_open(struct inode *ino, struct file *f);
/* A FIFO's open (core/fs/pipe.c): blocks for the other end as Linux does, unless O_NONBLOCK. */
int fifo_open(struct inode *ino, struct file *f);
/*
 * What /proc/PID/fd/N reads as, seen from fs: the path the file was opened by
 * (with " (deleted)" once its last name is gone), or for a file without one
 * "pipe:[N]", "/dev/null", "anon_inode:...". Length or -errno.
 */
long file_describe(const struct fs_ctx *fs, const struct file *f, char *buf, size_t size);

/* ---- open files and descriptor tables (core/fs/file.c) ---- */

struct file *file_new(struct inode *ino, unsigned flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);

/* An empty table (refs 1); NULL when out of memory. */
struct fdtable *fdtable_new(void);
/* A copy for fork(): the same files, each one reference more; NULL when out of memory. */
struct fdtable *fdtable_copy(const struct fdtable *t);
struct fdtable *fdtable_get(struct fdtable *t);
/* Drop a reference; the last one closes every descriptor. */
void fdtable_put(struct fdtable *t);
/* Install f (taking over the caller's reference) at the lowest free fd >= min, below limit: the fd or -EMFILE. */
int fd_install(struct fdtable *t, int min, struct file *f, int cloexec, int limit);
/* Install f at exactly fd (dup2/dup3), closing what was there: fd, -EBADF (out of range) or -ENOMEM. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, int cloexec, int limit);
/* The file at fd (no reference taken), or NULL. Inline: every call on a descriptor asks. */
static inline struct file *fd_file(const struct fdtable *t, int fd)
{
	return fd >= 0 && fd < t->cap ? t->fd[fd] : NULL;
}
/* Close fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* FD_CLOEXEC of fd: 0/1, or -EBADF; set it. */
int fd_get_cloexec(const struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, int on);
/* execve: close every close-on-exec descriptor. */
void fdtable_close_on_exec(struct fdtable *t);
/* Open descriptors now (for /proc/PID/fd and the reports). */
int fdtable_count(const struct fdtable *t);

struct fs_ctx *fs_ctx_new(struct inode *root, struct inode *cwd);
struct fs_ctx *fs_ctx_copy(const struct fs_ctx *fs);
struct fs_ctx *fs_ctx_get(struct fs_ctx *fs);
void fs_ctx_put(struct fs_ctx *fs);

/* ---- stat (core/fs/stat.c) ---- */

/* struct stat as x86-64 Linux lays it out (144 bytes). */
struct lx_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	int64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec, st_ctime_sec, st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct lx_stat) == 144, "struct stat is 144 bytes on x86-64");

void vfs_stat(const struct inode *ino, struct lx_stat *st);

#endif
