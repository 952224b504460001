#!/usr/bin/python3
"""mkinitramfs.py OUT INIT - a minimal uncompressed initramfs (cpio "newc") for `make bench`.

It holds only what the benchmark needs as Linux's /init:
  /init          INIT (the static benchmark program), mode 0755
  /dev/console   character device 5:1: the kernel opens it as init's stdin, stdout and stderr
                 (without it, init runs with no fd 0/1/2 at all)
  /dev/null      character device 1:3 (the write-to-/dev/null figure)
  /proc          empty directory: /init mounts procfs there (/proc/self/maps, /proc/meminfo)
  /sys           empty directory: /init mounts sysfs there (to report the THP setting)
Device nodes are written into the archive directly, so no root rights and no mknod are needed.
"""
import stat
import sys
import time
from pathlib import Path


def entry(ino, name, mode, data=b"", rdev=(0, 0), mtime=None):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, int(mtime or time.time()), len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def build(init_bytes, mtime=0):
    items = [
        ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("dev/null", stat.S_IFCHR | 0o666, b"", (1, 3)),
        ("proc", stat.S_IFDIR | 0o555, b"", (0, 0)),
        ("sys", stat.S_IFDIR | 0o555, b"", (0, 0)),
        ("init", stat.S_IFREG | 0o755, init_bytes, (0, 0)),
    ]
    blob = b"".join(entry(i + 1, n, m, d, r, mtime) for i, (n, m, d, r) in enumerate(items))
    blob += entry(0, "TRAILER!!!", 0, mtime=mtime)
    return blob + b"\0" * (-len(blob) % 512)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, init = Path(sys.argv[1]), Path(sys.argv[2])
    out.write_bytes(build(init.read_bytes(), mtime=int(init.stat().st_mtime)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
