"""Boot cases for guest domains (boot_test.py imports this module, so it
stays the one list of boot cases): the test guest's own suite under
Cairn, two domains side by side with the live audit still equal to the
spec."""
import re
import sys
import time
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


def suite_problems(log, domain):
    """The suite's tests domain's guest did not pass, as messages."""
    results = domain_results(log, domain)
    bad = [f"{t}: {results.get(t, 'missing')}" for t in SUITE
           if results.get(t) != "PASS"]
    return [f"{domain}: {', '.join(bad)}"] if bad else []


def check_suite_passed(m, domain):
    problems = suite_problems(m.log, domain)
    if problems:
        m.fail("; ".join(problems))


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
            problems += suite_problems(m.log, d)
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
                      r"hostile: fuzz: \d+ operations, \d+ aborts, \d+ "
                      r"undefs\r*\n",
                      # the whole line, not just its start
                      r"hostile: vmm: exits absorbed: \d+ [^\n]*queue "
                      r"full\)",
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
        problems += suite_problems(m.log, "steady")
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
        check_suite_passed(m, "steady")
        bt.shell(m, "ps", r"doomed +inactive +101")
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        if re.search(r"doomed: (PASS|FAIL) ", m.log[after:]):
            m.fail("doomed's guest went on after its VMM died")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"doomed's VMM faulted and only doomed stopped; audit: ok, {n}")


@case
def a_wedged_guest_costs_only_its_time_slice(images):
    """configs/test-wedge.toml: domain wedged loops in exceptions with no
    vectors (each an exit its VMM answers with an abort, logged once);
    domain steady, at the same priority, still passes its whole suite, and
    the shell and the audit answer meanwhile."""
    n = len(bt.expected_caps(images, "test-wedge"))
    with bt.console_boot(images, system="test-wedge") as m:
        m.expect_all([r"wedged: wedging myself",
                      r"wedged: vmm: vCPU 0: an instruction fetch from IPA "
                      r"0x200 \(pc 0x200\): nothing there",
                      rf"steady: {SUMMARY}"], timeout=300)
        check_suite_passed(m, "steady")
        if len(re.findall(r"wedged: vmm: vCPU \d+: ", m.log)) != 1:
            m.fail("the wedged guest's VMM logged its aborts more than once")
        bt.shell(m, "ps", r"wedged\.vcpu0 +\w+ +100")
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"steady passed {len(SUITE)} beside a wedged guest; audit: ok, {n}")


@case
def a_guest_reaches_only_its_ram(images):
    """configs/test-isolation.toml: every IPA the probe guest reads outside
    its RAM and its emulated devices (2 MiB steps below 4 GiB, 1 GiB steps
    up to 512 GiB: 2 540 reads) aborts, so its stage 2 maps no other
    domain's memory, no VMM's and not Cairn's; the steady domain beside it
    passes its suite."""
    with bt.console_boot(images, system="test-isolation") as m:
        m.expect_all([r"probe: isolation: 0x([0-9a-f]{16}) probes, "
                      r"0x([0-9a-f]{16}) aborted, first not aborted "
                      r"0x([0-9a-f]{16})", rf"steady: {SUMMARY}"],
                     timeout=300)
        got = re.search(r"probe: isolation: 0x([0-9a-f]{16}) probes, "
                        r"0x([0-9a-f]{16}) aborted, first not aborted "
                        r"0x([0-9a-f]{16})", m.log)
        probes, aborted, first = (int(g, 16) for g in got.groups())
        # 2048 2 MiB steps below 4 GiB less 32 of RAM and 2 devices, then
        # 508 1 GiB steps from 4 GiB to 512 GiB.
        if probes != 2048 - 32 - 2 + 508 or aborted != probes:
            m.fail(f"{probes} probes, {aborted} aborted; the first that did "
                   f"not: {first:#x}")
        check_suite_passed(m, "steady")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"{probes} reads outside the probe's RAM, every one aborted")


@case
def a_guest_reads_what_is_typed_for_it(images):
    """configs/test-domain-control.toml: Ctrl-A three times moves the
    keyboard from the shell to alice, then to the ticker domain, whose
    guest reads each key from its (emulated) PL011 and says so; nothing
    typed for it reaches alice or the shell, and back at the shell the
    prompt answers."""
    ctrl_a3 = "\x01\x01\x01"
    with bt.console_boot(images, system="test-domain-control") as m:
        m.expect(r"ticker: booted: a tick every 0\.2 s", timeout=60)
        m.send(ctrl_a3)
        m.expect(r"\[console: input to alice\]")
        m.send(ctrl_a3)
        m.expect(r"\[console: input to ticker\]")
        m.send("hi")
        m.expect_all([r"ticker: key h", r"ticker: key i"], timeout=30)
        m.send(ctrl_a3)
        m.expect(r"\[console: input to shell\]")
        bt.shell(m, "domain ticker", r"ticker +running +1/1 +ticker")
        if re.search(r"alice: got: .*h", m.log):
            m.fail("keys typed for the ticker reached alice")
    print("keys typed while the ticker had the focus reached its guest")


def ticks(log):
    """The ticker guest's tick numbers in log, in order."""
    return [int(n) for n in re.findall(r"ticker: tick (\d+)$", log, re.M)]


