"""Clients generated from the committed OpenAPI documents build and type-check, and the
committed usage files (clients/python/journey.py, clients/ts/journey.ts: sign in, start a
draft, upload a scan, submit) type-check against what is generated now: a change to the
contract that breaks a generated client or a caller's code fails here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.openapi import SERVICES
from tests.clients import (
    CLIENTS,
    ROOT,
    TOOLS,
    generate_python,
    generate_typescript,
    node_env,
    node_tool,
    python_package,
)

MYPY = Path(sys.executable).parent / "mypy"


def mypy(paths: list[str], mypy_path: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MYPY), "--strict", "--no-error-summary", "--cache-dir", str(cache), *paths],
        capture_output=True, text=True, check=False, cwd=mypy_path,
        env={"MYPYPATH": str(mypy_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_python_client_generates_and_type_checks(service: str, tmp_path: Path) -> None:
    package, defeated = generate_python(service, tmp_path)
    assert defeated == [], f"openapi/{service}.json defeats openapi-python-client:\n" + "\n".join(
        defeated
    )
    assert (package / "client.py").exists()
    targets = [python_package(service)]  # the package directory
    if service == "api":
        shutil.copy(CLIENTS / "python" / "journey.py", tmp_path / "journey.py")
        targets.append("journey.py")
    done = mypy(targets, tmp_path, tmp_path / ".mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_python_journey_fails_type_check_on_a_renamed_field(tmp_path: Path) -> None:
    """The check can fail: the journey against a contract where the draft's `campaign_id`
    is renamed (what a careless schema change does) is refused by mypy."""
    generate_python("api", tmp_path, specs=_renamed_campaign_id(tmp_path))
    shutil.copy(CLIENTS / "python" / "journey.py", tmp_path / "journey.py")
    done = mypy(["journey.py"], tmp_path, tmp_path / ".mypy")
    assert done.returncode != 0
    assert "campaign_id" in done.stdout, done.stdout


def _renamed_campaign_id(tmp_path: Path) -> Path:
    """openapi/api.json with the draft's `campaign_id` renamed, as a careless change would."""
    spec = json.loads((ROOT / "openapi" / "api.json").read_text())
    create = spec["components"]["schemas"]["DeclarationCreate"]
    create["properties"]["batch_id"] = create["properties"].pop("campaign_id")
    create["required"] = ["batch_id" if r == "campaign_id" else r for r in create["required"]]
    changed = tmp_path / "spec"
    changed.mkdir()
    (changed / "api.json").write_text(json.dumps(spec))
    return changed


def tsc(tmp_path: Path, files: list[str]) -> subprocess.CompletedProcess:
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "ES2022",
            "module": "ESNext",
            "moduleResolution": "Bundler",
            "lib": ["ES2022", "DOM"],
            "types": [],
            # openapi-fetch from tools/ (pinned in tools/package.json)
            "baseUrl": ".",
            "paths": {"openapi-fetch": [str(TOOLS / "node_modules" / "openapi-fetch")]},
        },
        "files": files,
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    return subprocess.run(
        [*node_tool("tsc"), "-p", str(tmp_path / "tsconfig.json")],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=node_env(),
    )  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_typescript_client_generates_and_type_checks(service: str, tmp_path: Path) -> None:
    generate_typescript(service, tmp_path / "api.d.ts")
    files = ["api.d.ts"]
    if service == "api":
        shutil.copy(CLIENTS / "ts" / "journey.ts", tmp_path / "journey.ts")
        files.append("journey.ts")
    done = tsc(tmp_path, files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_typescript_journey_fails_type_check_on_a_renamed_field(tmp_path: Path) -> None:
    generate_typescript("api", tmp_path / "api.d.ts", specs=_renamed_campaign_id(tmp_path))
    shutil.copy(CLIENTS / "ts" / "journey.ts", tmp_path / "journey.ts")
    done = tsc(tmp_path, ["api.d.ts", "journey.ts"])
    assert done.returncode != 0
    assert "campaign_id" in done.stdout, done.stdout
