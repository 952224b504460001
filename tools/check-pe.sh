#!/bin/sh
# check-pe.sh EFI - atlas.efi must be a PE32+ x86-64 EFI application (subsystem 10).
set -eu
info=$(objdump -p "$1")
echo "$info" | grep -q '^Magic[[:space:]]*020b' || { echo "check-pe: $1 is not PE32+" >&2; exit 1; }
echo "$info" | grep -q '^Subsystem[[:space:]]*0000000a' || { echo "check-pe: $1 is not subsystem 10 (EFI application)" >&2; exit 1; }
objdump -f "$1" | grep -q 'pei-x86-64' || { echo "check-pe: $1 is not x86-64" >&2; exit 1; }
