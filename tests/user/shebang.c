/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * shebang - a corpus of "#!" scripts, well-formed and malformed (issue 18,
 * part 4): each is run by execve in a child whose stdout is a pipe, and what
 * comes back - the line /bin/echo prints as the interpreter (its argument,
 * the script's path, the script's own arguments), or the errno execve
 * returns - must be what Linux gives: the leading and trailing blanks, the
 * 256-byte line buffer (BINPRM_BUF_SIZE) with and without a newline in it, a
 * NUL in the line, CR line ends, a missing or non-executable interpreter,
 * nested interpreters up to the depth where Linux says ELOOP, a relative
 * interpreter (looked up from the working directory, also for execveat), and
 * the caller intact after every failure. Runs on the host too (make
 * user-host): the expectations are Linux 6.x's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "utest.h"

static char dir[] = "/tmp/shebang.XXXXXX";

/* Write path with n bytes of text (embedded NULs kept) and mode. */
static void put(const char *path, const char *text, size_t n, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "create %s: %d", path, errno);
	CHECK(write(fd, text, n) == (ssize_t)n, "write %s", path);
	close(fd);
	CHECK(chmod(path, mode) == 0, "chmod %s", path);
}

/*
 * Run path (execveat from dirfd when dirfd != AT_FDCWD) with argv {path, "x"}
 * in a child: *out gets what it printed (trailing newline dropped). Returns
 * 0 when the program ran and exited 0, else the errno execve gave.
 */
