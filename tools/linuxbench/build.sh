#!/bin/sh
# build.sh OUTDIR BENCH_ELF [VMLINUZ] - the Linux side of `make bench`.
#
# Writes into OUTDIR:
#   chain.efi    tools/linuxbench/chain.c, built with the Makefile's EFI_CFLAGS and gnu-efi link
#                steps (plus libefi for Print/LibOpenRoot/FileDevicePath)
#   initrd.img   uncompressed cpio newc: /init = BENCH_ELF, /dev/console, /dev/null, /proc
#   cmdline.txt  the kernel command line chain.efi passes as LoadOptions
#   esp.img      FAT32: \EFI\BOOT\BOOTX64.EFI (chain.efi), \vmlinuz, \initrd.img, \cmdline.txt
#   disk.img     esp.img in a GPT disk (tools/mkdisk.sh), booted like build/disk.img
#   vmlinuz.path which kernel image was used
# VMLINUZ defaults to the newest /boot/vmlinuz-*-amd64 (Debian package linux-image-amd64).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$1 bench=$2 vmlinuz=${3:-}
CC=${CC:-gcc}
GNUEFI_LIB=${GNUEFI_LIB:-/usr/lib}
GNUEFI_INC=${GNUEFI_INC:-/usr/include/efi}
CMDLINE=${LINUX_CMDLINE:-'console=ttyS0 initrd=\initrd.img rdinit=/init quiet panic=-1'}

if [ -z "$vmlinuz" ]; then
	vmlinuz=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$vmlinuz" ] || [ ! -r "$vmlinuz" ]; then
	echo "linuxbench: no Linux kernel image (apt-get install linux-image-amd64, or pass VMLINUZ)" >&2
	exit 1
fi
mkdir -p "$out"

# The firmware stage's flags from the Makefile (FREESTANDING + EFI_CFLAGS, without -iquote include).
gcc_inc=$($CC -print-file-name=include)
$CC -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdinc -isystem "$gcc_inc" \
	-fno-stack-protector -fno-stack-check -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx \
	-mgeneral-regs-only -fshort-wchar -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns -fpic -fvisibility=hidden -DGNU_EFI_USE_MS_ABI \
	-isystem "$GNUEFI_INC" -isystem "$GNUEFI_INC/x86_64" -c "$here/chain.c" -o "$out/chain.o"
ld -nostdlib -znocombreloc -z noexecstack -shared -Bsymbolic -T "$GNUEFI_LIB/elf_x86_64_efi.lds" \
	"$GNUEFI_LIB/crt0-efi-x86_64.o" "$out/chain.o" -L"$GNUEFI_LIB" -lefi -lgnuefi -o "$out/chain.so"
objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j '.rel.*' -j '.rela.*' \
	-j .reloc --target efi-app-x86_64 --subsystem=10 "$out/chain.so" "$out/chain.efi"

python3 "$here/mkinitramfs.py" "$out/initrd.img" "$bench"
printf '%s\n' "$CMDLINE" > "$out/cmdline.txt"
printf '%s\n' "$vmlinuz" > "$out/vmlinuz.path"

esp=$out/esp.img
rm -f "$esp.tmp"
truncate -s 64M "$esp.tmp"
mformat -i "$esp.tmp" -F -c 1 -v LINUXBENCH ::
mmd -i "$esp.tmp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp.tmp" "$out/chain.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp.tmp" "$vmlinuz" ::/vmlinuz
mcopy -i "$esp.tmp" "$out/initrd.img" ::/initrd.img
mcopy -i "$esp.tmp" "$out/cmdline.txt" ::/cmdline.txt
mv "$esp.tmp" "$esp"
(cd "$repo" && tools/mkdisk.sh "$out/disk.img" "$esp")
