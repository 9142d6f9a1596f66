"""What the image does, without Docker: install ONLY the runtime dependencies (the runtime
lock, requirements/runtime.txt, with its hashes, then the project with no extra) into a
fresh environment, then start every process with the command deploy/ gives it, against the
test stack, until it is ready. (tests/deploy/test_lock.py checks that lock against
pyproject.toml.)

This is the check that catches a module imported at run time but declared only in an extra
(numpy once was: the document service could not start in the image) or missing package
data. The processes run from an empty directory, so they import the installed package,
never this source tree.

Slow: the first run downloads the runtime wheels (a few minutes); later runs take them
from pip's own cache (`PIP_CACHE_DIR`, by default ~/.cache/pip) and take about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scripts.servers import free_port
from tests.conftest import ROOT, Stack
from tests.deploy.test_deploy_files import _containers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

STARTUP_SECONDS = 60


def _workloads() -> dict[str, list[str]]:
    """Each process deploy/ runs, by the Kubernetes workload's name: its command."""
    return {where.removeprefix("k8s:"): cmd for where, cmd, _ in _containers() if "k8s:" in where}


@pytest.fixture(scope="module")
def runtime_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project installed as the Dockerfile does."""
    base = tmp_path_factory.mktemp("runtime")
    src = base / "src"
    # What the Dockerfile copies into its build stage, and nothing else.
    (src / "requirements").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "requirements" / "runtime.txt", src / "requirements")
    for package in ("services", "scripts"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_NO_CACHE_DIR")}
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    # The Dockerfile's own pip installs, in its order (the runtime lock, then the project
    # built by the locked setuptools with --no-build-isolation).
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    installs = [args.split() for args in re.findall(r"pip install ([^\n\\&]+)", dockerfile)]
    assert len(installs) == 2, installs
    for args in installs:
        install = subprocess.run(pip + args, env=env, capture_output=True, text=True, cwd=src)
        assert install.returncode == 0, install.stderr[-4000:]
    return venv


def _process_env(stack: Stack, **extra: str) -> dict[str, str]:
    env = stack.env(
        # No periodic work on the run's shared database while the process is up.
        SWEEP_INTERVAL_SECONDS="0",
        AUDIT_CHECKPOINT_INTERVAL="0",
        **extra,
    )
    env.pop("PYTHONPATH", None)
    return env


def _command(venv: Path, command: list[str], port: int) -> list[str]:
    """deploy/'s command with this environment's executables, on 127.0.0.1:port."""
    cmd = [str(venv / "bin" / command[0]), *command[1:]]
    for flag, value in (("--host", "127.0.0.1"), ("--port", str(port))):
        if flag in cmd:
            cmd[cmd.index(flag) + 1] = value
    return cmd


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def test_the_install_holds_the_package_not_this_tree(runtime_env: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(runtime_env / "bin" / "python"), "-c",
         "import services, scripts; print(services.__file__); print(scripts.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in out.stdout.split():
        assert Path(line).is_relative_to(runtime_env), line


def test_the_migration_job_runs(runtime_env: Path, stack: Stack, tmp_path: Path) -> None:
    command = _workloads()["zhicheng-migrate"]
    log = tmp_path / "migrate.log"
    with log.open("w") as out:
        code = subprocess.run(
            _command(runtime_env, command, 0), env=_process_env(stack), cwd=tmp_path,
            stdout=out, stderr=subprocess.STDOUT, timeout=300,
        ).returncode  # fmt: skip
    assert code == 0, _tail(log)


@pytest.mark.parametrize("workload", ["api", "rules", "documents", "notify", "web"])
def test_every_process_starts_until_ready(
    runtime_env: Path, stack: Stack, tmp_path: Path, workload: str, request, uvicorn_service
) -> None:
    command = _workloads()[workload]
    port = free_port()
    env = _process_env(stack, NOTIFY_HEALTH_PORT=str(port))  # the worker's probe listener
    if workload == "api":  # its /readyz reports the two services it calls
        env["RULES_URL"] = request.getfixturevalue("rules_url")
        env["DOCUMENTS_URL"] = request.getfixturevalue("documents_url")
    if workload == "web":  # ready once the gateway it calls answers
        env["GATEWAY_URL"] = uvicorn_service("services.api.main:app", stack.env())
    log = tmp_path / f"{workload}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            _command(runtime_env, command, port), env=env, cwd=tmp_path,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        status = None
        while status != 200:
            assert proc.poll() is None, f"{workload} exited {proc.returncode}:\n{_tail(log)}"
            assert time.monotonic() < deadline, f"{workload} not ready ({status}):\n{_tail(log)}"
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
            except httpx.TransportError:
                status = None
            if status != 200:
                time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_every_workload_is_covered() -> None:
    """A process added to deploy/ must be added here too."""
    assert set(_workloads()) == {"api", "rules", "documents", "notify", "web", "zhicheng-migrate"}
