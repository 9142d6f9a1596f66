"""The dev-only token command: its tokens open the gateway; production refuses it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from services.kit.auth import read_token
from services.kit.settings import DEV_JWT_SECRET
from tests.conftest import ROOT


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "ENVIRONMENT"} | env
    return subprocess.run(
        [sys.executable, "-m", "scripts.devtoken", *args],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mints_a_token_the_gateway_reads() -> None:
    org = str(uuid.uuid4())
    done = _run("county_office", "--org", org, "--sub", "dev-county")
    assert done.returncode == 0, done.stderr
    principal = read_token(done.stdout.strip(), secret=DEV_JWT_SECRET)
    assert (principal.role, principal.org_id, principal.sub) == ("county_office", org, "dev-county")


def test_refused_in_production_and_without_org() -> None:
    assert _run("ops", "--org", str(uuid.uuid4()), ENVIRONMENT="production").returncode == 2
    assert _run("unit_reviewer").returncode == 2
