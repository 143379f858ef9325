#!/usr/bin/env python3
"""smtpfront.py - a small SMTP front end that stands in for qmail-smtpd
(not packaged for Debian) in the tests, run by tcpserver:

    tcpserver -H -R -l 0 -x rules.cdb 127.0.0.1 PORT \\
        python3 tests/smtpfront.py [DEFAULT-QUEUE]

It speaks as much SMTP as a test client needs (HELO, EHLO, MAIL, RCPT,
DATA, RSET, NOOP, VRFY, QUIT) and hands each message to the queue program
the way notqmail 1.09's qmail-smtpd does:

  * at DATA, before the 354, it forks and execs $QMAILQUEUE (else
    DEFAULT-QUEUE, else /var/qmail/bin/qmail-queue) with no arguments, the
    message pipe on fd 0, the envelope pipe on fd 1, fd 2 inherited (the
    log), a pipe on fd 6 for the custom error text, the whole environment
    that tcpserver set up (TCPREMOTEIP, the tcp.smtp rule's variables...);
    a failed exec is exit 120;
  * it writes its own trace line first,
        Received: from HOST (HELO h) ([INFO@]IP)
          by LOCAL with SMTP; 27 Nov 2026 01:40:22 -0000
    (HOST is $TCPREMOTEHOST or "unknown", "(HELO h)" only when h differs
    from HOST ignoring case, unsafe bytes as '?', LOCAL from
    $SMTPFRONT_LOCAL, default mx.example.com), then the data as it
    arrives, CRLF made LF and dot-unstuffed; a bare LF is refused (451,
    connection closed), as qmail does;
  * after the final dot it closes the message pipe and writes the
    envelope: F sender NUL, T recipient NUL for each, NUL -- unless the
    size limit ($DATABYTES) or the hop limit (100 Received:/Delivered-To:
    lines) tripped, when it writes no envelope at all;
  * it reads fd 6 to EOF before it reaps the queue program (so a process
    that kept fd 6 open would hang the session, as it would with notqmail)
    and maps the exit status to the SMTP reply as qmail-smtpd does: 0 250;
    11-40 554; 82 the text read from fd 6 (D... 554, Z... 451); a signal
    451 crashed; everything else 451.

RELAYCLIENT set: its value is appended to each recipient, as qmail does
(rcpthosts is not checked either way).  POSIX and the standard library
only; nothing but fds 0, 1 (the client) and 2 (the log) is used.
"""
import os
import sys
import time

MAXHOPS = 100
DEFAULT_QUEUE = "/var/qmail/bin/qmail-queue"

# qmail.c's qmail_close(): exit status -> reply text (D permanent)
QQ_TEXT = {
    11: "Denvelope address too long for qq (#5.1.3)",
    31: "Dmail server permanently rejected message (#5.3.0)",
    51: "Zqq out of memory (#4.3.0)",
    52: "Zqq timeout (#4.3.0)",
    53: "Zqq write error or disk full (#4.3.0)",
    54: "Zqq read error (#4.3.0)",
    55: "Zqq unable to read configuration (#4.3.0)",
    56: "Zqq trouble making network connection (#4.3.0)",
    61: "Zqq trouble in home directory (#4.3.0)",
    62: "Zqq trouble creating files in queue (#4.3.0)",
    63: "Zqq trouble creating files in queue (#4.3.0)",
    64: "Zqq trouble creating files in queue (#4.3.0)",
    65: "Zqq trouble creating files in queue (#4.3.0)",
    66: "Zqq trouble creating files in queue (#4.3.0)",
    71: "Zmail server temporarily rejected message (#4.3.0)",
    72: "Zconnection to mail server timed out (#4.4.1)",
    73: "Zconnection to mail server rejected (#4.4.1)",
    74: "Zcommunication with mail server failed (#4.4.2)",
    81: "Zqq internal bug (#4.3.0)",
    91: "Zqq internal bug (#4.3.0)",
    120: "Zunable to exec qq (#4.3.0)",
}

