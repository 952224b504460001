/* SPDX-License-Identifier: MIT */
/*
 * sys_fs.c - the system calls on open files: open and close, read and
 * write (and the vectored and positioned kinds), lseek, dup, fcntl, ioctl,
 * pipes, getdents64, sendfile, and the sync family, which have nothing to do
 * on a RAM file system (every write is already where it will stay).
 */
#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "pipe.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"
#include "sysfs_util.h"
#include "uaccess.h"
#include "vfs.h"

#define IOV_MAX 1024
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define RW_MAX 0x7ffff000UL /* MAX_RW_COUNT: Linux moves at most this much in one call */
#define SENDFILE_CHUNK 4096

struct lx_iovec {
	uint64_t base, len;
};

/*
 * Most paths are short: they are copied into PATH_SHORT bytes first (a slab
 * object for path_in, the caller's stack for path_in_short), and only one
 * that does not fit is copied again into PATH_MAX bytes. A PATH_MAX kmalloc is
 * a large block, whose pages the heap maps and unmaps on every call: it made
 * each open or stat cost tens of microseconds.
 */
int path_in(uint64_t upath, char **out, int empty_ok)
{
	for (size_t size = PATH_SHORT;; size = PATH_MAX) {
		char *buf = kmalloc(size);
		long n;

		if (!buf)
			return -ENOMEM;
		n = strncpy_from_user(buf, upath, size);
		if (n >= 0 && (n || empty_ok)) {
			*out = buf;
			return 0;
		}
		kfree(buf);
		if (n == -ENAMETOOLONG && size < PATH_MAX)
			continue;
		return n < 0 ? (int)n : -ENOENT;
	}
}

int path_in_short(uint64_t upath, struct kpath *kp, int empty_ok)
{
	long n = strncpy_from_user(kp->small, upath, sizeof(kp->small));

	kp->s = kp->small;
	if (n == -ENAMETOOLONG)
		return path_in(upath, &kp->s, empty_ok);
	if (n < 0)
		return (int)n;
	return n || empty_ok ? 0 : -ENOENT;
}

void path_release(struct kpath *kp)
{
	if (kp->s != kp->small)
		kfree(kp->s);
	kp->s = NULL;
}

struct file *cur_file(int fd)
{
	return fd_file(proc_current()->files, fd);
}

int at_base(int dirfd, const char *path, struct inode **base)
{
	struct file *f;

	*base = NULL;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	f = cur_file(dirfd);
	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->ino->mode))
		return -ENOTDIR;
	*base = f->ino;
	return 0;
}

/* Resolve (dirfd, upath) to a referenced inode; flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int lookup_at(int dirfd, uint64_t upath, unsigned flags, struct inode **out)
{
	struct proc *p = proc_current();
	struct inode *base;
	struct kpath kp;
	int err = path_in_short(upath, &kp, (flags & AT_EMPTY_PATH) != 0);

	if (err)
		return err;
	if (!kp.s[0]) {
		/* AT_EMPTY_PATH with "": the descriptor itself (or the cwd). */
		struct file *f = dirfd == AT_FDCWD ? NULL : cur_file(dirfd);

		path_release(&kp);
		if (dirfd != AT_FDCWD && !f)
			return -EBADF;
		*out = inode_get(f ? f->ino : p->fs->cwd);
		return 0;
	}
	err = at_base(dirfd, kp.s, &base);
	if (!err)
		err = vfs_walk(p->fs, base, kp.s, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, out);
	path_release(&kp);
	return err;
}

int fd_limit(void)
{
	uint64_t lim = proc_current()->rlim[RLIMIT_NOFILE].cur;

	return lim > FD_MAX_HARD ? FD_MAX_HARD : (int)lim;
}

