"""/bin/pmap (tools/userland/pmap.c, musl static) on Atlas, run by busybox sh.

One boot, init="/bin/sh /test/pmap.sh": the script prints, section by
section, /proc/PID/maps, smaps and stat of the shell itself ($$, pid 1) and of
a sleeping child, and what `pmap`, `pmap -x`, `-d`, `-q`, `-X` say about them;
then the same for tests/tools/pmap_target.c (64 MiB of anonymous memory, a
second thread, a zombie child), by its PID and by its thread's id (Linux's
hidden /proc/TID); then pmap's answers to a PID that does not exist and to bad
usage.

The expected pmap output is worked out here, independently, from the /proc
text the same boot printed (procps-ng 4.0.2's rules: tests/tools/test_pmap.py
holds the program to procps byte for byte on Linux): every area of maps, in
order, with its size, mode and name, RSS and Dirty from smaps, the totals the
sums of the lines. The sleeping child does not change between the reads, so
its output must match exactly; the shell may touch memory between commands,
so its lines must match what /proc said just before or just after pmap ran.
Error cases are compared with /usr/bin/pmap on this host.
"""

import re
import subprocess

import pytest

from atlas_qemu import REPO
from test_userland import make_initrd

SECTION = re.compile(r"^=== (\S+)\n", re.M)

SCRIPT = r"""#!/bin/sh
cd /tmp
sleep 300 &
S=$!
sleep 1
echo "=== pids"
echo "$$ $S"
for p in $$ $S; do
  echo "=== stat-$p"; (cat /proc/$p/stat)
  echo "=== cmdline-$p"; (cat /proc/$p/cmdline | tr '\0' ' '; echo)
done
echo "=== maps-before"; (cat /proc/$$/maps)
echo "=== pmap-self"; pmap $$; echo "status $?"
echo "=== maps-after"; (cat /proc/$$/maps)
echo "=== smaps-before"; (cat /proc/$$/smaps)
echo "=== pmapx-self"; pmap -x $$; echo "status $?"
echo "=== smaps-after"; (cat /proc/$$/smaps)
echo "=== maps-live"; cat /proc/$S/maps
echo "=== smaps-live"; cat /proc/$S/smaps
echo "=== pmap-live"; pmap $S; echo "status $?"
echo "=== pmapx-live"; pmap -x $S; echo "status $?"
echo "=== pmapd-live"; pmap -d $S; echo "status $?"
echo "=== pmapq-live"; pmap -q -x $S; echo "status $?"
echo "=== pmapX-live"; pmap -X $S; echo "status $?"
echo "=== several"; pmap -q $S 99999 $S; echo "status $?"
/test/pmap_target - - "two words" > /tmp/target &
sleep 1
read P T Z < /tmp/target
echo "=== target"; echo "$P $T $Z"
echo "=== stat-$P"; cat /proc/$P/stat
echo "=== cmdline-$P"; cat /proc/$P/cmdline | tr '\0' ' '; echo
echo "=== maps-target"; cat /proc/$P/maps
echo "=== smaps-target"; cat /proc/$P/smaps
echo "=== pmap-target"; pmap $P; echo "status $?"
echo "=== pmap-thread"; pmap $T; echo "status $?"
echo "=== pmapx-thread"; pmap -x $T; echo "status $?"
echo "=== thread-dir"; grep Tgid /proc/$T/status; ls /proc | grep -x $T; echo "listed $?"
echo "=== pmap-zombie"; pmap $Z; echo "status $?"
echo "=== pmapx-zombie"; pmap -x $Z; echo "status $?"
kill $P
echo "=== missing"; pmap 99999 2>&1; echo "status $?"
echo "=== bad-option"; pmap -z $S 2>&1; echo "status $?"
echo "=== no-argument"; pmap 2>&1; echo "status $?"
echo "=== exclusive"; pmap -x -d $S 2>&1; echo "status $?"
kill $S
echo "=== end"
"""


