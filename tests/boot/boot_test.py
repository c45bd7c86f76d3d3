#!/usr/bin/python3
"""Boot tests: each case boots an image in QEMU and checks the serial log.

Usage: boot_test.py --images BUILD_DIR CASE
       boot_test.py --list        (the cases, one a line)
This file is the one list of boot cases: tests/boot/CMakeLists.txt asks
--list at configure time and registers one ctest test per case.
"""
import argparse
import contextlib
import socket
import subprocess
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "lib"))
from cairn.qemu import (EDU_DEVICE, EXIT_FAULT, EXIT_PANIC,  # noqa: E402
                        SMMU_STAGE1_MACHINE, BootError, Machine,
                        gdb_command, qemu_command)

TIME_LIMIT = 60
LONG_TIME_LIMIT = 300
# Lines after which a boot cannot go on as a test expects (see Machine).
STOP_ON = (r"PANIC[^\n]*\n",
           r"fault: thread '[^']*':[^\n]*no fault endpoint: suspended")
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def boot(images, system="demo", time_limit=TIME_LIMIT, stop_on=STOP_ON,
         **kw):
    kw.setdefault("append", "poweroff")
    return Machine(qemu_command(Path(images) / system / "cairn.img", **kw),
                   time_limit=time_limit, stop_on=stop_on)


def check_ram(images, memory, end):
    with boot(images, memory=memory) as m:
        size_mib = (end - 0x40000000) >> 20
        m.expect(re.escape(f"dtb: ram 0x40000000-{end:#x} ({size_mib} MiB)"))
        total = m.expect(r"mem: (\d+) KiB free of (\d+) KiB RAM")
        if int(total.group(2)) != size_mib * 1024:
            m.fail(f"RAM total {total.group(2)} KiB, expected {size_mib * 1024}")
        m.expect("boot: complete")
        m.wait_exit()


@case
def ram_512m(images):
    check_ram(images, "512M", 0x60000000)


@case
def ram_2g(images):
    check_ram(images, "2G", 0xC0000000)


def check_smp(images, cpus):
    with boot(images, cpus=cpus) as m:
        m.expect(f"dtb: {cpus} cpus")
        m.expect(f"smp: {cpus} of {cpus} cpus online")
        m.wait_exit()
        for i in range(1, cpus):
            if not re.search(rf"^cpu {i}: online, MPIDR 0x{i:x}, EL2, MMU on$",
                             m.log, re.M):
                m.fail(f"cpu {i} never reported in")


@case
def smp_2(images):
    check_smp(images, 2)


@case
def smp_4(images):
    check_smp(images, 4)


@case
def platform_report(images):
    """Every DTB device gets its greppable line; the banner names the
    commit the kernel was built from (cmake/version.cmake's header)."""
    header = Path(images) / "target" / "kernel" / "generated" / "cairn_version.h"
    built = re.search(r'#define CAIRN_VERSION "([^"]+)"', header.read_text()).group(1)
    with boot(images) as m:
        banner = m.expect(r"Cairn (\S+): EL2 microkernel")
        if banner.group(1) != built or built == "dev":
            m.fail(f"banner names {banner.group(1)!r}, the build {built!r}")
        for line in [
            r"dtb: pl011 0x9000000-0x9001000 intid 33",
            r"dtb: gicv3 distributor 0x8000000-0x8010000",
            r"dtb: gicv3 redistributors 0x80a0000-",
            r"dtb: gicv3 its 0x8080000-0x80a0000",
            r"dtb: smmuv3 0x9050000-0x9070000",
            r"dtb: pcie ecam 0x4010000000-0x4020000000 buses 0-255",
            r"dtb: pcie window mem32 cpu 0x10000000-0x3eff0000",
            r"dtb: iommu-map rid 0x0-0xffff -> sid 0x0-0xffff \(iommu phandle 0x[0-9a-f]+, the smmuv3\)",
            r"dtb: timer ppis sec-phys 29 phys 30 virt 27 hyp-phys 26 hyp-virt 28",
            r"dtb: psci conduit smc",
            r"mmu: EL2 stage 1 on, caches on",
            r"psci: version 1\.",
            r"root: .root. loaded: entry 0x400000, \d+ pages, VMID 1; \d+ untyped",
            r"boot: 'poweroff' on the command line: PSCI SYSTEM_OFF",
        ]:
            m.expect(line)
        status = m.wait_exit()
        if status != 0:
            m.fail(f"QEMU exit status {status} after SYSTEM_OFF")


@case
def root_task_runs(images):
    """The root task runs at EL0, reads its BootInfo, finds no spec in the
    test-bare image, deletes its capabilities and exits."""
    with boot(images, system="test-bare", append=None) as m:
        loaded = m.expect(r"root: .root. loaded: .*; (\d+) untyped \((\d+) MiB RAM")
        seen = m.expect(r"root: no system spec in the image: nothing to build "
                        r"\((\d+) MiB RAM in (\d+) untyped caps\)")
        ram, count = (int(g) for g in seen.groups())
        if count != int(loaded.group(1)) or ram != int(loaded.group(2)):
            m.fail("the root task's BootInfo disagrees with the kernel")
        m.expect("root: exited with status 0")
        # Nothing else can run: the system ends, with the root task's status.
        m.expect("system: every thread has finished; powering off with status 0")
        status = m.wait_exit(timeout=30)
        if status != 0:
            m.fail(f"QEMU exit status {status} after every thread exited 0")


def check_suite(m, name, at_least, listed=False):
    """Reads an in-system suite's closing line from m: all must pass, and at
    least at_least of them must have run. listed: the suite lists its cases
    first (tests/system/cases.h), and each must have passed."""
    summary = m.expect(rf"{name}: (\d+) passed, (\d+) failed")
    passed, failed = int(summary.group(1)), int(summary.group(2))
    fails = re.findall(r"^FAIL .*$", m.log, re.M)
    if failed or fails or passed < at_least:
        m.fail(f"{name}: {passed} passed, {failed} failed: {fails}")
    if listed:
        check_listed(m, name, passed)
    print(f"{name}: {passed} passed, {failed} failed")


