#!/bin/sh
# check-ksyms.sh PASS1_ELF FINAL_ELF - function addresses must not move
# between the two links, or the embedded symbol table would lie.
set -eu
a=$(nm -n --defined-only "$1" | awk '$2 ~ /^[tTwW]$/ && $3 != "ksyms_count"')
b=$(nm -n --defined-only "$2" | awk '$2 ~ /^[tTwW]$/ && $3 != "ksyms_count"')
if [ "$a" != "$b" ]; then
	echo "check-ksyms: function addresses moved between the two kernel links" >&2
	exit 1
fi