@pytest.fixture(scope="module")
def out(atlas, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pmap")
    # A process with a 64 MiB mapping, a second thread and a zombie child (tests/tools/pmap_target.c).
    target = tmp / "pmap_target"
    subprocess.run(["musl-gcc", "-std=gnu11", "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o", target,
                    REPO / "tests" / "tools" / "pmap_target.c"], check=True)  # fmt: skip
    initrd = make_initrd(tmp, {"/test/pmap.sh": SCRIPT, "/test/pmap_target": target.read_bytes()})
    run = atlas.boot("pmap", cfg='report=human on_finish=exit tests=none init="/bin/sh /test/pmap.sh"',
                     memory="256M", files={"/atlas/initrd.cpio": initrd})  # fmt: skip
    text = run.serial.replace("\r", "")
    assert "=== end" in text, run.tail()
    text = text[text.index("=== pids") : text.index("=== end") + 8]
    marks = list(SECTION.finditer(text))
    sections = {m.group(1): text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
                for i, m in enumerate(marks)}  # fmt: skip
    shell, sleeper = sections["pids"].split()
    return sections, shell, sleeper


# ---- the expected output, from the /proc text (procps-ng 4.0.2's src/pmap.c rules) ----


def areas(maps):
    """[(start, end, perms, offset, dev, name)] of a maps text; name '' when none."""
    out = []
    for line in maps.splitlines():
        m = re.fullmatch(r"([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) \d+ *(.*)", line)
        assert m, f"not a maps line: {line!r}"
        out.append((int(m[1], 16), int(m[2], 16), m[3], int(m[4], 16), m[5], m[6]))
    return out


def smaps_fields(smaps):
    """Per area, in order: {field: kB} of its smaps block."""
    blocks = []
    for line in smaps.splitlines():
        if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
            blocks.append({})
        else:
            m = re.fullmatch(r"(\w+):\s+(\d+)( kB)?", line)
            if m:
                blocks[-1][m[1]] = int(m[2])
    return blocks


def start_stack(stat):
    return int(stat[stat.rindex(")") + 2 :].split()[25])


def mode(perms):
    return perms[:3] + ("-" if perms[3] == "p" else perms[3]) + "-"


def name(area, stack):
    start, end, _, _, _, path = area
    if "/" in path:
        base = path[path.rindex("/") + 1 :]
        return base or "/"
    return "  [ stack ]" if start <= stack <= end else "  [ anon ]"


def expect_default(pid, cmdline, maps, stack):
    lines = [f"{pid}:   {cmdline}"]
    total = 0
    for a in areas(maps):
        total += (a[1] - a[0]) >> 10
        lines.append(f"{a[0]:016x} {(a[1] - a[0]) >> 10:6d}K {mode(a[2])} {name(a, stack)}")
    lines.append(f" total {total:16d}K")
    return "\n".join(lines) + "\n"


def expect_x(pid, cmdline, smaps, stack, quiet=False):
    lines = [f"{pid}:   {cmdline}"]
    if not quiet:
        lines.append("Address           Kbytes     RSS   Dirty Mode  Mapping")
    kb = rss = dirty = 0
    head = "\n".join(line for line in smaps.splitlines() if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line))
    for a, f in zip(areas(head), smaps_fields(smaps), strict=True):
        d = f["Shared_Dirty"] + f["Private_Dirty"]
        kb, rss, dirty = kb + ((a[1] - a[0]) >> 10), rss + f["Rss"], dirty + d
        lines.append(f"{a[0]:016x} {(a[1] - a[0]) >> 10:7d} {f['Rss']:7d} {d:7d} {mode(a[2])} {name(a, stack)}")
    if not quiet:
        lines.append("---------------- ------- ------- ------- ")
        lines.append(f"total kB         {kb:7d} {rss:7d} {dirty:7d}")
    return "\n".join(lines) + "\n"