def listed_case_problems(log, passed=None):
    """What is wrong between a suite's "CASE <id> <purpose>" lines and its
    "PASS <id>" lines (and its count of passes): a list of messages, empty
    when every listed case passed exactly once and nothing else did."""
    listed = re.findall(r"^CASE (\S+) *(.*)$", log, re.M)
    ids = [i for i, _ in listed]
    ran = re.findall(r"^PASS (\S+)$", log, re.M)
    problems = []
    if not ids:
        problems.append("no CASE lines")
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(f"cases listed twice: {dup}")
    if [i for i, purpose in listed if not purpose.strip()]:
        problems.append("cases without a purpose")
    missing = [i for i in ids if i not in ran]
    if missing:
        problems.append(f"listed but never passed: {missing}")
    extra = sorted(set(ran) - set(ids))
    if extra:
        problems.append(f"passed but not listed: {extra}")
    twice = sorted({r for r in ran if ran.count(r) > 1})
    if twice:
        problems.append(f"passed twice: {twice}")
    if passed is not None and passed != len(ids):
        problems.append(f"{passed} passed of {len(ids)} listed")
    return problems


def check_listed(m, name, passed):
    problems = listed_case_problems(m.log, passed)
    if problems:
        m.fail(f"{name}: " + "; ".join(problems))


@case
def system_captest(images):
    """The in-system capability suite: every test passes, then the unknown
    system call at its end suspends it with a fault line; nothing else can
    run, so the machine ends with the status of a fault (100)."""
    with boot(images, system="test-caps", append=None, stop_on=()) as m:
        check_suite(m, "captest", 7, listed=True)
        m.expect(r"fault: thread 'root': unknown system call \(0x63\) at pc "
                 r"0x[0-9a-f]+; no fault endpoint: suspended")
        m.expect(rf"system: every thread has finished; powering off with "
                 rf"status {EXIT_FAULT}")
        status = m.wait_exit(timeout=30)
        if status != EXIT_FAULT:
            m.fail(f"QEMU exit status {status} after a fault, not {EXIT_FAULT}")


@case
def system_threadtest(images):
    """Threads, IPC (100 000 round trips across VSpaces), faults: all pass."""
    with boot(images, system="test-threads", append=None,
              time_limit=LONG_TIME_LIMIT) as m:
        m.expect(r"100000 round trips, 0 bad", timeout=240)
        check_suite(m, "threadtest", 44, listed=True)


STREAM_CASES = 18  # tests/system/streamtest.c, dmacases.c and iocases.c


@case
def system_streamtest(images):
    """The SMMU's streams with QEMU's edu device on an SMMU with stage 2:
    every case passes (share-pt: DMA into the bound VSpace works, and is
    blocked at an unmapped IOVA, after Unmap, after Revoke and after the
    VSpace's deletion; sync-pt: the same through an IOSpace in stage-2
    format, and a read-only MapIO blocks the device's writes), the kernel
    prints the SMMU's probe line and each fault with its stream, kind and
    address, and the system ends with the suite's status."""
    with boot(images, system="test-streams", append=None,
              extra=EDU_DEVICE) as m:
        m.expect(r"smmu: SMMUv3 at 0x9050000: stage 1\+2, IAS 44 OAS 44 "
                 r"bits, granules 4K 16K 64K, 16-bit StreamIDs \(256 "
                 r"covered\), cmdq 2\^19 eventq 2\^19, coherent walks; "
                 r"shares CPU stage-2 tables: yes")
        m.expect(r"smmu: enabled: 256 streams, every one aborting until "
                 r"bound; cmdq 32, eventq 2048 entries; IOSpaces: stage-2 "
                 r"tables")
        m.expect(r"smmu: interrupts: eventq intid 106, gerror intid 109")
        m.expect(r"  smmu: flags 0x7f, 256 streams, 16-bit StreamIDs, IAS 44 "
                 r"OAS 44, can share: yes")
        m.expect(r"smmu: stream 0x[0-9a-f]+: translation fault \(event "
                 r"0x10\), write at 0x80405000 \(stage 2\); queued for its "
                 r"fault route")
        m.expect(r"  IOSpaces: stage-2 tables")
        m.expect(r"smmu: stream 0x[0-9a-f]+: translation fault \(event "
                 r"0x10\), write at 0x10005000 \(stage 2\); queued for its "
                 r"fault route")
        m.expect(r"smmu: stream 0x[0-9a-f]+: permission fault \(event "
                 r"0x13\), write at 0x10000000 \(stage 2\)")
        check_suite(m, "streamtest", STREAM_CASES, listed=True)
        m.expect(r"system: every thread has finished; powering off with "
                 r"status 0")
        status = m.wait_exit(timeout=30)
        if status != 0:
            m.fail(f"QEMU exit status {status}")


@case
def system_streamtest_stage1(images):
    """The same suite on QEMU's stage-1-only SMMU (virt-9.1,
    arm-smmuv3.stage=1): the probe says it cannot share, every BindVSpace
    is NOT_SUPPORTED (never a silent success) and that DMA stays blocked,
    while IOSpaces are stage-1 tables behind a context descriptor and every
    IOSpace case passes as on stage 2, its faults reported at stage 1."""
    with boot(images, system="test-streams", append=None, extra=EDU_DEVICE,
              machine=SMMU_STAGE1_MACHINE, smmu_stage="1") as m:
        m.expect(r"smmu: SMMUv3 at 0x9050000: stage 1, .*; shares CPU "
                 r"stage-2 tables: no \(no stage 2\)")
        m.expect(r"smmu: enabled: 256 streams, every one aborting until "
                 r"bound; cmdq 32, eventq 2048 entries; IOSpaces: stage-1 "
                 r"tables")
        m.expect(r"  smmu: flags 0xeb, 256 streams, 16-bit StreamIDs, IAS 44 "
                 r"OAS 44, can share: no")
        m.expect(r"  BindVSpace: not supported on this SMMU")
        m.expect(r"  IOSpaces: stage-1 tables")
        m.expect(r"smmu: stream 0x[0-9a-f]+: translation fault \(event "
                 r"0x10\), write at 0x10005000; queued for its fault route")
        m.expect(r"smmu: stream 0x[0-9a-f]+: permission fault \(event "
                 r"0x13\), write at 0x10000000;")
        check_suite(m, "streamtest", STREAM_CASES, listed=True)
        if "(stage 2)" in m.log:
            m.fail("a stage-2 fault was reported though no stage 2 exists")
        status = m.wait_exit(timeout=30)
        if status != 0:
            m.fail(f"QEMU exit status {status}")


@case
def bench_ipc_runs(images):
    """bench/ipc's image runs under -icount shift=0 and prints its figure
    (the figure itself is a benchmark, not a test: only its presence and
    the replies' correctness are checked)."""
    with boot(images, system="bench-ipc", append=None,
              extra=["-icount", "shift=0"]) as m:
        m.expect(r"ipc bench: 20000 Call\+ReplyRecv round trips .*, 0 bad replies")
        figure = m.expect(r"round trip: (\d+) instructions")
        if int(figure.group(1)) <= 0:
            m.fail("no instruction count")
        print(f"ipc round trip: {figure.group(1)} instructions")


