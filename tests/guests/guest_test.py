#!/usr/bin/python3
"""Reference runs of the test guest on bare QEMU (no hypervisor).

Usage: guest_test.py --guests DIR CASE   (DIR holds testguest.Image/.bin)
       guest_test.py --list              (the cases, one a line)
Each case boots the guest on QEMU virt at EL1 (virtualization off, so QEMU
itself answers PSCI over HVC), waits for its closing summary and checks
that every test it expects printed PASS and the machine powered off. This
shows the guest is right before it is run under Cairn.
"""
import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "lib"))
from cairn.qemu import BootError, Machine  # noqa: E402

TIME_LIMIT = 120
SUMMARY = r"testguest: (\d+) passed, (\d+) failed, (\d+) skipped"
STOP_ON = (r"EXCEPTION: [^\n]*\n",)
# Every test of the suite, in the order it runs them.
SUITE = [
    "boot.dtb", "boot.image", "boot.bootargs", "boot.memory", "boot.cpus",
    "boot.devices",
    "psci.version", "psci.features", "psci.migrate_info_type",
    "psci.cpu_on", "psci.already_on", "psci.affinity_info",
    "smccc.unknown_function", "smccc.version", "smccc.trng",
    "smccc.vendor_uid",
    "gic.distributor", "gic.redistributors", "gic.spi_registers",
    "gic.spi_delivery", "gic.sysregs",
    "timer.expiries", "timer.pending_state", "timer.active_state",
    "wfi.timer_wakes", "wfi.pending_returns",
    "sgi.boot_to_secondaries", "sgi.secondaries_to_boot", "sgi.broadcast",
    "abort.unbacked_read", "abort.unbacked_write", "abort.beyond_ram",
    "idregs.hidden_features", "fp.registers_survive",
    "psci.cpu_off",
]
# -cpu max shows SVE, SME, MTE (its instructions, even without tag
# memory), the PMU and pointer authentication: expect them shown.
MAX_SHOWN = "expect-hidden-features=0"
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def command(kernel, cpu="max", cpus=2, memory="256M", append=None,
            machine="virt,gic-version=3"):
    cmd = ["qemu-system-aarch64", "-M", machine, "-cpu", cpu,
           "-smp", str(cpus), "-m", memory, "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-kernel", str(kernel)]
    return cmd + (["-append", append] if append else [])


def run(kernel, expect_fail=(), **kw):
    """Boots once; every SUITE test must PASS except those in expect_fail,
    which must FAIL. Returns the machine's log."""
    with Machine(command(kernel, **kw), time_limit=TIME_LIMIT,
                 stop_on=STOP_ON) as m:
        summary = m.expect(SUMMARY)
        status = m.wait_exit(timeout=30)
        log = m.log
        passed, failed, skipped = (int(g) for g in summary.groups())
        results = {name: r for r, name in
                   re.findall(r"^(PASS|FAIL|SKIP) ([^\s:]+)", log, re.M)}
        problems = []
        for name in SUITE:
            want = "FAIL" if name in expect_fail else "PASS"
            if results.get(name) != want:
                problems.append(f"{name}: {results.get(name, 'missing')}, "
                                f"expected {want}")
        if failed != len(expect_fail) or skipped:
            problems.append(f"summary {passed} passed, {failed} failed, "
                            f"{skipped} skipped")
        if status != 0:
            problems.append(f"QEMU exit status {status} after SYSTEM_OFF")
        if problems:
            m.fail("; ".join(problems))
        print(f"{passed} passed, {failed} failed, {skipped} skipped")
        return log


@case
def image(guests):
    """The arm64 Image, -cpu max with its features expected shown."""
    run(Path(guests) / "testguest.Image", append=MAX_SHOWN)


@case
def raw(guests):
    """The raw binary, loaded by QEMU at RAM + 0x80000 as a plain file."""
    run(Path(guests) / "testguest.bin", append=MAX_SHOWN)


