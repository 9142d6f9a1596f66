"""The run command: the whole stack from wheels, up within 120 s, gone after Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from scripts.servers import port_open
from services.kit import settings as d
from tests.conftest import ROOT

BASE_PORTS = (
    d.DEV_POSTGRES_PORT, d.DEV_REDIS_PORT, d.DEV_S3_PORT,
    d.DEV_API_PORT, d.DEV_RULES_PORT, d.DEV_DOCUMENTS_PORT, d.DEV_NOTIFY_PORT, d.DEV_WEB_PORT,
)  # fmt: skip
SERVICE_PORTS = (
    d.DEV_API_PORT, d.DEV_RULES_PORT, d.DEV_DOCUMENTS_PORT, d.DEV_NOTIFY_PORT, d.DEV_WEB_PORT,
)  # fmt: skip


def _free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(100, 1500, 7)
        if not any(port_open(p + offset) for p in BASE_PORTS):
            return offset
    pytest.skip("no free block of ports for a second stack")


@pytest.mark.slow
def test_run_command_starts_everything_and_ctrl_c_leaves_nothing(tmp_path) -> None:
    offset = _free_offset()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.devstack", "--data-dir", str(tmp_path / "data"),
         "--port-offset", str(offset)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    children: list[psutil.Process] = []
    try:
        ready = {}
        while time.monotonic() - started < 120 and len(ready) < len(SERVICE_PORTS):
            assert proc.poll() is None, proc.stdout.read()
            for port in SERVICE_PORTS:
                try:
                    r = httpx.get(f"http://127.0.0.1:{port + offset}/readyz", timeout=2)
                    if (
                        r.status_code == 200
                        and httpx.get(
                            f"http://127.0.0.1:{port + offset}/healthz", timeout=2
                        ).status_code
                        == 200
                    ):
                        ready[port] = r.json()
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        assert len(ready) == len(SERVICE_PORTS), f"not ready in 120 s: {sorted(ready)}"
        assert ready[d.DEV_API_PORT]["checks"] == {"database": "ok", "redis": "ok"}
        assert ready[d.DEV_DOCUMENTS_PORT]["checks"] == {"database": "ok", "s3": "ok"}
        # Everything the stack runs, servers included, descends from the one command.
        children = psutil.Process(proc.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        for part in ("postgres", "valkey-server", "weed", "uvicorn", "arq"):
            assert part in names, part
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    assert "stopped" in out
    time.sleep(0.5)
    left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not left, [c.cmdline() for c in left]
    assert not any(port_open(p + offset) for p in BASE_PORTS)
