"""Talking to Cairn's control shell over a QEMU serial socket.

QEMU exposes the serial line with `-serial unix:PATH,server=on,wait=off`
(what `tools/run --socket PATH` does) or `-serial tcp:HOST:PORT,...`. The
console server prints the prompt `cairn> ` after every command's output and
echoes what is typed. Other components' lines can arrive at any time, but
always as whole lines; command() keeps them in its result (callers filter)
and in `log`, which holds everything received.
"""
import re
import select
import socket
import time

PROMPT = "cairn> "
# The console redraws the prompt under other components' output, after
# clearing the line: a prompt right after ESC[K is a redraw, not the end of
# a command's output.
PROMPT_RE = r"(?<!\x1b\[K)cairn> "


class ConsoleError(Exception):
    pass


class Console:
    def __init__(self):
        self.sock = None
        self.log = ""
        self._pos = 0  # where the next expect() starts looking
        self.log_file = None

    def connect(self, where, timeout=30):
        """where: a unix socket path, or HOST:PORT. Retries until timeout:
        QEMU may still be starting."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if ":" in where and not where.startswith("/"):
                    host, port = where.rsplit(":", 1)
                    self.sock = socket.create_connection((host, int(port)), 1)
                else:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(where)
                    self.sock = s
                self.sock.setblocking(False)
                return self
            except OSError as e:
                if time.monotonic() > deadline:
                    raise ConsoleError(
                        f"cannot connect to {where}: {e.strerror or e}; is QEMU "
                        "running with -serial unix:PATH,server=on,wait=off "
                        "(tools/run --socket PATH)?") from None
                time.sleep(0.2)

    def _read(self, until):
        wait = max(0.0, until - time.monotonic())
        ready, _, _ = select.select([self.sock], [], [], min(wait, 0.5))
        if not ready:
            return False
        data = self.sock.recv(65536)
        if not data:
            raise ConsoleError("the serial socket closed (QEMU exited?)")
        text = data.decode("utf-8", "replace").replace("\r", "")
        self.log += text
        if self.log_file:
            self.log_file.write(text)
            self.log_file.flush()
        return True

    def expect(self, pattern, timeout=30, what=None):
        """Waits for a regex in what arrives from now on; returns the match.
        what: how to name it in the error (default: the regex)."""
        regex = re.compile(pattern)
        until = time.monotonic() + timeout
        while True:
            m = regex.search(self.log, self._pos)
            if m:
                self._pos = m.end()
                return m
            if time.monotonic() > until:
                tail = self.log[-400:]
                raise ConsoleError(f"no {what or '/' + pattern + '/'} within "
                                   f"{timeout:g} s; last output:\n{tail}")
            self._read(until)

    def send(self, text):
        self.sock.sendall(text.encode())

    def sync(self, timeout=30):
        """Gets a fresh prompt (an empty line makes the shell print one)."""
        self._pos = len(self.log)
        self.send("\r")
        self.expect(PROMPT_RE, timeout, "'cairn> ' prompt")

    def command(self, cmd, timeout=30):
        """Runs one shell command; returns its output lines (without the
        echo and the prompt)."""
        self.sync(timeout)
        self.send(cmd + "\r")
        self.expect(re.escape(cmd) + r"\n", timeout)
        start = self._pos
        end = self.expect(PROMPT_RE, timeout, "'cairn> ' prompt").start()
        return self.log[start:end]

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