SAFE = set(b".@%+/=:-[]abcdefghijklmnopqrstuvwxyz"
           b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class Client:
    """Buffered reads from fd 0, unbuffered writes to fd 1."""

    def __init__(self):
        self.buf = b""
        self.eof = False

    def out(self, text):
        data = text.encode("ascii", "replace")
        while data:
            data = data[os.write(1, data):]

    def line(self):
        """One line with its LF, or what is left at EOF (maybe b"")."""
        while b"\n" not in self.buf and not self.eof:
            chunk = os.read(0, 65536)
            if not chunk:
                self.eof = True
            self.buf += chunk
        i = self.buf.find(b"\n")
        if i < 0:
            data, self.buf = self.buf, b""
        else:
            data, self.buf = self.buf[:i + 1], self.buf[i + 1:]
        return data


def safe(s):
    return bytes(c if c in SAFE else ord("?") for c in s)


def date822():
    t = time.gmtime()
    return "%d %s %d %02d:%02d:%02d -0000" % (
        t.tm_mday, ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
                    .split()[t.tm_mon - 1]), t.tm_year, t.tm_hour, t.tm_min,
        t.tm_sec)


def received(helo):
    """qmail-smtpd's received(): the trace line it writes first."""
    env = os.environb
    host = env.get(b"TCPREMOTEHOST") or b"unknown"
    line = b"Received: from " + safe(host)
    if helo is not None and helo.lower() != host.lower():
        line += b" (HELO " + safe(helo) + b")"
    line += b" ("
    if env.get(b"TCPREMOTEINFO"):
        line += safe(env[b"TCPREMOTEINFO"]) + b"@"
    line += safe(env.get(b"TCPREMOTEIP", b"unknown"))
    line += b")\n  by " + safe(env.get(b"SMTPFRONT_LOCAL", b"mx.example.com"))
    return line + b" with SMTP; " + date822().encode() + b"\n"


def addrparse(arg):
    """The address of 'FROM:<a>' / 'TO:<a>' (brackets optional)."""
    arg = arg.split(b":", 1)[1].strip() if b":" in arg else b""
    if arg.startswith(b"<"):
        end = arg.find(b">")
        return arg[1:end] if end >= 0 else None
    return arg.split()[0] if arg else None


class Queue:
    """The queue program run the qmail way (qmail.c's qmail_open...)."""

    def __init__(self, path):
        self.err = False
        mr, self.mw = os.pipe()
        er, self.ew = os.pipe()
        self.fr, fw = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.mw)
                os.close(self.ew)
                os.close(self.fr)
                # fds 0, 1 and 6 may be among the pipe ends: move them up
                mr2, er2, fw2 = (os.dup(mr), os.dup(er), os.dup(fw))
                os.dup2(mr2, 0)
                os.dup2(er2, 1)
                os.dup2(fw2, 6)
                for fd in {mr, er, fw, mr2, er2, fw2} - {0, 1, 6}:
                    os.close(fd)
                os.execv(path, [path])
            finally:
                os._exit(120)
        os.close(mr)
        os.close(er)
        os.close(fw)

    def put(self, data):
        while data and not self.err:
            try:
                data = data[os.write(self.mw, data):]
            except OSError:
                self.err = True

    def close(self, sender, rcpts, fail):
        """Message EOF, envelope (none when fail), fd 6, exit: reply text."""
        os.close(self.mw)
        if not fail and not self.err:
            env = b"F" + sender + b"\0" + b"".join(
                b"T" + r + b"\0" for r in rcpts) + b"\0"
            try:
                while env:
                    env = env[os.write(self.ew, env):]
            except OSError:
                self.err = True
        os.close(self.ew)
        text = b""
        while True:	# notqmail: fd 6 to EOF, then reap
            chunk = os.read(self.fr, 1024)
            if not chunk:
                break
            if len(text) < 1024:
                text += chunk
        os.close(self.fr)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            return "Zqq crashed (#4.3.0)"
        code = os.WEXITSTATUS(status)
        if code == 0:
            return "Zqq read error (#4.3.0)" if fail or self.err else ""
        if code == 82 and text[:1] in (b"D", b"Z"):
            return text.split(b"\0")[0].decode("ascii", "replace").strip()
        if code in QQ_TEXT:
            return QQ_TEXT[code]
        if 11 <= code <= 40:
            return "Dqq permanent problem (#5.3.0)"
        return "Zqq temporary problem (#4.3.0)"