@case
def bench_vmexit_runs(images):
    """bench/vmexit's guest runs under -icount shift=0 and prints its three
    figures; every exit it met was one it expected and every injection
    succeeded (the figures themselves are a benchmark, not a test)."""
    with boot(images, system="bench-vmexit", append=None,
              extra=["-icount", "shift=0"], time_limit=LONG_TIME_LIMIT) as m:
        m.expect(r"vmexit bench: 2000 rounds of each, 0 failed injections",
                 timeout=240)
        for what in ("HVC round trip", "MMIO read emulated by the VMM",
                     "taken and EOIed"):
            found = m.expect(re.escape(what) + r": (\d+) instructions")
            if int(found.group(1)) <= 0:
                m.fail(f"no figure for {what}")


@case
def bench_preempt_bounds_latency(images):
    """Long operations stop for interrupts: while the kernel revokes 4096
    caps and clears 256 MiB for a Retype, a timer interrupt waits at most
    one bounded step (far less than the operation), and both operations
    still complete."""
    figures = {}
    with boot(images, system="bench-preempt", append=None,
              extra=["-icount", "shift=0"], time_limit=LONG_TIME_LIMIT) as m:
        for what in ("revoke of 4096 derived caps", "retype of 128 2 MiB frames"):
            found = m.expect(r"preempt bench: " + re.escape(what) +
                             r": (\S+), (\d+) instructions; (\d+) interrupts "
                             r"during it, latency worst (\d+)", timeout=240)
            status, took, n, worst = found.groups()
            if status != "ok":
                m.fail(f"{what}: {status}")
            took, n, worst = int(took), int(n), int(worst)
            # A step is one delete or one 64 KiB clear plus the interrupt
            # path: tens of thousands of instructions at most, while each
            # operation takes millions.
            if n < 10 or worst > 100_000 or worst * 10 > took:
                m.fail(f"{what}: {n} interrupts, worst latency {worst} "
                       f"of {took} instructions")
            figures[what] = (took, worst)
        m.expect("preempt bench: done")
    for what, (took, worst) in figures.items():
        print(f"{what}: {took} instructions, worst interrupt latency {worst}")


def suite_results(images, system):
    with boot(images, system=system, append=None,
              time_limit=LONG_TIME_LIMIT) as m:
        m.expect(r"threadtest: \d+ passed, \d+ failed", timeout=240)
    problems = listed_case_problems(m.log)
    if problems:
        raise AssertionError(f"{system}: " + "; ".join(problems))
    return re.findall(r"^((?:PASS|FAIL) \S+|  \d+ round trips, \d+ bad)$",
                      m.log, re.M)


@case
def fastpath_equivalence(images):
    """The thread suite gives identical results with and without the IPC
    fastpath (and passes)."""
    fast = suite_results(images, "test-threads")
    slow = suite_results(images, "test-threads-slowpath")
    if fast != slow:
        raise AssertionError(f"results differ:\nfastpath: {fast}\nslowpath: {slow}")
    if not fast or any(r.startswith("FAIL") for r in fast):
        raise AssertionError(f"suite did not pass: {fast}")
    print(f"identical: {len(fast)} results")


@case
def fuzz_bounded(images):
    """A bounded fuzzing campaign (tests/fuzz/run runs long ones): two
    seeds of random invocations, no panic, no hang, every invariant check
    passed."""
    import importlib.machinery
    run = importlib.machinery.SourceFileLoader(
        "fuzz_run", str(Path(__file__).resolve().parents[1] / "fuzz" / "run")
    ).load_module()
    image = Path(images) / "test-fuzz" / "cairn.img"
    for seed in (1, 2):
        print(run.campaign(image, 100_000, seed))


AUDIT_EXPECTED = Path(__file__).resolve().parents[1] / "system" / "audittest.expected.jsonl"
CAPAUDIT = Path(__file__).resolve().parents[2] / "tools" / "capaudit"


LAST_LOG = [""]  # the serial log of the last audit_diff boot


def audit_diff(images, system):
    """Boots the audit test system; returns capaudit's result on its dump."""
    import tempfile

    with boot(images, system=system, append=None) as m:
        m.expect(r"audit: end \d+ entries")
        m.expect(r"threads: end \d+")
    LAST_LOG[0] = m.log
    with tempfile.NamedTemporaryFile("w", suffix=".log") as dump:
        dump.write(m.log)
        dump.flush()
        return subprocess.run(
            [sys.executable, str(CAPAUDIT), "diff", "--expected", str(AUDIT_EXPECTED),
             "--dump", dump.name, "--holders", "alpha,beta"],
            capture_output=True, text=True)


@case
def audit_matches_expected(images):
    """The live audit of the known system equals the expected set exactly;
    AuditControl.Threads lists the three threads with their counters."""
    r = audit_diff(images, "test-audit")
    threads = re.findall(r"^threads: (\S+) state (\d+) priority (\d+) ipc (\d+) cpu (\w+)$",
                         LAST_LOG[0], re.M)
    byname = {t[0]: t[1:] for t in threads}
    if set(byname) != {"root", "alpha", "beta"} or byname["root"][0:2] != ("1", "255") \
            or int(byname["root"][2]) < 10 or byname["root"][3] != "ok" \
            or byname["alpha"][0] != "0" or byname["alpha"][3] != "bad":
        raise AssertionError(f"unexpected thread list: {threads}")
    print(r.stdout, end="")
    if r.returncode != 0 or "audit: ok, 6 capabilities" not in r.stdout:
        raise AssertionError(f"capaudit disagrees:\n{r.stdout}{r.stderr}")


@case
def audit_names_extra_copy(images):
    """One Copy the expected set does not explain fails the diff, named."""
    r = audit_diff(images, "test-audit-extra")
    print(r.stdout, end="")
    want = "unexpected: beta cptr 5 (depth 64): notification"
    if r.returncode != 1 or want not in r.stdout or "missing:" in r.stdout:
        raise AssertionError(f"capaudit did not name the extra copy:\n{r.stdout}{r.stderr}")


@case
def system_rpctest(images):
    """Stubs generated from IDL: every parameter kind, a cap, an event and a
    1 MiB dataport between two VSpaces."""
    with boot(images, system="test-rpc", append=None) as m:
        check_suite(m, "rpctest", 7)


