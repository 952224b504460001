/* SPDX-License-Identifier: MIT */
/*
 * syscall_table.c - the system-call table, indexed by number: include/
 * syscalls.h expanded. Numbers Linux does not use stay zero (no name).
 */
#include "syscall.h"

#define SYS(nr, name_, ret_, ...) [nr] = { .name = #name_, .fn = sys_##name_, .ret = ret_, .arg = { __VA_ARGS__ } },
#define NOSYS(nr, name_) [nr] = { .name = #name_ },

const struct syscall_desc syscall_table[SYSCALL_NR] = {
#include "syscalls.h"
};
