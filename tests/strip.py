#!/usr/bin/env python3
"""strip.py - the tests' own reading of what qqtag must hand on.

  strip.py IN OUT [NAME...]   writes IN less the forged header lines

An independent whole-line implementation of the rules in headers.c:
the header section runs to the first line that is a lone LF.  A name
starts at the start of every line that is not a continuation (SP or HT
first) and after every run of CRs not followed by LF (Python's email
starts a line there).  It is bytes 0x21-0x7e but ':' with CR bytes left
out (maildrop drops CRs), then blanks and CRs (at a line's start also
folds, once the name is ours: procmail joins them), then ':' or NUL
(dovecot's sieve ends a name at NUL, maildrop reads it as ':').  A line
that holds one of qqtag's names, case-insensitively, any length, goes
whole with its continuation lines; for a fold, the folded lines too.  A
CR taken into a name or the blanks after it starts no name of its own.
qqtag holds at most 1024 bytes of a line undecided: lines longer than
that with a CR field or a name of ours still forming at that point have
extra rules (headers.c) that this script does not model.
"""
import re
import sys

DEFAULT = ["X-Spam-Flag", "X-Spam-Status", "X-Spam-Level", "X-Spam-Score",
           "X-Spam-Warning", "X-Qqtag", "X-Qqtag-*"]

NAME = re.compile(rb"[\x21-\x39\x3b-\x7e\r]*")
GAP = re.compile(rb"[ \t\r]*")
GAP_FOLD = re.compile(rb"(?:[ \t\r]|\n(?=[ \t]))*")


def ours(name, names):
    n = name.lower()
    for x in names:
        x = x.lower().encode()
        if x.endswith(b"*"):
            if n.startswith(x[:-1]):
                return True
        elif n == x:
            return True
    return False


def tracker(data, k, first, names):
    """(ours, stop): a name at data[k] and what follows it."""
    m = NAME.match(data, k)
    name = m.group().replace(b"\r", b"")
    if not name:
        return False, m.end()
    mine = ours(name, names)
    g = (GAP_FOLD if first and mine else GAP).match(data, m.end())
    j = g.end()
    if j < len(data) and data[j] in b":\0":
        return mine, j
    return False, j


def line_end(data, k):
    nl = data.find(b"\n", k)
    return len(data) if nl == -1 else nl + 1


def rest_ours(data, r, e, names):
    """Does a bare CR between r and e start a name of ours?"""
    while r < e:
        c = data.find(b"\r", r, e)
        if c == -1:
            return False
        r = c
        while r < e and data[r] == 0x0d:
            r += 1
        if r == e or data[r] == 0x0a:
            return False
        mine, r = tracker(data, r, False, names)
        if mine:
            return True
    return False


def strip(data, names):
    out = []
    i = 0
    dropping = False
    while i < len(data):
        e = line_end(data, i)
        if data[i] == 0x0a:
            out.append(data[i:])
            break
        r = i
        if data[i] in b" \t":
            if dropping:
                i = e
                continue
        else:
            dropping = False
            mine, r = tracker(data, i, True, names)
            if mine:
                dropping = True
                i = line_end(data, r)
                continue
        ls = data.rfind(b"\n", i, r) + 1 or i
        out.append(data[i:ls])
        e = line_end(data, r)
        if rest_ours(data, r, e, names):
            dropping = True
        else:
            out.append(data[ls:e])
        i = e
    return b"".join(out)


if __name__ == "__main__":
    names = sys.argv[3:] or DEFAULT
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    with open(sys.argv[2], "wb") as f:
        f.write(strip(data, names))