@case
def scenario_trio(images):
    """The root task builds three components from the spec and exits; they
    pass RPC, event and 1 MiB dataport checks; the checker's live audit
    equals `tools/capaudit configs/test-trio.toml --jsonl` exactly."""
    import tempfile

    with boot(images, system="test-trio", append=None) as m:
        built = m.expect(r"root: system built: (\d+) objects, (\d+) capabilities")
        m.expect("root: deleted all of its capabilities; exiting")
        m.expect("root: exited with status 0")
        check_suite(m, "trioclient", 6)
        check_suite(m, "triochecker", 3)
        m.expect("checker: exited with status 0")
    manifest = Path(__file__).resolve().parents[2] / "configs" / "test-trio.toml"
    expected = subprocess.run(
        [sys.executable, str(CAPAUDIT), str(manifest), "--jsonl",
         "--programs", str(Path(images) / "target")],
        capture_output=True, text=True, check=True).stdout
    if len(expected.splitlines()) != int(built.group(2)):
        raise AssertionError(f"the root task placed {built.group(2)} caps, the "
                             f"spec has {len(expected.splitlines())}")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "expected.jsonl").write_text(expected)
        (Path(tmp) / "serial.log").write_text(m.log)
        r = subprocess.run([sys.executable, str(CAPAUDIT), "diff", "--expected",
                            str(Path(tmp) / "expected.jsonl"), "--dump",
                            str(Path(tmp) / "serial.log")],
                           capture_output=True, text=True)
    print(r.stdout, end="")
    if r.returncode != 0 or not r.stdout.startswith("audit: ok"):
        raise AssertionError(f"live audit differs from the spec:\n{r.stdout}{r.stderr}")


CTRL_A3 = "\x01\x01\x01"


def shell(m, command, *want, timeout=30):
    """Types a shell command, waits for the next prompt and checks that each
    regex matches what came between (in any order: other components' lines
    may arrive in between too)."""
    start = len(m.log)
    m.send(command + "\r")
    m.expect(re.escape(command) + r"[\r\n]+", timeout=timeout)
    m.expect(r"(?<!\x1b\[K)cairn> ", timeout=timeout)
    out = m.log[start:]
    missing = [w for w in want if not re.search(w, out)]
    if missing:
        m.fail(f"'{command}': no {missing} in its output:\n{out}")
    return out


@contextlib.contextmanager
def console_boot(images, system="test-console", **kw):
    """Boots a console system and waits for the shell's first prompt."""
    with boot(images, system=system, append=None,
              time_limit=LONG_TIME_LIMIT, **kw) as m:
        # The root task's summary comes before the kernel lets go.
        m.expect(r"root: system built: \d+ objects, \d+ capabilities")
        m.expect(r"kernel: the console is handed over to user level")
        m.expect("cairn> ", timeout=60)
        yield m


def expected_caps(images, system):
    manifest = Path(__file__).resolve().parents[2] / "configs" / f"{system}.toml"
    return subprocess.run(
        [sys.executable, str(CAPAUDIT), str(manifest), "--jsonl", "--programs",
         str(Path(images) / "target")],
        capture_output=True, text=True, check=True).stdout.splitlines()


@case
def console_shell_commands(images):
    """Every shell command of the console server answers as documented, the
    live audit matches the spec, and poweroff powers the machine off."""
    n = len(expected_caps(images, "test-console"))
    with console_boot(images) as m:
        shell(m, "help", r"help +\S", r"ps +\S", r"caps NAME", r"audit +\S",
              r"stats +\S", r"log \[LEVEL\]", r"poweroff +\S", r"reboot +\S")
        shell(m, "ps", r"NAME +STATE +PRI", r"console +\w+ +200",
              r"alice +\w+ +50", r"bob +\w+ +50", r"flood +\w+ +50")
        shell(m, "caps bob", r"endpoint +[0-9a-f]{16} +-wg- +0x\d+",
              r"\d+ capabilities")
        shell(m, "caps nobody", r"caps: no thread is named 'nobody' \(ps lists them\)")
        # ps lists the exited root task; caps agrees that it exists.
        out = shell(m, "caps root", r"caps: root holds no capabilities \(ps: inactive\)")
        if "SLOT" in out:
            m.fail(f"caps root printed a table of nothing:\n{out}")
        shell(m, "audit", rf"audit: ok, {n} capabilities")
        out = shell(m, "stats", r"NAME +IPC +CPU", r"console +\d+ +\d+\.\d%",
                    r"CPU: each thread's share of the \d+\.\d s all threads "
                    r"ran at EL0",
                    r"interrupts delivered to user level: [1-9]\d*")
        # Both CPUs, each idle a share of the time since boot; CPU 1 runs
        # no threads, so it is idle all but the moment it came up.
        idle = dict(re.findall(r"^cpu (\d): idle (\d+\.\d)% of the \d+\.\d s "
                               r"since boot$", out, re.M))
        if set(idle) != {"0", "1"} or float(idle["1"]) < 90 \
                or float(idle["0"]) > 100:
            m.fail(f"stats: no sensible idle time per CPU:\n{out}")
        shell(m, "log", r"log level: info \(of error, warn, info, debug")
        shell(m, "log debug", r"log level: debug")
        shell(m, "log loud", r"log: unknown level 'loud': expected one of "
              r"error, warn, info, debug")
        shell(m, "frobnicate", r"unknown command 'frobnicate': try 'help'")
        shell(m, "caps", r"caps: takes one argument, a thread name \(none "
              r"given\); usage: caps NAME")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"shell ok; audit: ok, {n} capabilities")


@case
def console_colour_on_request(images):
    """With "colour" on the kernel command line (tools/run adds it on a
    terminal), client names are coloured."""
    with boot(images, system="test-console", append="colour") as m:
        m.expect(r"\x1b\[3\dmalice\x1b\[0m: ready")


@case
def console_input_typed_during_boot(images):
    """Keys that arrive before the console server starts are not lost, and
    later keys still interrupt (QEMU's PL011 interrupts only when its FIFO
    goes from empty to one character)."""
    with boot(images, system="test-console", append=None,
              time_limit=LONG_TIME_LIMIT) as m:
        m.expect(r"Cairn \S+: EL2 microkernel")
        m.send("help")
        m.expect(r"kernel: the console is handed over to user level")
        m.send("\r")
        m.expect(r"help\s+\S+", timeout=60)
        shell(m, "ps", r"alice")
    print("input typed during boot reached the shell")


