/* SPDX-License-Identifier: MIT */
/*
 * tty.c - the console terminal and its line discipline (include/tty.h).
 *
 * The input buffer is a ring of TTY_BUF bytes addressed by three running
 * counters, tail <= canon <= head: [tail, canon) holds completed lines that a
 * canonical read may take, [canon, head) the line being edited. Without
 * ICANON, canon follows head. eol[] marks the byte that ends each line:
 * EOL_LINE for NL/VEOL/VEOL2 (returned to the reader), EOL_EOF for VEOF
 * (consumed but not returned, so an empty line with ^D reads as 0 bytes).
 */
#include "tty.h"

#include "devfs.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"

#define EOL_LINE 1
#define EOL_EOF 2
#define SIGINT 2
#define SIGQUIT 3
#define SIGTSTP 20
#define SIGWINCH 28
#define DEFAULT_ROWS 24
#define DEFAULT_COLS 80
#define NS_PER_DECISECOND 100000000ULL
#define CTRL(c) ((c)&0x1f)

static struct tty console;
static const struct tty_hooks *hooks;

struct tty *tty_console(void)
{
	return &console;
}

void tty_set_hooks(const struct tty_hooks *h)
{
	hooks = h;
}

void tty_reset(struct tty *t)
{
	/* Linux's tty_std_termios. */
	static const uint8_t cc[NCCS] = {
		[VINTR] = CTRL('C'),  [VQUIT] = 034,	      [VERASE] = 0177,
		[VKILL] = CTRL('U'),  [VEOF] = CTRL('D'),     [VTIME] = 0,
		[VMIN] = 1,	      [VSTART] = CTRL('Q'),   [VSTOP] = CTRL('S'),
		[VSUSP] = CTRL('Z'),  [VREPRINT] = CTRL('R'), [VWERASE] = CTRL('W'),
		[VLNEXT] = CTRL('V'), [13] = CTRL('O'),
	};

	t->termios.c_iflag = ICRNL | IXON;
	t->termios.c_oflag = OPOST | ONLCR;
	t->termios.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->termios.c_line = 0;
	memcpy(t->termios.c_cc, cc, NCCS);
	t->tail = t->canon = t->head = 0;
	t->lnext = 0;
}

void tty_console_init(const struct tty_driver *drv)
{
	console.drv = drv;
	tty_reset(&console);
}

/* ---- output ---- */

static void track_column(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			t->column = 0;
		else if (c == '\b')
			t->column -= t->column > 0;
		else if (c == '\t')
			t->column = (t->column | 7) + 1;
		else if (c >= 0x20 && c != 0x7f)
			t->column++;
	}
}

static void out(struct tty *t, const char *s, size_t n)
{
	int raw = !(t->termios.c_oflag & OPOST) || !(t->termios.c_oflag & ONLCR);

	track_column(t, s, n);
	if (hooks && hooks->output)
		hooks->output(s, n, raw);
	else if (t->drv)
		t->drv->write(s, n, raw);
}