def data(c, helo, sender, rcpts):
    """DATA: queue program first, then 354, the message, the reply."""
    queue = os.environ.get("QMAILQUEUE") or (
        sys.argv[1] if len(sys.argv) > 1 else DEFAULT_QUEUE)
    q = Queue(queue)
    c.out("354 go ahead\r\n")
    q.put(received(helo))
    limit = int(os.environ.get("DATABYTES", "0") or 0)
    size = hops = 0
    inheader = True
    while True:
        line = c.line()
        if not line.endswith(b"\n"):	# client gone
            q.close(sender, rcpts, True)
            sys.exit(1)
        if not line.endswith(b"\r\n"):
            c.out("451 See http://pobox.com/~djb/docs/smtplf.html.\r\n")
            q.close(sender, rcpts, True)
            sys.exit(1)
        line = line[:-2] + b"\n"
        if line == b".\n":
            break
        if line.startswith(b"."):
            line = line[1:]
        if inheader:
            if line == b"\n":
                inheader = False
            elif line[:9].lower() == b"received:" or \
                    line[:13].lower() == b"delivered-to:":
                hops += 1
        size += len(line)
        if limit and size > limit:
            continue
        q.put(line)
    toobig = limit and size > limit
    looping = hops >= MAXHOPS
    r = q.close(sender, rcpts, bool(toobig or looping))
    if not r:
        c.out("250 ok %d qp %d\r\n" % (time.time(), q.pid))
    elif looping:
        c.out("554 too many hops, this message is looping (#5.4.6)\r\n")
    elif toobig:
        c.out("552 sorry, that message size exceeds my databytes limit "
              "(#5.3.4)\r\n")
    else:
        c.out(("554 " if r[0] == "D" else "451 ") + r[1:] + "\r\n")


def main():
    local = os.environ.get("SMTPFRONT_LOCAL", "mx.example.com")
    relay = os.environb.get(b"RELAYCLIENT")
    c = Client()
    c.out("220 %s ESMTP\r\n" % local)
    helo = sender = None
    rcpts = []
    while True:
        line = c.line()
        if not line:
            return
        line = line.rstrip(b"\r\n")
        verb, _, arg = line.partition(b" ")
        verb = verb.upper()
        if verb == b"QUIT":
            c.out("221 %s\r\n" % local)
            return
        if verb == b"HELO":
            helo = arg.strip()
            c.out("250 %s\r\n" % local)
        elif verb == b"EHLO":
            helo = arg.strip()
            c.out("250-%s\r\n250-PIPELINING\r\n250 8BITMIME\r\n" % local)
        elif verb == b"RSET":
            sender, rcpts = None, []
            c.out("250 flushed\r\n")
        elif verb == b"NOOP":
            c.out("250 ok\r\n")
        elif verb == b"VRFY":
            c.out("252 send some mail, i'll try my best\r\n")
        elif verb == b"MAIL":
            a = addrparse(arg)
            if a is None:
                c.out("555 syntax error (#5.5.4)\r\n")
                continue
            sender, rcpts = a, []
            c.out("250 ok\r\n")
        elif verb == b"RCPT":
            if sender is None:
                c.out("503 MAIL first (#5.5.1)\r\n")
                continue
            a = addrparse(arg)
            if a is None:
                c.out("555 syntax error (#5.5.4)\r\n")
                continue
            rcpts.append(a + relay if relay is not None else a)
            c.out("250 ok\r\n")
        elif verb == b"DATA":
            if sender is None:
                c.out("503 MAIL first (#5.5.1)\r\n")
            elif not rcpts:
                c.out("503 RCPT first (#5.5.1)\r\n")
            else:
                data(c, helo, sender, rcpts)
                sender, rcpts = None, []
        else:
            c.out("502 unimplemented (#5.5.1)\r\n")


if __name__ == "__main__":
    main()