@case
def console_focus_switching(images):
    """Ctrl-A three times moves the input focus through the shell and each
    interactive client; typed lines reach only the focused one. The move is
    announced even at `log error`, the last line names the client while it
    has the keyboard, and the prompt comes back with the shell."""
    with console_boot(images) as m:
        m.expect_all([r"alice: ready", r"bob: ready"])
        shell(m, "log error", r"log level: error")
        m.send(CTRL_A3)
        m.expect(r"\[console: input to alice\]")
        m.expect(r"\[alice has the keyboard; Ctrl-A three times moves it\]")
        m.send("hello\r")
        m.expect(r"alice: got: hello")
        m.send(CTRL_A3)
        m.expect(r"\[console: input to bob\]")
        m.send("world\r")
        m.expect(r"bob: got: world")
        m.expect(r"\[bob has the keyboard")
        m.send("pa")  # typed for bob: the shell's line stays as it was
        m.send(CTRL_A3)
        # The prompt is drawn again at once, empty: nobody has to type
        # to find out where the keys go now.
        m.expect(r"\[console: input to shell\][\r\n]+(\r\x1b\[K)?cairn> (?!\S)")
        shell(m, "ps", r"alice")
        log = m.log
        if "bob: got: hello" in log or "alice: got: world" in log:
            m.fail("input reached a client without the focus")
        if re.search(r"(alice|bob): got: ps", log):
            m.fail("shell input reached a client")
    print("focus: shell -> alice -> bob -> shell")


@case
def console_flood_is_contained(images):
    """A client printing without pause stops neither another client's
    lines nor the shell: typed input is answered while the flood runs."""
    with console_boot(images) as m:
        m.expect(r"flood: flood line \d+")
        shell(m, "ps", r"alice")
        m.send(CTRL_A3)
        m.expect(r"\[console: input to alice\]")
        m.send("still here\r")
        m.expect(r"alice: got: still here")
        m.send(CTRL_A3 + CTRL_A3)
        m.expect(r"\[console: input to shell\]")
        shell(m, "stats", r"flood +\d+")
        m.expect(r"flood: done", timeout=120)
        lines = re.findall(r"flood: flood line (\d+)", m.log)
        if [int(x) for x in lines] != list(range(len(lines))) or len(lines) < 1000:
            m.fail(f"flood lines lost, reordered or cut: {len(lines)} seen")
        if "alice: got: still here" not in m.log:
            m.fail("alice's answer did not get out during the flood")
        # Every line is whole: no other output inside a flood line.
        if re.search(r"flood line \d+[^\d\s]", m.log):
            m.fail("a flood line was interleaved mid-line")
        # An interactive client sleeps between reads: it does not poll.
        out = shell(m, "stats", r"bob +\d+")
        calls = int(re.search(r"^bob +(\d+)", out, re.M).group(1))
        if calls > 100:
            m.fail(f"bob, idle, made {calls} IPC calls: it polls for input")
    print(f"flood contained: {len(lines)} lines, all whole and in order")


@case
def console_audit_names_extra_cap(images):
    """On a system where a client copies a cap the spec does not explain,
    the shell's audit names it."""
    with console_boot(images, "test-console-extra") as m:
        m.expect(r"alice: ready")
        shell(m, "audit", r"unexpected: alice cptr \d+ \(depth 64\): tcb ",
              r"audit: 0 missing, 1 unexpected, 0 inconsistent")


def audit_jsonl_diff(images, system):
    """Boots a console system, has its shell print the live audit as JSON
    lines and diffs them on the host with tools/capaudit diff against the
    manifest's expected set: (capaudit's result, entries printed)."""
    import tempfile

    with console_boot(images, system) as m:
        out = shell(m, "audit --jsonl", r"audit: end \d+ entries")
    printed = len(re.findall(r"^\{\"holder\".*\}$", out, re.M))
    if printed != int(re.search(r"audit: end (\d+) entries", out).group(1)):
        raise AssertionError(f"audit --jsonl: {printed} lines printed, "
                             f"the count differs:\n{out[-2000:]}")
    with tempfile.TemporaryDirectory() as tmp:
        expected = Path(tmp) / "expected.jsonl"
        dump = Path(tmp) / "dump.log"
        expected.write_text("\n".join(expected_caps(images, system)) + "\n")
        dump.write_text(out)
        return subprocess.run(
            [sys.executable, str(CAPAUDIT), "diff", "--expected", str(expected),
             "--dump", str(dump)], capture_output=True, text=True), printed


@case
def console_audit_jsonl_for_capaudit(images):
    """`audit --jsonl` prints the live audit in the format tools/capaudit
    diff reads: the console system's dump diffs clean against its manifest,
    and the extra cap of test-console-extra is named, nothing missing."""
    r, printed = audit_jsonl_diff(images, "test-console")
    print(r.stdout, end="")
    if r.returncode != 0 or f"audit: ok, {printed} capabilities" not in r.stdout:
        raise AssertionError(f"capaudit diff of audit --jsonl:\n{r.stdout}{r.stderr}")
    r, _ = audit_jsonl_diff(images, "test-console-extra")
    print(r.stdout, end="")
    if r.returncode != 1 or "missing:" in r.stdout or not re.search(
            r"unexpected: alice cptr \d+ \(depth 64\): tcb ", r.stdout):
        raise AssertionError(f"capaudit diff did not name the extra cap:\n"
                             f"{r.stdout}{r.stderr}")


@contextlib.contextmanager
def console_socket(images, system="test-console"):
    """Boots a console system with its serial line on a socket (bytes pass
    untouched: Ctrl-C on QEMU's stdio pty would stop QEMU) and yields a
    cairn.console.Console once the flood client is done, so the line is
    quiet while keys are typed."""
    import tempfile

    from cairn.console import Console

    with tempfile.TemporaryDirectory() as tmp:
        sock = str(Path(tmp) / "serial")
        cmd = qemu_command(Path(images) / system / "cairn.img", socket=sock)
        qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        con = Console()
        try:
            con.connect(sock, timeout=30)
            con.expect(r"flood: done", timeout=120)
            con.sync()
            yield con
        except Exception:
            print(con.log[-4000:])
            raise
        finally:
            con.close()
            qemu.terminate()
            try:
                qemu.wait(timeout=10)
            except subprocess.TimeoutExpired:
                qemu.kill()


def keys(con, typed, *want, timeout=30):
    """Types bytes as a person would (escape sequences and control keys
    included), waits for the shell's next fresh prompt (a redrawn one comes
    after ESC [ K) and checks each regex against what came back between."""
    from cairn.console import PROMPT_RE

    start = len(con.log)
    con.send(typed)
    while True:
        m = con.expect(PROMPT_RE, timeout, "the shell's next prompt")
        if m.start() >= start:
            break
    out = con.log[start:m.start()]
    missing = [w for w in want if not re.search(w, out)]
    if missing:
        raise AssertionError(f"typed {typed!r}: no {missing} in:\n{out!r}")
    return out


LEFT, HOME, END, DELETE, UP = "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[3~", "\x1b[A"
CAPS_OUT = r"\d+ capabilities"


