"""The lock files (requirements/*.txt) are what pyproject.toml resolves to: a dependency
added, removed or re-pinned in pyproject.toml without `scripts/dev.sh lock` fails here.
Resolving reads the package index's metadata (uv's cache makes a repeat run quick). And
what installs the project (the image, `scripts/dev.sh install`) takes nothing from outside
the locks: not even the build backend."""

from __future__ import annotations

import re
import tomllib

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


def test_the_build_backend_is_locked_and_no_install_fetches_another() -> None:
    """[build-system] requires exactly the `build` extra's pins, which every lock carries
    with hashes; the image and `scripts/dev.sh install` install a lock with
    --require-hashes, then the project with --no-build-isolation (that locked setuptools
    builds it; an isolated build would fetch one unpinned) and --no-deps."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requires = pyproject["build-system"]["requires"]
    assert requires == pyproject["project"]["optional-dependencies"]["build"]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9.]*", r) for r in requires), requires
    for name, extras in LOCKS.items():
        assert "build" in extras, name
        text = (ROOT / "requirements" / name).read_text()
        for pin in requires:
            assert re.search(rf"^{re.escape(pin)} \\$", text, re.M), (name, pin)
    for path in ("deploy/Dockerfile", "scripts/dev.sh"):
        installs = re.findall(r"pip install ([^\n\\&]+)", (ROOT / path).read_text())
        project = [i for i, args in enumerate(installs) if re.search(r"(^| )\.\s*$", args)]
        assert len(project) == 1, (path, installs)
        args = installs[project[0]].split()
        assert {"--no-build-isolation", "--no-deps"} <= set(args), (path, args)
        assert any("--require-hashes -r requirements/" in i for i in installs[: project[0]])