def expect_d(pid, cmdline, maps, stack):
    lines = [f"{pid}:   {cmdline}", "Address           Kbytes Mode  Offset           Device    Mapping"]
    mapped = writable = shared = 0
    for a in areas(maps):
        size = a[1] - a[0]
        mapped += size
        shared += size if a[2][3] == "s" else 0
        writable += size if a[2][3] == "p" and a[2][1] == "w" else 0
        major, minor = (int(x, 16) for x in a[4].split(":"))
        lines.append(f"{a[0]:016x} {size >> 10:7d} {mode(a[2])} {a[3]:016x} {major:03x}:{minor:05x} {name(a, stack)}")
    lines.append(f"mapped: {mapped >> 10}K    writeable/private: {writable >> 10}K    shared: {shared >> 10}K")
    return "\n".join(lines) + "\n"


def info(sections, pid):
    return sections[f"cmdline-{pid}"].rstrip("\n").rstrip(" "), start_stack(sections[f"stat-{pid}"])


# ---- the shell itself: pmap $$ and pmap -x $$ ----


def test_pmap_self(out):
    sections, shell, _ = out
    cmdline, stack = info(sections, shell)
    assert cmdline == "/bin/sh /test/pmap.sh"
    got = sections["pmap-self"]
    assert got.endswith("status 0\n"), got
    got = got[: -len("status 0\n")]
    wants = [expect_default(shell, cmdline, sections[k], stack) for k in ("maps-before", "maps-after")]
    assert got in wants, f"pmap $$:\n{got}\nexpected (from /proc/$$/maps):\n{wants[0]}"
    # The stack is labelled, the shell's file named, the areas all there.
    assert "  [ stack ]" in got and " busybox\n" in got
    assert len(got.splitlines()) == len(areas(sections["maps-before"])) + 2


def test_pmap_x_self(out):
    sections, shell, _ = out
    cmdline, stack = info(sections, shell)
    got = sections["pmapx-self"]
    assert got.endswith("status 0\n"), got
    got = got[: -len("status 0\n")]
    lines = got.splitlines()
    assert lines[1] == "Address           Kbytes     RSS   Dirty Mode  Mapping", lines[1]
    assert lines[-2] == "---------------- ------- ------- ------- ", lines[-2]
    # The totals are the sums of the lines.
    rows = [line.split() for line in lines[2:-2]]
    total = lines[-1].split()
    assert total[:2] == ["total", "kB"] and [int(t) for t in total[2:]] == [
        sum(int(r[i]) for r in rows) for i in (1, 2, 3)
    ], got
    wants = [expect_x(shell, cmdline, sections[k], stack) for k in ("smaps-before", "smaps-after")]
    assert got in wants, f"pmap -x $$:\n{got}\nexpected (from /proc/$$/smaps):\n{wants[0]}"


# ---- a sleeping child: nothing changes between the reads, so all must match exactly ----


@pytest.mark.parametrize("section, opts", [("pmap-live", ""), ("pmapx-live", "-x"), ("pmapd-live", "-d"),
                                           ("pmapq-live", "-q -x")])  # fmt: skip
def test_pmap_live(out, section, opts):
    sections, _, pid = out
    cmdline, stack = info(sections, pid)
    assert cmdline == "sleep 300"
    maps, smaps = sections["maps-live"], sections["smaps-live"]
    want = {"": lambda: expect_default(pid, cmdline, maps, stack), "-x": lambda: expect_x(pid, cmdline, smaps, stack),
            "-d": lambda: expect_d(pid, cmdline, maps, stack),
            "-q -x": lambda: expect_x(pid, cmdline, smaps, stack, quiet=True)}[opts]()  # fmt: skip
    assert sections[section] == want + "status 0\n", f"pmap {opts} {pid}"


