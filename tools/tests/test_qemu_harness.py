"""The harness itself, against stand-in processes (no QEMU needed)."""
import os
import time

import pytest

from cairn.qemu import GDB_EXTENSION, BootError, Machine, gdb_command, qemu_command


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); check its state.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_missing_line_fails_within_limit_and_shows_log():
    m = Machine(["/bin/sh", "-c", "echo booting; echo almost there; sleep 60"],
                time_limit=2)
    start = time.monotonic()
    with pytest.raises(BootError) as e:
        with m:
            pid = m.pid
            m.expect("booting")
            m.expect("never printed")
    assert time.monotonic() - start < 6
    text = str(e.value)
    assert "timed out waiting for /never printed/" in text
    assert "almost there" in text and "----- serial log -----" in text
    assert not alive(pid)


def test_early_exit_is_reported():
    with pytest.raises(BootError, match="QEMU exited while waiting"):
        with Machine(["/bin/sh", "-c", "echo bye"], time_limit=5) as m:
            m.expect("hello")


def test_wait_exit_returns_status_and_keeps_log():
    with Machine(["/bin/sh", "-c", "echo one; exit 3"], time_limit=5) as m:
        m.expect("one")
        assert m.wait_exit() == 3
    assert m.log.strip() == "one"


def test_hung_process_killed_by_pid_even_if_it_ignores_sigterm():
    with Machine(["/bin/sh", "-c", "trap '' TERM; echo up; sleep 60"], time_limit=10) as m:
        m.expect("up")
        pid = m.pid
    assert not alive(pid)


def test_wait_exit_times_out_on_a_hang():
    with pytest.raises(BootError, match="did not exit"):
        with Machine(["/bin/sh", "-c", "sleep 60"], time_limit=1) as m:
            m.wait_exit()


def test_qemu_command_is_the_reference_platform():
    cmd = qemu_command("x.img", memory="2G", cpus=4, append="poweroff", gdb=True)
    joined = " ".join(cmd)
    assert "-M virt,virtualization=on,gic-version=3,iommu=smmuv3" in joined
    assert "-global arm-smmuv3.stage=nested" in joined
    assert "-smp 4 -m 2G" in joined
    # semihosting lets the kernel choose QEMU's exit status (a panic: 101)
    assert "-semihosting-config enable=on,target=native -kernel x.img" in joined
    assert "-append poweroff" in joined
    assert "-S -gdb tcp:127.0.0.1:1234" in joined
    assert "-echr" not in joined
    assert "-echr 0x1d" in " ".join(qemu_command("x.img", interactive=True))
    running = qemu_command("x.img", gdb=True, gdb_port=4321, gdb_halt=False)
    assert "-S" not in running and "-gdb tcp:127.0.0.1:4321" in " ".join(running)


def test_gdb_command_loads_the_extension_before_attaching():
    cmd = gdb_command("build/target/kernel/kernel.elf", 4321)
    assert cmd[:2] == ["gdb-multiarch", "build/target/kernel/kernel.elf"]
    source = cmd.index(f"source {GDB_EXTENSION}")
    assert cmd.index("target remote localhost:4321") > source
    assert GDB_EXTENSION.is_file()


def test_stop_line_fails_at_once_and_names_it():
    script = ("echo up; echo \"fault: thread 'root': unknown system call (0x10)"
              " at pc 0x40; no fault endpoint: suspended\"; sleep 60")
    stop = [r"fault: thread '[^']*':[^\n]*no fault endpoint: suspended"]
    start = time.monotonic()
    with pytest.raises(BootError) as e:
        with Machine(["/bin/sh", "-c", script], time_limit=30, stop_on=stop) as m:
            m.expect("up")
            m.expect("handed over")
    assert time.monotonic() - start < 10
    assert "gave up waiting for /handed over/" in str(e.value)
    assert "unknown system call (0x10)" in str(e.value)


def test_expected_line_wins_over_a_later_stop_line():
    script = "echo 'wanted'; echo 'PANIC on cpu 0: late'"
    with Machine(["/bin/sh", "-c", script], time_limit=5,
                 stop_on=[r"PANIC[^\n]*\n"]) as m:
        assert m.expect("wanted").group(0) == "wanted"


def test_expect_all_takes_lines_in_any_order():
    script = "echo 'bob: ready'; echo 'alice: ready'; sleep 60"
    with Machine(["/bin/sh", "-c", script], time_limit=5) as m:
        m.expect_all([r"alice: ready", r"bob: ready"])
    with pytest.raises(BootError, match="timed out waiting for"):
        with Machine(["/bin/sh", "-c", script], time_limit=2) as m:
            m.expect_all([r"alice: ready", r"carol: ready"])
