/* SPDX-License-Identifier: MIT */
/*
 * finish.h - the end of a run (core/finish.c), as on_finish says: exit
 * through QEMU's isa-debug-exit port, shut down, reboot, halt, or the
 * monitor first. The exit codes are panic.h's.
 */
#ifndef ATLAS_FINISH_H
#define ATLAS_FINISH_H

#include "panic.h"

/* End the run. exit_code: EXIT_PASSED, EXIT_FAILED or EXIT_PANIC. Never returns. */
void finish(unsigned exit_code) __attribute__((noreturn));

#endif