@case
def console_shell_line_editing(images):
    """The shell edits its line as serial shells do, driven over QEMU's
    serial socket the way a person types: arrows, Home/End in their forms,
    Ctrl keys, Delete, history, Tab, swallowed sequences, Ctrl-C, a line too
    long refused, and `reboot` typed while a client has the keyboard going
    to that client."""
    with console_socket(images) as con:
        keys(con, "ps" + LEFT + LEFT + "x\r", r"unknown command 'xps'")
        con.send("ps\x1b[")  # a sequence split across two arrivals
        time.sleep(0.3)
        keys(con, "Dx\r", r"unknown command 'pxs'")
        keys(con, "aps bob" + HOME + "c\r", CAPS_OUT)
        keys(con, "tats\x1bOHs" + END + "\r", r"NAME +IPC +CPU")
        keys(con, "xps\x1b[1~" + DELETE + "\r", r"NAME +STATE +PRI")
        keys(con, "cps\x02\x02a\x05 bob\r", CAPS_OUT)  # Ctrl-B, Ctrl-E
        keys(con, "caps xbob" + LEFT * 5 + "\x06\x04\r", CAPS_OUT)  # Ctrl-F, D
        keys(con, "pz\x7fs\r", r"NAME +STATE +PRI")
        keys(con, "caps nobody\x15ps\r", r"NAME +STATE +PRI")  # Ctrl-U
        keys(con, "caps alice bob\x17\x17alice\r", CAPS_OUT)  # Ctrl-W
        out = keys(con, UP + "\r", CAPS_OUT)  # the history
        if "\x1b[Kcairn> caps alice" not in out:
            raise AssertionError(f"Up did not bring back 'caps alice': {out!r}")
        keys(con, "ca\tal\t\r", CAPS_OUT)  # Tab: command, then a name
        out = keys(con, "caps \t\t\x15\r")  # a second Tab lists them
        listed = [ln.split() for ln in out.splitlines() if "  " in ln]
        if not any({"alice", "bob", "console", "root"} <= set(w) for w in listed):
            raise AssertionError(f"Tab Tab listed no names: {out!r}")
        out = keys(con, "p\x1b[5~\x1bOP\x1b[24~\x1b[1;5Cs\r",
                   r"NAME +STATE +PRI")  # swallowed: PgUp, F1, F12
        if re.search(r"\[5~|OP|\[24~|unknown command", out):
            raise AssertionError(f"an escape sequence was inserted: {out!r}")
        keys(con, "reboot\x03", r"reboot\^C")  # cancelled: QEMU runs on
        keys(con, "\x0cps\r", r"\x1b\[2J", r"NAME +STATE +PRI")  # Ctrl-L
        keys(con, "x" * 200 + "\r", r"\a",
             r"\[line too long: more than 127 characters; not run\]")
        # The keyboard with alice: a typed `reboot` is hers.
        con.send(CTRL_A3)
        con.expect(r"\[alice has the keyboard; Ctrl-A three times moves it\]")
        con.send("reboot\r")
        con.expect(r"alice: got: reboot")
        con.send(CTRL_A3 + CTRL_A3)
        con.expect(r"\[console: input to shell\]\ncairn> ")
        out = keys(con, "stats\r", r"NAME +IPC +CPU")
        if "rebooting" in con.log:
            raise AssertionError("the shell ran a reboot typed for alice")
    print("line editing: every key answered as documented")


CONSOLE_TOOL = Path(__file__).resolve().parents[2] / "tools" / "console"


@case
def console_tool_scripts_commands(images):
    """tools/console drives the shell over QEMU's serial socket: a command
    reporting an error is exit status 1, the keyboard left on a client is
    taken back, and poweroff succeeds when QEMU exits."""
    import tempfile

    from cairn.console import CTRL_A3, Console

    def console(*args):
        r = subprocess.run([sys.executable, str(CONSOLE_TOOL), "--socket", sock,
                            "--timeout", "60", *args],
                           capture_output=True, text=True, timeout=180)
        print(r.stdout[-2000:], r.stderr)
        return r

    n = len(expected_caps(images, "test-console"))
    with tempfile.TemporaryDirectory() as tmp:
        sock = str(Path(tmp) / "serial")
        cmd = qemu_command(Path(images) / "test-console" / "cairn.img", socket=sock)
        qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            r = console("--cmd", "audit", "--cmd", "caps alice",
                        "--log", str(Path(tmp) / "log"))
            if r.returncode != 0 or f"audit: ok, {n} capabilities" not in r.stdout \
                    or not re.search(r"\d+ capabilities\n", r.stdout.split("audit: ok")[1]):
                raise AssertionError(f"tools/console failed: {r.stderr}")
            if "cairn> caps alice" not in (Path(tmp) / "log").read_text():
                raise AssertionError("--log did not keep what was received")
            r = console("--cmd", "caps nobody", "--cmd", "ps")
            if r.returncode != 1 or "'caps nobody' reported an error: caps: no " \
                    "thread is named 'nobody'" not in r.stderr or "NAME" in r.stdout:
                raise AssertionError(f"an error did not stop the run: {r.returncode}")
            # An earlier session leaves the keyboard on alice.
            con = Console().connect(sock, 10)
            con.send(CTRL_A3)
            con.expect(r"\[console: input to alice\]", 30)
            con.close()
            r = console("--cmd", "ps")
            if r.returncode != 0 or not re.search(r"NAME +STATE +PRI", r.stdout):
                raise AssertionError(f"the shell did not get the keyboard back: {r.stderr}")
            r = console("--cmd", "poweroff")
            if r.returncode != 0 or "powering off" not in r.stdout:
                raise AssertionError(f"poweroff did not succeed: {r.stderr}")
            if qemu.wait(timeout=30) != 0:
                raise AssertionError(f"QEMU exit status {qemu.returncode} after poweroff")
        finally:
            if qemu.poll() is None:
                qemu.terminate()
                try:
                    qemu.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    qemu.kill()