@case
def smp4(guests):
    """Four CPUs and 1 GiB: three secondaries through every SMP test."""
    run(Path(guests) / "testguest.Image", cpus=4, memory="1G",
        append=MAX_SHOWN)


@case
def features_hidden(guests):
    """A CPU without SVE, SME, MTE, PMU or pointer authentication passes
    with the default (expect them hidden)."""
    run(Path(guests) / "testguest.Image", cpu="cortex-a57,pmu=off")


@case
def features_shown(guests):
    """The default on -cpu max: idregs.hidden_features must FAIL, naming
    what it saw (it can fail)."""
    log = run(Path(guests) / "testguest.Image",
              expect_fail=("idregs.hidden_features",))
    if not re.search(r"^FAIL idregs.hidden_features: not hidden: "
                     r"ID_AA64PFR0_EL1.SVE 0x1, ", log, re.M):
        raise BootError("idregs.hidden_features did not name SVE", log)


def fuzz_lines(log):
    """The progress and summary lines: the operations' outcomes, which one
    seed must repeat (interrupt counts may vary with timing)."""
    return re.findall(r"^fuzz: (?:progress|\d+ operations).*$", log, re.M)


@case
def fuzz(guests):
    """fuzz=SEED,COUNT twice with one seed: the guest survives its faults,
    the same operations give the same counts, and fuzz.survived passes."""
    image = Path(guests) / "testguest.Image"
    runs = []
    for _ in range(2):
        with Machine(command(image, append="fuzz=7,20000 suite=0"),
                     time_limit=TIME_LIMIT, stop_on=STOP_ON) as m:
            m.expect(r"fuzz: 20000 operations, (\d+) aborts, (\d+) undefs")
            m.expect(r"PASS fuzz.survived")
            m.expect(r"testguest: 1 passed, 0 failed, 0 skipped")
            if m.wait_exit(timeout=30) != 0:
                m.fail("QEMU did not power off cleanly")
            runs.append(m.log)
    first, second = fuzz_lines(runs[0]), fuzz_lines(runs[1])
    if first != second:
        raise BootError(f"two runs of seed 7 differ: {first} vs {second}",
                        runs[1])
    print("\n".join(first))


@case
def options(guests):
    """Bootargs steer the suite: only= selects, an address the DTB claims
    makes the abort tests fail saying so, a word not understood fails
    boot.bootargs."""
    append = "only=boot.,abort. unbacked=0x0c000000 no-such-option"
    want = {"boot.bootargs": "FAIL", "abort.unbacked_read": "FAIL",
            "abort.unbacked_write": "FAIL"}
    with Machine(command(Path(guests) / "testguest.Image", append=append),
                 time_limit=TIME_LIMIT, stop_on=STOP_ON) as m:
        m.expect(SUMMARY)
        m.wait_exit(timeout=30)
        results = {name: r for r, name in
                   re.findall(r"^(PASS|FAIL|SKIP) ([^\s:]+)", m.log, re.M)}
        for name in SUITE:
            selected = name.startswith(("boot.", "abort."))
            expected = want.get(name, "PASS" if selected else "SKIP")
            if results.get(name) != expected:
                m.fail(f"{name}: {results.get(name)}, expected {expected}")
        for line in (r"FAIL boot.bootargs: options not understood: "
                     r"'no-such-option'",
                     r"FAIL abort.unbacked_read: 0xc000000 is inside the "
                     r"DTB's /platform-bus@c000000"):
            if not re.search(line, m.log):
                m.fail(f"no line /{line}/")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true",
                    help="print the cases, one a line, and exit")
    ap.add_argument("--guests", help="directory holding testguest.Image/.bin")
    ap.add_argument("case", nargs="?", choices=list(CASES))
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return
    if args.guests is None or args.case is None:
        ap.error("--guests and a case are required (or --list)")
    try:
        CASES[args.case](args.guests)
    except AssertionError as e:
        print(f"FAIL {args.case}: {e}")
        sys.exit(1)
    print(f"PASS {args.case}")


if __name__ == "__main__":
    main()
