#!/bin/sh
# check-layers.sh [FILE...] - every #include points down the kernel's layers.
#
# The layers, bottom to top (docs/architecture.md draws them):
#
#   lib       core/lib/     formatting, strings, JSON, LZ, options, symbols, console, QR encoder
#   x86       core/x86/     entry and traps, GDT/IDT, per-CPU, TSC, CPU features, panic
#   mm        mm/           memory map, page tables, allocators, address spaces
#   drivers   drivers/      devices and firmware interfaces
#   fs        core/fs/      files
#   proc      core/proc/    processes, scheduling, ELF, system calls
#   report    core/report/  what the kernel tells its reader: reports, screen, monitor
#   selftest  core/selftest/ self-tests, the ring-3 runner, bench=on
#   top       core/main.c, core/finish.c: kmain and the end of the run
#   efi       efi/          the firmware stage: its own headers and the shared ones below
#
# A file's layer is its folder; a header in include/ has the layer the HEADERS
# table gives it (a header no row names is an error: give it a layer). A line
# that includes what its layer may not use fails the check, printed as
# FILE:LINE. Angle-bracket includes may only name the C headers in C_HEADERS
# (gnu-efi's <efi.h> is efi/'s alone). With no FILE, every C, assembly and
# header file of efi/, core/, mm/, drivers/ and include/ is read. Exit 0 when
# all is well, 1 with the offending lines on stderr.
set -eu

# May include: layers by name, "*" for any layer, "-NAME.h" to forbid one header
# of an allowed layer, "+NAME.h" to allow one header of another layer.
EDGES='
lib       lib
x86       x86 lib
mm        mm x86 lib
drivers   drivers mm x86 lib -json.h -record.h
fs        fs drivers mm x86 lib
proc      proc fs drivers mm x86 lib
report    *
selftest  *
top       *
efi       efi +civil.h +fwtable.h +boot_info.h +memlayout.h +x86.h +elf64.h +kerrno.h +kprintf.h +kstring.h +options.h +memmap.h +paging.h +serial.h +klayout.h +lz.h
'

# The layer of each header in include/ (and efi/efi.h).
HEADERS='
lib       civil.h fwtable.h iomem.h boot_info.h console.h elf64.h json.h kernel.h kerrno.h kprintf.h kstring.h ksyms.h lz.h memlayout.h options.h qr.h record.h suitefile.h
x86       ktime.h clockfreq.h cpu.h entry.h entry_macros.inc panic.h percpu.h random.h trap.h tsc.h x86.h
mm        heap.h heap_internal.h klayout.h kvm.h memmap.h paging.h physmap.h pmm.h pmm_internal.h uvm.h vma.h vma_tree.h uaccess.h pageref.h
drivers   acpi.h clockcal.h conlog.h efirt.h fb.h fbcon.h kbd.h lapic.h pci_cfg.h ps2kbd.h serial.h usbkbd.h xhci.h xhci_hw.h rtc.h hwinfo.h pci.h pciids.h smbios.h acpi_tables.h vt.h vtparse.h vtscreen.h
proc      aslr.h futex.h lx_time.h elf.h proc.h procfs.h syscall.h syscalls.h sysguard.h sysfs_util.h sched.h signal.h userland.h procfs_dir.h procfs_sys.h proc_internal.h procfs_internal.h elf_internal.h exec_internal.h
report    fwreport.h iomemreport.h pcireport.h bootreport.h hwreport.h kfault.h mmreport.h monitor.h picture.h procreport.h procsnap.h screen.h screenqr.h
selftest  bench.h lifetimes.h runner.h tests.h userprog.h
fs        vfs.h ramfs.h radix.h dirhash.h devfs.h pipe.h tty.h cpio.h wait.h eventpoll.h
top       finish.h
efi       efi.h
'

C_HEADERS='stdarg.h stdbool.h stddef.h stdint.h string.h'

if [ $# -eq 0 ]; then
	set -- $(find efi core mm drivers include -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.inc' \) | sort)
fi

awk -v edges="$EDGES" -v headers="$HEADERS" -v cheaders="$C_HEADERS" '
function layer_of_file(f,    n, p) {
	if (f ~ /^include\//) {
		n = f; sub(/^include\//, "", n)
		return (n in hdr) ? hdr[n] : "?"
	}
	if (f ~ /^efi\//) return "efi"
	if (f ~ /^mm\/[^\/]+$/) return "mm"
	if (f ~ /^drivers\/[^\/]+$/) return "drivers"
	if (f == "core/main.c" || f == "core/finish.c" || f == "core/kernel.ld.S") return "top"
	if (match(f, /^core\/[a-z0-9_]+\//)) {
		p = substr(f, 6, RLENGTH - 6)
		if (p in known) return p
	}
	return "?"
}
function allowed(from, h, to,    i) {
	if ((from, "-" h) in rule) return 0
	if ((from, "+" h) in rule) return 1
	return ((from, "*") in rule) || ((from, to) in rule)
}
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
}
BEGIN {
	n = split(edges, lines, "\n")
	for (i = 1; i <= n; i++) {
		k = split(lines[i], w, /[ \t]+/)
		if (k < 2) continue
		known[w[1]] = 1
		for (j = 2; j <= k; j++) rule[w[1], w[j]] = 1
	}
	n = split(headers, lines, "\n")
	for (i = 1; i <= n; i++) {
		k = split(lines[i], w, /[ \t]+/)
		for (j = 2; j <= k; j++) hdr[w[j]] = w[1]
	}
	n = split(cheaders, w, " ")
	for (j = 1; j <= n; j++) libc[w[j]] = 1
}
FNR == 1 {
	me = layer_of_file(FILENAME)
	if (me == "?") {
		if (FILENAME ~ /^include\//)
			fail("header has no layer: add it to HEADERS in tools/check-layers.sh (and docs/architecture.md)")
		else
			fail("not in a layer folder: core/ files live in core/<layer>/ (docs/architecture.md)")
		nextfile
	}
}
/^[ \t]*#[ \t]*include[ \t]*</ {
	h = $0; sub(/^[^<]*</, "", h); sub(/>.*/, "", h)
	if (me == "efi" && h == "efi.h") next
	if (!(h in libc)) fail("#include <" h ">: layer " me " may use only the C headers " cheaders)
	next
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
	if (h in hdr) to = hdr[h]
	else if (me == "efi" && h !~ /\//) to = "efi"
	else if (h ~ /^build\// || h ~ /\.\.\//) next
	else { fail("#include \"" h "\": not a header of include/ (add it to HEADERS)"); next }
	if ((me, "-" h) in rule)
		fail("#include \"" h "\": layer " me " may not use " h)
	else if (!allowed(me, h, to))
		fail("#include \"" h "\": layer " me " may not use layer " to " (" h ")")
}
END { exit bad }
' "$@" || {
	echo "check-layers: includes that point up the layers (or out of them); see docs/architecture.md" >&2
	exit 1
}
