#!/bin/sh
# check-relocs.sh SO OBJ... - the firmware stage must be position independent.
#
# UEFI loads atlas.efi wherever it likes; gnu-efi's _relocate then applies
# R_X86_64_RELATIVE entries and nothing else. So:
#  - no object may carry a 32-bit absolute relocation (R_X86_64_32/32S/16/8):
#    such code assumes a link-time address and cannot be relocated at all;
#  - the linked .so may carry dynamic relocations of type RELATIVE only.
set -eu
so=$1; shift
# Debug sections are not loaded, so their 32-bit offsets do not matter.
bad=$(objdump -r "$@" | awk '
	/:     file format/ { obj = $1 }
	/^RELOCATION RECORDS FOR/ { sec = $4; debug = (sec ~ /^\[\.debug/) }
	!debug && $2 ~ /^R_X86_64_(32|32S|16|8)$/ { print obj " " sec " " $0 }')
if [ -n "$bad" ]; then
	echo "check-relocs: absolute relocations in position-independent efi/ objects:" >&2
	echo "$bad" >&2
	exit 1
fi
dyn=$(objdump -R "$so" | awk '$2 ~ /^R_X86_64_/ && $2 != "R_X86_64_RELATIVE" { print }')
if [ -n "$dyn" ]; then
	echo "check-relocs: $so has dynamic relocations _relocate cannot apply:" >&2
	echo "$dyn" >&2
	exit 1
fi
