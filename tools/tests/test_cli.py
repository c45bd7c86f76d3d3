"""The tools as a user meets them: --help and --version, exit statuses, one
line instead of a traceback for every mistake, colour, and output piped
into a reader that stops early. No build and no QEMU needed: a stand-in
qemu-system-aarch64 prints the command line tools/run would boot."""
import io
import os
import re
import socket
import subprocess
import sys
import time

import pytest
from conftest import ROOT

from cairn import cli

PY_TOOLS = ["run", "console", "capaudit", "mkimage", "idlgen",
            "merge-compile-commands", "guest-dtb"]
SH_TOOLS = ["setup", "test", "check-format"]


def tool(name, *args, env=None, timeout=60, **kw):
    cmd = [str(ROOT / "tools" / name), *args]
    if name in PY_TOOLS:
        cmd.insert(0, sys.executable)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL, **kw)


def one_line(r, status=2):
    """An expected mistake: status 2, one line on stderr, no traceback."""
    assert r.returncode == status, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr.strip()


@pytest.mark.parametrize("name", PY_TOOLS + SH_TOOLS)
def test_help_only_prints_help(name):
    start = time.monotonic()
    r = tool(name, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.lower().startswith("usage:")
    assert f"{name}" in r.stdout.splitlines()[0]
    # Nothing ran: no step lines, no build, no apt.
    assert not re.search(r"^\[(setup|test|run)\]", r.stdout, re.M)
    assert r.stderr == ""
    assert time.monotonic() - start < 20


@pytest.mark.parametrize("name", PY_TOOLS + SH_TOOLS)
def test_version_is_the_commit(name):
    r = tool(name, "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{name} (Cairn) {cli.version()}\n"


def test_version_outside_a_checkout_is_unknown(tmp_path):
    assert cli.version(tmp_path) == "unknown"
    v = cli.version()
    if (ROOT / ".git").exists():
        assert v != "unknown" and re.fullmatch(r"[\w.-]+", v)


def test_every_python_option_is_described():
    for name in PY_TOOLS:
        out = tool(name, "--help").stdout
        options = re.findall(r"^  (-[-\w]+)(?:[ ,=][^\n]*)?$", out, re.M)
        assert options, name
        # an option line either carries its description or the next does
        for line, nxt in zip(out.splitlines(), out.splitlines()[1:] + [""]):
            if re.match(r"^  --?\w", line) and len(line.split("  ")) < 3:
                assert nxt.startswith(" " * 10) and nxt.strip(), (name, line)


def test_capaudit_usage_shows_its_main_form():
    out = tool("capaudit", "--help").stdout
    usage = out.split("\n\n")[0]
    assert "capaudit MANIFEST [--jsonl] [--programs DIR]" in usage
    assert "capaudit check MANIFEST" in usage and "capaudit diff" in usage


def test_test_help_is_cairns_then_ctests():
    out = tool("test", "--help").stdout
    assert out.index("--debug") < out.index("ctest options (passed through)")
    for option in ("--release", "-N, --list", "--no-colour", "-L unit"):
        assert option in out
    assert "--output-on-failure" in out  # ctest's own, after


def test_setup_refuses_unknown_options_without_installing():
    assert one_line(tool("setup", "--yes")).startswith("setup: unknown option --yes")


def test_test_list_does_not_build():
    if not (ROOT / "build" / "CTestTestfile.cmake").exists():
        pytest.skip("build/ is not configured")
    r = tool("test", "--debug", "-N", "-L", "tools", timeout=120)
    assert r.returncode == 0, r.stderr
    assert "tools_pytest" in r.stdout and "Total Tests: 1" in r.stdout
    assert "[test] building" not in r.stdout and "running the" not in r.stdout


# ---- mistakes: one line, exit status 2 --------------------------------------

def fake_qemu(tmp_path, status=0):
    """A qemu-system-aarch64 on PATH that prints its arguments."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    q = bindir / "qemu-system-aarch64"
    q.write_text(f"#!/bin/sh\necho QEMU \"$@\"\nexit {status}\n")
    q.chmod(0o755)
    return {**os.environ, "PATH": str(bindir)}


def fake_image(tmp_path, name="demo"):
    image = tmp_path / "b" / "user" / name / "cairn.img"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"image")
    return tmp_path / "b"


def test_run_without_qemu_says_what_to_do(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing installed
    msg = one_line(tool("run", "--no-build", env=env))
    assert msg == "run: qemu-system-aarch64 is not installed: run tools/setup"


def test_run_boots_the_normalised_manifest(tmp_path):
    env = fake_qemu(tmp_path)
    (tmp_path / "m.toml").write_text(
        '[system]\nname = "mine"\n[machine]\nmemory = "1024M"\ncpus = 3\n'
        '[root]\nprogram = "root"\n')
    build = fake_image(tmp_path, "m")
    r = tool("run", str(tmp_path / "m.toml"), "--no-build", "--build-dir",
             str(build), "--", "-append", "poweroff", env=env)
    assert r.returncode == 0, r.stderr
    qemu = r.stdout.splitlines()[-1]
    assert qemu.startswith("QEMU ")
    assert " -smp 3 -m 1G " in qemu  # normalised for QEMU
    assert "-semihosting-config enable=on,target=native" in qemu
    assert f"-kernel {build}/user/m/cairn.img" in qemu
    assert qemu.endswith("-append poweroff")
    assert "colour" not in qemu  # not a terminal


def test_run_gdb_port_option(tmp_path):
    env = fake_qemu(tmp_path)
    build = fake_image(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = tool("run", "--no-build", "--build-dir", str(build), f"--gdb={port}", env=env)
    assert r.returncode == 0, r.stderr
    assert f"-S -gdb tcp:127.0.0.1:{port}" in r.stdout
    assert f"target remote localhost:{port}" in r.stdout
    r = tool("run", "--no-build", "--build-dir", str(build), "--gdb", str(port), env=env)
    assert f"-S -gdb tcp:127.0.0.1:{port}" in r.stdout, r.stderr
    # --gdb alone is 1234, and does not take the manifest for a port
    r = tool("run", "--gdb", str(ROOT / "configs" / "demo.toml"), "--no-build",
             "--build-dir", str(build), env=env)
    assert "-S -gdb tcp:127.0.0.1:1234" in r.stdout or "port 1234 is taken" in r.stderr
    msg = one_line(tool("run", "--gdb=http", env=env))
    assert msg.startswith("run: --gdb=http: write --gdb or --gdb=PORT")


def test_run_reports_a_taken_gdb_port(tmp_path):
    env = fake_qemu(tmp_path)
    build = fake_image(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        msg = one_line(tool("run", "--no-build", "--build-dir", str(build),
                            f"--gdb={port}", env=env))
    assert msg.startswith(f"run: --gdb: port {port} is taken")
    assert "choose a free port with --gdb=PORT" in msg


@pytest.mark.parametrize("edit,message", [
    (('"1G"', '"512MiB"'), "machine.memory: '512MiB': write \"512M\""),
    (('program = "root"', 'program = "rot"'),
     "root.program: 'rot' is not a program this tree builds; did you mean \"root\"?"),
])
def test_run_checks_the_manifest_before_building(tmp_path, edit, message):
    text = '[system]\nname = "x"\n[machine]\nmemory = "1G"\n[root]\nprogram = "root"\n'
    (tmp_path / "x.toml").write_text(text.replace(*edit))
    start = time.monotonic()
    msg = one_line(tool("run", str(tmp_path / "x.toml"), "--build-dir",
                        str(tmp_path / "never")))
    assert msg.startswith(f"run: {tmp_path / 'x.toml'}:") and message in msg
    assert not (tmp_path / "never").exists()  # nothing was configured
    assert time.monotonic() - start < 20


def test_run_missing_manifest(tmp_path):
    msg = one_line(tool("run", str(tmp_path / "nope.toml")))
    assert msg == f"run: {tmp_path / 'nope.toml'}: no such manifest"


def test_run_no_build_without_an_image(tmp_path):
    env = fake_qemu(tmp_path)
    msg = one_line(tool("run", "--no-build", "--build-dir", str(tmp_path / "b"),
                        env=env))
    assert msg.endswith("cairn.img does not exist: build it first (drop --no-build)")


def test_mkimage_missing_kernel(tmp_path):
    msg = one_line(tool("mkimage", "--manifest", str(ROOT / "configs" / "test-bare.toml"),
                        "--kernel", str(tmp_path / "kernel.elf"),
                        "--output", str(tmp_path / "x.img")))
    assert msg == (f"mkimage: --kernel {tmp_path / 'kernel.elf'} does not exist: "
                   "build the kernel first (cmake --build build)")


def test_mkimage_bad_program_argument(tmp_path):
    msg = one_line(tool("mkimage", "--manifest", "m", "--kernel", "k",
                        "--program", "root", "--output", "o"))
    assert msg.startswith("mkimage: --program 'root': write NAME=ELF")


def test_capaudit_check(tmp_path):
    r = tool("capaudit", "check", str(ROOT / "configs" / "demo.toml"))
    assert r.returncode == 0, r.stderr
    assert "ok: system 'demo', 1G RAM, 2 cpus, 2 components" in r.stdout
    r = tool("capaudit", "check", "--list-programs", str(ROOT / "configs" / "demo.toml"))
    assert r.stdout.split() == ["root", "console", "consoleecho"]
    (tmp_path / "bad.toml").write_text('[system]\nname = "x"\n[machine]\n'
                                       'memory = "1 GB"\n[root]\nprogram = "root"\n')
    msg = one_line(tool("capaudit", "check", str(tmp_path / "bad.toml")))
    assert msg == (f"capaudit: {tmp_path / 'bad.toml'}:4: machine.memory: '1 GB': "
                   'write "1G" (a size is a whole number followed by K, M or G)')


def test_capaudit_diff_missing_file(tmp_path):
    msg = one_line(tool("capaudit", "diff", "--expected", str(tmp_path / "e"),
                        "--dump", str(tmp_path / "d")))
    assert msg == f"capaudit: {tmp_path / 'e'}: No such file or directory"


GUEST = ('[system]\nname = "g"\n[machine]\ncpus = 2\n[root]\nprogram = "root"\n'
         '[[domain]]\nname = "guest0"\nkernel = "guest.bin"\nmemory = "32M"\n'
         'vcpus = 2\nbootargs = "console=ttyAMA0"\n')


def guest_manifest(tmp_path, text=GUEST, kernel=b"\x00\x00\x00\x14" * 16):
    (tmp_path / "guest.bin").write_bytes(kernel)
    (tmp_path / "g.toml").write_text(text)
    return str(tmp_path / "g.toml")


def test_guest_dtb_prints_what_the_guest_gets(tmp_path):
    r = tool("guest-dtb", guest_manifest(tmp_path), "guest0")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("/dts-v1/;")
    assert 'bootargs = "console=ttyAMA0";' in r.stdout
    assert "cpu@1 {" in r.stdout and 'method = "hvc";' in r.stdout
    assert "reg = <0x00 0x40000000 0x00 0x2000000>;" in r.stdout  # 32M


def test_guest_dtb_writes_the_blob_and_the_layout(tmp_path):
    out = tmp_path / "g.dtb"
    r = tool("guest-dtb", guest_manifest(tmp_path), "guest0", "-o", str(out))
    assert r.returncode == 0 and r.stdout == "", r.stderr
    assert out.read_bytes()[:4] == b"\xd0\x0d\xfe\xed"  # the FDT magic
    r = tool("guest-dtb", guest_manifest(tmp_path), "guest0", "--layout")
    lines = r.stdout.splitlines()
    assert lines[0] == "RAM     0x0040000000..0x0042000000 2 vCPUs"
    assert lines[1].startswith("kernel  0x0040080000..0x0040080040 flat binary ")
    assert lines[2].startswith("DTB     0x0041e00000..")


def test_guest_dtb_mistakes(tmp_path):
    path = guest_manifest(tmp_path)
    assert one_line(tool("guest-dtb", path, "guest1")) == (
        f"guest-dtb: {path}: no domain named 'guest1'; did you mean \"guest0\"?: "
        "expected one of guest0")
    bare = guest_manifest(tmp_path, GUEST.split("[[domain]]")[0])
    assert one_line(tool("guest-dtb", bare, "guest0")) == (
        f"guest-dtb: {bare}: has no [[domain]]: add one (docs/manifest.md)")
    path = guest_manifest(tmp_path, kernel=b"\x1f\x8b\x08" + bytes(80))
    assert one_line(tool("guest-dtb", path, "guest0")) == (
        f"guest-dtb: {path}:9: domain[0].kernel: 'guest.bin': "
        f"{tmp_path / 'guest.bin'} is gzip-compressed: give the kernel "
        "decompressed, e.g. zcat guest.bin > Image (Debian's vmlinuz is gzip: zcat)")


def test_capaudit_check_inspects_guest_kernels(tmp_path):
    path = guest_manifest(tmp_path, kernel=b"\x7fELF" + bytes(80))
    msg = one_line(tool("capaudit", "check", path))
    assert msg.startswith(f"capaudit: {path}:9: domain[0].kernel: 'guest.bin': "
                          f"{tmp_path / 'guest.bin'} is an ELF file: give an arm64 Image")
    assert msg.endswith("objcopy -O binary guest.bin guest-flat.bin)")


def test_idlgen_error_names_file_and_line(tmp_path):
    (tmp_path / "x.idl").write_text("event Tick")
    msg = one_line(tool("idlgen", "--out-dir", str(tmp_path), "--stem", "x",
                        str(tmp_path / "x.idl")))
    assert msg.startswith(f"idlgen: {tmp_path / 'x.idl'}:1:")


def test_usage_errors_are_status_2():
    r = tool("capaudit", "check")
    assert r.returncode == 2 and "the following arguments are required" in r.stderr
    r = tool("console")
    assert r.returncode == 2 and "one of the arguments --socket --tcp" in r.stderr


# ---- pipes and colour -------------------------------------------------------

def test_a_pipe_closed_early_ends_quietly(tmp_path):
    """tools/capaudit diff ... | head -1: no BrokenPipeError traceback."""
    entry = '{"holder": "a", "cptr": %d, "depth": 64, "type": "endpoint", ' \
            '"object": "x", "rights": "rw--", "badge": 0}\n'
    (tmp_path / "e").write_text("".join(entry % i for i in range(1, 40000)))
    (tmp_path / "d").write_text("")
    r = subprocess.run(f"{sys.executable} {ROOT}/tools/capaudit diff --expected "
                       f"{tmp_path}/e --dump {tmp_path}/d | head -1",
                       shell=True, capture_output=True, text=True, timeout=60)
    assert r.stdout.startswith("missing: a cptr 1")
    assert r.stderr == ""


@pytest.mark.parametrize("name", ["test", "setup", "capaudit"])
def test_help_into_head_is_quiet(name):
    cmd = f"{ROOT}/tools/{name} --help | head -1"
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60)
    assert r.stdout.lower().startswith("usage:") and r.stderr == ""


class Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_colour_follows_no_color_and_the_option(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.colour(stream=Stream(True))
    assert not cli.colour(stream=Stream(False))
    assert not cli.colour(no_colour=True, stream=Stream(True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.colour(stream=Stream(True))
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set, by the convention
    assert cli.colour(stream=Stream(True))


def run_on_a_terminal(tmp_path, *args, env):
    """tools/run with its stdout on a pseudo-terminal: the QEMU line."""
    import pty

    build = tmp_path / "b"
    if not build.exists():
        fake_image(tmp_path)
    master, slave = pty.openpty()
    try:
        p = subprocess.run([sys.executable, str(ROOT / "tools" / "run"), "--no-build",
                            "--build-dir", str(build), *args], stdout=slave,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           env=env, timeout=60)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    assert p.returncode == 0, p.stderr
    return [line for line in out.decode().splitlines() if line.startswith("QEMU ")][-1]


def test_run_asks_for_colour_on_a_terminal_unless_told_not_to(tmp_path):
    env = fake_qemu(tmp_path)
    env.pop("NO_COLOR", None)
    assert run_on_a_terminal(tmp_path, env=env).endswith("-append colour")
    assert "-append colour" not in run_on_a_terminal(tmp_path, "--no-colour", env=env)
    env["NO_COLOR"] = "1"
    assert "-append colour" not in run_on_a_terminal(tmp_path, env=env)


def test_an_unexpected_error_is_still_a_traceback():
    """Bugs are not dressed up as user mistakes."""
    with pytest.raises(ZeroDivisionError):
        cli.describe(ZeroDivisionError()) or (1 / 0)
    assert cli.describe(ZeroDivisionError()) is None
    assert cli.describe(cli.UserError("x: y")) == "x: y"
    assert cli.describe(FileNotFoundError(2, "No such file or directory", "gcc")) == \
        "gcc is not installed (not found on PATH): run tools/setup"
