"""Talking to Cairn's control shell over a QEMU serial socket.

QEMU exposes the serial line with `-serial unix:PATH,server=on,wait=off`
(what `tools/run --socket PATH` does) or `-serial tcp:HOST:PORT,...`. The
console server prints the prompt `cairn> ` after every command's output and
echoes what is typed. Other components' lines can arrive at any time, but
always as whole lines; command() keeps them in its result (callers filter)
and in `log`, which holds everything received.

The keyboard may be on a client rather than the shell (Ctrl-A pressed three
times moves it on, announcing "[console: input to NAME]"): take_shell()
brings it back before each command. command_errors() says which lines of a
command's output report an error (docs/console.md lists them).
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
FOCUS_RE = r"\[console: input to ([^\]\r\n]+)\]"
CTRL_A3 = "\x01\x01\x01"
# Signs that the console server runs (servers/console, kernel handover).
CONSOLE_RE = r"\[console: |\x1b\[K|cairn> |kernel: the console is handed over"
# The kernel's boot banner: a reboot has happened.
BANNER_RE = r"Cairn \S+: EL2 microkernel"
# How long a quiet line means the shell did not answer (a client has the
# keyboard), and how many moves of the focus to try before giving up.
QUIET = 2.0
MAX_FOCUS_MOVES = 16

# The lines the shell prints for a command that failed, as they are today
# (servers/console/shell.c and commands.c): "unknown command 'X': try
# 'help'", or the command's own name, a colon and one of these.
UNKNOWN_COMMAND_RE = re.compile(r"unknown command '[^']*': try 'help'")
ERROR_FORMS = re.compile(
    r".*; usage: "                      # wrong arguments
    r"|unknown "                        # log: unknown level 'X'
    r"|no thread is named "             # caps: no thread is named 'X' ...
    r"|no domain is named "             # domain: no domain is named 'X' ...
    r"|.*\bfailed\b"                    # an AuditControl call failed
    r"|.*\brefused\b"                   # poweroff/reboot: the firmware refused
    r"|the expected set is unreadable"  # audit
    r"|the expected set has more than "  # audit: too large to index
    r"|the live audit "                 # audit: ... has more entries / walk failed
    r"|\d+ missing, \d+ unexpected, \d+ inconsistent"  # audit: a difference
)


class ConsoleError(Exception):
    pass


class ConsoleClosed(ConsoleError):
    """The serial socket closed: QEMU exited."""


def command_errors(cmd, output):
    """The lines of `output`, what shell command `cmd` printed, that report
    an error (empty: it succeeded). Other components' lines never count:
    they begin with their own name."""
    words = cmd.split()
    name = words[0] if words else ""
    errors = []
    for line in output.splitlines():
        line = line.rstrip("\r")
        if UNKNOWN_COMMAND_RE.fullmatch(line):
            errors.append(line)
        elif name and line.startswith(name + ": ") and \
                ERROR_FORMS.match(line[len(name) + 2:]):
            errors.append(line)
    return errors


def parse_tcp(where):
    """'HOST:PORT' -> (host, port); raises ValueError saying what to write."""
    host, sep, port = where.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{where!r}: write HOST:PORT with a port number "
                         "1 to 65535, e.g. localhost:4444")
    return host.strip("[]"), int(port)


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
        tcp = ":" in where and not where.startswith("/")
        addr = parse_tcp(where) if tcp else where
        while True:
            try:
                if tcp:
                    self.sock = socket.create_connection(addr, 1)
                else:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        s.connect(where)
                    except OSError:
                        s.close()
                        raise
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
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            raise ConsoleClosed("the serial socket closed (QEMU exited?)")
        text = data.decode("utf-8", "replace").replace("\r", "")
        self.log += text
        if self.log_file:
            self.log_file.write(text)
            self.log_file.flush()
        return True

    def _until(self, regexes, start, until):
        """Reads until one of regexes matches what arrived from `start` on;
        returns the match, or None once `until` (monotonic) passes."""
        while True:
            for r in regexes:
                m = r.search(self.log, start)
                if m:
                    return m
            if time.monotonic() >= until:
                return None
            self._read(until)

    def expect(self, pattern, timeout=30, what=None):
        """Waits for a regex in what arrives from now on; returns the match.
        what: how to name it in the error (default: the regex)."""
        m = self._until([re.compile(pattern)], self._pos,
                        time.monotonic() + timeout)
        if m is None:
            tail = self.log[-400:]
            raise ConsoleError(f"no {what or '/' + pattern + '/'} within "
                               f"{timeout:g} s; last output:\n{tail}")
        self._pos = m.end()
        return m

    def send(self, text):
        self.sock.sendall(text.encode())

    def take_shell(self, timeout=30):
        """Makes sure the shell has the keyboard and has just printed a
        fresh prompt. Returns None if it had the keyboard, else the name of
        the client it was taken from ("?" when the console does not say).

        An empty line makes the shell print a prompt. If none comes and the
        line is quiet (or the console is known to run), a client has the
        keyboard: Ctrl-A three times moves it on until the console says
        "[console: input to shell]" (or, with focus notices off, until an
        empty line gets a prompt)."""
        now = time.monotonic()
        deadline = now + timeout
        prompt, focus = re.compile(PROMPT_RE), re.compile(FOCUS_RE)
        start = len(self.log)
        self.send("\r")
        sent = last = now
        seen = len(self.log)
        while True:
            m = self._until([prompt], start, min(deadline, time.monotonic() + 0.25))
            if m:
                self._pos = m.end()
                return None
            now = time.monotonic()
            if len(self.log) != seen:
                seen, last = len(self.log), now
            if now >= deadline:
                self._no_prompt(timeout)
            if now - last >= QUIET or (now - sent >= QUIET and
                                       re.search(CONSOLE_RE, self.log)):
                break
        holder = "?"
        for _ in range(MAX_FOCUS_MOVES):
            start = len(self.log)
            self.send(CTRL_A3)
            m = self._until([focus], start, min(deadline, time.monotonic() + QUIET))
            if m and m.group(1) != "shell":
                if holder == "?":
                    # The first move is away from the client that had it.
                    holder = self._previous_holder(start) or "?"
                continue
            start = len(self.log)
            self.send("\r")
            wait = deadline if m else min(deadline, time.monotonic() + QUIET)
            p = self._until([prompt], start, wait)
            if p:
                self._pos = p.end()
                return holder
            if time.monotonic() >= deadline:
                break
        self._no_prompt(timeout)

    def _previous_holder(self, before):
        """The client the last focus notice before `before` named."""
        found = re.findall(FOCUS_RE, self.log[:before])
        return found[-1] if found else None

    def _no_prompt(self, timeout):
        tail = self.log[-400:]
        raise ConsoleError(f"no 'cairn> ' prompt within {timeout:g} s; last "
                           f"output:\n{tail}")

    def sync(self, timeout=30):
        """Gets a fresh prompt, taking the keyboard back to the shell."""
        self.take_shell(timeout)

    def command(self, cmd, timeout=30):
        """Runs one shell command; returns its output lines (without the
        echo and the prompt)."""
        self.take_shell(timeout)
        self.send(cmd + "\r")
        self.expect(re.escape(cmd) + r"\n", timeout)
        start = self._pos
        end = self.expect(PROMPT_RE, timeout, "'cairn> ' prompt").start()
        return self.log[start:end]

    def power(self, cmd, timeout=30):
        """Runs `poweroff` or `reboot` and waits until the machine did it:
        the serial line closes (QEMU exits), or the kernel's banner comes
        again. Returns what was printed; raises ConsoleError if the shell
        refused or nothing happened in time."""
        self.take_shell(timeout)
        self.send(cmd + "\r")
        self.expect(re.escape(cmd) + r"\n", timeout)
        start = self._pos
        refused = re.compile(rf"^{re.escape(cmd)}: [^\n]*\n", re.M)
        done = re.compile(BANNER_RE if cmd == "reboot" else r"(?!x)x")
        try:
            m = self._until([refused, done], start, time.monotonic() + timeout)
        except ConsoleClosed:
            if cmd == "poweroff":
                return self.log[start:]
            raise ConsoleError(f"{cmd}: the serial line closed instead of a "
                               "new boot (QEMU exited)") from None
        if m is None:
            raise ConsoleError(f"{cmd}: the machine did not "
                               f"{'power off' if cmd == 'poweroff' else 'reboot'}"
                               f" within {timeout:g} s; last output:\n"
                               f"{self.log[-400:]}")
        self._pos = m.end()
        if m.re is refused:
            raise ConsoleError(f"{cmd} failed: {m.group(0).strip()}")
        return self.log[start:m.start()]

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
