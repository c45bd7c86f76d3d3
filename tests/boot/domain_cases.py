"""Boot cases for guest domains (boot_test.py imports this module, so it
stays the one list of boot cases): the test guest's own suite under
Cairn, two domains side by side with the live audit still equal to the
spec."""
import re
import sys
from pathlib import Path

from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "guests"))
from guest_test import SUITE, SUMMARY  # noqa: E402

DOMAINS = ("guest0", "guest1")
CASES = []
bt = SimpleNamespace()  # boot_test.py's helpers, given by use()


def use(**helpers):
    bt.__dict__.update(helpers)


def case(fn):
    CASES.append(fn)
    return fn


def domain_results(log, domain):
    """{test: PASS/FAIL/SKIP} of the suite's lines tagged with domain."""
    return {name: r for r, name in re.findall(
        rf"{domain}: (PASS|FAIL|SKIP) ([^\s:]+)", log)}


@case
def guests_run_their_suite(images):
    """configs/guests.toml: both domains (one booted from the Image, one from
    the raw binary) run the whole test-guest suite under their VMMs, every
    test passes in each, each powers its own domain off and Cairn goes on:
    the shell answers, ps lists the VMMs and vCPUs, the audit equals the
    spec."""
    n = len(bt.expected_caps(images, "guests"))
    with bt.console_boot(images, system="guests") as m:
        # In whatever order the two interleave.
        m.expect_all([rf"{d}: {SUMMARY}" for d in DOMAINS] +
                     [rf"{d}: vmm: domain {d} is off: the guest called PSCI "
                      "SYSTEM_OFF" for d in DOMAINS], timeout=240)
        problems = []
        for d in DOMAINS:
            results = domain_results(m.log, d)
            bad = [f"{t}: {results.get(t, 'missing')}" for t in SUITE
                   if results.get(t) != "PASS"]
            if bad:
                problems.append(f"{d}: {', '.join(bad)}")
            summary = re.search(rf"{d}: {SUMMARY}", m.log)
            if summary.group(2) != "0" or summary.group(3) != "0":
                problems.append(f"{d}: {summary.group(0)}")
        if problems:
            m.fail("; ".join(problems))
        bt.shell(m, "ps", r"guest0 +\w+ +101", r"guest0\.vcpu0 +\w+ +100",
              r"guest1\.vcpu1 +\w+ +100")
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"both domains: {len(SUITE)} tests passed; audit: ok, {n} "
          "capabilities")


@case
def domains_survive_a_hostile_guest(images):
    """configs/test-hostile.toml: one guest fuzzes everything it can reach
    (bounded: seed 11, 20 000 operations) while the other runs its whole
    suite; the fuzzer's guest still works afterwards, the steady one passes
    everything, the hostile one's VMM reports the exits it absorbed, and
    Cairn's audit still equals the spec."""
    n = len(bt.expected_caps(images, "test-hostile"))
    with bt.console_boot(images, system="test-hostile") as m:
        m.expect_all([rf"hostile: {SUMMARY}", rf"steady: {SUMMARY}",
                      r"hostile: fuzz: \d+ operations",
                      # the whole line, before it is read below
                      r"hostile: vmm: exits absorbed: [^\n]*\n",
                      r"steady: vmm: domain steady is off"], timeout=300)
        ops = re.search(r"hostile: fuzz: (\d+) operations, (\d+) aborts, "
                        r"(\d+) undefs", m.log)
        absorbed = re.search(r"hostile: vmm: exits absorbed: (\d+) \((\d+) "
                             r"MMIO, (\d+) HVC, (\d+) SMC, (\d+) system "
                             r"register", m.log)
        problems = []
        if not ops or int(ops.group(1)) != 20000:
            problems.append(f"fuzzer summary: {ops and ops.group(0)}")
        if not absorbed or min(int(g) for g in absorbed.groups()) == 0:
            problems.append("the hostile VMM absorbed no exits of some kind:"
                            f" {absorbed and absorbed.group(0)}")
        hostile = domain_results(m.log, "hostile")
        if hostile.get("fuzz.survived") != "PASS":
            problems.append(f"fuzz.survived: {hostile.get('fuzz.survived')}")
        steady = domain_results(m.log, "steady")
        bad = [t for t in SUITE if steady.get(t) != "PASS"]
        if bad:
            problems.append(f"steady: {', '.join(bad)}")
        if problems:
            m.fail("; ".join(problems))
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"{ops.group(0)}; {absorbed.group(0)}; steady passed "
          f"{len(SUITE)}; audit ok")


