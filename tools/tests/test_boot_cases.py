"""tests/boot/boot_test.py's own logic, without QEMU: the case list it gives
CMake, and the check that every case an in-system suite lists passed."""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOT_TEST = ROOT / "tests" / "boot" / "boot_test.py"

spec = importlib.util.spec_from_file_location("boot_test", BOOT_TEST)
boot_test = importlib.util.module_from_spec(spec)
spec.loader.exec_module(boot_test)

GOOD = """boot: complete
CASE alpha the first case
CASE beta the second one
PASS alpha
  some detail line
PASS beta
suite: 2 passed, 0 failed
"""


def test_list_names_every_case_once():
    out = subprocess.run([sys.executable, str(BOOT_TEST), "--list"],
                         capture_output=True, text=True, check=True).stdout
    names = out.split()
    assert names == list(boot_test.CASES)
    assert len(set(names)) == len(names)
    assert {"system_captest", "system_threadtest", "ram_512m"} <= set(names)


def test_every_listed_case_passed():
    assert boot_test.listed_case_problems(GOOD, 2) == []


def test_a_case_that_never_passed_is_named():
    log = GOOD.replace("PASS beta\n", "FAIL beta\n")
    assert boot_test.listed_case_problems(log) == [
        "listed but never passed: ['beta']"]


def test_unlisted_duplicate_and_miscounted_cases_are_named():
    log = GOOD + "CASE alpha again\nPASS gamma\nPASS beta\n"
    assert boot_test.listed_case_problems(log, 4) == [
        "cases listed twice: ['alpha']",
        "passed but not listed: ['gamma']",
        "passed twice: ['beta']",
        "4 passed of 3 listed"]


def test_no_listing_and_no_purpose_are_named():
    assert boot_test.listed_case_problems("PASS alpha\n") == [
        "no CASE lines", "passed but not listed: ['alpha']"]
    assert boot_test.listed_case_problems("CASE alpha\nPASS alpha\n") == [
        "cases without a purpose"]
