"""Exports encoded in child processes (EXPORT_PROCESSES, services/api/statistics/workers.py):
the same files as a worker thread writes; an export that outlives its process being killed
midway; a client that leaves midway leaves no process behind, nor does the app's end.

The declarations are load data COPYed into one unit (tests/api/scale_data.py), 12 500 of
them, so that the posting list has 10 000 rows and the roster 7 500: five and four chunks
of the cursor, enough for a kill to land mid-export. The kill waits until the child has
answered the first chunk (the pool counts the answers it had); what is asserted is the
file, and that the pool saw its child die and left no process behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import uuid
import zipfile

import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from services.documents.storage import ensure_bucket, make_client
from tests.api.factories import auth
from tests.api.scale_data import build, load
from tests.conftest import Stack, database_of_its_own
from tests.support import running

N = 12_500


@pytest.fixture(scope="module")
async def data(stack: Stack, rules_url: str, documents_url: str):
    async with database_of_its_own(stack, "zhicheng_export_p") as db:
        url = db.database_url
        settings = ApiSettings(
            **db.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            audit_checkpoint_bucket=f"zhicheng-audit-{uuid.uuid4().hex[:8]}",
            export_processes=1,
        )
        await asyncio.to_thread(
            ensure_bucket, make_client(settings), settings.audit_checkpoint_bucket
        )
        async with running(build_app(settings)) as client:
            world = await build(client)
            await load(url, world, N, spread=1)
        yield settings, world


def _paths(world) -> dict[str, tuple[str, str]]:
    t, c = world.tree.tokens, f"/v1/campaigns/{world.campaign['id']}"
    return {
        "posting.csv": (f"{c}/posting-list?format=csv", t["unit_reviewer"]),
        "posting.xlsx": (f"{c}/posting-list?format=xlsx", t["unit_reviewer"]),
        "roster.xlsx": (f"{c}/exports/recommendation-roster", t["series_office"]),
        "summary.xlsx": (f"{c}/exports/material-summary", t["series_office"]),
    }


async def _get(client, world, which: str) -> bytes:
    path, token = _paths(world)[which]
    r = await client.get(path, headers=auth(token))
    assert r.status_code == 200, r.text[:500]
    return r.content


def _same(a: bytes, b: bytes, which: str) -> None:
    """Byte for byte, but for what each export stamps anew: the last line (the time of
    export, or a fresh audit checkpoint) and, in a workbook, its creation time."""
    if which.endswith(".csv"):
        lines_a, lines_b = a.splitlines(), b.splitlines()
        assert lines_a[:-1] == lines_b[:-1] and len(lines_a) > 7_000
        assert lines_a[-1][:6] == lines_b[-1][:6]
        return
    za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
    assert za.namelist() == zb.namelist()
    for member in za.namelist():
        if member == "docProps/core.xml":
            continue
        xa, xb = za.read(member), zb.read(member)
        if member.startswith("xl/worksheets/"):
            last = xa.rindex(b"<row ")
            assert xa[:last] == xb[:last] and xa.count(b"<row ") > 7_000, member
            assert xb.rindex(b"<row ") == last
        else:
            assert xa == xb, member


def _gone(pid: int) -> bool:
    """Ended and reaped (a zombie still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def _until(predicate) -> None:
    async with asyncio.timeout(300):  # a guard against hanging, not a measure
        while not predicate():  # noqa: ASYNC110 - the pool's counters set no event
            await asyncio.sleep(0.005)


async def test_the_processes_write_what_the_thread_wrote(data) -> None:
    settings, world = data
    threads = build_app(settings.model_copy(update={"export_processes": 0}))
    processes = build_app(settings)
    async with running(threads) as by_thread, running(processes) as by_process:
        for which in ("posting.csv", "posting.xlsx", "roster.xlsx", "summary.xlsx"):
            a = await _get(by_thread, world, which)
            b = await _get(by_process, world, which)
            _same(a, b, which)
        assert not threads.state.export_pool.pids()
        [pid] = processes.state.export_pool.pids()
        assert processes.state.export_pool.lost == 0
    assert _gone(pid)  # the app's end stopped its child


@pytest.mark.parametrize("which", ["roster.xlsx", "posting.csv"])
async def test_an_export_outlives_its_process_being_killed_midway(data, which: str) -> None:
    settings, world = data
    app = build_app(settings)
    pool_pids = []
    async with running(app) as client:
        pool = app.state.export_pool
        before = await _get(client, world, which)
        calls = pool.calls
        fetch = asyncio.create_task(_get(client, world, which))
        # The child has answered a chunk (the workbook's head, its first rows, or the
        # CSV's first chunk) and has more to come.
        await _until(lambda: pool.calls >= calls + 2 and pool.busy())
        [killed] = pool.busy()
        os.kill(killed, signal.SIGKILL)
        after = await fetch
        assert pool.lost == 1
        _same(before, after, which)
        assert _gone(killed) and killed not in pool.pids()
        pool_pids = pool.pids()
    assert pool_pids and all(_gone(pid) for pid in pool_pids)


async def test_a_client_that_leaves_midway_leaves_no_process(data) -> None:
    settings, world = data
    app = build_app(settings)
    async with running(app) as client:
        pool = app.state.export_pool
        before = await _get(client, world, "summary.xlsx")
        [idle] = pool.pids()
        path, token = _paths(world)["summary.xlsx"]
        gone, asked = asyncio.Event(), []
        sent: list[dict] = []

        async def receive() -> dict:
            if not asked:
                asked.append(True)
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"test"), (b"authorization", f"Bearer {token}".encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }
        calls = pool.calls
        call = asyncio.create_task(app(scope, receive, send))
        await _until(lambda: pool.calls >= calls + 2)
        gone.set()  # the client closes the connection while the workbook is being built
        with contextlib.suppress(Exception):
            await call
        assert not [m for m in sent if m.get("type") == "http.response.body" and m["body"]]
        assert _gone(idle) and not pool.pids()  # killed, not left to finish for nobody
        # The next export starts a fresh child and is whole.
        after = await _get(client, world, "summary.xlsx")
        _same(before, after, "summary.xlsx")
        [fresh] = pool.pids()
    assert _gone(fresh)
