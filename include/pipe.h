/* SPDX-License-Identifier: MIT */
/*
 * pipe.h - pipes and FIFOs: a 64 KiB buffer between writers and readers,
 * Linux's semantics: reads block until data or until every writer is gone
 * (then 0, end of file); writes block for room and are atomic up to
 * PIPE_BUF bytes; a write with no reader left fails with EPIPE (the syscall
 * layer raises SIGPIPE for it); O_NONBLOCK gives EAGAIN instead of waiting.
 */
#ifndef ATLAS_PIPE_H
#define ATLAS_PIPE_H

#include "vfs.h"

#define PIPE_BUF 4096	      /* writes up to this size are atomic */
#define PIPE_SIZE (64U << 10) /* Linux's default capacity: 16 pages */

/*
 * A new pipe: the read end (O_RDONLY | flags) in *rd and the write end
 * (O_WRONLY | flags) in *wr, each with one reference. flags: O_NONBLOCK.
 * Returns 0 or -ENOMEM / -ENFILE.
 */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);

/* 1 when f is an end of a pipe or FIFO. */
int file_is_pipe(const struct file *f);

#endif
