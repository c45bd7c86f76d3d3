"""System manifests (configs/*.toml): loading and validation.

Every error names the file, the key path and what is allowed, so a user can
fix the manifest without reading this code. docs/manifest.md is the
reference; keep the two in step.
"""
import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

MAX_CPUS = 8
MIN_MEMORY = 128 << 20
MAX_MEMORY = 255 << 30  # QEMU virt's RAM region below the high MMIO

# section -> key -> (type, required)
SCHEMA = {
    "system": {"name": (str, True), "description": (str, False)},
    "machine": {"memory": (str, False), "cpus": (int, False)},
    "root": {"program": (str, True)},
}


class ManifestError(Exception):
    """A manifest problem, already phrased for the user."""


@dataclass
class Manifest:
    path: Path
    name: str
    description: str
    memory_bytes: int
    memory: str
    cpus: int
    root_program: str


def _suggest(word, choices):
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def parse_size(text):
    """'512M', '1G', '2048K' -> bytes; raises ValueError."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG])i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def _check_keys(path, data):
    for section, value in data.items():
        if section not in SCHEMA:
            raise ManifestError(
                f"{path}: unknown section [{section}]: expected one of "
                f"{', '.join(SCHEMA)}{_suggest(section, SCHEMA)}")
        if not isinstance(value, dict):
            raise ManifestError(f"{path}: {section}: expected a table [{section}]")
        for key, v in value.items():
            allowed = SCHEMA[section]
            if key not in allowed:
                raise ManifestError(
                    f"{path}: {section}.{key}: unknown key: expected one of "
                    f"{', '.join(allowed)}{_suggest(key, allowed)}")
            typ = allowed[key][0]
            if not isinstance(v, typ) or isinstance(v, bool):
                raise ManifestError(
                    f"{path}: {section}.{key}: expected a "
                    f"{'string' if typ is str else 'whole number'}, "
                    f"got {v!r}")
    for section, keys in SCHEMA.items():
        for key, (_, required) in keys.items():
            if required and key not in data.get(section, {}):
                raise ManifestError(f"{path}: {section}.{key}: required key is missing")


def load(path):
    """Reads and validates a manifest; raises ManifestError."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{path}: not valid TOML: {e}") from None
    _check_keys(path, data)
    system, machine, root = data["system"], data.get("machine", {}), data["root"]
    if not re.fullmatch(r"[a-z][a-z0-9-]*", system["name"]):
        raise ManifestError(
            f"{path}: system.name: {system['name']!r}: use lower-case letters, "
            "digits and '-', starting with a letter")
    memory = machine.get("memory", "1G")
    try:
        memory_bytes = parse_size(memory)
    except ValueError:
        raise ManifestError(
            f"{path}: machine.memory: {memory!r}: expected a size such as "
            '"512M" or "2G"') from None
    if not MIN_MEMORY <= memory_bytes <= MAX_MEMORY:
        raise ManifestError(
            f"{path}: machine.memory: {memory!r} is impossible: QEMU virt "
            f"takes {MIN_MEMORY >> 20}M to {MAX_MEMORY >> 30}G")
    cpus = machine.get("cpus", 2)
    if not 1 <= cpus <= MAX_CPUS:
        raise ManifestError(
            f"{path}: machine.cpus: {cpus}: expected 1 to {MAX_CPUS}")
    return Manifest(path=path, name=system["name"],
                    description=system.get("description", ""),
                    memory_bytes=memory_bytes, memory=memory, cpus=cpus,
                    root_program=root["program"])