@case
def console_domain_control(images):
    """A guest domain under the console's control (configs/test-domain-
    control.toml: the ticker guest, "tick N" every 0.2 s): `ps` and
    `domain` list it running with its VMM; `domain ticker pause` stops its
    ticks, `resume` continues them from where they stopped, `restart` boots
    it again (its first line and tick 1 come again); what would do nothing
    is said and not done; names and actions that are no domain's are
    refused precisely; the live audit stays ok."""
    n = len(bt.expected_caps(images, "test-domain-control"))
    with bt.console_boot(images, system="test-domain-control") as m:
        m.expect(r"ticker: booted: a tick every 0\.2 s\r*\n", timeout=60)
        m.expect(r"ticker: tick 3\r*\n", timeout=60)
        bt.shell(m, "ps", r"NAME +STATE +PRI", r"\nticker +\w+ +41\n",
              r"\nticker\.vcpu0 +\w+ +40\n", r"\nalice +\w+ +50\n",
              r"\nDOMAIN +STATE +VCPUS +VMM\n",
              r"\nticker +running +1/1 +ticker\n")
        bt.shell(m, "domain", r"\nticker +running +1/1 +ticker\n")
        # Typed with Tab: the name, then the action, complete.
        m.send("domain ti\tpa\t\r")
        m.expect(r"domain ticker: pause requested\r*\n")
        paused = m.expect(r"ticker: vmm: domain ticker paused: the console "
                          r"asked[^\r\n]*")
        before = ticks(m.log[:m.log.index(paused.group(0))])
        time.sleep(2)  # ten ticks' time
        bt.shell(m, "domain ticker", r"\nticker +paused +0/1 +ticker\n")
        after = ticks(m.log.split(paused.group(0), 1)[1])
        if not before or after:
            m.fail(f"paused, the ticker went on: {after} after {before[-3:]}")
        bt.shell(m, "domain ticker pause", r"domain ticker: pause requested")
        m.expect(r"ticker: vmm: domain ticker is paused already: nothing to "
                 r"pause\r*\n")
        bt.shell(m, "domain ticker resume", r"domain ticker: resume requested")
        m.expect(r"ticker: vmm: domain ticker resumed: the console asked\r*\n")
        m.expect(rf"ticker: tick {before[-1] + 1}\r*\n", timeout=30)
        bt.shell(m, "domain ticker resume", r"domain ticker: resume requested")
        m.expect(r"ticker: vmm: domain ticker is running: nothing to resume\r*\n")
        bt.shell(m, "domain ticker restart", r"domain ticker: restart requested")
        m.expect(r"ticker: vmm: domain ticker restarts: the console asked\r*\n")
        m.expect(r"ticker: vmm: booting ticker: 64 MiB at 0x40000000")
        m.expect(r"ticker: booted: a tick every 0\.2 s\r*\n", timeout=30)
        m.expect(r"ticker: tick 1\r*\n", timeout=30)
        bt.shell(m, "ps", r"\nticker +running +1/1 +ticker\n")
        bt.shell(m, "domain nobody pause",
              r"domain: no domain is named 'nobody' \(domain lists them\)")
        bt.shell(m, "domain alice pause",
              r"domain: no domain is named 'alice': alice is a console "
              r"client that has not reported as a domain's VMM")
        bt.shell(m, "domain ticker stop", r"domain: unknown action 'stop': "
              r"expected one of pause, resume, restart")
        bt.shell(m, "domain ticker pause now", r"domain: takes at most two "
              r"arguments, a domain name and an action \(3 given\); usage: "
              r"domain \[NAME \[ACTION\]\]")
        bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print(f"domain control ok: paused after tick {before[-1]}, none while "
          f"paused, resumed at {before[-1] + 1}, restarted at 1; audit: ok, "
          f"{n} capabilities")


BENCH_TESTS = ("loop", "hvc", "mmio", "gicd", "virq", "eoi", "timer", "ipi")
BENCH_ABSORBED = (r"vmm: exits absorbed: \d+ \(\d+ MMIO, (\d+) HVC, \d+ SMC, "
                  r"(\d+) system register, \d+ EOI, \d+ other\); injected \d+ external "
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
    """configs/bench-guests.toml (bench/vmexit/run's system) in this build,
    not timed: both domains run every bench.* test of the test guest under
    the real VMM and pass; every figure is printed and plausible (not 0,
    the EOI far below an exit); the VMMs' counters show that each of the
    extra 1000 rounds bench-2x ran took exactly one HVC exit, three to four
    ICC_SGI1R_EL1 exits (the IPI's second, vCPU 1 kicking vCPU 0 out of its
    WFI, when vCPU 0 waits there) and as many injections, so EOIs and
    timers took none."""
    with bt.console_boot(images, system="bench-guests") as m:
        m.expect_all([rf"{d}: {BENCH_ABSORBED}"
                      for d in ("bench", "bench-2x")], timeout=300)
        figures, first = bench_domain(m, "bench")
        _, second = bench_domain(m, "bench-2x")
        zero = [t for t in BENCH_TESTS if t != "eoi" and figures[t] == 0]
        if zero or figures["eoi"] * 2 >= figures["hvc"]:
            m.fail(f"implausible figures: {figures}")
        extra = [b - a for a, b in zip(first, second)]
        hvc, sysreg, injected = extra
        if hvc != 1000 or not 3000 <= sysreg <= 4000 or injected != sysreg:
            m.fail(f"the extra 1000 rounds took {extra} HVC exits, system "
                   "register exits and injections, not 1000, 3000 to 4000 "
                   "and as many")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print("bench (ns a round, not timed): " + ", ".join(
        f"{t} {n}" for t, n in figures.items()))
