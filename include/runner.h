/* SPDX-License-Identifier: MIT */
/* runner.h - running ring-3 programs as tests. */
#ifndef ATLAS_RUNNER_H
#define ATLAS_RUNNER_H

/*
 * Run every built-in program tests= selects ("user" selects them all), each
 * as the test "user.NAME" compared with its declared outcome, then check
 * that all user, page-table and kernel-stack pages came back
 * ("user.pages_returned").
 */
void runner_run_builtin(void);

#endif