@case
def a_faulting_vmm_ends_only_its_domain(images):
    """configs/test-vmm-fault.toml: domain doomed's VMM (the VmmFaulty test
    build) faults after 5000 exits; the console says so, naming it; doomed's
    guest prints no more; steady passes its whole suite; the shell and the
    audit go on (the dead VMM still holds exactly its caps)."""
    n = len(bt.expected_caps(images, "test-vmm-fault"))
    with bt.console_boot(images, system="test-vmm-fault") as m:
        m.expect_all([r"\[doomed faulted \(a memory fault at pc 0x[0-9a-f]+, "
                      r"address 0x0\): it is stopped, and its domain with it",
                      rf"steady: {SUMMARY}"], timeout=240)
        after = len(m.log)
        steady = domain_results(m.log, "steady")
        bad = [t for t in SUITE if steady.get(t) != "PASS"]
        if bad:
            m.fail(f"steady: {', '.join(bad)}")
        bt.shell(m, "ps", r"doomed +inactive +101")
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        if re.search(r"doomed: (PASS|FAIL) ", m.log[after:]):
            m.fail("doomed's guest went on after its VMM died")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"doomed's VMM faulted and only doomed stopped; audit: ok, {n}")


BENCH_TESTS = ("loop", "hvc", "mmio", "gicd", "virq", "eoi", "timer", "ipi")
BENCH_ABSORBED = (r"vmm: exits absorbed: \d+ \(\d+ MMIO, (\d+) HVC, \d+ SMC, "
                  r"(\d+) system register, \d+ other\); injected \d+ external "
                  r"aborts, \d+ undefined instructions, (\d+) interrupts")


def bench_domain(m, domain):
    """{test: ns a round} of the benchmark's lines tagged with domain, and
    the (HVC, system register, injected) counts its VMM printed."""
    log = re.sub(r"\x1b\[K|\r", "\n", m.log)
    results = domain_results(log, domain)
    bad = [f"bench.{t}: {results.get('bench.' + t, 'missing')}"
           for t in BENCH_TESTS if results.get("bench." + t) != "PASS"]
    figures = {t: re.search(rf"^{domain}: +bench\.{t}: (\d+) ns a round",
                            log, re.M) for t in BENCH_TESTS}
    bad += [f"no bench.{t} figure" for t, f in figures.items() if not f]
    counts = re.search(rf"^{domain}: {BENCH_ABSORBED}", log, re.M)
    if bad or not counts:
        m.fail(f"{domain}: {', '.join(bad) or 'no exit counters'}")
    return ({t: int(f.group(1)) for t, f in figures.items()},
            [int(n) for n in counts.groups()])


@case
def guest_bench_runs(images):
    """configs/bench-guests.toml (bench/guests/run's system) in this build,
    not timed: both domains run every bench.* test of the test guest under
    the real VMM and pass; every figure is printed and plausible (not 0,
    the EOI far below an exit); the VMMs' counters show that each of the
    extra 1000 rounds bench-2x ran took exactly one HVC exit, three
    ICC_SGI1R_EL1 exits and three injections, so EOIs and timers took none."""
    with bt.console_boot(images, system="bench-guests") as m:
        m.expect_all([rf"{d}: {BENCH_ABSORBED}"
                      for d in ("bench", "bench-2x")], timeout=300)
        figures, first = bench_domain(m, "bench")
        _, second = bench_domain(m, "bench-2x")
        zero = [t for t in BENCH_TESTS if t != "eoi" and figures[t] == 0]
        if zero or figures["eoi"] * 2 >= figures["hvc"]:
            m.fail(f"implausible figures: {figures}")
        extra = [b - a for a, b in zip(first, second)]
        if extra != [1000, 3000, 3000]:
            m.fail(f"the extra 1000 rounds took {extra} HVC exits, system "
                   "register exits and injections, not [1000, 3000, 3000]")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print("bench (ns a round, not timed): " + ", ".join(
        f"{t} {n}" for t, n in figures.items()))
