"""tools/console against a fake control shell (no QEMU)."""
import socket
import subprocess
import sys
import threading

import pytest
from conftest import ROOT

from cairn.console import Console, ConsoleError

TOOL = [sys.executable, str(ROOT / "tools" / "console")]


def fake_shell(conn, prompt=True):
    """Mimics the console server: banner, echo, a few commands, and a
    component's line arriving in the middle of a command's output."""
    conn.sendall(b"console: 2 clients\r\nalice: ready\r\n")
    if prompt:
        conn.sendall(b"cairn> ")
    line = b""
    while True:
        data = conn.recv(1024)
        if not data:
            return
        for ch in data:
            ch = bytes([ch])
            if ch != b"\r":
                line += ch
                conn.sendall(ch)
                continue
            conn.sendall(b"\r\n")
            cmd = line.decode().strip()
            line = b""
            if cmd == "audit":
                conn.sendall(b"bob: hello\r\naudit: ok, 5 capabilities\r\n")
            elif cmd == "help":
                conn.sendall(b"  help  list the commands\r\n  ps  components\r\n")
            elif cmd:
                conn.sendall(f"unknown command '{cmd}': try 'help'\r\n".encode())
            if prompt:
                conn.sendall(b"cairn> ")


def serve(listener, **kw):
    def run():
        conn, _ = listener.accept()
        with conn:
            fake_shell(conn, **kw)
    threading.Thread(target=run, daemon=True).start()


@pytest.fixture
def unix_shell(tmp_path):
    path = str(tmp_path / "serial.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(1)
    yield s, path
    s.close()


def test_cmds_over_a_unix_socket(unix_shell):
    s, path = unix_shell
    serve(s)
    r = subprocess.run(TOOL + ["--socket", path, "--cmd", "audit", "--cmd", "frob",
                               "--timeout", "10"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("bob: hello\naudit: ok, 5 capabilities\n"
                        "unknown command 'frob': try 'help'\n")


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


def test_no_prompt_times_out_with_status_1(unix_shell):
    s, path = unix_shell
    serve(s, prompt=False)
    r = subprocess.run(TOOL + ["--socket", path, "--cmd", "audit", "--timeout", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "no 'cairn> ' prompt within 2 s" in r.stderr
    assert "alice: ready" in r.stderr  # what did arrive is shown


def test_connection_failure_is_explained(tmp_path):
    r = subprocess.run(TOOL + ["--socket", str(tmp_path / "none"), "--cmd", "ps",
                               "--timeout", "1"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "cannot connect to" in r.stderr and "tools/run --socket" in r.stderr


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
