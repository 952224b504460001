#!/bin/sh
# mkprogs.sh - the table of ring-3 test programs, from the ATLAS-* comments
# at the top of each tests/user/NAME.c (format: tests/user/README.md).
#
#   tools/mkprogs.sh OUT ELFDIR SRC.c...     write the suite file OUT (include/suitefile.h):
#                                            the table the kernel runs and every
#                                            ELFDIR/NAME.elf, compressed
#   tools/mkprogs.sh --list SRC.c...         the parsed table on stdout, one program a line,
#                                            tab-separated: name kind code signal cause args
#                                            env instances repeat after (kind: exit|signal)
#   tools/mkprogs.sh --check SRC.c...        validate only
#
# Every ATLAS-* line is validated; any error (unknown key, bad value, repeated
# key, missing ATLAS-EXPECT, ATLAS-* text outside the header, unknown or
# cyclic ATLAS-ORDER) is reported as FILE:LINE: message and fails with status 1,
# writing nothing. Table order: by name, moved so that each program comes
# after the one its ATLAS-ORDER names.
#
# Compression (docs/lz.md): the host tool $LZPACK (default: lzpack next to
# ELFDIR's parent, i.e. $(BUILD)/lzpack) picks a preset dictionary from the
# ELF files (ELFDIR/progs.dict, compressed as ELFDIR/progs.dict.lz) and
# compresses each ELFDIR/NAME.elf against it into ELFDIR/NAME.lz; lzpack
# checks every stream by decoding it. The suite file carries the compressed
# bytes and each file's size; it travels beside atlas.efi on the ESP
# (\atlas\suite.bin) and the kernel unpacks a program when it runs it
# (core/selftest/userprog.c).
set -eu

usage() {
	echo "usage: $0 OUT ELFDIR SRC.c... | --list SRC.c... | --check SRC.c..." >&2
	exit 2
}

