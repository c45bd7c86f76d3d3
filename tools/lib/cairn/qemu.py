"""Booting Cairn images in QEMU, for people (tools/run) and tests.

Machine drives one QEMU process through pexpect: every run has a deadline,
all serial output is kept, a failure raises BootError carrying the whole
serial log, and QEMU is always ended by its PID.
"""
import io
import os
import shlex
import signal
import time
from pathlib import Path

QEMU = "qemu-system-aarch64"
MACHINE = "virt,virtualization=on,gic-version=3,iommu=smmuv3"
# QEMU 10's virt always makes its SMMU nested; the 9.1 machine honours
# arm-smmuv3.stage=1, an SMMU without stage 2 (which cannot share).
SMMU_STAGE1_MACHINE = "virt-9.1,virtualization=on,gic-version=3,iommu=smmuv3"
# The PCI test device the DMA tests drive; its default DMA mask (28 bits)
# clamps addresses silently.
EDU_DEVICE = ["-device", "edu,dma_mask=0xffffffffffffffff"]
GDB_PORT = 1234
# QEMU's exit status, which semihosting lets the kernel choose
# (kernel/src/shutdown.h): 0 after a clean power-off or when every thread
# has exited 0; a thread's non-zero status when all have finished;
EXIT_FAULT = 100  # ... a thread was ended by a fault no handler took
EXIT_PANIC = 101  # ... a kernel panic
# Semihosting for the kernel's SYS_EXIT only (native: never to gdb).
SEMIHOSTING = ["-semihosting-config", "enable=on,target=native"]


def qemu_command(image, memory="1G", cpus=2, append=None, gdb=False,
                 interactive=False, extra=(), gdb_port=GDB_PORT, socket=None,
                 gdb_halt=True, machine=MACHINE, smmu_stage="nested"):
    """The QEMU command line for a Cairn image on the reference platform.
    machine and smmu_stage: another -M and arm-smmuv3.stage, for the
    stage-1-only SMMU (SMMU_STAGE1_MACHINE, stage "1").
    socket: a path to serve the serial line on (for tools/console).
    gdb: serve a gdbstub on gdb_port, halted at the first instruction
    unless gdb_halt is false (to attach to a system that is running)."""
    cmd = [QEMU, "-M", machine, "-global", f"arm-smmuv3.stage={smmu_stage}",
           "-cpu", "max", "-smp", str(cpus), "-m", str(memory),
           *SEMIHOSTING, "-kernel", str(image)]
    if socket:
        cmd += ["-display", "none", "-monitor", "none",
                "-serial", f"unix:{socket},server=on,wait=off"]
    elif interactive:
        # Ctrl-] is QEMU's escape key, so Ctrl-A reaches Cairn's console.
        cmd += ["-nographic", "-echr", "0x1d"]
    else:
        cmd += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    if append:
        cmd += ["-append", append]
    if gdb:
        cmd += (["-S"] if gdb_halt else []) + ["-gdb",
                                              f"tcp:127.0.0.1:{gdb_port}"]
    return cmd + list(extra)


# How long a run that hit a stop_on line may go on printing before it is
# ended: a panic's register dump comes right after its first line.
STOP_DRAIN_SECONDS = 2


class BootError(AssertionError):
    """A boot that did not do what a test expected; str() includes the log."""

    def __init__(self, message, log):
        super().__init__(f"{message}\n----- serial log -----\n{log}"
                         f"\n----- end of serial log -----")
        self.log = log


class Machine:
    """One QEMU run with an overall time limit (seconds).

    stop_on: regexes for log lines after which nothing expected can come
    (a panic, a thread suspended by a fault nobody handles); expect() fails
    on them at once instead of waiting out its timeout.
    """

    def __init__(self, command, time_limit=60, log_path=None, stop_on=()):
        self.command = list(command)
        self.time_limit = time_limit
        self.log_path = log_path
        self.stop_on = list(stop_on)
        self._log = io.StringIO()
        self._child = None
        self._deadline = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def start(self):
        import pexpect

        self._deadline = time.monotonic() + self.time_limit
        self._child = pexpect.spawn(self.command[0], self.command[1:],
                                    encoding="utf-8", codec_errors="replace",
                                    timeout=self.time_limit, echo=False)
        self._child.logfile_read = self._log
        return self

    @property
    def pid(self):
        return self._child.pid if self._child else None

    @property
    def log(self):
        return self._log.getvalue().replace("\r", "")

    def _remaining(self, timeout):
        left = self._deadline - time.monotonic()
        return max(0.0, left if timeout is None else min(left, timeout))

    def fail(self, message):
        raise BootError(f"{message} (command: {shlex.join(self.command)})",
                        self.log)

    def _wait(self, patterns, timeout, what):
        """Index of the first of patterns to appear; fails on a timeout, on
        QEMU's exit and on a stop_on line."""
        import pexpect

        try:
            which = self._child.expect(list(patterns) + self.stop_on,
                                       timeout=self._remaining(timeout))
        except pexpect.TIMEOUT:
            self.fail(f"timed out waiting for {what}")
        except pexpect.EOF:
            self.fail(f"QEMU exited while waiting for {what}")
        if which >= len(patterns):
            line = self._child.match.group(0).strip()
            # What follows a panic line (registers, a backtrace) is what
            # explains it: let it reach the log before giving up.
            try:
                self._child.expect(pexpect.EOF, timeout=STOP_DRAIN_SECONDS)
            except pexpect.TIMEOUT:
                pass
            self.fail(f"gave up waiting for {what}: the log shows '{line}'")
        return which

    def expect(self, pattern, timeout=None):
        """Waits for a regex on the serial line; returns the match."""
        self._wait([pattern], timeout, f"/{pattern}/")
        return self._child.match

    def expect_all(self, patterns, timeout=None):
        """Waits for every regex, in whatever order they come."""
        left = list(patterns)
        while left:
            del left[self._wait(left, timeout, str(left))]

    def send(self, text):
        self._child.send(text)

    def wait_exit(self, timeout=None):
        """Waits for QEMU to end by itself (a power-off, or the kernel's
        semihosting exit); returns its status (EXIT_*)."""
        import pexpect

        try:
            self._child.expect(pexpect.EOF, timeout=self._remaining(timeout))
        except pexpect.TIMEOUT:
            self.fail("QEMU did not exit (no power-off)")
        self._child.wait()
        return self._child.exitstatus

    def close(self):
        """Ends QEMU by PID: SIGTERM, then SIGKILL if it lingers."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.isalive():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(child.pid, sig)
                except ProcessLookupError:
                    break
                end = time.monotonic() + 3
                while child.isalive() and time.monotonic() < end:
                    time.sleep(0.05)
                if not child.isalive():
                    break
        child.close(force=True)
        if self.log_path:
            with open(self.log_path, "w") as f:
                f.write(self.log)


GDB_EXTENSION = Path(__file__).resolve().parents[2] / "gdb" / "cairn.py"


def gdb_command(kernel_elf, port=GDB_PORT):
    """The gdb-multiarch command that attaches to a --gdb QEMU with the
    kernel's symbols and Cairn's commands (tools/gdb/cairn.py, docs/gdb.md)."""
    return ["gdb-multiarch", str(kernel_elf), "-ex", f"source {GDB_EXTENSION}",
            "-ex", f"target remote localhost:{port}"]
