"""A malformed initramfs (issue 18, part 4): the build's archive with a second
one appended (Linux unpacks concatenated archives) whose entries are each
wrong in a different way - a ".." component, a symlink to nothing, an entry
without a type - and which is cut off inside its last entry. Each bad entry gets one warning naming it (or its offset)
and the reason, the good entries around them are unpacked, and init runs.
tests/unit/test_vfs.c::test_cpio_corpus has the case-by-case corpus (every
truncation, every byte); this is the same unpacker at boot.
"""
import pytest

from test_userland import make_initrd

SCRIPT = """#!/bin/sh
echo "=== good: $(cat /corpus/good)"
ls /corpus
echo "=== end"
"""


def entry(name, mode, data=b"", namesize=None):
    n = len(name) + 1 if namesize is None else namesize
    hdr = "070701" + "".join(f"{v:08X}" for v in (77, mode, 0, 0, 1, 1700000000, len(data), 0, 0, 0, 0, n, 0))
    out = hdr.encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def corpus():
    a = entry("corpus", 0o040755)
    a += entry("corpus/good", 0o100644, b"unpacked\n")
    a += entry("corpus/../escape", 0o100644, b"no\n")
    a += entry("corpus/dangling", 0o120777, b"")
    a += entry("corpus/typeless", 0o644, b"")
    a += entry("corpus/after", 0o100644, b"still unpacked\n")
    return a + entry("corpus/cut", 0o100644, b"0123456789abcdef")[:-12]


@pytest.fixture(scope="module")
def boot(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("initrd-corpus")
    good = make_initrd(tmp, {"/test/corpus.sh": SCRIPT})
    bad = tmp / "initrd-bad.cpio"
    data = good.read_bytes()
    bad.write_bytes(data + b"\0" * (-len(data) % 4) + corpus())
    return atlas.boot("initrd-corpus", cfg='report=json on_finish=exit tests=none init="/bin/sh /test/corpus.sh"',
                      memory="256M", files={"/atlas/initrd.cpio": bad})  # fmt: skip


def test_each_bad_entry_is_named(boot):
    warnings = [r["msg"] for r in boot.records("warning")]
    for what in ('"corpus/../escape"', "a \"..\" component", '"corpus/dangling"', "bad type or size",
                 '"corpus/typeless"', '"corpus/cut"', "truncated"):
        assert any(what in w for w in warnings), (what, warnings)


def test_the_rest_is_unpacked_and_init_runs(boot):
    text = "\n".join(r["text"] for r in boot.records("output"))
    assert "=== good: unpacked" in text, boot.tail()
    assert "after" in text and "escape" not in text and "cut" not in text, text
    assert "=== end" in text, boot.tail()
    rootfs = boot.records("rootfs")
    assert rootfs and rootfs[0]["skipped"] == 4 and rootfs[0]["truncated"], rootfs
