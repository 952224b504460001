/* SPDX-License-Identifier: MIT */
/*
 * tty.h - the console terminal: Linux's N_TTY line discipline over whatever
 * carries characters in and out (the UART, the PS/2 or USB keyboard, the
 * framebuffer console), as /dev/console and /dev/tty.
 *
 * Input arrives by polling (tty_poll, from the timer tick and the idle
 * loop): no keyboard or UART interrupt is needed. In canonical mode (ICANON)
 * a read returns one line, edited with VERASE, VKILL, VWERASE, ended by NL,
 * VEOL or VEOF; otherwise bytes as they come, by VMIN and VTIME. With ISIG,
 * VINTR, VQUIT and VSUSP become SIGINT, SIGQUIT and SIGTSTP for the
 * foreground process group. Echo follows ECHO, ECHOE, ECHOK, ECHONL,
 * ECHOCTL and ECHOKE. The termios layout and ioctl numbers are Linux's.
 */
#ifndef ATLAS_TTY_H
#define ATLAS_TTY_H

#include <stddef.h>
#include <stdint.h>

#include "vfs.h"
#include "wait.h"

/* struct termios as the kernel's TCGETS/TCSETS pass it (asm-generic/termbits.h: NCCS 19). */
#define NCCS 19
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct ktermios) == 36, "the kernel's struct termios is 36 bytes");

struct kwinsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IUCLC 0001000
#define IXON 0002000
#define IXANY 0004000
#define IMAXBEL 0020000
#define IUTF8 0040000
/* c_oflag */
#define OPOST 0000001
#define ONLCR 0000004
#define OCRNL 0000010
/* c_cflag */
#define B38400 0000017
#define CS8 0000060
#define CREAD 0000200
#define HUPCL 0002000
/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000
/* c_cc indices */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* ioctls (asm-generic/ioctls.h) */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define FIONBIO 0x5421

#define TTY_BUF 4096 /* N_TTY_BUF_SIZE */

/* What the terminal runs on: the console's input and output. */
struct tty_driver {
	/* Bytes to the screen and the UART; raw: no "\n" -> "\r\n" (OPOST/ONLCR off). */
	void (*write)(const char *s, size_t n, int raw);
	/* One input byte, or -1 when none is waiting. */
	int (*getc)(void);
	/* The text size of the screen (0 when there is none: 80x24 is assumed). */
	void (*size)(unsigned *rows, unsigned *cols);
	/* A program reads the terminal (NULL: nothing to do): the screen shows its cursor. */
	void (*reading)(void);
};

/*
 * What the terminal asks of the process layer (core/proc), which registers
 * them: signals for a process group, and who is asking.
 */
struct tty_hooks {
	void (*signal_pgrp)(int pgrp, int sig);
	/* Job control for a read (writing = 0) or write: 0 to go on, or -EIO / -ERESTARTSYS after a SIGTTIN/SIGTTOU. */
	int (*job_check)(int tty_pgrp, int tty_sid, int writing, int tostop);
	/* The current process's pid, process group and session. */
	void (*ids)(int *pid, int *pgrp, int *sid);
	/* Output of the current process to the console (report=json wraps it in records): NULL writes directly. */
	void (*output)(const char *s, size_t n, int raw);
};

struct tty {
	struct ktermios termios;
	struct kwinsize winsize;
	const struct tty_driver *drv;
	char buf[TTY_BUF];
	uint8_t eol[TTY_BUF]; /* 1 at a byte that ends a line (NL, VEOL, or VEOF, which is not read) */
	size_t tail;	      /* next byte to read */
	size_t canon;	      /* end of the completed lines (canonical mode) */
	size_t head;	      /* end of what was typed */
	size_t column;	      /* the echo's column, for erasing */
	size_t start_col;     /* the column the line being edited started at */
	int lnext;	      /* the next byte is literal (VLNEXT) */
	int pgrp, sid;	      /* foreground process group, session (0: none) */
	struct waitq readq;
	uint64_t signals[3]; /* counts of VINTR, VQUIT, VSUSP seen (reports, tests) */
};

/* The console terminal: set up with drv and the default termios. */
void tty_console_init(const struct tty_driver *drv);
/* It (for the process layer: sessions, job control). */
struct tty *tty_console(void);
void tty_set_hooks(const struct tty_hooks *h);

/* Feed typed bytes through the line discipline (echo, editing, signals). Safe from the timer interrupt. */
void tty_input(struct tty *t, const char *s, size_t n);
/* Read every byte the driver has and feed it in. From the timer tick and the idle loop. */
void tty_poll(void);
/* Reset the input and set termios to Linux's defaults (for tests and a new shell). */
void tty_reset(struct tty *t);

/* The console terminal on the console's drivers (core/fs/console_tty.c). */
void console_tty_init(void);

/* The operations of /dev/console and /dev/tty; tty_init registers them with devfs. */
int tty_init(void);

/* Host tests: read / write / ioctl on the console terminal with a kernel buffer. */
long tty_read_kernel(struct tty *t, char *buf, size_t n, int nonblock);

#endif
