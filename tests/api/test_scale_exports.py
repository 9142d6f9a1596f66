"""Province scale (#21): a unit's 100 000-row posting list as XLSX and CSV, and an office's
75 000-row recommendation roster, while /healthz keeps answering beside them.

Load data for a scale check, as in test_scale.py: the orgs, the campaign and the portal are
made through the API, the declarations COPYed (tests/api/scale_data.py), here all 125 000
into one unit so that its list (every declaration but the drafts) has 100 000 rows. The
exports are fetched through the API as the unit reviewer and the series office and read
back whole. /healthz is polled every 10 ms meanwhile: the test asserts that it answered
during the export and prints the longest wait; no timing is asserted
(`python -m scripts.bench_scale` prints the figures against a bare /healthz).
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid

import asyncpg
import openpyxl
import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from services.documents.storage import ensure_bucket, make_client
from tests.api.factories import auth
from tests.api.scale_data import HealthPoll, build, dsn, load
from tests.conftest import Stack, database_of_its_own
from tests.support import running

N = 125_000
LISTED = 100_000  # the drafts (two in ten) are not on the posting list
RECOMMENDED = 75_000  # the unit step is done for six in ten


@pytest.fixture(scope="module")
async def scale(stack: Stack, rules_url: str, documents_url: str):
    async with database_of_its_own(stack, "zhicheng_scale_x") as db:
        url = db.database_url
        # The exports anchor checkpoints of this database's audit chain: in a bucket of
        # its own, not among the shared database's (whose verification would find them).
        settings = ApiSettings(
            **db.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            audit_checkpoint_bucket=f"zhicheng-audit-{uuid.uuid4().hex[:8]}",
        )
        await asyncio.to_thread(
            ensure_bucket, make_client(settings), settings.audit_checkpoint_bucket
        )
        async with running(build_app(settings)) as client:
            world = await build(client)
            await load(url, world, N, spread=1)
            yield client, world, dsn(url)


async def _fetch(client, path: str, token: str):
    poll = HealthPoll(client)
    started = time.perf_counter()
    r = await poll.during(client.get(path, headers=auth(token)))
    seconds = time.perf_counter() - started
    assert r.status_code == 200, r.text[:500]
    # /healthz answered while the export ran (how fast is the benchmark's to print).
    assert poll.latencies and not poll.failures
    print(
        f"\n{path}: {len(r.content):,} bytes in {seconds:.1f} s; /healthz answered "
        f"{len(poll.latencies)} times meanwhile, longest {max(poll.latencies):.0f} ms"
    )
    return r


async def _names(dsn: str, sql: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r[0] for r in await conn.fetch(sql)]
    finally:
        await conn.close()


LISTED_SQL = (
    "SELECT sections->'basic_info'->>'name' FROM api.declaration "
    "WHERE status NOT IN ('draft', 'withdrawn', 'abandoned') ORDER BY created_at, id"
)


async def test_a_100k_row_posting_list_as_xlsx(scale) -> None:
    client, world, dsn = scale
    path = f"/v1/campaigns/{world.campaign['id']}/posting-list?format=xlsx"
    r = await _fetch(client, path, world.tree.tokens["unit_reviewer"])
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    body = [row for row in rows[2:] if row and isinstance(row[0], int)]
    assert rows[1][:2] == ("序号", "姓名")
    assert len(body) == LISTED
    assert [row[0] for row in body] == list(range(1, LISTED + 1))
    assert [row[1] for row in body] == await _names(dsn, LISTED_SQL)
    assert body[0][2] == "副高级" and body[0][6].startswith("《论文")
    assert rows[-1][0].startswith("审计校验点：") and r.headers["audit-checkpoint"]


async def test_a_100k_row_posting_list_as_csv(scale) -> None:
    client, world, dsn = scale
    path = f"/v1/campaigns/{world.campaign['id']}/posting-list?format=csv"
    r = await _fetch(client, path, world.tree.tokens["unit_reviewer"])
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["序号", "姓名"]
    assert [row[1] for row in rows[1 : LISTED + 1]] == await _names(dsn, LISTED_SQL)
    assert rows[LISTED + 1] == [] and rows[-1][0].startswith("审计校验点：")


async def test_a_75k_row_recommendation_roster(scale) -> None:
    client, world, _dsn = scale
    path = f"/v1/campaigns/{world.campaign['id']}/exports/recommendation-roster"
    r = await _fetch(client, path, world.tree.tokens["series_office"])
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    body = [row for row in rows[2:] if row and isinstance(row[0], int)]
    assert len(body) == RECOMMENDED
    assert rows[-1][0].endswith(f"共{RECOMMENDED}人")
