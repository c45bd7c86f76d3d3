"""The host tools' common entry: what every tool does the same way.

main(prog, fn) runs a tool's main function and turns the mistakes a user
can make into one line on stderr, "PROG: what is wrong: what to do", with
exit status 2 (never a Python traceback):

  UserError                 raised by the tools themselves
  the library's errors      ManifestError, ImageError, IdlError, SpecError,
                            AuditError, ConsoleError, GuestError: already
                            phrased for the user
  a missing or unreadable   "PATH: No such file or directory"
  file
  a program not installed   "NAME is not installed: run tools/setup"
  a program that failed     "COMMAND failed (exit status N)"

Output piped into a reader that stops early (`tools/x | head`) ends the
tool quietly with status 141, as a C tool killed by SIGPIPE would; Ctrl-C
ends it with 130. Exit status 1 stays each tool's own "it ran and the
answer is no" (a difference, a failed command, a timeout).

parser() makes the argparse parser every tool starts from: --help prints
the help and nothing else happens, --version prints the git commit the
tools come from (`git describe --always --dirty`, "unknown" outside a git
checkout). colour() is the one decision about colour: never with NO_COLOR
set (the NO_COLOR convention) or --no-colour, else only on a
terminal.
"""
import argparse
import errno
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXIT_USER_ERROR = 2
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE
EXIT_INTERRUPTED = 128 + 2  # SIGINT


class UserError(Exception):
    """A mistake the user can fix; the message says what and what to do."""


def version(root=ROOT):
    """The git commit `root` is at (`git describe --always --dirty`), or
    "unknown" when root is not the top of a git checkout."""
    def git(*args):
        r = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                           text=True, timeout=20, stdin=subprocess.DEVNULL)
        return r.stdout.strip() if r.returncode == 0 else ""

    try:
        top = git("rev-parse", "--show-toplevel")
        if not top or Path(top).resolve() != Path(root).resolve():
            return "unknown"
        return git("describe", "--always", "--dirty") or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class _Version(argparse.Action):
    """--version, computed only when asked (git is not free)."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0,
                         help="print the git commit these tools come from and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} (Cairn) {version()}")
        parser.exit(0)


def parser(prog, doc, colour_option=False, **kw):
    """An ArgumentParser for tool `prog` whose description is `doc` as
    written, with --version (and --no-colour when colour_option)."""
    ap = argparse.ArgumentParser(
        prog=prog, description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter, **kw)
    ap.add_argument("--version", action=_Version)
    if colour_option:
        ap.add_argument("--no-colour", "--no-color", dest="no_colour",
                        action="store_true",
                        help="no colour even on a terminal (as does NO_COLOR=1)")
    return ap


def colour(no_colour=False, stream=None):
    """Whether to ask for colour: not with --no-colour or a non-empty
    NO_COLOR, else when stream (stdout) is a terminal."""
    if no_colour or os.environ.get("NO_COLOR", ""):
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _library_errors():
    """The library's exceptions whose messages are written for users (of
    the modules that import: idl needs python3-lark)."""
    import importlib

    found = []
    for module, name in (("manifest", "ManifestError"), ("mkimage", "ImageError"),
                         ("idl", "IdlError"), ("spec", "SpecError"),
                         ("capaudit", "AuditError"), ("console", "ConsoleError"),
                         ("guest", "GuestError")):
        try:
            found.append(getattr(importlib.import_module(f"cairn.{module}"), name))
        except ImportError:
            pass
    return tuple(found)


def describe(e):
    """The one-line message for an expected error, or None for a bug."""
    if isinstance(e, ImportError) and e.name:
        return (f"the Python module {e.name} is missing: run tools/setup "
                "(it installs the python3-* packages)")
    if isinstance(e, UserError) or isinstance(e, _library_errors()):
        return str(e)
    if isinstance(e, subprocess.CalledProcessError):
        cmd = e.cmd if isinstance(e.cmd, str) else shlex.join(map(str, e.cmd))
        return f"{cmd} failed (exit status {e.returncode})"
    if isinstance(e, OSError) and e.filename is not None:
        name = str(e.filename)
        if e.errno == errno.ENOENT and "/" not in name:
            return f"{name} is not installed (not found on PATH): run tools/setup"
        return f"{name}: {e.strerror}"
    return None


def _quiet_stdout():
    """After a broken pipe: point stdout at /dev/null so the interpreter's
    last flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(prog, fn):
    """Runs fn() (returning an exit status or None) and exits with it."""
    try:
        status = fn() or 0
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        status = EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        status = EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001: the expected ones, else re-raised
        message = describe(e)
        if message is None:
            raise
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
        print(f"{prog}: {message}", file=sys.stderr)
        status = EXIT_USER_ERROR
    sys.exit(status)
