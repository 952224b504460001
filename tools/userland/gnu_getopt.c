/* SPDX-License-Identifier: MIT */
/*
 * gnu_getopt.c - glibc's getopt_long() behaviour (posix/getopt.c, glibc 2.36,
 * what Debian 12's programs use), written for Atlas's userland tools:
 *
 *   - options and operands may mix ("pmap 1 -x"): operands are collected in
 *     their order, as glibc's argv permutation leaves them; "--" ends the
 *     options; with POSIXLY_CORRECT in the environment or a '+' leading the
 *     short options, the first operand ends them;
 *   - short options cluster ("-xq"), an argument follows its letter or is the
 *     next element ("-A1,2", "-A 1,2");
 *   - a long option may be abbreviated to any unique prefix ("--ext"); an exact
 *     name wins; a prefix of several options is ambiguous unless they all
 *     agree on has_arg and val; its argument is "--name=ARG" or the next
 *     element;
 *   - the messages are glibc's, prefixed with argv[0] as given.
 */
#include "gnu_getopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gnu_getopt_init(struct gnu_getopt *g, int argc, char **argv, const char *shortopts,
		    const struct gnu_option *longopts)
{
	memset(g, 0, sizeof(*g));
	g->argc = argc;
	g->argv = argv;
	g->longopts = longopts;
	g->ind = 1;
	g->posix = getenv("POSIXLY_CORRECT") != NULL;
	if (shortopts[0] == '+') {
		g->posix = 1;
		shortopts++;
	}
	g->shortopts = shortopts;
	g->operands = calloc((size_t)argc + 1, sizeof(char *));
	return g->operands ? 0 : -1;
}

/* The elements from g->ind on are all operands: no more options. */
static int rest_are_operands(struct gnu_getopt *g)
{
	while (g->ind < g->argc)
		g->operands[g->noperands++] = g->argv[g->ind++];
	return -1;
}

/* glibc's process_long_option(); g->next is the text after "--". */
static int long_option(struct gnu_getopt *g)
{
	const char *prog = g->argv[0], *text = g->next;
	const char *eq = strchr(text, '=');
	size_t len = eq ? (size_t)(eq - text) : strlen(text);
	const struct gnu_option *found = NULL;
	int n = 0, ambiguous = 0;

	g->next = NULL;
	g->ind++;
	for (const struct gnu_option *o = g->longopts; o->name; o++, n++)
		if (strlen(o->name) == len && !strncmp(o->name, text, len)) {
			found = o;
			break;
		}
	if (!found) {
		for (const struct gnu_option *o = g->longopts; o->name; o++) {
			if (strncmp(o->name, text, len))
				continue;
			if (!found)
				found = o;
			else if (found->has_arg != o->has_arg || found->val != o->val)
				ambiguous = 1;
		}
	}
	if (ambiguous) {
		/* The first match and every later one that differs from it, in table order. */
		fprintf(stderr, "%s: option '--%s' is ambiguous; possibilities:", prog, text);
		for (const struct gnu_option *o = g->longopts; o->name; o++)
			if (!strncmp(o->name, text, len) &&
			    (o == found || o->has_arg != found->has_arg || o->val != found->val))
				fprintf(stderr, " '--%s'", o->name);
		fprintf(stderr, "\n");
		return '?';
	}
	if (!found) {
		fprintf(stderr, "%s: unrecognized option '--%s'\n", prog, text);
		return '?';
	}
	if (eq) {
		if (found->has_arg == GNU_NO_ARG) {
			fprintf(stderr, "%s: option '--%s' doesn't allow an argument\n", prog, found->name);
			return '?';
		}
		g->optarg = (char *)eq + 1;
	} else if (found->has_arg == GNU_REQUIRED_ARG) {
		if (g->ind >= g->argc) {
			fprintf(stderr, "%s: option '--%s' requires an argument\n", prog, found->name);
			return '?';
		}
		g->optarg = g->argv[g->ind++];
	}
	return found->val;
}

int gnu_getopt(struct gnu_getopt *g)
{
	const char *spec;
	char c;

	g->optarg = NULL;
	while (!g->next || !*g->next) {
		char *arg;

		g->next = NULL;
		if (g->ind >= g->argc)
			return -1;
		arg = g->argv[g->ind];
		if (!strcmp(arg, "--")) {
			g->ind++;
			return rest_are_operands(g);
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			/* An operand ("-" alone is one too). */
			if (g->posix)
				return rest_are_operands(g);
			g->operands[g->noperands++] = arg;
			g->ind++;
			continue;
		}
		if (arg[1] == '-') {
			g->next = arg + 2;
			return long_option(g);
		}
		g->next = arg + 1;
	}
	/* glibc moves to the next element when it starts on a cluster's last letter. */
	c = *g->next++;
	if (!*g->next) {
		g->next = NULL;
		g->ind++;
	}
	spec = strchr(g->shortopts, c);
	if (!spec || c == ':' || c == ';') {
		fprintf(stderr, "%s: invalid option -- '%c'\n", g->argv[0], c);
		return '?';
	}
	if (spec[1] != ':')
		return c;
	if (g->next) {
		/* "-A1,2": the rest of the element is the argument. */
		g->optarg = g->next;
		g->next = NULL;
		g->ind++;
	} else if (g->ind >= g->argc) {
		fprintf(stderr, "%s: option requires an argument -- '%c'\n", g->argv[0], c);
		return '?';
	} else {
		g->optarg = g->argv[g->ind++];
	}
	return c;
}
