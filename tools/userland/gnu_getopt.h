/* SPDX-License-Identifier: MIT */
/*
 * gnu_getopt.h - command-line options parsed as glibc's getopt_long() parses
 * them, with glibc's error messages, for Atlas's userland tools. musl's
 * getopt_long() words its messages differently and reports no detail for long
 * options, and the tools must print what Debian's (glibc) programs print.
 */
#ifndef ATLAS_GNU_GETOPT_H
#define ATLAS_GNU_GETOPT_H

enum { GNU_NO_ARG, GNU_REQUIRED_ARG };

struct gnu_option {
	const char *name; /* without the leading "--" */
	int has_arg;	  /* GNU_NO_ARG or GNU_REQUIRED_ARG */
	int val;	  /* what gnu_getopt() returns for it */
};

struct gnu_getopt {
	int argc;
	char **argv;
	const char *shortopts;		   /* "ab:c": ':' after a letter that takes an argument */
	const struct gnu_option *longopts; /* ends with a NULL name */
	int posix;			   /* stop at the first operand (POSIXLY_CORRECT or a leading '+') */
	int ind;			   /* next argv element to look at */
	char *next;			   /* rest of a cluster of short options ("-xq"), or NULL */
	char *optarg;			   /* the argument of the option just returned */
	char **operands;		   /* the operands, in their order, once gnu_getopt() returned -1 */
	int noperands;
};

/*
 * Prepares g for argv (argc elements). Returns 0, or -1 when out of memory.
 * The caller frees g->operands.
 */
int gnu_getopt_init(struct gnu_getopt *g, int argc, char **argv, const char *shortopts,
		    const struct gnu_option *longopts);

/*
 * The next option: its letter or val (optarg set when it takes an argument),
 * '?' after printing glibc's message for a bad one on stderr (prefixed with
 * argv[0], as glibc does), or -1 when there are no more options; then
 * g->operands holds the operands, as glibc's permutation would leave them.
 */
int gnu_getopt(struct gnu_getopt *g);

#endif