[ $# -ge 1 ] || usage
case $1 in
--list | --check)
	mode=${1#--}
	out=- elfdir=-
	shift
	;;
-*) usage ;;
*)
	[ $# -ge 3 ] || usage
	mode=asm out=$1 elfdir=$2
	shift 2
	;;
esac
[ $# -ge 1 ] || { echo "$0: no source files" >&2; exit 2; }

for f in "$@"; do
	[ -r "$f" ] || { echo "$f: cannot read" >&2; exit 1; }
done

# Parse and validate every file; emit the table, sorted, as TSV.
table=$(awk '
function err(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	nerr++
}
function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}
# Only printable ASCII, no quote or backslash: the values become .asciz strings
# and the kernel splits args/env at spaces, with no quoting.
function plain(s, what) {
	if (s ~ /[^ -~]/ || s ~ /["\\]/) {
		err(what " may hold only printable ASCII without \" or \\: " s)
		return 0
	}
	return 1
}
function number(s, lo, hi, what) {
	if (s !~ /^[0-9]+$/ || length(s) > 6 || s + 0 < lo || s + 0 > hi) {
		err(what " must be a whole number from " lo " to " hi ", not \"" s "\"")
		return 0
	}
	return 1
}
function end_file() {
	if (cur == "")
		return
	if (!(cur in kind) && !("EXPECT" in have)) {
		printf "%s:1: no ATLAS-EXPECT line (it must be line 1)\n", curfile > "/dev/stderr"
		nerr++
	}
}
BEGIN {
	nerr = 0; n = 0
	sig["SIGSEGV"] = 11; sig["SIGBUS"] = 7; sig["SIGILL"] = 4; sig["SIGFPE"] = 8; sig["SIGTRAP"] = 5
	known = "EXPECT ARGS ENV INSTANCES REPEAT ORDER"
	# Limits of the kernel runner (core/selftest/runner.c, include/userprog.h): USER_NAME_MAX,
	# ARGS_MAX words besides argv[0] and the instance index, ARG_TEXT bytes, INSTANCES_MAX.
	NAME_MAX = 31; ARGS_MAX = 15; ENV_MAX = 16; TEXT_MAX = 255; INSTANCES_MAX = 8
	split(known, karr, " ")
	for (i in karr)
		isknown[karr[i]] = 1
}
FNR == 1 {
	end_file()
	curfile = FILENAME
	name = FILENAME
	sub(/^.*\//, "", name)
	if (name !~ /\.c$/)
		err("not a .c file")
	sub(/\.c$/, "", name)
	if (name !~ /^[a-z][a-z0-9_]*$/)
		err("program name \"" name "\" must be lower-case letters, digits and _ (starting with a letter)")
	if (length(name) > NAME_MAX)
		err("program name \"" name "\" is longer than " NAME_MAX " characters")
	if (name in seen)
		err("program " name " given twice")
	seen[name] = 1
	cur = name
	names[n++] = name
	header = 1
	delete have
	args[name] = ""; env[name] = ""; inst[name] = 1; rep[name] = 1; after[name] = ""
	sname[name] = ""; cause[name] = ""; code[name] = 0
}
{
	line = $0
	sub(/\r$/, "", line)
	if (line !~ /^[ \t]*\/\*[ \t]*ATLAS-/) {
		if (FNR == 1)
			err("line 1 must be the expectation: /* ATLAS-EXPECT: exit=N */ or /* ATLAS-EXPECT: signal=SIGxxx cause=\"...\" */")
		header = 0
		if (line ~ /ATLAS-[A-Z]+:/)
			err("ATLAS-* comment outside the header: the ATLAS-* lines must be the first lines of the file, one /* ATLAS-KEY: value */ each")
		next
	}
	if (!header) {
		err("ATLAS-* comment after the header: the ATLAS-* lines must be the first lines of the file")
		next
	}
	if (line !~ /^[ \t]*\/\*[ \t]*ATLAS-[A-Z]+:.*\*\/[ \t]*$/ || line ~ /\*\/.*\*\//) {
		err("malformed ATLAS-* comment: expected /* ATLAS-KEY: value */ on one line")
		next
	}
	s = line
	sub(/^[ \t]*\/\*[ \t]*ATLAS-/, "", s)
	key = s
	sub(/:.*$/, "", key)
	val = s
	sub(/^[A-Z]+:/, "", val)
	sub(/\*\/[ \t]*$/, "", val)
	val = trim(val)
	if (!(key in isknown)) {
		err("unknown key ATLAS-" key " (known: " known ")")
		next
	}
	if (key in have) {
		err("ATLAS-" key " given twice (first on line " have[key] ")")
		next
	}
	have[key] = FNR
	if (FNR == 1 && key != "EXPECT")
		err("line 1 must be the ATLAS-EXPECT line, not ATLAS-" key)
	if (val == "") {
		err("ATLAS-" key " has no value")
		next
	}
	if (val ~ /[^ -~]/) {
		err("ATLAS-" key " may hold only printable ASCII (no tabs)")
		next
	}
	if (key != "EXPECT" && !plain(val, "ATLAS-" key))
		next

	if (key == "EXPECT") {
		if (val ~ /^exit=/) {
			v = substr(val, 6)
			if (number(v, 0, 255, "the exit status"))
				{ kind[cur] = "exit"; code[cur] = v + 0 }
		} else if (val ~ /^signal=/) {
			v = substr(val, 8)
			c = ""
			if (v ~ / /) {
				c = substr(v, index(v, " ") + 1)
				v = substr(v, 1, index(v, " ") - 1)
				c = trim(c)
				if (c !~ /^cause="[^"]+"$/) {
					err("after the signal only cause=\"TEXT\" may follow (non-empty, no quotes inside), not: " c)
					next
				}
				c = substr(c, 8, length(c) - 8)
				if (!plain(c, "the cause"))
					next
				if (c != trim(c) || c ~ /  /) {
					err("cause=\"" c "\" has leading, trailing or doubled spaces")
					next
				}
			}
			if (!(v in sig)) {
				err("unknown signal \"" v "\" (known: SIGSEGV SIGBUS SIGILL SIGFPE SIGTRAP)")
				next
			}
			kind[cur] = "signal"; sname[cur] = v; code[cur] = sig[v]; cause[cur] = c
		} else
			err("ATLAS-EXPECT must be exit=N or signal=SIGxxx [cause=\"TEXT\"], not: " val)
	} else if (key == "ARGS") {
		nt = split(val, t, /[ \t]+/)
		a = t[1]
		for (i = 2; i <= nt; i++)
			a = a " " t[i]
		if (nt > ARGS_MAX || length(a) > TEXT_MAX)
			err("ATLAS-ARGS: at most " ARGS_MAX " words and " TEXT_MAX " characters (limits of the kernel runner)")
		args[cur] = a
	} else if (key == "ENV") {
		nt = split(val, t, /[ \t]+/)
		a = ""
		delete ekeys
		for (i = 1; i <= nt; i++) {
			if (t[i] !~ /^[A-Za-z_][A-Za-z0-9_]*=/) {
				err("ATLAS-ENV entry \"" t[i] "\" is not NAME=VALUE (NAME: letters, digits, _)")
				continue
			}
			k = substr(t[i], 1, index(t[i], "=") - 1)
			if (k in ekeys)
				err("ATLAS-ENV sets " k " twice")
			ekeys[k] = 1
			a = a (a == "" ? "" : " ") t[i]
		}
		if (nt > ENV_MAX || length(a) > TEXT_MAX)
			err("ATLAS-ENV: at most " ENV_MAX " entries and " TEXT_MAX " characters (limits of the kernel runner)")
		env[cur] = a
	} else if (key == "INSTANCES") {
		if (number(val, 1, INSTANCES_MAX, "ATLAS-INSTANCES"))
			inst[cur] = val + 0
	} else if (key == "REPEAT") {
		if (number(val, 1, 10000, "ATLAS-REPEAT"))
			rep[cur] = val + 0
	} else if (key == "ORDER") {
		if (val !~ /^after=[a-z][a-z0-9_]*$/) {
			err("ATLAS-ORDER must be after=NAME (a program name), not: " val)
			next
		}
		after[cur] = substr(val, 7)
		if (after[cur] == cur)
			err("ATLAS-ORDER: " cur " cannot run after itself")
		orderline[cur] = FILENAME ":" FNR
	}
}
END {
	end_file()
	for (i = 0; i < n; i++) {
		p = names[i]
		if (after[p] != "" && !(after[p] in seen)) {
			printf "%s: ATLAS-ORDER names %s, which is not among the programs\n", orderline[p], after[p] > "/dev/stderr"
			nerr++
		}
	}
	if (nerr) {
		printf "mkprogs.sh: %d error(s) in ATLAS-* comments\n", nerr > "/dev/stderr"
		exit 1
	}
	# Sort by name (insertion sort: a few dozen programs).
	for (i = 1; i < n; i++) {
		p = names[i]
		for (j = i - 1; j >= 0 && names[j] > p; j--)
			names[j + 1] = names[j]
		names[j + 1] = p
	}
	# Stable topological order over the after= edges.
	m = 0
	while (m < n) {
		progress = 0
		for (i = 0; i < n; i++) {
			p = names[i]
			if ((p in done) || (after[p] != "" && !(after[p] in done)))
				continue
			done[p] = 1
			order[m++] = p
			progress = 1
			break
		}
		if (!progress) {
			for (i = 0; i < n; i++)
				if (!(names[i] in done))
					printf "%s: ATLAS-ORDER cycle through %s\n", orderline[names[i]], names[i] > "/dev/stderr"
			exit 1
		}
	}
	for (i = 0; i < m; i++) {
		p = order[i]
		printf "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", p, kind[p], code[p], sname[p], cause[p], args[p], env[p], inst[p], rep[p], after[p]
	}
}' "$@")

case $mode in
check) exit 0 ;;
list)
	printf '%s\n' "$table"
	exit 0
	;;
esac

# The suite file: the table, then the compressed files.
missing=0
names=$(printf '%s\n' "$table" | cut -f1)
for p in $names; do
	if [ ! -f "$elfdir/$p.elf" ]; then
		echo "$0: $elfdir/$p.elf is missing (build it first)" >&2
		missing=1
	fi
done
[ $missing -eq 0 ] || exit 1

lzpack=${LZPACK:-$(dirname "$elfdir")/lzpack}
[ -x "$lzpack" ] || { echo "$0: $lzpack is missing (make $(dirname "$elfdir")/lzpack)" >&2; exit 1; }
elfs=$(for p in $names; do printf '%s ' "$elfdir/$p.elf"; done)
# shellcheck disable=SC2086 # one word per file: names are [a-z][a-z0-9_]*
"$lzpack" -m "$elfdir/progs.dict" $elfs
"$lzpack" "$elfdir/progs.dict" "$elfdir/progs.dict.lz"
raw_total=0
lz_total=$(wc -c <"$elfdir/progs.dict.lz")
sizes=""
for p in $names; do
	"$lzpack" -D "$elfdir/progs.dict" "$elfdir/$p.elf" "$elfdir/$p.lz"
	raw=$(wc -c <"$elfdir/$p.elf")
	raw_total=$((raw_total + raw))
	lz_total=$((lz_total + $(wc -c <"$elfdir/$p.lz")))
	sizes="$sizes$raw "
done
echo "mkprogs.sh: $(printf '%s\n' "$names" | wc -l) programs, $raw_total bytes -> $lz_total compressed" \
	"(dictionary $(wc -c <"$elfdir/progs.dict") bytes)" >&2

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# The suite file (include/suitefile.h): header, table, strings, dictionary, streams.
printf '%s\n' "$table" | "${PYTHON:-python3}" -c '
import struct, sys
elfdir, sizes, out = sys.argv[1], [int(x) for x in sys.argv[2].split()], sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
strings, where = bytearray(b"\0"), {"": 0}
def s(t):
    if t not in where:
        where[t] = len(strings)
        strings.extend(t.encode("ascii") + b"\0")
    return where[t]
count = len(rows)
entries_off = 64
strings_off = entries_off + 56 * count
for r in rows:
    for t in (r[0], r[3], r[4], r[5], r[6], r[9]):
        s(t)
dict_lz = open(elfdir + "/progs.dict.lz", "rb").read()
dict_size = len(open(elfdir + "/progs.dict", "rb").read())
blob_off = strings_off + len(strings)
blob_off += -blob_off % 4
blobs = bytearray(dict_lz)
table = bytearray()
for i, r in enumerate(rows):
    lz = open(f"{elfdir}/{r[0]}.lz", "rb").read()
    off = blob_off + len(blobs)
    blobs.extend(lz)
    table += struct.pack("<14I", s(r[0]), off, len(lz), sizes[i], 1 if r[1] == "signal" else 0, int(r[2]),
                         s(r[3]), s(r[4]), s(r[5]), s(r[6]), int(r[7]), int(r[8]), s(r[9]), 0)
body = bytes(table) + bytes(strings) + bytes(-(strings_off + len(strings)) % 4) + bytes(blobs)
size = 64 + len(body)
head = struct.pack("<8sIIQIIIIII", b"ATLSUITE", 1, count, size, entries_off, strings_off, len(strings),
                   blob_off, len(dict_lz), dict_size)
tail = bytes(12) + body
h = 0x811C9DC5
for c in head + tail:  # every byte but the checksum itself
    h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
open(out, "wb").write(head + struct.pack("<I", h) + tail)
' "$elfdir" "$sizes" "$tmp"
mv "$tmp" "$out"
trap - EXIT
