"""The README and docs/ stand on their own: the README's Layout lists every
doc, and nothing points outside the repository."""
import re

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_layout_lists_every_doc():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"docs/([\w.-]+\.md)", layout))
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_nothing_points_outside_the_repository():
    for doc in DOCS:
        text = doc.read_text()
        assert not re.search(r"https?://|www\.", text), doc
        assert not re.search(r"\bissues?\b|\bbugs? \d", text, re.I), doc
        assert "../" not in text and "/work/" not in text, doc


def test_paths_the_docs_name_exist():
    """Every `path/with/a/slash` in backquotes that starts at one of the
    repository's top-level entries (build trees aside) is there."""
    tops = {p.name for p in ROOT.iterdir() if not p.name.startswith("build")}
    missing = []
    for doc in DOCS:
        for path in re.findall(r"`([\w.-]+(?:/[\w.*{},-]+)+/?)`", doc.read_text()):
            if path.split("/")[0] not in tops or any(c in path for c in "*{<"):
                continue
            if not (ROOT / path).exists():
                missing.append(f"{doc.name}: {path}")
    assert not missing
