"""Every Markdown file works from a fresh clone alone (issue #22): a link (or image) names
a file of the repository that exists, never a path outside it; a Markdown file named in
the text (`DESIGN.md`, `services/rules/README.md`) is one the repository holds."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
# [text](target "title"), ![alt](<target>), and reference definitions `[id]: target`.
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
MENTION = re.compile(r"[\w./-]*\.md\b")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def markdown_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.md"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in out.split("\0") if name]


def broken_links(path: Path, text: str) -> list[str]:
    """The targets of `path`'s links that are outside the repository or do not exist."""
    bad = []
    for target in INLINE.findall(text) + REFERENCE.findall(text):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # a web address, or an anchor in this file
        where = (path.parent / unquote(parts.path)).resolve()
        if parts.path.startswith("/") or not where.is_relative_to(ROOT) or not where.exists():
            bad.append(target)
    return bad


def test_links_and_named_markdown_files_are_in_the_repository() -> None:
    files = markdown_files()
    assert any(f.name == "README.md" and f.parent == ROOT for f in files)
    names = {f.name for f in files}
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for target in broken_links(path, text):
            problems.append(f"{path.relative_to(ROOT)}: link to {target}")
        for mention in MENTION.findall(FENCE.sub("", text)):
            named = (path.parent / mention).resolve()
            found = named.is_relative_to(ROOT) and named.exists()
            if not found and not (ROOT / mention).exists() and Path(mention).name not in names:
                problems.append(f"{path.relative_to(ROOT)}: names {mention}, not in the repository")
    assert problems == []


def test_the_check_sees_what_it_must() -> None:
    """A link outside the repository, to a missing file or by an absolute path is found;
    web addresses and anchors are not links to check."""
    page = ROOT / "tests" / "rules" / "cases" / "README.md"
    text = (
        "[a](../../../../shared/DESIGN.md) [b](missing.yaml) [c](/etc/hosts) "
        "[d](https://example.org/x.md) [e](#top) ![f](../../../docs/problems.md)\n"
        "[g]: ../../../nowhere.md\n"
    )
    assert broken_links(page, text) == [
        "../../../../shared/DESIGN.md",
        "missing.yaml",
        "/etc/hosts",
        "../../../nowhere.md",
    ]
