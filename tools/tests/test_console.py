"""tools/console against a fake control shell (no QEMU)."""
import socket
import subprocess
import sys
import threading

import pytest
from conftest import ROOT

from cairn.console import Console, ConsoleError, command_errors

TOOL = [sys.executable, str(ROOT / "tools" / "console")]


class FakeShell:
    """Mimics the console server: banner, echo, a few commands, a
    component's line arriving in the middle of a command's output, two
    interactive clients and the focus moved by Ctrl-A three times."""

    def __init__(self, prompt=True, focus=0, notices=True, power="off"):
        self.prompt = prompt
        self.focus = focus  # 0: the shell, 1: alice, 2: bob
        self.notices = notices
        self.power = power  # "off" closes the line, "refuse" refuses
        self.names = ["shell", "alice", "bob"]
        self.received = {"alice": [], "bob": [], "shell": []}

    def send_prompt(self, conn):
        if self.prompt:
            conn.sendall(b"cairn> ")

    def run(self, conn):
        conn.sendall(b"console: 2 clients\r\nalice: ready\r\n")
        if self.focus == 0:
            self.send_prompt(conn)
        line, ctrl_a = b"", 0
        while True:
            data = conn.recv(1024)
            if not data:
                return
            for ch in data:
                ch = bytes([ch])
                if ch == b"\x01":
                    ctrl_a += 1
                    if ctrl_a == 3:
                        ctrl_a = 0
                        self.focus = (self.focus + 1) % 3
                        if self.notices:
                            name = self.names[self.focus]
                            conn.sendall(f"[console: input to {name}]\r\n".encode())
                        if self.focus == 0:
                            self.send_prompt(conn)
                    continue
                ctrl_a = 0
                if self.focus != 0:
                    name = self.names[self.focus]
                    if ch == b"\r":
                        self.received[name].append(line.decode())
                        conn.sendall(f"{name}: got: {line.decode()}\r\n".encode())
                        line = b""
                    else:
                        line += ch
                    continue
                if ch != b"\r":
                    line += ch
                    conn.sendall(ch)
                    continue
                conn.sendall(b"\r\n")
                cmd = line.decode().strip()
                line = b""
                self.received["shell"].append(cmd)
                if not self.command(conn, cmd):
                    return
                self.send_prompt(conn)

    def command(self, conn, cmd):
        """False when the line is gone (power off)."""
        if cmd == "audit":
            conn.sendall(b"bob: hello\r\naudit: ok, 5 capabilities\r\n")
        elif cmd == "help":
            conn.sendall(b"  help  list the commands\r\n  ps  components\r\n")
        elif cmd == "ps":
            conn.sendall(b"NAME STATE PRI\r\nalice waiting 50\r\nbob: test failed\r\n")
        elif cmd == "caps":
            conn.sendall(b"caps: expected a component name; usage: caps NAME\r\n")
        elif cmd == "poweroff" and self.power == "off":
            conn.sendall(b"powering off\r\n")
            conn.close()
            return False
        elif cmd == "poweroff":
            conn.sendall(b"powering off\r\npoweroff: the firmware refused: "
                         b"not supported\r\n")
        elif cmd == "reboot":
            self.focus = 0
            conn.sendall(b"rebooting\r\n\r\nCairn 1234abc: EL2 microkernel on "
                         b"MPIDR 0x80000000, DTB at 0x48000000 (1048576 bytes)\r\n"
                         b"kernel: the console is handed over to user level\r\n")
        elif cmd:
            conn.sendall(f"unknown command '{cmd}': try 'help'\r\n".encode())
        return True


def serve(listener, shell=None):
    shell = shell or FakeShell()

    def run():
        conn, _ = listener.accept()
        try:
            shell.run(conn)
        except OSError:
            pass
        finally:
            conn.close()
    threading.Thread(target=run, daemon=True).start()
    return shell


