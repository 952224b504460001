/* SPDX-License-Identifier: MIT */
/* userland.h - the root file system, /dev, /proc and init= (core/proc/userland.c). */
#ifndef ATLAS_USERLAND_H
#define ATLAS_USERLAND_H

/*
 * At boot, once processes can run: the wall clock, the root file system
 * (unpacking the initramfs), /dev and the console terminal, /proc. A
 * failure to build the root file system panics ("vfs: ...").
 */
void userland_init(void);

/*
 * init=: run that program as a session leader on the console terminal,
 * orphans re-parented to it, until it exits. Returns its exit status
 * (128 + the signal when killed), or -1 when there is no init= or it could
 * not start (said on the console).
 */
int userland_run_init(void);

/*
 * Run argv[0] (a path in the root file system) with argv as a session leader
 * on the console terminal, orphans re-parented to it, until it exits: init=
 * and the monitor's sh. Returns its exit status (128 + the signal when
 * killed), or -1 when it could not start (said on the console, name: why).
 */
int userland_run_session(const char *name, const char *const *argv);

#endif