long sys_openat(int dirfd, uint64_t upath, int flags, unsigned int mode)
{
	struct proc *p = proc_current();
	struct inode *base;
	struct file *f;
	struct kpath kp;
	int err = path_in_short(upath, &kp, 0), fd;

	if (err)
		return err;
	err = at_base(dirfd, kp.s, &base);
	if (!err && (flags & O_TMPFILE) == O_TMPFILE)
		err = -EOPNOTSUPP;
	if (!err)
		err = vfs_open(p->fs, base, kp.s, (unsigned)flags, mode, &f);
	path_release(&kp);
	if (err)
		return err;
	fd = fd_install(p->files, 0, f, (flags & O_CLOEXEC) != 0, fd_limit());
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(uint64_t upath, int flags, unsigned int mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

long sys_creat(uint64_t upath, unsigned mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(unsigned int fd)
{
	return fd_close(proc_current()->files, fd);
}

/* A write that failed with EPIPE also raises SIGPIPE, as Linux's pipe_write does. */
static long epipe(long r)
{
	if (r == -EPIPE)
		signal_send_thread(thread_current(), SIGPIPE, NULL);
	return r;
}

/*
 * The checks read, write, pread64 and pwrite64 share, in Linux's order: EINVAL for a negative
 * offset (ksys_pread64 tests it before fdget; off is 0 for the plain calls), EBADF, then EFAULT
 * for the whole length before it is cut to RW_MAX. Returns the file (borrowed from the table) or NULL with *err set.
 */
static struct file *rw_begin(unsigned int fd, uint64_t buf, uint64_t count, int64_t off, struct uio *u, long *err)
{
	struct file *f = cur_file(fd);

	*err = off < 0 ? -EINVAL : !f ? -EBADF : !user_range_ok(buf, count) ? -EFAULT : 0;
	if (*err)
		return NULL;
	*u = uio_user(buf, count > RW_MAX ? RW_MAX : count);
	return f;
}

long sys_read(unsigned int fd, uint64_t buf, uint64_t count)
{
	struct uio u;
	long err;
	struct file *f = rw_begin(fd, buf, count, 0, &u, &err);

	return f ? vfs_read(f, &u) : err;
}

long sys_write(unsigned int fd, uint64_t buf, uint64_t count)
{
	struct uio u;
	long err;
	struct file *f = rw_begin(fd, buf, count, 0, &u, &err);

	return f ? epipe(vfs_write(f, &u)) : err;
}

long sys_pread64(unsigned int fd, uint64_t buf, uint64_t count, int64_t off)
{
	struct uio u;
	long err;
	struct file *f = rw_begin(fd, buf, count, off, &u, &err);

	return f ? vfs_pread(f, &u, (uint64_t)off) : err;
}

long sys_pwrite64(unsigned int fd, uint64_t buf, uint64_t count, int64_t off)
{
	struct uio u;
	long err;
	struct file *f = rw_begin(fd, buf, count, off, &u, &err);

	return f ? epipe(vfs_pwrite(f, &u, (uint64_t)off)) : err;
}

/* readv, writev, preadv, pwritev: one loop over the vector; off < 0 means the file's own offset. */
static long rwv(int fd, uint64_t uiov, uint64_t cnt, int64_t off, int writing)
{
	struct file *f = cur_file(fd);
	uint64_t total = 0;
	long done = 0;

	if (!f)
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	/* Linux checks the whole vector before moving a byte. */
	for (uint64_t i = 0; i < cnt; i++) {
		struct lx_iovec v;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		if ((int64_t)v.len < 0 || total + v.len < total)
			return -EINVAL;
		total += v.len;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		struct lx_iovec v;
		struct uio u;
		long r;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
			return done ? done : -EFAULT;
		if (!v.len)
			continue;
		if (!user_range_ok(v.base, v.len))
			return done ? done : -EFAULT;
		u = uio_user(v.base, v.len);
		if (off >= 0)
			r = writing ? vfs_pwrite(f, &u, (uint64_t)off + (uint64_t)done) :
				      vfs_pread(f, &u, (uint64_t)off + (uint64_t)done);
		else
			r = writing ? vfs_write(f, &u) : vfs_read(f, &u);
		if (r < 0)
			return done ? done : (writing ? epipe(r) : r);
		done += r;
		if ((uint64_t)r < v.len)
			break; /* short: end of file, or the pipe had no more */
	}
	return done;
}

long sys_readv(uint64_t fd, uint64_t iov, uint64_t cnt)
{
	return rwv(fd, iov, cnt, -1, 0);
}

long sys_writev(uint64_t fd, uint64_t iov, uint64_t cnt)
{
	return rwv(fd, iov, cnt, -1, 1);
}

long sys_preadv(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t lo, uint64_t hi)
{
	(void)hi; /* pos_from_hilo: on 64-bit, the offset is lo alone */
	return (int64_t)lo < 0 ? -EINVAL : rwv(fd, iov, cnt, (int64_t)lo, 0);
}

long sys_pwritev(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t lo, uint64_t hi)
{
	(void)hi; /* pos_from_hilo: on 64-bit, the offset is lo alone */
	return (int64_t)lo < 0 ? -EINVAL : rwv(fd, iov, cnt, (int64_t)lo, 1);
}

long sys_lseek(unsigned int fd, int64_t off, unsigned int whence)
{
	struct file *f = cur_file(fd);

	return f ? vfs_lseek(f, off, whence) : -EBADF;
}

long sys_dup(unsigned int fd)
{
	struct file *f = cur_file(fd);
	int r;

	if (!f)
		return -EBADF;
	r = fd_install(proc_current()->files, 0, file_get(f), 0, fd_limit());
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup3(unsigned int oldfd, unsigned int newfd, int flags)
{
	struct file *f = cur_file(oldfd);
	int r;

	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (!f)
		return -EBADF;
	r = fd_install_at(proc_current()->files, newfd, file_get(f), (flags & O_CLOEXEC) != 0, fd_limit());
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup2(unsigned int oldfd, unsigned int newfd)
{
	if (oldfd == newfd)
		return cur_file(oldfd) ? (long)newfd : -EBADF;
	return sys_dup3(oldfd, newfd, 0);
}

long sys_fcntl(unsigned int fd, unsigned int cmd, uint64_t arg)
{
	struct proc *p = proc_current();
	struct file *f = cur_file(fd);
	int r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)arg < 0 || arg >= (uint64_t)fd_limit())
			return -EINVAL;
		r = fd_install(p->files, (int)arg, file_get(f), cmd == F_DUPFD_CLOEXEC, fd_limit());
		if (r < 0)
			file_put(f);
		return r;
	case F_GETFD:
		return fd_get_cloexec(p->files, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		return fd_set_cloexec(p->files, fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return (long)(f->flags & (O_ACCMODE | O_STATUS_FLAGS | O_LARGEFILE)) | O_LARGEFILE;
	case F_SETFL:
		f->flags = (f->flags & ~(unsigned)O_SETFL_MASK) | ((unsigned)arg & O_SETFL_MASK);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		return -ENOLCK; /* no record locks: said plainly rather than pretended */
	case F_GETOWN:
		return 0;
	case F_SETOWN:
		return 0 == (long)arg || proc_find((int)arg, 0) ? 0 : -ESRCH;
	case F_GETPIPE_SZ:
		return file_is_pipe(f) ? (long)PIPE_SIZE : -EBADF;
	case F_SETPIPE_SZ:
		if (!file_is_pipe(f))
			return -EBADF;
		return arg <= PIPE_SIZE ? (long)PIPE_SIZE :
					  -EPERM; /* the size stays 64 KiB: that is what is reported */
	default:
		return -EINVAL;
	}
}

long sys_ioctl(unsigned int fd, unsigned int cmd, uint64_t arg)
{
	struct file *f = cur_file(fd);
	int v;

	if (!f)
		return -EBADF;
	switch ((unsigned)cmd) {
	case FIONBIO:
		if (copy_from_user(&v, arg, sizeof(v)))
			return -EFAULT;
		f->flags = v ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK;
		return 0;
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(proc_current()->files, fd, (unsigned)cmd == FIOCLEX);
	default:
		return f->fop && f->fop->ioctl ? f->fop->ioctl(f, (unsigned)cmd, arg) : -ENOTTY;
	}
}

long sys_pipe2(uint64_t ufds, int flags)
{
	struct proc *p = proc_current();
	struct file *r, *w;
	int fds[2], err;

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create((unsigned)flags, &r, &w);
	if (err)
		return err;
	fds[0] = fd_install(p->files, 0, r, (flags & O_CLOEXEC) != 0, fd_limit());
	if (fds[0] < 0) {
		file_put(r);
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(p->files, 0, w, (flags & O_CLOEXEC) != 0, fd_limit());
	if (fds[1] < 0) {
		file_put(w);
		fd_close(p->files, fds[0]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(p->files, fds[0]);
		fd_close(p->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(uint64_t ufds)
{
	return sys_pipe2(ufds, 0);
}

long sys_getdents64(unsigned int fd, uint64_t buf, unsigned int count)
{
	struct file *f = cur_file(fd);

	if (!f)
		return -EBADF;
	return vfs_getdents64(f, buf, count > RW_MAX ? RW_MAX : count);
}

long sys_sendfile(int out_fd, int in_fd, uint64_t uoff, uint64_t count)
{
	struct file *in = cur_file(in_fd), *out = cur_file(out_fd);
	char *buf;
	int64_t off = 0;
	long done = 0;

	if (!in || !out)
		return -EBADF;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (uoff && copy_from_user(&off, uoff, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	/* do_sendfile's min(count, MAX_RW_COUNT): without it, in == out grows the file until RAM runs out. */
	if (count > RW_MAX)
		count = RW_MAX;
	buf = kmalloc(SENDFILE_CHUNK);
	if (!buf)
		return -ENOMEM;
	while ((uint64_t)done < count) {
		size_t n = count - (uint64_t)done < SENDFILE_CHUNK ? count - (uint64_t)done : SENDFILE_CHUNK;
		struct uio ri = uio_kernel(buf, n), wi;
		long r = uoff ? vfs_pread(in, &ri, (uint64_t)off + (uint64_t)done) : vfs_read(in, &ri), w;

		if (r <= 0) {
			if (r < 0 && !done)
				done = r;
			break;
		}
		wi = uio_kernel(buf, (size_t)r);
		w = vfs_write(out, &wi);
		if (w <= 0) {
			if (!done)
				done = epipe(w);
			break;
		}
		done += w;
		if (w < r)
			break;
	}
	kfree(buf);
	if (uoff && done > 0) {
		off += done;
		if (copy_to_user(uoff, &off, sizeof(off)))
			return -EFAULT;
	}
	return done;
}

long sys_fadvise64(int fd, int64_t off, uint64_t len, int advice)
{
	struct file *f = cur_file(fd);

	(void)off;
	if (!f)
		return -EBADF;
	if (file_is_pipe(f))
		return -ESPIPE;
	if ((int64_t)len < 0 || advice < 0 || advice > 5)
		return -EINVAL;
	return 0; /* advice about caching: RAM files have no cache to steer */
}

/* Everything lives in RAM already: there is nothing to write back. */
long sys_sync(void)
{
	return 0;
}

long sys_fsync(unsigned int fd)
{
	return cur_file(fd) ? 0 : -EBADF;
}

long sys_fdatasync(unsigned int fd)
{
	return sys_fsync(fd);
}

long sys_syncfs(int fd)
{
	return sys_fsync(fd);
}