def test_pmap_X_live(out):
    """-X: a column per smaps field (less the ones -X leaves out), the totals the sums."""
    sections, _, pid = out
    got = sections["pmapX-live"]
    assert got.endswith("status 0\n"), got
    lines = got.splitlines()[1:-1]
    fields = [k for k in smaps_fields(sections["smaps-live"])[0] if k not in (
        "AnonHugePages", "KernelPageSize", "MMUPageSize", "Shared_Dirty", "Private_Dirty", "Shared_Clean",
        "Private_Clean")]  # fmt: skip
    assert lines[0].split() == ["Address", "Perm", "Offset", "Device", "Inode", *fields, "Mapping"], lines[0]
    n = len(areas(sections["maps-live"]))
    rows = [line.split() for line in lines[1 : 1 + n]]
    assert [r[0] for r in rows] == [line.split("-")[0] for line in sections["maps-live"].splitlines()]
    assert set(lines[1 + n].strip()) == {"=", " "} and lines[2 + n].endswith(" KB "), lines
    assert [int(t) for t in lines[2 + n].split()[:-1]] == [sum(int(r[5 + i]) for r in rows) for i in range(len(fields))]


# ---- PIDs that are not there, bad usage: as procps ----


def host_pmap(*args):
    """What procps's pmap on this host says (stdout and stderr together, as 2>&1), and its status."""
    p = subprocess.run(["pmap", *args], executable="/usr/bin/pmap", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)  # fmt: skip
    return f"{p.stdout}status {p.returncode}\n"


def test_pmap_missing_pid(out):
    assert out[0]["missing"] == "status 42\n"
    assert host_pmap("99999") == "status 42\n"


def test_pmap_several_pids(out):
    sections, _, pid = out
    cmdline, stack = info(sections, pid)
    one = expect_default(pid, cmdline, sections["maps-live"], stack)
    one = one[: one.rindex(" total")]  # -q: no footer
    assert sections["several"] == one + one + "status 42\n"


@pytest.mark.parametrize("section, args", [("bad-option", ["-z", "1"]), ("no-argument", []),
                                           ("exclusive", ["-x", "-d", "1"])])  # fmt: skip
def test_pmap_bad_usage(out, section, args):
    assert out[0][section] == host_pmap(*args)


# ---- a process with a thread and a zombie child ----


def test_pmap_by_thread_id(out):
    """pmap TID prints the thread's process, as procps does (Tgid from /proc/TID/status)."""
    sections = out[0]
    pid, tid, zombie = sections["target"].split()
    assert tid != pid
    cmdline, stack = info(sections, pid)
    assert cmdline == "/test/pmap_target - - two words"
    want = expect_default(pid, cmdline, sections["maps-target"], stack) + "status 0\n"
    assert sections["pmap-target"] == want
    assert sections["pmap-thread"] == want
    assert sections["pmapx-thread"] == expect_x(pid, cmdline, sections["smaps-target"], stack) + "status 0\n"
    assert re.search(r"^[0-9a-f]{16}  65536K rw---   \[ anon \]$", sections["pmap-target"], re.M)


def test_proc_tid_is_hidden(out):
    """/proc/TID opens (its status names the process) but readdir of /proc does not list it."""
    sections = out[0]
    pid, tid, _ = sections["target"].split()
    assert sections["thread-dir"] == f"Tgid:\t{pid}\nlisted 1\n"


def test_pmap_zombie(out):
    """A zombie: no command line, so its name in brackets and <defunct>; no areas."""
    sections = out[0]
    zombie = sections["target"].split()[2]
    assert sections["pmap-zombie"] == f"{zombie}:   [pmap_target] <defunct>\n total                0K\nstatus 0\n"
    assert sections["pmapx-zombie"] == (f"{zombie}:   [pmap_target] <defunct>\n"
                                        "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
                                        "---------------- ------- ------- ------- \n"
                                        "total kB               0       0       0\nstatus 0\n")  # fmt: skip