/* Echo one input byte as ECHOCTL shows it: ^X for control characters but TAB and NL. */
static void echo_char(struct tty *t, unsigned char c)
{
	char ctl[2] = { '^', (char)(c ^ 0x40) };

	if (!(t->termios.c_lflag & ECHO))
		return;
	if ((t->termios.c_lflag & ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n')
		out(t, ctl, 2);
	else
		out(t, (const char *)&c, 1);
}

/* How many columns byte c of the line took when echoed. */
static size_t width_of(const struct tty *t, unsigned char c)
{
	if ((c < 0x20 || c == 0x7f) && c != '\t')
		return (t->termios.c_lflag & ECHOCTL) ? 2 : 0;
	return 1;
}

/* Take the last byte of the line being edited off the screen and out of the buffer. */
static void erase_one(struct tty *t)
{
	unsigned char c;

	if (t->head == t->canon)
		return;
	t->head--;
	c = (unsigned char)t->buf[t->head % TTY_BUF];
	if (!(t->termios.c_lflag & ECHO) || !(t->termios.c_lflag & ECHOE))
		return;
	if (c == '\t') {
		/* Back to where the tab started: the width of the line before it, from the line's first column. */
		size_t start = t->start_col;

		for (size_t i = t->canon; i < t->head; i++) {
			unsigned char d = (unsigned char)t->buf[i % TTY_BUF];

			start = d == '\t' ? (start | 7) + 1 : start + width_of(t, d);
		}
		while (t->column > start)
			out(t, "\b", 1);
		return;
	}
	for (size_t w = width_of(t, c); w; w--)
		out(t, "\b \b", 3);
}

static void store(struct tty *t, unsigned char c, uint8_t eol)
{
	if (t->head == t->canon)
		t->start_col = t->column; /* a new line starts here: where erasing a tab goes back to */
	t->buf[t->head % TTY_BUF] = (char)c;
	t->eol[t->head % TTY_BUF] = eol;
	t->head++;
}

static int is_cc(const struct tty *t, unsigned char c, int idx)
{
	return t->termios.c_cc[idx] && c == t->termios.c_cc[idx];
}

static void flush_input(struct tty *t)
{
	t->tail = t->canon = t->head;
}

static void input_char(struct tty *t, unsigned char c)
{
	const struct ktermios *tm = &t->termios;
	size_t used = t->head - t->tail;

	if (t->lnext) {
		t->lnext = 0;
		goto ordinary;
	}
	if (tm->c_iflag & ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (tm->c_iflag & IGNCR)
			return;
		if (tm->c_iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (tm->c_iflag & INLCR)) {
		c = '\r';
	}
	if (tm->c_lflag & ISIG) {
		int sig = is_cc(t, c, VINTR) ? SIGINT : is_cc(t, c, VQUIT) ? SIGQUIT : is_cc(t, c, VSUSP) ? SIGTSTP : 0;

		if (sig) {
			if (!(tm->c_lflag & NOFLSH))
				flush_input(t);
			echo_char(t, c);
			t->signals[sig == SIGINT ? 0 : sig == SIGQUIT ? 1 : 2]++;
			if (hooks && hooks->signal_pgrp && t->pgrp)
				hooks->signal_pgrp(t->pgrp, sig);
			waitq_wake(&t->readq);
			return;
		}
	}
	if ((tm->c_iflag & IXON) && (is_cc(t, c, VSTART) || is_cc(t, c, VSTOP)))
		return; /* output is never stopped: the console writes synchronously */
	if (tm->c_lflag & ICANON) {
		if ((tm->c_lflag & IEXTEN) && is_cc(t, c, VLNEXT)) {
			t->lnext = 1;
			return;
		}
		if (is_cc(t, c, VERASE)) {
			erase_one(t);
			return;
		}
		if ((tm->c_lflag & IEXTEN) && is_cc(t, c, VWERASE)) {
			while (t->head > t->canon && t->buf[(t->head - 1) % TTY_BUF] == ' ')
				erase_one(t);
			while (t->head > t->canon && t->buf[(t->head - 1) % TTY_BUF] != ' ')
				erase_one(t);
			return;
		}
		if (is_cc(t, c, VKILL)) {
			if ((tm->c_lflag & ECHOKE) || !(tm->c_lflag & ECHOK)) {
				while (t->head > t->canon)
					erase_one(t);
			} else {
				t->head = t->canon;
				if (tm->c_lflag & ECHO)
					out(t, "\n", 1);
			}
			return;
		}
		if ((tm->c_lflag & IEXTEN) && is_cc(t, c, VREPRINT)) {
			echo_char(t, c);
			out(t, "\n", 1);
			for (size_t i = t->canon; i < t->head; i++)
				echo_char(t, (unsigned char)t->buf[i % TTY_BUF]);
			return;
		}
		if (is_cc(t, c, VEOF)) {
			if (used >= TTY_BUF)
				return;
			store(t, c, EOL_EOF);
			t->canon = t->head;
			waitq_wake(&t->readq);
			return;
		}
		if (c == '\n' || is_cc(t, c, VEOL) || ((tm->c_lflag & IEXTEN) && is_cc(t, c, VEOL2))) {
			if (used >= TTY_BUF)
				return;
			store(t, c, EOL_LINE);
			if ((tm->c_lflag & ECHO) || (c == '\n' && (tm->c_lflag & ECHONL)))
				echo_char(t, c);
			t->canon = t->head;
			waitq_wake(&t->readq);
			return;
		}
	}
ordinary:
	/* Keep one byte free in canonical mode, so that the line can always be ended. */
	if (used >= (size_t)TTY_BUF - ((tm->c_lflag & ICANON) ? 1 : 0))
		return;
	store(t, c, 0);
	echo_char(t, c);
	if (!(tm->c_lflag & ICANON)) {
		t->canon = t->head;
		waitq_wake(&t->readq);
	}
}

void tty_input(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		input_char(t, (unsigned char)s[i]);
}

void tty_poll(void)
{
	int c;

	if (!console.drv || !console.drv->getc)
		return;
	for (int i = 0; i < TTY_BUF && (c = console.drv->getc()) >= 0; i++) {
		char ch = (char)c;

		tty_input(&console, &ch, 1);
	}
}

/* ---- reading ---- */

/* Bytes a read may take now. */
static size_t available(const struct tty *t)
{
	return (t->termios.c_lflag & ICANON) ? t->canon - t->tail : t->head - t->tail;
}

/* Take up to u->len bytes of input: one line in canonical mode. 0 or -EFAULT; *got the count. */
static int take(struct tty *t, struct uio *u, size_t *got, int *eof)
{
	int canonical = (t->termios.c_lflag & ICANON) != 0;
	size_t end = canonical ? t->canon : t->head;

	*got = 0;
	*eof = 0;
	while (t->tail < end && u->len) {
		size_t i = t->tail % TTY_BUF;
		uint8_t eol = t->eol[i];

		if (canonical && eol == EOL_EOF) {
			t->tail++;
			*eof = *got == 0;
			return 0;
		}
		if (uio_copy_to(u, &t->buf[i], 1))
			return -EFAULT;
		t->tail++;
		(*got)++;
		if (canonical && eol == EOL_LINE)
			return 0;
	}
	return 0;
}

static long tty_read_uio(struct tty *t, struct uio *u, int nonblock)
{
	uint64_t deadline = 0;
	size_t total = 0;
	int err;

	for (;;) {
		int eof, canonical = (t->termios.c_lflag & ICANON) != 0;
		unsigned vmin = t->termios.c_cc[VMIN], vtime = t->termios.c_cc[VTIME];
		size_t got;

		if (available(t)) {
			err = take(t, u, &got, &eof);
			if (err)
				return total ? (long)total : err;
			total += got;
			/* Canonical: one line. Otherwise: once VMIN bytes (or the whole request) are in. */
			if (canonical || eof || !u->len || total >= vmin)
				return (long)total;
			if (vtime)
				deadline = ktime_deadline((uint64_t)vtime *
							  NS_PER_DECISECOND); /* the inter-byte timer */
			continue;
		}
		if (!canonical && vmin == 0 && (!vtime || total))
			return (long)total; /* MIN 0, TIME 0 is a poll */
		if (nonblock)
			return total ? (long)total : -EAGAIN;
		if (!canonical && vtime && !deadline && (vmin == 0 || total))
			deadline = ktime_deadline((uint64_t)vtime * NS_PER_DECISECOND);
		tty_poll();
		if (available(t))
			continue;
		err = waitq_wait(&t->readq, deadline);
		if (err == -ETIMEDOUT)
			return (long)total;
		if (err)
			return total ? (long)total : -ERESTARTSYS;
	}
}

long tty_read_kernel(struct tty *t, char *buf, size_t n, int nonblock)
{
	struct uio u = uio_kernel(buf, n);

	return tty_read_uio(t, &u, nonblock);
}

static long tty_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty *t = f->priv;

	(void)pos;
	if (hooks && hooks->job_check) {
		int err = hooks->job_check(t->pgrp, t->sid, 0, 0);

		if (err)
			return err;
	}
	if (t->drv && t->drv->reading)
		t->drv->reading();
	return tty_read_uio(t, u, (f->flags & O_NONBLOCK) != 0);
}

static long tty_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty *t = f->priv;
	char chunk[512];
	size_t done = 0;

	(void)pos;
	if (hooks && hooks->job_check) {
		int err = hooks->job_check(t->pgrp, t->sid, 1, (t->termios.c_lflag & TOSTOP) != 0);

		if (err)
			return err;
	}
	while (u->len) {
		size_t n = u->len < sizeof(chunk) ? u->len : sizeof(chunk);

		if (uio_copy_from(u, chunk, n))
			return done ? (long)done : -EFAULT;
		out(t, chunk, n);
		done += n;
	}
	return (long)done;
}

static unsigned tty_poll_op(struct file *f, struct waitq **wq)
{
	struct tty *t = f->priv;

	tty_poll();
	if (wq)
		*wq = &t->readq;
	return POLLOUT | POLLWRNORM | (available(t) ? POLLIN | POLLRDNORM : 0);
}

static void winsize_now(struct tty *t, struct kwinsize *ws)
{
	unsigned rows = 0, cols = 0;

	*ws = t->winsize;
	if (ws->ws_row && ws->ws_col)
		return; /* set by TIOCSWINSZ */
	if (t->drv && t->drv->size)
		t->drv->size(&rows, &cols);
	ws->ws_row = (uint16_t)(rows ? rows : DEFAULT_ROWS);
	ws->ws_col = (uint16_t)(cols ? cols : DEFAULT_COLS);
}

static long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct tty *t = f->priv;
	struct uio u = uio_user(arg, 64);
	struct ktermios tm;
	struct kwinsize ws;
	int v, pid = 0, pgrp = 0, sid = 0;

	if (hooks && hooks->ids)
		hooks->ids(&pid, &pgrp, &sid);
	switch (cmd) {
	case TCGETS:
		return uio_copy_to(&u, &t->termios, sizeof(t->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (uio_copy_from(&u, &tm, sizeof(tm)))
			return -EFAULT;
		if (cmd == TCSETSF)
			flush_input(t);
		/* Leaving canonical mode makes the line being edited readable; entering it keeps what is there. */
		t->termios = tm;
		if (!(tm.c_lflag & ICANON)) {
			for (size_t i = t->canon; i < t->head; i++)
				t->eol[i % TTY_BUF] = 0;
			t->canon = t->head;
		}
		waitq_wake(&t->readq);
		return 0;
	case TIOCGWINSZ:
		winsize_now(t, &ws);
		return uio_copy_to(&u, &ws, sizeof(ws));
	case TIOCSWINSZ:
		if (uio_copy_from(&u, &ws, sizeof(ws)))
			return -EFAULT;
		if (memcmp(&ws, &t->winsize, sizeof(ws)) && hooks && hooks->signal_pgrp && t->pgrp)
			hooks->signal_pgrp(t->pgrp, SIGWINCH);
		t->winsize = ws;
		return 0;
	case TIOCGPGRP:
		if (t->sid && sid != t->sid)
			return -ENOTTY;
		return uio_copy_to(&u, &t->pgrp, sizeof(t->pgrp));
	case TIOCSPGRP:
		if (uio_copy_from(&u, &v, sizeof(v)))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		if (t->sid && sid != t->sid)
			return -ENOTTY;
		t->pgrp = v;
		return 0;
	case TIOCGSID:
		if (!t->sid || sid != t->sid)
			return -ENOTTY;
		return uio_copy_to(&u, &t->sid, sizeof(t->sid));
	case TIOCSCTTY:
		/* The caller must lead its session; the console is then its controlling terminal. */
		if (pid != sid)
			return -EPERM;
		if (t->sid && t->sid != sid && arg != 1)
			return -EPERM;
		t->sid = sid;
		t->pgrp = pgrp;
		return 0;
	case TIOCNOTTY:
		if (t->sid != sid)
			return -ENOTTY;
		if (pid == sid) {
			t->sid = 0;
			t->pgrp = 0;
		}
		return 0;
	case FIONREAD:
		v = (int)available(t);
		return uio_copy_to(&u, &v, sizeof(v));
	case TIOCOUTQ:
		v = 0; /* output is written as it comes: nothing ever waits */
		return uio_copy_to(&u, &v, sizeof(v));
	case TCFLSH:
		if (arg > 2)
			return -EINVAL;
		if (arg != 1)
			flush_input(t); /* TCIFLUSH, TCIOFLUSH */
		return 0;
	case TCSBRK:
	case TCXONC:
		return 0; /* draining and flow control: the console never holds output back */
	default:
		return -ENOTTY;
	}
}

static int console_open(struct inode *ino, struct file *f)
{
	(void)ino;
	f->priv = &console;
	return 0;
}

/* /dev/tty: the caller's controlling terminal, which can only be the console. */
static int tty_open(struct inode *ino, struct file *f)
{
	int pid = 0, pgrp = 0, sid = 0;

	(void)ino;
	if (hooks && hooks->ids)
		hooks->ids(&pid, &pgrp, &sid);
	if (console.sid && console.sid != sid)
		return -ENXIO;
	f->priv = &console;
	return 0;
}

static const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.poll = tty_poll_op,
	.ioctl = tty_ioctl,
};

int tty_init(void)
{
	int err = devfs_register(DEV_CONSOLE, "console", &tty_fops, console_open);

	if (!err)
		err = devfs_register(DEV_TTY, "tty", &tty_fops, tty_open);
	return err;
}