static int run(int dirfd, const char *path, char *out, size_t size)
{
	char *const argv[] = { (char *)path, "x", NULL };
	char *const envp[] = { NULL };
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		long r;

		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		if (dirfd == AT_FDCWD)
			r = sys3(SYS_execve, path, argv, envp);
		else
			r = sys5(SYS_execveat, dirfd, path, argv, envp, 0);
		/* The caller is intact: report the error through the exit status. */
		_exit(r < 0 && r > -256 ? (int)-r : 255);
	}
	close(p[1]);
	while (got + 1 < size && (n = read(p[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	if (got && out[got - 1] == '\n')
		out[got - 1] = 0;
	close(p[0]);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status), "child status %#x", status);
	if (got)
		CHECK(WEXITSTATUS(status) == 0, "%s printed \"%s\" and exited %d", path, out, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

static int failures, cases;

/* One case: the script's bytes, its mode, and the echo line (%s: its path) or the errno expected. */
static void expect(const char *name, const char *text, size_t n, int mode, const char *line, int err)
{
	char path[128], out[1024], want[1024] = "";
	int r;

	cases++;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (text)
		put(path, text, n, mode);
	r = run(AT_FDCWD, path, out, sizeof(out));
	if (line)
		snprintf(want, sizeof(want), line, path);
	if (line ? r != 0 || strcmp(out, want) : r != err) {
		say("FAIL: %s: got %s%s%s (errno %d), expected %s%s%s (errno %d)", name, r ? "" : "\"", r ? "" : out,
		    r ? "" : "\"", r, line ? "\"" : "", line ? want : "", line ? "\"" : "", line ? 0 : err);
		failures++;
	}
}

#define TEXT(s) (s), sizeof(s) - 1

int main(void)
{
	char buf[512], path[128], out[1024], want[1024], cwd[256];
	int dfd;

	CHECK(mkdtemp(dir), "mkdtemp: %d", errno);
	CHECK(getcwd(cwd, sizeof(cwd)), "getcwd");

	/* Well-formed lines: blanks around the interpreter and the one argument go. */
	expect("plain", TEXT("#!/bin/echo\n"), 0755, "%s x", 0);
	expect("arg", TEXT("#!/bin/echo one  two \t \n"), 0755, "one  two %s x", 0);
	expect("blanks", TEXT("#! \t /bin/echo \t arg\t\n"), 0755, "arg %s x", 0);
	expect("no_newline", TEXT("#!/bin/echo"), 0755, "%s x", 0);
	/* Without a newline the line ends in the file's NUL padding: trailing blanks stay. */
	expect("no_newline_arg", TEXT("#!/bin/echo arg  "), 0755, "arg   %s x", 0);
	expect("body", TEXT("#!/bin/echo a\nthe rest is the script's\n"), 0755, "a %s x", 0);
	/* A NUL ends the interpreter's name (no argument then), or cuts the argument. */
	expect("nul_in_arg", TEXT("#!/bin/echo a\0b\n"), 0755, "a %s x", 0);
	expect("nul_after_name", TEXT("#!/bin/echo\0 junk\n"), 0755, "%s x", 0);

	/* No interpreter. */
	expect("empty_line", TEXT("#!\n"), 0755, NULL, ENOEXEC);
	expect("blank_line", TEXT("#! \t \n"), 0755, NULL, ENOEXEC);
	/* An empty name that is not a whole line: Linux opens "", the working directory (EACCES). */
	expect("two_bytes", TEXT("#!"), 0755, NULL, EACCES);
	expect("nul_name", TEXT("#! \0/bin/echo\n"), 0755, NULL, EACCES);
	expect("empty_file", "", 0, 0755, NULL, ENOEXEC);
	expect("hash_only", TEXT("#\n"), 0755, NULL, ENOEXEC);
	/* An interpreter that is not there or cannot run. */
	expect("missing", TEXT("#!/nonexistent/interp\n"), 0755, NULL, ENOENT);
	expect("crlf", TEXT("#!/bin/echo\r\n"), 0755, NULL, ENOENT);
	snprintf(buf, sizeof(buf), "#!%s\n", dir);
	expect("dir_interp", buf, strlen(buf), 0755, NULL, EACCES);
	snprintf(path, sizeof(path), "%s/plainfile", dir);
	put(path, TEXT("#!/bin/echo\n"), 0644);
	snprintf(buf, sizeof(buf), "#!%s\n", path);
	expect("noexec_interp", buf, strlen(buf), 0755, NULL, EACCES);
	expect("noexec_script", TEXT("#!/bin/echo\n"), 0644, NULL, EACCES);
	snprintf(buf, sizeof(buf), "#!%s/self_loop\n", dir);
	expect("self_loop", buf, strlen(buf), 0755, NULL, ELOOP);

	/*
	 * The 256-byte buffer: a newline anywhere in it ends the line; without
	 * one the line is cut before its last byte - fine when the interpreter's
	 * name ended before (the argument is cut), ENOEXEC when it did not.
	 */
	memcpy(buf, "#!/bin/echo ", 12);
	memset(buf + 12, 'a', 300);
	buf[312] = '\n';
	{
		char line[300];

		memset(line, 'a', 243);
		strcpy(line + 243, " %s x");
		expect("long_arg", buf, 313, 0755, line, 0);
		buf[255] = '\n'; /* the buffer's last byte */
		expect("newline_at_255", buf, 313, 0755, line, 0);
		buf[255] = 'a';
		buf[256] = '\n'; /* just past it */
		expect("newline_at_256", buf, 313, 0755, line, 0);
		buf[256] = 'a';
		buf[254] = '\n';
		memset(line, 'a', 242);
		strcpy(line + 242, " %s x");
		expect("newline_at_254", buf, 313, 0755, line, 0);
	}
	memcpy(buf, "#!", 2);
	memset(buf + 2, ' ', 300);
	expect("all_blanks", buf, 302, 0755, NULL, ENOEXEC);
	buf[0] = '#';
	buf[1] = '!';
	memset(buf + 2, 'n', 300);
	buf[2] = '/';
	buf[302] = '\n';
	expect("long_name", buf, 303, 0755, NULL, ENOEXEC);
	memcpy(buf + 250, " arg\n", 5); /* the name (248 bytes) ends inside: ENOENT, not ENOEXEC */
	expect("name_248", buf, 255, 0755, NULL, ENOENT);

	/* Nested interpreters: a script runs a script ... runs /bin/echo; Linux stops the chain past 5 scripts. */
	snprintf(path, sizeof(path), "%s/n1", dir);
	put(path, TEXT("#!/bin/echo\n"), 0755);
	for (int depth = 2; depth <= 7; depth++) {
		char name[16], line[1024];
		size_t at = 0;

		snprintf(name, sizeof(name), "n%d", depth);
		snprintf(buf, sizeof(buf), "#!%s/n%d\n", dir, depth - 1);
		for (int k = 1; k < depth; k++)
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s/n%d ", dir, k);
		snprintf(line + at, sizeof(line) - at, "%%s x");
		expect(name, buf, strlen(buf), 0755, depth <= 5 ? line : NULL, ELOOP);
	}

	/*
	 * A relative interpreter is looked up from the working directory (Linux's
	 * open_exec), also when execveat names the script from a directory descriptor.
	 */
	/* Named echo: busybox, Atlas's /bin/echo, runs the applet argv[0] names. */
	snprintf(path, sizeof(path), "%s/echo", dir);
	CHECK(symlink("/bin/echo", path) == 0, "symlink: %d", errno);
	CHECK(chdir(dir) == 0, "chdir");
	expect("rel_interp", TEXT("#!echo arg\n"), 0755, "arg %s x", 0);
	CHECK(chdir("/") == 0, "chdir /");
	expect("rel_interp_elsewhere", NULL, 0, 0, NULL, ENOENT);
	snprintf(path, sizeof(path), "%s/rel_interp", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open %s", dir);
	CHECK(run(dfd, "rel_interp", out, sizeof(out)) == ENOENT, "execveat of rel_interp from / did not fail ENOENT");
	CHECK(chdir(dir) == 0, "chdir");
	snprintf(want, sizeof(want), "arg /dev/fd/%d/rel_interp x", dfd);
	CHECK(run(dfd, "rel_interp", out, sizeof(out)) == 0 && !strcmp(out, want),
	      "execveat of a script: got \"%s\", expected \"%s\"", out, want);
	close(dfd);
	/* Through a descriptor that closes on exec, the interpreter could not open the script: ENOENT. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0, "open %s", dir);
	CHECK(run(dfd, "rel_interp", out, sizeof(out)) == ENOENT, "execveat through an O_CLOEXEC descriptor ran");
	snprintf(path, sizeof(path), "%s/n1", dir);
	CHECK(run(dfd, path, out, sizeof(out)) == 0, "execveat of an absolute script path failed");
	close(dfd);
	CHECK(chdir(cwd) == 0, "chdir back");

	/* Everything gone again. */
	{
		static const char *const names[] = { "plain",
						     "arg",
						     "blanks",
						     "no_newline",
						     "no_newline_arg",
						     "body",
						     "nul_in_arg",
						     "nul_after_name",
						     "empty_line",
						     "blank_line",
						     "two_bytes",
						     "empty_file",
						     "hash_only",
						     "missing",
						     "crlf",
						     "dir_interp",
						     "plainfile",
						     "noexec_interp",
						     "noexec_script",
						     "self_loop",
						     "long_arg",
						     "newline_at_255",
						     "newline_at_256",
						     "newline_at_254",
						     "all_blanks",
						     "nul_name",
						     "long_name",
						     "name_248",
						     "n1",
						     "n2",
						     "n3",
						     "n4",
						     "n5",
						     "n6",
						     "n7",
						     "echo",
						     "rel_interp" };

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			CHECK(unlink(path) == 0, "unlink %s: %d", path, errno);
		}
		CHECK(rmdir(dir) == 0, "rmdir %s: %d", dir, errno);
	}
	CHECK(!failures, "%d case(s) differ from Linux", failures);
	say("%d scripts and 4 execveat calls ran or were refused as on Linux", cases);
	return 0;
}
