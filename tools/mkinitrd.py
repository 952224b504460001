#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkinitrd.py - the initramfs Atlas unpacks into its root file system.

Writes a "newc" cpio archive (the format Linux's initramfs takes; what
core/fs/cpio.c reads) holding:

  /bin/busybox and a symlink per applet (busybox --list), like Debian's
               busybox-static installed as /bin/sh and friends
  /bin/NAME    each --bin NAME=PATH: Atlas's own static tools (tools/userland:
               pmap), for what busybox lacks; a tool takes the place of an
               applet link of the same name
  /usr/lib/atlas/NAME   the ring-3 test suite (tests/user), one ELF per program
               (in their own folder: several have names busybox applets own),
               and /usr/lib/atlas/glibc/NAME, some of them built with glibc
  /etc, /root, /tmp, ...  tools/initrd/ (passwd, group, hostname, profile, ...)
  anything under --extra DIR, at the same place under /

  tools/mkinitrd.py -o OUT.cpio --busybox /bin/busybox [--bin NAME=PATH ...] \
                    --suite build/user --skel tools/initrd [--extra DIR]

Entries are sorted and owned by root; they are time-stamped with
SOURCE_DATE_EPOCH when it is set (then two builds of the same inputs give the
same bytes), else with the time of the build.

The data of every regular file of a page (4 KiB) or more starts on a page
boundary of the archive, so that the kernel can hand those pages to the RAM
file system as they are instead of copying them (core/fs/cpio.c). Newc has no
padding field: the file's name is followed by as many NUL bytes as it takes
(namesize counts them; every reader takes the name up to its first NUL, as
Linux's initramfs code and GNU cpio do). When that would make namesize larger
than PATH_MAX (4096), a "." entry (the root directory again, which unpackers
leave as it is) fills the space up to the next page first.
"""
import argparse
import os
import stat
import subprocess
import sys
import time

MAGIC = b"070701"
PAGE = 4096
HEADER = 110
PATH_MAX = 4096


class Archive:
    def __init__(self, mtime):
        self.out = bytearray()
        self.ino = 1
        self.mtime = mtime
        self.names = set()

    def _pad(self):
        while len(self.out) % 4:
            self.out += b"\0"

    def _header(self, mode, size, namesize, nlink=1, rdev=(0, 0), ino=None):
        fields = [self.ino if ino is None else ino, mode, 0, 0, nlink, self.mtime, size, 0, 0, rdev[0], rdev[1],
                  namesize, 0]
        self.out += MAGIC + b"".join(b"%08X" % f for f in fields)

    def _name_size(self, name):
        """namesize for name so that the data after it starts on a page boundary; 0 when over PATH_MAX."""
        start = len(self.out) + HEADER
        size = (-start) % PAGE
        while size < len(name) + 1:
            size += PAGE
        return size if size <= PATH_MAX else 0

    def _fill_to_page(self):
        """A "." directory entry whose name runs up to the next page boundary but one leaves room for a header."""
        gap = (-len(self.out)) % PAGE
        if gap < HEADER + 2:
            gap += PAGE
        namesize = gap - HEADER
        self._header(stat.S_IFDIR | 0o755, 0, namesize, nlink=2, ino=0)
        self.out += b"." + b"\0" * (namesize - 1)
        assert len(self.out) % PAGE == 0

    def entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        name = name.lstrip("/") or "."
        if name in self.names:
            raise SystemExit(f"mkinitrd: {name} twice in the archive")
        self.names.add(name)
        encoded = name.encode()
        namesize = len(encoded) + 1
        if stat.S_ISREG(mode) and len(data) >= PAGE:
            namesize = self._name_size(encoded)
            if not namesize:
                self._fill_to_page()
                namesize = self._name_size(encoded)
        self._header(mode, len(data), namesize, nlink, rdev)
        self.ino += 1
        self.out += encoded + b"\0" * (namesize - len(encoded))
        self._pad()
        if stat.S_ISREG(mode) and len(data) >= PAGE:
            assert len(self.out) % PAGE == 0
        self.out += data
        self._pad()

    def dir(self, name, mode=0o755):
        self.entry(name, stat.S_IFDIR | mode, nlink=2)

    def file(self, name, data, mode=0o644):
        self.entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def finish(self):
        self.entry("TRAILER!!!", 0)
        while len(self.out) % 512:
            self.out += b"\0"
        return bytes(self.out)


def add_tree(ar, root, prefix, dirs_done):
    """Everything under root, at prefix/..., directories first, sorted."""
    for top, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(top, root)
        base = prefix if rel == "." else (f"{prefix}/{rel}" if prefix else rel)
        if base and base not in dirs_done:
            ar.dir(base, stat.S_IMODE(os.stat(top).st_mode))
            dirs_done.add(base)
        for f in sorted(files):
            path = os.path.join(top, f)
            st = os.lstat(path)
            name = f"{base}/{f}" if base else f
            if stat.S_ISLNK(st.st_mode):
                ar.symlink(name, os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as fh:
                    ar.file(name, fh.read(), stat.S_IMODE(st.st_mode))
            else:
                sys.stderr.write(f"mkinitrd: {path}: not a file, directory or symlink; left out\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--busybox", required=True, help="the busybox-static binary")
    ap.add_argument("--bin", action="append", default=[], metavar="NAME=PATH",
                    help="a static program installed as /bin/NAME (may repeat)")
    ap.add_argument("--suite", help="folder with the ring-3 suite's NAME.elf files")
    ap.add_argument("--skel", help="folder copied to / first (etc/, ...)")
    ap.add_argument("--extra", action="append", default=[], help="folder copied to / last (may repeat)")
    a = ap.parse_args()

    ar = Archive(int(os.environ.get("SOURCE_DATE_EPOCH", str(int(time.time())))))
    dirs = set()
    for d in ("bin", "dev", "etc", "home", "proc", "root", "sbin", "sys", "tmp", "usr", "usr/bin", "usr/lib",
              "usr/lib/atlas", "usr/sbin", "var"):
        ar.dir(d, 0o1777 if d == "tmp" else 0o700 if d == "root" else 0o755)
        dirs.add(d)
    if a.skel:
        add_tree(ar, a.skel, "", dirs)
    with open(a.busybox, "rb") as fh:
        ar.file("bin/busybox", fh.read(), 0o755)
    # A tool of the same name as an applet replaces its link, wherever busybox puts it.
    tools = set()
    for spec in a.bin:
        name, sep, path = spec.partition("=")
        if not sep or not name or "/" in name or not path:
            raise SystemExit(f"mkinitrd: --bin {spec}: expected NAME=PATH")
        if not os.path.isfile(path):
            raise SystemExit(f"mkinitrd: --bin {spec}: {path}: not a file")
        with open(path, "rb") as fh:
            ar.file(f"bin/{name}", fh.read(), 0o755)
        tools.add(name)
    applets = subprocess.run([a.busybox, "--list-full"], check=True, capture_output=True, text=True).stdout.split()
    for path in sorted(applets):
        if path == "bin/busybox" or path in ar.names or os.path.basename(path) in tools:
            continue
        ar.symlink(path, "/bin/busybox")
    if a.suite:
        for f in sorted(os.listdir(a.suite)):
            if f.endswith(".elf"):
                with open(os.path.join(a.suite, f), "rb") as fh:
                    ar.file(f"usr/lib/atlas/{f[:-4]}", fh.read(), 0o755)
        glibc = os.path.join(a.suite, "glibc")
        if os.path.isdir(glibc):
            ar.dir("usr/lib/atlas/glibc")
            for f in sorted(os.listdir(glibc)):
                if f.endswith(".elf"):
                    with open(os.path.join(glibc, f), "rb") as fh:
                        ar.file(f"usr/lib/atlas/glibc/{f[:-4]}", fh.read(), 0o755)
    for extra in a.extra:
        if not os.path.isdir(extra):
            raise SystemExit(f"mkinitrd: INITRD_EXTRA={extra}: not a directory")
        add_tree(ar, extra, "", dirs)
    data = ar.finish()
    with open(a.output, "wb") as fh:
        fh.write(data)
    print(f"mkinitrd: {a.output}: {len(ar.names) - 1} entries, {len(data)} bytes")


if __name__ == "__main__":
    main()
