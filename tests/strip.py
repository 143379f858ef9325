#!/usr/bin/env python3
"""strip.py - the tests' own reading of what qqtag must hand on.

  strip.py IN OUT [NAME...]   writes IN less the forged header lines

An independent line-at-a-time implementation of the rule in headers.c:
the header section runs to the first line that is a lone LF; in it, a
field whose name (bytes 0x21-0x7e but ':') matches one of qqtag's names,
case-insensitively, optionally followed by blanks, then ':' is removed
with its continuation lines (lines starting with SP or HT).  Our name
followed by blanks reaching HOLD bytes counts as forged too.
"""
import sys

HOLD = 112
DEFAULT = ["X-Spam-Flag", "X-Spam-Status", "X-Spam-Level", "X-Spam-Score",
           "X-Spam-Warning", "X-Qqtag", "X-Qqtag-*"]


def ours(name, names):
    n = name.lower()
    for x in names:
        x = x.lower()
        if x.endswith("*"):
            if n.startswith(x[:-1].encode()):
                return True
        elif n == x.encode():
            return True
    return False


def strip(data, names):
    out = []
    lines = data.split(b"\n")
    ends = [l + b"\n" for l in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    dropping = False
    for i, line in enumerate(ends):
        if line == b"\n":
            out.append(b"".join(ends[i:]))
            break
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                out.append(line)
            continue
        k = 0
        while k < len(line) and 0x21 <= line[k] <= 0x7e and line[k] != 0x3a:
            k += 1
        w = k
        while w < len(line) and line[w] in (0x20, 0x09):
            w += 1
        mine = 0 < k < HOLD and ours(line[:k], names)
        dropping = mine and ((w < len(line) and line[w] == 0x3a and w < HOLD)
                             or (w > k and w >= HOLD))
        if not dropping:
            out.append(line)
    return b"".join(out)


if __name__ == "__main__":
    names = sys.argv[3:] or DEFAULT
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    with open(sys.argv[2], "wb") as f:
        f.write(strip(data, names))
