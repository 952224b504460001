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

/*
 * Run the programs efi/ loaded from the boot volume (run=, \atlas\bin\),
 * each as the test "run.NAME" expected to exit 0. A file that is not a valid
 * program fails its test with the loader's reason, naming the ELF field.
 * Then checks that every page and heap byte they used came back
 * ("run.pages_returned").
 */
void runner_run_extra(void);

#endif
