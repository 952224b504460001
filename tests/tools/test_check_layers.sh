#!/bin/sh
# test_check_layers.sh - tools/check-layers.sh passes the tree and fails, naming
# FILE:LINE, on each kind of include that points the wrong way. TAP output.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
check="$top/tools/check-layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/  # /' "$tmp/out"
}

# expect_fail NAME PATH LINE CONTENT...: a file at PATH (in a scratch tree) with
# CONTENT must fail the check with PATH:LINE and WANT in the message.
expect_fail() {
	name=$1 path=$2 line=$3 want=$4
	shift 4
	mkdir -p "$tmp/tree/$(dirname "$path")"
	printf '%s\n' "$@" >"$tmp/tree/$path"
	if (cd "$tmp/tree" && "$check" "$path") >"$tmp/out" 2>&1; then
		not_ok "$name: passed"
	elif grep -q "^$path:$line: .*$want" "$tmp/out"; then
		ok "$name"
	else
		not_ok "$name: no '$path:$line: ...$want' in the output"
	fi
	rm -rf "$tmp/tree"
}

expect_pass() {
	name=$1 path=$2
	shift 2
	mkdir -p "$tmp/tree/$(dirname "$path")"
	printf '%s\n' "$@" >"$tmp/tree/$path"
	if (cd "$tmp/tree" && "$check" "$path") >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name: failed"; fi
	rm -rf "$tmp/tree"
}

if (cd "$top" && "$check") >"$tmp/out" 2>&1; then ok "the tree itself passes"; else not_ok "the tree itself fails"; fi

expect_fail "mm includes a proc header (upward)" mm/bad.c 2 'layer mm may not use layer proc' \
	'#include "kvm.h"' '#include "proc.h"'
expect_fail "x86 includes an mm header" core/x86/bad.c 1 'layer x86 may not use layer mm' '#include "pmm.h"'
expect_fail "lib includes an x86 header" core/lib/bad.c 1 'layer lib may not use layer x86' '#include "x86.h"'
expect_fail "proc includes a report header" core/proc/bad.c 1 'layer proc may not use layer report' \
	'#include "monitor.h"'
expect_fail "a driver includes a selftest header" drivers/bad.c 1 'layer drivers may not use layer selftest' \
	'#include "tests.h"'
expect_fail "a driver includes json.h" drivers/bad.c 1 'may not use json.h' '#include "json.h"'
expect_fail "a header includes upward" include/pmm.h 3 'layer mm may not use layer report' \
	'/* pmm.h */' '#include "memlayout.h"' '#include "screen.h"'
expect_fail "efi includes a kernel-only header" efi/bad.c 2 'layer efi may not use layer mm' \
	'#include "efi.h"' '#include "kvm.h"'
expect_fail "gnu-efi outside efi/" core/proc/bad.c 1 '#include <efi.h>' '#include <efi.h>'
expect_fail "a header no row names" core/proc/bad.c 1 'not a header of include/' '#include "nowhere.h"'
expect_fail "a file outside the layer folders" core/bad.c 1 'not in a layer folder' '/* flat */'
expect_fail "a header without a layer" include/nolayer.h 1 'header has no layer' '/* nolayer.h */'
expect_pass "proc may use fs, drivers, mm, x86 and lib" core/proc/good.c '#include "proc.h"' '#include "acpi.h"' \
	'#include "kvm.h"' '#include "trap.h"' '#include "kstring.h"' '#include <stdint.h>'
expect_pass "report may use anything" core/report/good.c '#include "tests.h"' '#include "proc.h"' '#include "x86.h"'
expect_pass "kmain may use anything" core/main.c '#include "monitor.h"' '#include "tests.h"'
expect_pass "efi may use the shared headers" efi/good.c '#include "efi.h"' '#include "paging.h"' \
	'#include "klayout.h"' '#include <efi.h>'

echo "1..$n"
[ "$failed" -eq 0 ]
