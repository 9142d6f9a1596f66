"""The import contracts bite: `lint-imports` over a copy of the tree passes as it is, and
fails, naming the contract, once one of the cycles the renovations removed is put back.

Each case copies `services/` and `pyproject.toml` (the contracts) into a scratch
directory, adds one import there, and runs `lint-imports` on the copy in a process of
its own; the repository itself is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
FLOORS = "the gateway's floors: each imports only from the floors below it"
NO_CYCLE = "no cycle among any service's sibling packages or modules"
WEB = "the web front end imports no service but kit"
INDEPENDENT = "services never import each other"

# (the module that gets the import, the import put back, the contracts it must break)
CYCLES = {
    # The access rules once read declarations to decide who sees what.
    "access-reads-declarations": (
        "services/api/access.py",
        "from services.api.declarations import service as declarations",
        {FLOORS, NO_CYCLE},
    ),
    # Campaigns and declarations imported each other (windows ⇄ drafts).
    "campaigns-declarations": (
        "services/api/campaigns/service.py",
        "from services.api.declarations import service as declarations",
        {FLOORS, NO_CYCLE},
    ),
    # The eligibility service has no floors: only the cycle contract guards it.
    "rules-engine-service": (
        "services/rules/engine/__init__.py",
        "from services.rules import service",
        {NO_CYCLE},
    ),
    # The web front end reading the gateway's vocabulary instead of asking the API.
    "web-imports-gateway": (
        "services/web/labels.py",
        "from services.api.declarations import schemas",
        {WEB, INDEPENDENT},
    ),
}


def _copy(into: Path) -> Path:
    shutil.copytree(
        ROOT / "services",
        into / "services",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.md", "*.yaml", "*.json"),
    )
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # The copy first on the path, so the modules read are the copy's, not the checkout's.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _broken(output: str) -> set[str]:
    """The contracts lint-imports reports BROKEN in its summary."""
    names = {FLOORS, NO_CYCLE, WEB, INDEPENDENT}
    return {n for n in names if any(n in line and "BROKEN" in line for line in output.splitlines())}


def test_the_tree_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("case", sorted(CYCLES))
def test_a_cycle_put_back_breaks_its_contract(tmp_path: Path, case: str) -> None:
    module, line, contracts = CYCLES[case]
    root = _copy(tmp_path)
    target = root / module
    target.write_text(target.read_text() + f"\n{line}  # put back by the test\n")
    result = _lint(root)
    assert result.returncode != 0, result.stdout
    assert _broken(result.stdout) == contracts, result.stdout