@case
def undefined_instruction_panics(images):
    """An UDF at EL2 panics with the class and a symbolised ELR, then powers off."""
    with boot(images, system="test-undef", append=None, stop_on=()) as m:
        m.expect("test: executing an undefined instruction at EL2")
        m.expect(r"PANIC on cpu 0: unexpected exception: synchronous, current EL")
        m.expect(r"EC 0x00 \(unknown reason \(undefined instruction\)\)")
        m.expect(r"ELR_EL2 0x[0-9a-f]{16} <kernel_main\+0x[0-9a-f]+>")
        m.expect(r"x30 0x[0-9a-f]{16}")
        m.expect(r"PANIC: powering off \(exit status 101\)")
        status = m.wait_exit(timeout=20)
        if status != EXIT_PANIC:
            m.fail(f"QEMU exit status {status} after a panic, not {EXIT_PANIC}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@case
def gdb_attach(images):
    """tools/run --gdb's QEMU starts halted; the printed gdb command attaches
    with symbols and stops at kernel_main before any output."""
    port = free_port()
    elf = Path(images) / "target" / "kernel" / "kernel.elf"
    with boot(images, gdb=True, gdb_port=port) as m:
        cmd = gdb_command(elf, port) + [
            "-batch", "-ex", "break kernel_main", "-ex", "continue",
            "-ex", "bt 1", "-ex", "kill"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        if not re.search(r"#0\s+kernel_main \(dtb_addr=\d+\)", out.stdout):
            m.fail(f"gdb did not stop in kernel_main:\n{out.stdout}{out.stderr}")
        if "Cairn" in m.log:
            m.fail("the kernel printed before gdb let it run past kernel_main")


class GdbBatch:
    """gdb-multiarch -batch as a child whose output can be waited on line
    by line (it flushes before it lets the target run); ended by its PID."""

    def __init__(self, cmd):
        import threading

        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, line, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if line + "\n" in self.lines:
                return True
            if self.proc.poll() is not None and not self.reader.is_alive():
                return line + "\n" in self.lines
            time.sleep(0.05)
        return False

    def finish(self, timeout):
        """Waits for gdb to exit; kills it (by PID) if it does not."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False
        finally:
            self.reader.join(timeout=5)
        return True


def gdb_sections(out):
    """gdb's output split at the `echo @@NAME` markers: NAME -> text."""
    sections, name = {}, None
    for line in out.splitlines():
        if line.startswith("@@"):
            name = line[2:]
            sections[name] = ""
        elif name is not None:
            sections[name] += line + "\n"
    return sections


PS_ROW = re.compile(r"^(\S+) +(inactive|runnable|sending|receiving|replying|"
                    r"waiting) +(\d+)$", re.M)
CAPS_ROW = re.compile(r"^ *(\d+) +([a-z_]+) +([0-9a-f]{16}) +([-rwgx]{4}) +"
                      r"(0x[0-9a-f]+)$", re.M)
CAIRN_THREAD_ROW = re.compile(
    r"^([ *])(\S+) +(inactive|runnable|sending|receiving|replying|waiting) +"
    r"(\d+) +(\d+|-) +(\d+) +(0x[0-9a-f]+) +\d+ +\d+ +(0x[0-9a-f]+) +"
    r"([0-9a-f]{16})", re.M)
CAIRN_CAPS_ROW = re.compile(r"^(\d+) +64 +([a-z_]+) +([0-9a-f]{16}) +"
                            r"([-rwgx]{4}) +(0x[0-9a-f]+) +0x[0-9a-f]+", re.M)
CAIRN_S2_ROW = re.compile(r"^(table|page) +([123]) +(0x[0-9a-f]+) +"
                          r"(0x[0-9a-f]+) +(\S+) +(\S+) +(\S+) +"
                          r"([0-9a-f]{16})$", re.M)


@case
def gdb_cairn_commands(images):
    """tools/gdb against the running demo system, checked against the live
    audit its shell prints: `cairn threads` lists ps's threads in ps's
    order with their priorities and states (the console's aside: it runs
    ps), each component's TCB with the object id of the TCB cap it holds;
    `cairn caps NAME` is `caps NAME` row for row (slot, type, object,
    rights, badge); `cairn vspace NAME -v` maps exactly the frames NAME
    holds, with their rights, through exactly the page tables it holds;
    `cairn symbols echo` resolves echo's main in its ELF; `cairn break
    console cmd_ps` stops in the console's cmd_ps, with its symbols, when
    `ps` is typed; after `detach` the system runs on."""
    port = free_port()
    elf = Path(images) / "target" / "kernel" / "kernel.elf"
    with console_boot(images, system="demo", gdb=True, gdb_port=port,
                      gdb_halt=False) as m:
        ps = PS_ROW.findall(shell(m, "ps", r"NAME +STATE +PRI"))
        names = [p[0] for p in ps]
        if not {"root", "console", "echo"} <= set(names):
            m.fail(f"ps does not list root, console and echo: {ps}")
        audit = {}
        for n in names:
            audit[n] = CAPS_ROW.findall(shell(m, f"caps {n}"))
        if not audit["console"] or not audit["echo"] or audit["root"]:
            m.fail(f"the shell's caps are not what the demo holds: {audit}")

        steps = [("threads", "cairn threads")]
        steps += [(f"caps {n}", f"cairn caps {n}") for n in names]
        steps += [("caps nobody", "cairn caps nobody")]
        steps += [(f"vspace {n}", f"cairn vspace {n} -v")
                  for n in ("console", "echo")]
        steps += [("symbols echo", "cairn symbols echo"),
                  ("echo main", "info symbol main"),
                  ("break", "cairn break console cmd_ps"),
                  ("continue", "continue"),
                  ("stopped threads", "cairn threads"),
                  ("bt", "bt 1"), ("pc", "info symbol $pc"),
                  ("current", "p $_cairn_thread()"), ("detach", "detach")]
        cmd = gdb_command(elf, port) + ["-batch", "-ex", "set width 0"]
        for name, command in steps:
            cmd += ["-ex", f"echo @@{name}\\n", "-ex", command]
        gdb = GdbBatch(cmd)
        try:
            if not gdb.wait_for("@@continue", 120):
                m.fail(f"gdb did not reach `continue`:\n{gdb.output}")
            m.send("ps\r")  # the console runs cmd_ps: the breakpoint
            if not gdb.finish(120):
                m.fail(f"gdb did not stop in cmd_ps and detach:\n{gdb.output}")
        finally:
            if gdb.proc.poll() is None:
                gdb.proc.kill()
                gdb.proc.wait()
        out = gdb.output
        print(out, end="")
        sec = gdb_sections(out)
        problems = []

        def check(ok, what):
            if not ok:
                problems.append(what)

        # cairn threads: ps's list, in its order.
        rows = CAIRN_THREAD_ROW.findall(sec.get("threads", ""))
        check([r[1] for r in rows] == names,
              f"cairn threads lists {[r[1] for r in rows]}, ps {names}")
        by_name = {r[1]: r for r in rows}
        for name, state, pri in ps:
            r = by_name.get(name)
            if r is None:
                continue
            check(r[3] == pri, f"{name}: priority {r[3]}, ps says {pri}")
            check(name == "console" or r[2] == state,
                  f"{name}: state {r[2]}, ps says {state}")
        for n in ("console", "echo"):
            tcb_caps = [c[2] for c in audit[n] if c[0] == "1" and c[1] == "tcb"]
            check(n in by_name and tcb_caps == [by_name[n][8]],
                  f"{n}: TCB object {by_name.get(n, ['?'] * 9)[8]}, its slot-1 "
                  f"cap in the audit names {tcb_caps}")
        # cairn caps: the audit's rows, in its order.
        for n in names:
            got = CAIRN_CAPS_ROW.findall(sec.get(f"caps {n}", ""))
            check(got == audit[n], f"cairn caps {n} differs from the shell's:"
                  f"\n  gdb:   {got}\n  shell: {audit[n]}")
            check(f"{len(got)} capabilities" in sec.get(f"caps {n}", ""),
                  f"cairn caps {n}: no count")
        check("cairn: no thread named 'nobody'" in out,
              "cairn caps nobody did not say there is no such thread")
        # cairn vspace: the frames and page tables each component holds.
        for n in ("console", "echo"):
            text = sec.get(f"vspace {n}", "")
            es = CAIRN_S2_ROW.findall(text)
            head = re.search(r"VSpace of '\w+': root (0x[0-9a-f]+), VMID (\d+)",
                             text)
            check(head and n in by_name and head.group(1) == by_name[n][6]
                  and head.group(2) == by_name[n][5],
                  f"cairn vspace {n}: root/VMID not those cairn threads shows")
            # a frame's cap rights rwgx, mapped as rwx
            frames = {c[2]: c[3][:2] + c[3][3] for c in audit[n]
                      if c[1] == "frame"}
            pages = {e[7]: e[5] for e in es if e[0] == "page"}
            check(set(pages) == set(frames),
                  f"cairn vspace {n}: pages {sorted(set(pages) - set(frames))}"
                  f" are no frame it holds, frames "
                  f"{sorted(set(frames) - set(pages))} are not mapped")
            wrong = [o for o in set(pages) & set(frames)
                     if pages[o] != frames[o]]
            check(not wrong, f"cairn vspace {n}: mapped with other rights than "
                  f"its caps have: {wrong}")
            tables = {c[2] for c in audit[n] if c[1] == "page_table"}
            check({e[7] for e in es if e[0] == "table"} == tables,
                  f"cairn vspace {n}: tables differ from its page_table caps")
        # symbols and the breakpoint
        check(re.search(r"^main in section \.text of \S+/consoleecho\.elf$",
                        sec.get("echo main", ""), re.M),
              "cairn symbols echo did not load consoleecho.elf")
        check(re.search(r"cairn: breakpoint \d+ at 0x[0-9a-f]+ \(cmd_ps in "
                        r"console\.elf\)"
                        r" for thread 'console'", sec.get("break", "")),
              "cairn break did not report its breakpoint")
        check(re.search(r"hit Breakpoint \d+, (0x[0-9a-f]+ in )?cmd_ps \(",
                        sec.get("continue", "")),
              "gdb did not stop at cmd_ps")
        check(re.search(r"^#0 +(0x[0-9a-f]+ in )?cmd_ps \(", sec.get("bt", ""),
                        re.M), "bt does not start in cmd_ps")
        check(re.search(r"^cmd_ps( \+ \d+)? in section \.text of "
                        r"\S+/console\.elf$", sec.get("pc", ""), re.M),
              "the pc is not in the console's cmd_ps")
        check('= "console"' in sec.get("current", ""),
              "$_cairn_thread() is not \"console\"")
        stopped = {r[1]: r for r in
                   CAIRN_THREAD_ROW.findall(sec.get("stopped threads", ""))}
        check("console" in stopped and stopped["console"][0] == "*"
              and stopped["console"][4] != "-"
              and stopped["console"][2] == "runnable",
              "cairn threads at the breakpoint does not mark the console "
              "current on the selected cpu")
        check("detached" in sec.get("detach", ""), "gdb did not detach")
        if problems:
            m.fail("gdb's Cairn commands disagree with the system:\n  "
                   + "\n  ".join(problems) + f"\n----- gdb -----\n{out}")
        # The ps typed at the breakpoint completes; the shell goes on.
        m.expect(r"NAME +STATE +PRI", timeout=30)
        m.expect(r"cairn> ", timeout=30)
        again = CAPS_ROW.findall(shell(m, "caps echo"))
        if again != audit["echo"]:
            m.fail(f"after gdb detached, caps echo changed: {again}")


@case
def harness_reports_missing_line(images):
    """The harness fails a boot that never prints the line, in time, with the log."""
    limit = 5
    start = time.monotonic()
    m = Machine(qemu_command(Path(images) / "demo" / "cairn.img"), time_limit=limit)
    try:
        with m:
            m.expect("boot: complete")
            m.expect("this line is never printed")
    except BootError as e:
        elapsed = time.monotonic() - start
        if elapsed > limit + 5:
            raise AssertionError(f"harness took {elapsed:.1f}s for a {limit}s limit")
        if "timed out waiting for /this line is never printed/" not in str(e) \
                or "boot: complete" not in e.log or "----- serial log -----" not in str(e):
            raise AssertionError(f"failure lacks the reason or the log:\n{e}")
        if m.pid is not None:
            raise AssertionError("QEMU still tracked after close")
        print(f"harness failed as it should after {elapsed:.1f}s")
        return
    raise AssertionError("harness did not fail on a line that never appears")


# The guest-domain cases live in their own module (this file's helpers
# handed to it), registered here like the rest.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import domain_cases  # noqa: E402

domain_cases.use(console_boot=console_boot, expected_caps=expected_caps,
                 shell=shell)
for _fn in domain_cases.CASES:
    case(_fn)
import dma_cases  # noqa: E402

dma_cases.use(console_boot=console_boot, expected_caps=expected_caps,
              shell=shell, SMMU_STAGE1_MACHINE=SMMU_STAGE1_MACHINE, boot=boot,
              LONG_TIME_LIMIT=LONG_TIME_LIMIT)
for _fn in dma_cases.CASES:
    case(_fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true",
                    help="print the cases, one a line, and exit")
    ap.add_argument("--images", help="build dir holding <system>/cairn.img")
    ap.add_argument("case", nargs="?", choices=list(CASES))
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return
    if args.images is None or args.case is None:
        ap.error("--images and a case are required (or --list)")
    try:
        CASES[args.case](args.images)
    except AssertionError as e:
        print(f"FAIL {args.case}: {e}")
        sys.exit(1)
    print(f"PASS {args.case}")


if __name__ == "__main__":
    main()
