"""The lock files: every package of each install, pinned with its hashes, from pyproject.toml.

    python -m scripts.lock           regenerate requirements/*.txt (scripts/dev.sh lock)
    python -m scripts.lock --check   exit 1 when a lock no longer matches pyproject.toml

`requirements/runtime.txt` is what the image installs (`build`: the build backend, so the
project itself installs with `--no-build-isolation`, nothing fetched unpinned), `dev.txt`
what `scripts/dev.sh install` installs (`build` + `local` + `dev`), `bench.txt` adds
`bench`. Each is resolved by uv (`uv pip compile`, in the `dev` extra) for Python 3.11 on
every platform, with the hashes of every file of each pinned release; pip installs them
with `--require-hashes`, so an install is the same everywhere. Versions already in a lock
are kept unless pyproject.toml asks for others (to move them all on: delete the file first).
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {
    "runtime.txt": ["build"],
    "dev.txt": ["build", "local", "dev"],
    "bench.txt": ["build", "local", "dev", "bench"],
}


def compile_lock(extras: list[str], output: Path) -> None:
    """Resolve pyproject.toml with these extras into `output` (kept pins start from it)."""
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--quiet",
         "--universal", "--python-version", "3.11", "--generate-hashes",
         "--custom-compile-command", "scripts/dev.sh lock",
         *[arg for extra in extras for arg in ("--extra", extra)], "-o", str(output)],
        cwd=ROOT, check=True,
    )  # fmt: skip


def stale() -> dict[str, str]:
    """Each lock that differs from what pyproject.toml resolves to now: name → diff."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extras in LOCKS.items():
            committed = ROOT / "requirements" / name
            fresh = Path(tmp) / name
            if committed.exists():
                shutil.copy(committed, fresh)
            compile_lock(extras, fresh)
            old = committed.read_text().splitlines() if committed.exists() else []
            new = fresh.read_text().splitlines()
            if old != new:
                out[name] = "\n".join(
                    difflib.unified_diff(old, new, name, "resolved", n=1, lineterm="")
                )
    return out


def main() -> int:
    if "--check" in sys.argv[1:]:
        bad = stale()
        for name, diff in bad.items():
            print(f"requirements/{name} does not match pyproject.toml:\n{diff}")
        return 1 if bad else 0
    (ROOT / "requirements").mkdir(exist_ok=True)
    for name, extras in LOCKS.items():
        compile_lock(extras, ROOT / "requirements" / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