@pytest.fixture
def unix_shell(tmp_path):
    path = str(tmp_path / "serial.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(1)
    yield s, path
    s.close()


def console(path, *args, timeout="10", stdin=None):
    return subprocess.run(TOOL + ["--socket", path, "--timeout", timeout, *args],
                          capture_output=True, text=True, timeout=120,
                          stdin=stdin)


def test_cmds_over_a_unix_socket(unix_shell):
    s, path = unix_shell
    serve(s)
    r = console(path, "--cmd", "audit", "--cmd", "help")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("bob: hello\naudit: ok, 5 capabilities\n"
                        "  help  list the commands\n  ps  components\n")


def test_a_command_reporting_an_error_stops_the_run_with_status_1(unix_shell):
    s, path = unix_shell
    shell = serve(s)
    r = console(path, "--cmd", "audit", "--cmd", "frob", "--cmd", "help")
    assert r.returncode == 1
    assert r.stdout == ("bob: hello\naudit: ok, 5 capabilities\n"
                        "unknown command 'frob': try 'help'\n")
    assert "console: 'frob' reported an error: unknown command 'frob': try 'help'" \
        in r.stderr
    assert "Traceback" not in r.stderr
    assert "help" not in shell.received["shell"]


def test_bad_arguments_are_an_error(unix_shell):
    s, path = unix_shell
    serve(s)
    r = console(path, "--cmd", "caps")
    assert r.returncode == 1
    assert "'caps' reported an error: caps: expected a component name" in r.stderr


def test_keep_going_runs_every_command_and_succeeds(unix_shell):
    s, path = unix_shell
    shell = serve(s)
    r = console(path, "--cmd", "frob", "--cmd", "caps", "--cmd", "help",
                "--keep-going")
    assert r.returncode == 0, r.stderr
    assert "unknown command 'frob'" in r.stdout and "  ps  components" in r.stdout
    assert [c for c in shell.received["shell"] if c] == ["frob", "caps", "help"]


@pytest.mark.parametrize("cmd,output,errors", [
    ("frob", "unknown command 'frob': try 'help'\n", ["unknown command 'frob': try 'help'"]),
    ("ps x", "ps: takes no arguments; usage: ps\n", ["ps: takes no arguments; usage: ps"]),
    ("log loud", "log: unknown level 'loud': expected one of error, warn, info, debug\n",
     ["log: unknown level 'loud': expected one of error, warn, info, debug"]),
    ("caps nobody", "caps: no thread is named 'nobody' (ps lists them)\n",
     ["caps: no thread is named 'nobody' (ps lists them)"]),
    ("stats", "stats: AuditControl.Threads failed\n", ["stats: AuditControl.Threads failed"]),
    ("audit", "unexpected: alice cptr 9\naudit: 0 missing, 1 unexpected, 0 inconsistent\n",
     ["audit: 0 missing, 1 unexpected, 0 inconsistent"]),
    ("audit", "bob: hello\naudit: ok, 5 capabilities\n", []),
    ("log debug", "log level: debug\n", []),
    # another component's line is never the command's error
    ("ps", "NAME STATE\nbob: test failed\ncaps: no thread is named 'x'\n", []),
    ("reboot", "rebooting\nreboot: the firmware refused: not supported\n",
     ["reboot: the firmware refused: not supported"]),
    ("domain web pause", "domain: no domain is named 'web' (domain lists them)\n",
     ["domain: no domain is named 'web' (domain lists them)"]),
    ("domain alice pause", "domain: no domain is named 'alice': alice is a console "
     "client that has not reported as a domain's VMM (domain lists the domains)\n",
     ["domain: no domain is named 'alice': alice is a console client that has not "
      "reported as a domain's VMM (domain lists the domains)"]),
    ("domain web stop", "domain: unknown action 'stop': expected one of pause, resume, "
     "restart\n", ["domain: unknown action 'stop': expected one of pause, resume, restart"]),
    ("domain web pause", "domain: web has 4 requests its VMM has not taken yet; refused\n",
     ["domain: web has 4 requests its VMM has not taken yet; refused"]),
    ("domain a b c", "domain: takes at most two arguments, a domain name and an action "
     "(3 given); usage: domain [NAME [ACTION]]\n",
     ["domain: takes at most two arguments, a domain name and an action (3 given); "
      "usage: domain [NAME [ACTION]]"]),
    # what succeeded, and the VMM's own lines (tagged with its name)
    ("domain web pause", "domain web: pause requested\nweb: vmm: domain web paused: the "
     "console asked\n", []),
    ("domain", "DOMAIN STATE VCPUS VMM\nweb running 1/1 web\n", []),
    ("domain", "domain: none: no VMM has reported a guest domain to the console\n", []),
])
def test_command_errors(cmd, output, errors):
    assert command_errors(cmd, output) == errors


@pytest.mark.parametrize("focus,notices", [(1, True), (2, True), (2, False)])
def test_the_keyboard_is_taken_back_from_a_client(unix_shell, focus, notices):
    """An earlier session left the keyboard on a client (Ctrl-A x3): the
    command still reaches the shell, and no client gets it."""
    s, path = unix_shell
    shell = serve(s, FakeShell(focus=focus, notices=notices))
    r = console(path, "--cmd", "audit", "--cmd", "help", timeout="20")
    assert r.returncode == 0, r.stderr
    assert "audit: ok, 5 capabilities" in r.stdout and "  ps  components" in r.stdout
    assert shell.focus == 0
    assert "audit" in shell.received["shell"]
    assert not [x for x in shell.received["alice"] + shell.received["bob"] if x]


def test_poweroff_succeeds_when_the_line_closes(unix_shell):
    s, path = unix_shell
    serve(s)
    r = console(path, "--cmd", "audit", "--cmd", "poweroff")
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("powering off\n")
    assert "console: poweroff: done" in r.stderr


def test_poweroff_refused_is_an_error(unix_shell):
    s, path = unix_shell
    serve(s, FakeShell(power="refuse"))
    r = console(path, "--cmd", "poweroff")
    assert r.returncode == 1
    assert "poweroff failed: poweroff: the firmware refused: not supported" in r.stderr


def test_reboot_succeeds_when_the_kernel_boots_again(unix_shell):
    s, path = unix_shell
    shell = serve(s, FakeShell(focus=1))
    r = console(path, "--cmd", "reboot", "--cmd", "help", timeout="20")
    assert r.returncode == 0, r.stderr
    assert "rebooting\n" in r.stdout and "  ps  components\n" in r.stdout
    assert [c for c in shell.received["shell"] if c] == ["reboot", "help"]


def test_poweroff_must_come_last(unix_shell):
    s, path = unix_shell
    r = console(path, "--cmd", "poweroff", "--cmd", "ps")
    assert r.returncode == 2
    assert r.stderr.strip() == ("console: --cmd 'poweroff' must come last: "
                                "nothing runs after the machine is off")


def test_cmd_over_tcp():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    serve(s)
    port = s.getsockname()[1]
    r = subprocess.run(TOOL + ["--tcp", f"127.0.0.1:{port}", "--cmd", "help",
                               "--timeout", "10"], capture_output=True, text=True)
    s.close()
    assert r.returncode == 0, r.stderr
    assert "  ps  components\n" in r.stdout


@pytest.mark.parametrize("where", ["host:notaport", "host", "host:0", ":4444",
                                   "host:70000"])
def test_a_bad_tcp_address_is_one_line(where):
    r = subprocess.run(TOOL + ["--tcp", where, "--cmd", "ps"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith(f"console: --tcp '{where}': write HOST:PORT with a "
                               "port number 1 to 65535")
    assert len(r.stderr.splitlines()) == 1


def test_no_prompt_times_out_with_status_1(unix_shell):
    s, path = unix_shell
    serve(s, FakeShell(prompt=False))
    r = console(path, "--cmd", "audit", timeout="2")
    assert r.returncode == 1
    assert "no 'cairn> ' prompt within 2 s" in r.stderr
    assert "alice: ready" in r.stderr  # what did arrive is shown


def test_connection_failure_is_explained(tmp_path):
    r = subprocess.run(TOOL + ["--socket", str(tmp_path / "none"), "--cmd", "ps",
                               "--timeout", "1"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "cannot connect to" in r.stderr and "tools/run --socket" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("focus,said", [(0, "the keyboard is on the shell: "),
                                        (2, "the keyboard is on the shell (taken back")])
def test_interactive_attach_shows_prompt_and_focus(unix_shell, focus, said):
    s, path = unix_shell
    shell = serve(s, FakeShell(focus=focus))
    r = console(path, stdin=subprocess.DEVNULL)  # stdin ends: detach at once
    assert r.returncode == 0, r.stderr
    assert said in r.stderr and "Ctrl-] quits" in r.stderr
    assert r.stdout.startswith("cairn> ")
    assert shell.focus == 0


def test_library_command_and_expect(unix_shell, tmp_path):
    s, path = unix_shell
    serve(s)
    con = Console().connect(path, timeout=5)
    try:
        con.expect(r"alice: ready", timeout=5)
        assert con.command("audit", timeout=5).splitlines() == [
            "bob: hello", "audit: ok, 5 capabilities"]
        assert "console: 2 clients" in con.log
        with pytest.raises(ConsoleError):
            con.expect("never", timeout=0.5)
    finally:
        con.close()
