"""The lock files (requirements/*.txt) are what pyproject.toml resolves to: a dependency
added, removed or re-pinned in pyproject.toml without `scripts/dev.sh lock` fails here.
Resolving reads the package index's metadata (uv's cache makes a repeat run quick)."""

from __future__ import annotations

import re

from scripts.lock import LOCKS, ROOT, stale


def test_every_lock_matches_pyproject() -> None:
    assert not stale(), "run scripts/dev.sh lock"


def test_every_locked_package_carries_its_hashes() -> None:
    """pip's --require-hashes refuses a lock with a pin lacking them; checked here first."""
    for name in LOCKS:
        lines = (ROOT / "requirements" / name).read_text().splitlines()
        pins = [i for i, line in enumerate(lines) if re.match(r"[A-Za-z0-9._-]+==", line)]
        assert len(pins) > 50, name
        for i in pins:
            assert lines[i].endswith(" \\"), lines[i]
            assert lines[i + 1].startswith("    --hash=sha256:"), lines[i]
