"""A database that stops answering (its processes frozen: no error, no close, nothing) costs
a request seconds, not a hang: pooled connections, new connections and the probe are all
bounded (DB_STATEMENT_TIMEOUT, DB_CONNECT_TIMEOUT, DB_POOL_TIMEOUT, READINESS_TIMEOUT)."""

from __future__ import annotations

import asyncio
import signal

import psutil
import pytest

from scripts.servers import Postgres, free_port
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import OPS, auth
from tests.conftest import Stack
from tests.support import running


def _signal_all(pg: Postgres, sig: signal.Signals) -> None:
    """The server and every backend it forked (they need not share a process group)."""
    root = psutil.Process(pg.proc.pid)
    for proc in [root, *root.children(recursive=True)]:
        proc.send_signal(sig)


# Far above the bounds the app is given below (a 1 s statement bound, a 1 s connect bound):
# a request still waiting this long is hanging, whatever the machine's load.
PATIENCE = 60


@pytest.mark.slow
async def test_a_frozen_database_answers_503_not_a_hang(
    stack: Stack, tmp_path, rules_url: str, documents_url: str
) -> None:
    pg = Postgres(tmp_path / "pg", free_port()).start()
    try:
        settings = ApiSettings(
            **{**stack.settings_kwargs(), "database_url": pg.url},
            rules_url=rules_url,
            documents_url=documents_url,
            db_statement_timeout=1.0,
            db_connect_timeout=1.0,
            db_pool_timeout=1.0,
            readiness_timeout=1.0,
        )
        async with running(build_app(settings)) as client:
            # Warm the pool: the request below meets a connection that was good.
            assert (await client.get("/readyz")).status_code == 200
            _signal_all(pg, signal.SIGSTOP)
            try:
                ready, listed, second = await asyncio.wait_for(
                    asyncio.gather(
                        client.get("/readyz"),
                        client.get("/v1/campaigns", headers=auth(OPS)),
                        client.get("/v1/campaigns", headers=auth(OPS)),
                    ),
                    PATIENCE,
                )
            finally:
                _signal_all(pg, signal.SIGCONT)
            assert ready.status_code == 503 and ready.json()["down"] == ["database"]
            for r in (listed, second):
                assert r.status_code == 503, r.text
                assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert r.headers["retry-after"]
                assert r.json()["type"] in (
                    "urn:zhicheng:problem:database-unavailable",
                    "urn:zhicheng:problem:service-busy",
                )
            # Thawed, it serves again without a restart.
            for _ in range(20):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.5)
            assert (await client.get("/readyz")).status_code == 200
    finally:
        pg.stop()
