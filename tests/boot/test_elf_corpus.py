"""Malformed ELF files through run= (issue 18, part 4): each is refused with
one line that names the file and the reason, and the next program runs.

The corpus is made here from build/user/hello.elf, one defect per file, in
the order run= lists them; a good program comes last and must pass. A
directory in \\atlas\\bin\\ must be named in a warning, not skipped silently.
tests/unit/test_elf.c covers the parser case by case (every truncation
length, every field); this is the same through the whole loader, including
the overcommit policy's refusal of a 1 TiB .bss, which only the loader sees.
"""
import struct

import pytest

from atlas_qemu import BUILD, STATUS_FAILED

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_INTERP = 1, 3


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)
        f = EHDR.unpack_from(self.data, 0)
        self.phoff, self.phnum = f[5], f[10]

    def ph(self, i):
        return list(PHDR.unpack_from(self.data, self.phoff + i * PHDR.size))

    def set_ph(self, i, fields):
        PHDR.pack_into(self.data, self.phoff + i * PHDR.size, *fields)

    def loads(self):
        return [i for i in range(self.phnum) if self.ph(i)[0] == PT_LOAD]

    def patch(self, off, fmt, v):
        struct.pack_into(fmt, self.data, off, v)
        return self


def corpus():
    """(name, bytes, what the reason must contain), in run order."""
    good = (BUILD / "user" / "hello.elf").read_bytes()
    e = lambda: Elf(good)  # noqa: E731
    out = [("truncated", good[:200], "runs past the end of the")]
    out.append(("class32", bytes(e().patch(4, "<B", 1).data), "e_ident[EI_CLASS] is 1 (ELFCLASS32)"))
    out.append(("bigendian", bytes(e().patch(5, "<B", 2).data), "e_ident[EI_DATA] is 2 (ELFDATA2MSB)"))
    out.append(("arm64", bytes(e().patch(18, "<H", 183).data), "e_machine is 0xb7 (EM_AARCH64)"))
    out.append(("etdyn", bytes(e().patch(16, "<H", 3).data), "(ET_DYN) without PT_DYNAMIC"))
    out.append(("phnum0", bytes(e().patch(56, "<H", 0).data), "e_phnum is 0"))
    out.append(("phnum65535", bytes(e().patch(56, "<H", 0xFFFF).data), "e_phnum is 0xffff (PN_XNUM)"))
    x = e()
    stack = next(i for i in range(x.phnum) if x.ph(i)[0] == 0x6474E551)  # PT_GNU_STACK
    f = x.ph(stack)
    f[0] = PT_INTERP
    x.set_ph(stack, f)
    out.append(("interp", bytes(x.data), "PT_INTERP present"))
    x = e()
    l = x.loads()
    f = x.ph(l[2])
    f[3] = x.ph(l[1])[3]  # the rodata segment at the text's address
    x.set_ph(l[2], f)
    out.append(("overlap", bytes(x.data), "overlaps PT_LOAD"))
    x = e()
    f = x.ph(l[1])
    f[3] = 0x1000  # the text in the null guard
    x.set_ph(l[1], f)
    out.append(("nullguard", bytes(x.data), "(the null guard)"))
    x = e()
    f = x.ph(l[1])
    f[3] = 0xFFFFFFFF80001000
    x.set_ph(l[1], f)
    out.append(("kernelhalf", bytes(x.data), "is in the kernel half"))
    x = e()
    f = x.ph(l[3])
    f[6] = f[5] - 8  # p_memsz below p_filesz
    x.set_ph(l[3], f)
    out.append(("filesz", bytes(x.data), "p_filesz 0x48 > p_memsz 0x40"))
    x = e()
    f = x.ph(l[3])
    f[6] += 1 << 40  # a 1 TiB .bss
    x.set_ph(l[3], f)
    out.append(("bss1tib", bytes(x.data), "overcommit"))
    out.append(("entry", bytes(e().patch(24, "<Q", 0x10000000).data), "is not inside any PT_LOAD segment"))
    return out


@pytest.fixture(scope="module")
def corpus_boot(atlas, tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    files, paths = {}, []
    for name, data, _ in corpus():
        (d / f"{name}.elf").write_bytes(data)
        files[f"/bad/{name}.elf"] = d / f"{name}.elf"
        paths.append(f"\\bad\\{name}.elf")
    files["/good.elf"] = BUILD / "user" / "hello.elf"
    paths.append("\\good.elf")
    # A directory in \atlas\bin\ (it holds a file, so that mtools makes it).
    (d / "readme.txt").write_text("not a program\n")
    files["/atlas/bin/subdir/readme.txt"] = d / "readme.txt"
    run = ";".join(paths)
    assert len(run) <= 255 and len(paths) <= 16
    return atlas.boot("elf-corpus", cfg=f'report=both on_finish=exit tests=run run="{run}"', memory="128M",
                      files=files)


def test_each_bad_file_is_refused_by_name(corpus_boot):
    corpus_boot.expect_status(STATUS_FAILED)
    tests = {r["name"]: r for r in corpus_boot.records("test")}
    for name, _, why in corpus():
        t = tests.get(f"run.{name}")
        assert t is not None, f"no test record for {name}"
        assert not t["ok"], t
        assert t["got"].startswith(f"\\bad\\{name}.elf rejected: "), t
        assert why in t["got"], (why, t)
        # One human line naming the file and the reason.
        lines = [l for l in corpus_boot.serial.splitlines() if l.startswith(f"run: \\bad\\{name}.elf rejected: ")]
        assert len(lines) == 1 and why in lines[0], lines


def test_the_next_program_runs(corpus_boot):
    tests = {r["name"]: r for r in corpus_boot.records("test")}
    assert tests["run.good"]["ok"], tests["run.good"]
    assert tests["run.pages_returned"]["ok"], tests["run.pages_returned"]
    summary = corpus_boot.records()[-1]
    assert summary["rec"] == "summary" and summary["failed"] == len(corpus()), summary
    assert not corpus_boot.records("panic")


def test_a_directory_in_atlas_bin_is_named(corpus_boot):
    warnings = [w["msg"] for w in corpus_boot.records("warning")]
    assert any("'\\atlas\\bin\\subdir' is a directory; skipped" in w for w in warnings), warnings
    assert not any("'\\atlas\\bin\\.'" in w or "'\\atlas\\bin\\..'" in w for w in warnings), warnings
