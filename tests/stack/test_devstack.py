"""The run command: the whole stack from wheels, up within 120 s, gone after Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from scripts.devstack import App, summary
from scripts.servers import Server, port_open
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
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.devstack", "--data-dir", str(data),
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
        assert ready[d.DEV_API_PORT]["checks"] == {
            "database": "ok",
            "redis": "ok",
            "rules": "ok",
            "documents": "ok",
        }
        assert ready[d.DEV_WEB_PORT]["checks"] == {"gateway": "ok"}
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
    # The summary: the data dir, the offset, each process's port and log file, all real.
    assert f"data dir     {data}" in out
    assert f"port offset  {offset}" in out
    for name in ("api", "rules", "documents", "notify", "postgres", "valkey", "seaweedfs"):
        [line] = [x for x in out.splitlines() if x.startswith(f"[devstack] {name:<12} ")]
        log = Path(line.rsplit("log ", 1)[1])
        assert log.is_relative_to(data) and log.stat().st_size > 0, line
    assert "/dev/sms-inbox" in out
    time.sleep(0.5)
    left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not left, [c.cmdline() for c in left]
    assert not any(port_open(p + offset) for p in BASE_PORTS)


def test_summary_names_ports_logs_and_the_offset(tmp_path) -> None:
    """What `run` prints: the data dir, the offset when there is one, each server's and
    process's port and log file, the docs and (in development) the SMS inbox."""
    env = {"ZHICHENG_DATA_DIR": str(tmp_path), "NOTIFY_DEV_INBOX": "true"}
    apps = [
        App(name, ["true"], env, port + 700)
        for name, port in (("rules", d.DEV_RULES_PORT), ("documents", d.DEV_DOCUMENTS_PORT),
                           ("api", d.DEV_API_PORT), ("notify", d.DEV_NOTIFY_PORT))
    ]  # fmt: skip
    infra = [Server("valkey", tmp_path / "valkey", d.DEV_REDIS_PORT + 700)]
    env["REDIS_URL"] = "redis://127.0.0.1:1/0"
    lines = summary(infra, apps, tmp_path, 700, {**env, "DATABASE_URL": "postgresql://x/y"})
    text = "\n".join(lines)
    assert f"data dir     {tmp_path}" in text
    assert "port offset  700" in text
    assert f"http://127.0.0.1:{d.DEV_API_PORT + 700}/docs" in text
    assert f"log {tmp_path / 'logs' / 'api.log'}" in text
    assert f"valkey       port {d.DEV_REDIS_PORT + 700}  log {tmp_path / 'valkey.log'}" in text
    assert "PostgreSQL   given: DATABASE_URL" in text
    assert f"http://127.0.0.1:{d.DEV_NOTIFY_PORT + 700}/dev/sms-inbox" in text
    # The line the README's examples start from: the ports moved, this data dir.
    api, notify = d.DEV_API_PORT + 700, d.DEV_NOTIFY_PORT + 700
    assert (
        f"shell        API=http://127.0.0.1:{api} NOTIFY=http://127.0.0.1:{notify} "
        f"DEMO={tmp_path / 'demo.json'}"
    ) in lines
    plain = summary(infra, apps, tmp_path, 0, {"REDIS_URL": "x"})
    assert not any("offset" in line or "sms-inbox" in line for line in plain)
