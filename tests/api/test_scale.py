"""Province scale (#21): the reads that gave 500s or grew with the table, at 100k rows.

This is load data for a scale check, not a user path: the orgs, the campaign and the portal
client are made through the API, but the 100 000 declarations with their steps, returns,
claims and recorded paper flags are written with COPY (asyncpg `copy_records_to_table`)
into a database of the test's own, as the issue prescribes for scale data; building them
through the API would take hours. Every read is then made through the API as the roles that
failed (series office, unit reviewer, portal) and its first page compared with a direct SQL
query of the same rows. No timing is asserted; the plans are (EXPLAIN).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date, datetime

import asyncpg
import pytest
from sqlalchemy import event, func, text
from sqlalchemy.dialects import postgresql
from sqlmodel import select

from services.api import clock
from services.api.chain import queue
from services.api.clock import SHANGHAI
from services.api.config import ApiSettings
from services.api.deadlines import planner, reminders, service
from services.api.declarations.service import visible
from services.api.http import encode_cursor
from services.api.journals import flags
from services.api.main import build_app
from services.api.messages import service as messages
from services.api.models import Declaration
from services.kit.auth import Principal
from services.kit.db import make_engine, make_sessionmaker
from tests.api.factories import OPS, auth, post
from tests.api.scale_data import UNITS, build, dsn, flags_of, load
from tests.conftest import Stack, database_of_its_own
from tests.support import running

N = 100_000


@pytest.fixture(scope="module")
async def scale(stack: Stack, rules_url: str, documents_url: str):
    async with database_of_its_own(stack, "zhicheng_scale") as db:
        url = db.database_url
        settings = ApiSettings(
            **db.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
        )
        async with running(build_app(settings)) as client:
            world = await build(client)
            started = time.perf_counter()
            await load(url, world, N)
            print(
                f"\nCOPY of {N} declarations and their rows: {time.perf_counter() - started:.1f} s"
            )
            yield client, world.tree, world.units, world.portal, dsn(url), url


async def _ids(dsn: str, sql: str, *args) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return [str(r[0]) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


FIRST_PAGE = (
    "SELECT d.id FROM api.declaration d WHERE d.status <> 'draft' AND {} "
    "ORDER BY d.created_at, d.id LIMIT 50"
)


async def test_first_pages_of_the_declarations_list_at_100k(scale) -> None:
    client, tree, _units, portal, dsn, _ = scale
    office = tree.tokens["series_office"]
    r = await client.get("/v1/declarations", params={"limit": 50}, headers=auth(office))
    assert r.status_code == 200, r.text
    # Every unit is under the series office.
    assert [d["id"] for d in r.json()["items"]] == await _ids(dsn, FIRST_PAGE.format("true"))
    r2 = await client.get(
        "/v1/declarations",
        params={"limit": 50, "cursor": r.json()["next_cursor"]},
        headers=auth(office),
    )
    assert r2.status_code == 200, r2.text
    second = FIRST_PAGE.replace("LIMIT 50", "OFFSET 50 LIMIT 50").format("true")
    assert [d["id"] for d in r2.json()["items"]] == await _ids(dsn, second)

    r = await client.get("/v1/declarations", params={"limit": 50}, headers=auth(portal))
    assert r.status_code == 200, r.text
    mine = "d.unit_org_id IN (SELECT id FROM api.org WHERE region_code LIKE '4502%')"
    expected = await _ids(dsn, FIRST_PAGE.format(mine))
    assert len(expected) == 50 and [d["id"] for d in r.json()["items"]] == expected

    unit = tree.tokens["unit_reviewer"]
    r = await client.get("/v1/declarations", params={"limit": 50}, headers=auth(unit))
    assert r.status_code == 200, r.text
    assert [d["id"] for d in r.json()["items"]] == await _ids(
        dsn, FIRST_PAGE.format("d.unit_org_id = $1"), uuid.UUID(tree.unit)
    )


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("role", ["series_office", "portal", "unit_reviewer"])
async def test_a_first_page_walks_the_index_in_order(scale, role: str) -> None:
    """No sequential scan of the declarations and no sort of them: the (created_at, id)
    index is read in order and the scan stops at the page's end."""
    _, tree, _, _, dsn, _url = scale
    org = {"series_office": tree.series, "unit_reviewer": tree.unit}.get(role)
    principal = Principal(sub="scale", role=role, org_id=org, jurisdiction=["450200"])
    query = (
        select(Declaration)
        .where(visible(principal))
        .order_by(Declaration.created_at, Declaration.id)
        .limit(51)
    )
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    conn = await asyncpg.connect(dsn)
    try:
        plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql))[0]["Plan"]
    finally:
        await conn.close()
    nodes = list(_nodes(plan))
    seq = [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == "declaration"]
    assert not seq, plan
    if role == "unit_reviewer":
        # A unit's own declarations, found through its steps, then sorted: the unit's
        # thousands, not the table's.
        assert any(n.get("Index Name") == "ix_review_step_org" for n in nodes), plan
        return
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")], plan
    assert any(n.get("Index Name") == "ix_declaration_created" for n in nodes), plan


@pytest.mark.parametrize("role", ["series_office", "committee_office", "unit_reviewer"])
async def test_a_queue_page_is_the_first_rows_of_the_rank_index(scale, role: str) -> None:
    """The rank is stored on the waiting step: an office's page walks review_step_queue in
    order and stops at the page's end, with no sort of its 30 000 waiting rows; a unit's
    starts from its own waiting steps (2 000 here: the planner may sort those)."""
    _, tree, _, _, dsn, _url = scale
    org = {"series_office": tree.series, "committee_office": tree.committee}.get(role, tree.unit)
    principal = Principal(sub="scale", role=role, org_id=org)
    query = queue.page_query(principal, campaign_id=None, cursor=None, limit=50)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    conn = await asyncpg.connect(dsn)
    try:
        plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql))[0]["Plan"]
    finally:
        await conn.close()
    nodes = list(_nodes(plan))
    used = {n.get("Index Name") for n in nodes}
    # No parallel workers for a page of 51 (at 1M a unit's page waited 50 ms for them when
    # the visibility EXISTS misled the planner's estimate).
    assert not [n for n in nodes if n["Node Type"].startswith("Gather")], plan
    if role == "unit_reviewer":
        assert used & {"review_step_queue", "review_step_waiting"}, plan
        return
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")], plan
    assert "review_step_queue" in used, plan


QUEUE = """
SELECT d.id FROM api.declaration d
JOIN api.review_step s ON s.declaration_id = d.id AND s.position = d.current_position
WHERE s.org_id = $1 AND s.kind = $2 AND d.status = $3
ORDER BY
  (SELECT count(*) FROM api.paper_flag f
    WHERE f.declaration_id = d.id AND f.n = d.submission_count AND f.level = 'risk') DESC,
  (SELECT count(*) FROM api.declaration_claim c
    WHERE c.declaration_id = d.id AND EXISTS (
      SELECT 1 FROM api.declaration_claim o JOIN api.declaration od ON od.id = o.declaration_id
      WHERE o.kind = c.kind AND o.fingerprint = c.fingerprint AND o.year = c.year
        AND o.applicant_sub <> c.applicant_sub AND od.status NOT IN ('draft', 'withdrawn'))) DESC,
  s.reached_at, d.id
LIMIT 50
"""


@pytest.mark.parametrize(
    ("role", "status", "waiting"),
    [("series_office", "series_office_review", 30_000), ("unit_reviewer", "unit_review", 2_000)],
)
async def test_the_review_queue_at_100k(scale, role: str, status: str, waiting: int) -> None:
    client, tree, _, _, dsn, _ = scale
    org = tree.series if role == "series_office" else tree.unit
    kind = "series_office" if role == "series_office" else "unit"
    conn = await asyncpg.connect(dsn)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM api.declaration d JOIN api.review_step s ON "
            "s.declaration_id = d.id AND s.position = d.current_position "
            "WHERE s.org_id = $1 AND d.status = $2",
            uuid.UUID(org),
            status,
        )
    finally:
        await conn.close()
    assert count == waiting  # the queue the issue saw fail or crawl
    r = await client.get("/v1/review-queue", params={"limit": 50}, headers=auth(tree.tokens[role]))
    assert r.status_code == 200, r.text
    queue = r.json()
    assert [q["declaration_id"] for q in queue] == await _ids(
        dsn, QUEUE, uuid.UUID(org), kind, status
    )
    # The riskiest come first, and each shows the papers its submission recorded as risk.
    assert queue[0]["risk"]["flagged_papers"] == 2
    assert [p["flagged"] for p in queue[0]["papers"]] == [True, True]
    # The next page from the cursor (keyset, as the other lists), then a forged cursor.
    r = await client.get(
        "/v1/review-queue",
        params={"limit": 50, "cursor": r.headers["Next-Cursor"]},
        headers=auth(tree.tokens[role]),
    )
    assert r.status_code == 200, r.text
    second = QUEUE.replace("LIMIT 50", "OFFSET 50 LIMIT 50")
    assert [q["declaration_id"] for q in r.json()] == await _ids(
        dsn, second, uuid.UUID(org), kind, status
    )
    r = await client.get(
        "/v1/review-queue", params={"cursor": "bm90LW91cnM"}, headers=auth(tree.tokens[role])
    )
    assert r.status_code == 422 and r.json()["type"].endswith("invalid-cursor"), r.text


async def test_the_unit_problem_rates_at_100k(scale) -> None:
    """60 000 recommended declarations: one aggregate query, not a parameter per id; the
    campaign statistics name the units with one array parameter."""
    client, tree, _units, _, dsn, _ = scale
    conn = await asyncpg.connect(dsn)
    try:
        campaign = await conn.fetchval("SELECT campaign_id FROM api.declaration LIMIT 1")
        expected = {
            str(r["unit_org_id"]): (r["recommended"], r["returned"])
            for r in await conn.fetch(
                "SELECT d.unit_org_id, count(*) AS recommended, count(*) FILTER (WHERE EXISTS "
                "(SELECT 1 FROM api.declaration_return x WHERE x.declaration_id = d.id "
                "AND x.position > 0)) AS returned FROM api.declaration d JOIN api.review_step s "
                "ON s.declaration_id = d.id AND s.position = 0 AND s.completed_at IS NOT NULL "
                "GROUP BY d.unit_org_id"
            )
        }
    finally:
        await conn.close()
    assert sum(total for total, _ in expected.values()) == 60_000
    office = auth(tree.tokens["series_office"])
    r = await client.get(f"/v1/campaigns/{campaign}/unit-quality", headers=office)
    assert r.status_code == 200, r.text
    assert {q["unit_org_id"]: (q["recommended"], q["with_problems"]) for q in r.json()} == expected
    assert {q["unit_name"] for q in r.json()} >= {f"规模单位{k}" for k in range(1, UNITS)}
    r = await client.get(f"/v1/campaigns/{campaign}/problem-rates", headers=office)
    assert r.status_code == 200, r.text
    assert {q["unit_org_id"]: (q["recommended"], q["with_problems"]) for q in r.json()} == expected
    r = await client.get(f"/v1/campaigns/{campaign}/statistics", headers=office)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 80_000  # every declaration but the drafts
    assert {b["label"] for b in r.json()["by_unit"]} >= {f"规模单位{k}" for k in range(1, UNITS)}


async def test_recorded_flags_of_30k_declarations_in_one_read(scale) -> None:
    """Below the API: the queue now checks a page, but papers_many itself takes any number
    (a literal (id, n) list failed at ~9 000)."""
    _, _, _, _, _, url = scale
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            found = (
                await session.exec(
                    select(Declaration).where(Declaration.status == "series_office_review")
                )
            ).all()
            assert len(found) == 30_000
            papers = await flags.papers_many(session, list(found))
    finally:
        await engine.dispose()
    flagged = {d.id: sum(p.flagged for p in papers[d.id]) for d in found}
    assert sum(flagged.values()) == sum(
        flags_of(int(d.applicant_sub.removeprefix("scale-"))) for d in found
    )


async def test_the_unread_count_reads_one_index_at_100k(scale) -> None:
    """The unit reviewer's inbox holds 1 000 notices at 100k, 500 unread: the badge counts
    them from ix_message_unread alone (api_0034), not a table row per message, and says
    what the messages say."""
    client, tree, _, _, dsn, _ = scale
    unit = auth(tree.tokens["unit_reviewer"])
    r = await client.get("/v1/me/messages/unread-count", headers=unit)
    assert r.status_code == 200, r.text
    assert r.json()["unread"] == 500
    r = await client.get("/v1/me/messages", params={"limit": 5}, headers=unit)
    assert r.status_code == 200, r.text
    assert r.json()["unread"] == 500
    principal = Principal(sub="规模-unit", role="unit_reviewer", org_id=tree.unit)
    query = messages.unread_query(principal, func.now())
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    conn = await asyncpg.connect(dsn)
    try:
        plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql))[0]["Plan"]
    finally:
        await conn.close()
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == "message"]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", "ix_message_unread")
    ], plan


def _reads_sections(sql: str) -> bool:
    """A statement that reads the declarations' sections whole (a subscript or `->` into
    them reads one field)."""
    return re.search(r"declaration\.sections\b(?!\s*(\[|->))", sql) is not None


async def test_the_deadline_reminder_sweep_at_100k(scale, stack: Stack) -> None:
    """The reminder sweep with 20 000 drafts and 20 000 declarations at their units. On the
    last safe submission day, 10:00 Beijing time: every draft reminded once, read in
    batches of reminders.BATCH and never with its sections. On the defence's latest day:
    each unit's reviewers told how many wait there, at each unit step now due. A second
    sweep of either day writes nothing, in a few statements. In one transaction, rolled
    back: the other tests' counts stay as loaded."""
    client, tree, _, _, dsn, url = scale
    body = {"username": f"scale-{uuid.uuid4().hex[:8]}", "password": "Liuzhou2022abc",
            "role": "unit_reviewer", "org_id": tree.unit}  # fmt: skip
    r = await post(client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    conn = await asyncpg.connect(dsn)
    try:
        campaign = await conn.fetchval("SELECT campaign_id FROM api.declaration LIMIT 1")
        drafts = await conn.fetchval(
            "SELECT count(*) FROM api.declaration WHERE campaign_id = $1 AND status = 'draft'",
            campaign,
        )
        at_units = {
            r["unit_org_id"]: r["n"]
            for r in await conn.fetch(
                "SELECT unit_org_id, count(*) AS n FROM api.declaration d WHERE campaign_id = $1 "
                "AND status IN ('submitted', 'unit_review') GROUP BY unit_org_id",
                campaign,
            )
        }
        reviewers = {
            r["org_id"]: r["n"]
            for r in await conn.fetch(
                "SELECT org_id, count(*) AS n FROM api.staff_account "
                "WHERE role = 'unit_reviewer' AND status = 'active' GROUP BY org_id"
            )
        }
    finally:
        await conn.close()
    assert drafts == 20_000 and sum(at_units.values()) == 20_000
    assert at_units[uuid.UUID(tree.unit)] == 2_000 and reviewers[uuid.UUID(tree.unit)] >= 1
    r = await client.get(
        f"/v1/orgs/{tree.unit}/calendar",
        params={"campaign_id": str(campaign)},
        headers=auth(tree.tokens["unit_reviewer"]),
    )
    assert r.status_code == 200, r.text
    [plan] = r.json()["plans"]
    steps = {s["key"]: date.fromisoformat(s["latest_on"]) for s in plan["steps"]}
    cipher = ApiSettings(**stack.settings_kwargs()).pii_cipher()
    engine = make_engine(url)
    statements: list[str] = []

    def log(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    async def twice(session, day: date):
        session.info[clock.FROZEN] = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
        statements.clear()
        first = await reminders.sweep(session, cipher=cipher)
        first_statements = list(statements)
        statements.clear()
        second = await reminders.sweep(session, cipher=cipher)
        assert first.ran and not first.quiet_hours
        assert second.applicants == [] and second.reviewers == []
        # Nothing per declaration: the aggregate, the drafts' one empty read, the units'.
        assert len(statements) < 100, statements
        return first, first_statements

    async def rows(session, sql: str, **params) -> list:
        return list((await session.exec(text(sql).bindparams(**params))).all())

    event.listen(engine.sync_engine, "before_cursor_execute", log)
    try:
        async with make_sessionmaker(engine)() as session:
            cal = planner.Calendar(await service.calendar_days(session, max(steps.values())))
            first, first_statements = await twice(session, steps["submission"])
            key = f"%:{reminders.applicant_key(steps['submission'])}"
            written = await rows(
                session,
                "SELECT count(*), count(DISTINCT n.declaration_id), count(m.id) "
                "FROM notify.notification n LEFT JOIN api.message m ON m.notification_id = n.id "
                "WHERE n.dedupe_key LIKE :k AND n.event = 'declaration.submission_reminder'",
                k=key,
            )
            defence, _ = await twice(session, steps["defence"])
            counts = await rows(
                session,
                "SELECT n.dedupe_key, n.params->>'count', count(m.id) FROM notify.notification n "
                "LEFT JOIN api.message m ON m.notification_id = n.id "
                "WHERE n.event = 'unit.step_reminder' GROUP BY n.id",
            )
            await session.rollback()
    finally:
        await engine.dispose()
    assert len(first.applicants) == drafts and tuple(written[0]) == (drafts, drafts, drafts)
    # The drafts read 500 at a time (then one empty read), none of their sections whole.
    batches = [s for s in first_statements if "LIMIT" in s and "FROM api.declaration" in s]
    assert len(batches) == drafts // reminders.BATCH + 1
    assert [s for s in batches if "sections[" in s]  # the applicant's name, and only that
    assert not [s for s in statements + first_statements if _reads_sections(s)]
    assert _reads_sections("SELECT api.declaration.id, api.declaration.sections FROM x")
    # Each unit's reviewers: the number waiting there, for each unit step due that day.
    due = [
        k
        for k in reminders.UNRECORDED_STEPS
        if reminders.due(cal, steps[k], reminders.UNIT_AHEAD, steps["defence"])
    ]
    assert "defence" in due and defence.applicants == []
    expected = {(u, k): n for u, n in at_units.items() if reviewers.get(u) for k in due}
    assert len(counts) == len(defence.reviewers) == sum(reviewers[u] for u, _ in expected)
    for dedupe_key, count, messages_of in counts:
        _, unit, _, step, *_ = dedupe_key.split(":")
        assert int(count) == expected[(uuid.UUID(unit), step)] and messages_of == 1


CALENDAR_WAITING = """
SELECT d.id, d.created_at, d.status, r.declaration_id IS NOT NULL AS recorded
FROM api.declaration d LEFT JOIN api.unit_review r ON r.declaration_id = d.id
WHERE d.campaign_id = $1 AND d.unit_org_id = $2
  AND d.status IN ('draft', 'submitted', 'unit_review')
ORDER BY d.created_at, d.id
"""


async def _review_recorded(dsn: str, ids: list[uuid.UUID], *, undo: bool = False) -> None:
    """A unit review on record for `ids` (load data: the calendar's recommendation step), or
    taken away again (the other tests count the unit's declarations as unrecorded)."""
    conn = await asyncpg.connect(dsn)
    try:
        if undo:
            await conn.execute("DELETE FROM api.unit_review WHERE declaration_id = ANY($1)", ids)
            return
        await conn.execute(
            "INSERT INTO api.unit_review (declaration_id, deliberation_on, panel, "
            "posting_start_on, posting_end_on, posting_working_days, recommendation, "
            "recommended_on, agree, updated_by) SELECT id, DATE '2022-06-01', '[]', "
            "DATE '2022-06-02', DATE '2022-06-09', 5, '{}', DATE '2022-06-10', true, 'scale' "
            "FROM unnest($1::uuid[]) AS id",
            ids,
        )
    finally:
        await conn.close()


async def test_the_unit_calendar_pages_its_waiting_declarations_at_100k(scale) -> None:
    """The unit's 4 000 declarations still before it (2 000 drafts, 2 000 at its step, 200
    of those with their review recorded): walked page by page through the API, each once,
    in the order they were made, at the step SQL says, with the counts SQL gives on every
    page. Below the API, the request's statements: the page is the first rows of
    ix_declaration_unit_waiting after the cursor (no sort, the scan stopped at the page's
    end), the counts one statement over the kept counts and the recorded ones' index; none
    reads the 4 000 or returns more than a page of rows."""
    client, tree, _, _, dsn, url = scale
    conn = await asyncpg.connect(dsn)
    try:
        campaign = await conn.fetchval("SELECT campaign_id FROM api.declaration LIMIT 1")
        at_unit = await conn.fetch(
            "SELECT id FROM api.declaration WHERE unit_org_id = $1 AND status = 'unit_review' "
            "ORDER BY id",
            uuid.UUID(tree.unit),
        )
    finally:
        await conn.close()
    recorded = [r["id"] for r in at_unit[::10]]
    await _review_recorded(dsn, recorded)
    try:
        conn = await asyncpg.connect(dsn)
        try:
            expected = await conn.fetch(CALENDAR_WAITING, campaign, uuid.UUID(tree.unit))
        finally:
            await conn.close()
        step = {"draft": "submission"}
        want = [
            (str(r["id"]), step.get(r["status"], "recommendation" if r["recorded"] else "defence"))
            for r in expected
        ]
        assert len(want) == 4_000 and len(recorded) == 200
        by_step = {"submission": 2_000, "defence": 1_800, "recommendation": 200}
        assert {k: sum(1 for _, s in want if s == k) for k in by_step} == by_step

        unit = auth(tree.tokens["unit_reviewer"])
        got, cursor, pages = [], None, 0
        while True:
            params = {"campaign_id": str(campaign), "limit": 100}
            r = await client.get(
                f"/v1/orgs/{tree.unit}/calendar",
                params={**params, **({"cursor": cursor} if cursor else {})},
                headers=unit,
            )
            assert r.status_code == 200, r.text
            page = r.json()
            pages += 1
            assert page["waiting_total"] == 4_000
            assert page["waiting_by_step"] == [{"key": k, "count": n} for k, n in by_step.items()]
            assert page["waiting_by_level"] == [{"key": "deputy_senior", "count": 4_000}]
            assert len(page["plans"]) == 1 and len(page["waiting"]) <= 100
            got += [(w["declaration_id"], w["waiting_at"]) for w in page["waiting"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 40 and got == want

        # The statements of one request (its second page), run below the API.
        engine = make_engine(url)
        statements: list[tuple[str, object]] = []

        def log(_conn, _cursor, statement, parameters, _context, _many) -> None:
            statements.append((statement, parameters))

        event.listen(engine.sync_engine, "before_cursor_execute", log)
        principal = Principal(sub="scale", role="unit_reviewer", org_id=tree.unit)
        second = encode_cursor(expected[99]["created_at"], expected[99]["id"])
        try:
            async with make_sessionmaker(engine)() as session:
                read = await service.for_unit(
                    session, principal, uuid.UUID(tree.unit), campaign_id=campaign,
                    cursor=second, limit=100,
                )  # fmt: skip
                ran = [(s, p) for s, p in statements if "api.declaration" in s]
                conn = await session.connection()
                plans = []
                for s, p in ran:
                    explained = await conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + s, p)
                    plans.append(explained.scalar_one()[0]["Plan"])  # JSON decoded by asyncpg
        finally:
            await engine.dispose()
        assert [(w.declaration_id, w.waiting_at) for w in read.waiting] == [
            (uuid.UUID(i), s) for i, s in want[100:200]
        ]
        # Two statements read the declarations: the page and the counts.
        [(page_sql, _), (counts_sql, _)] = ran
        assert "LIMIT" in page_sql and "api.declaration_count" in counts_sql
        assert not [s for s, _ in ran if _reads_sections(s) or "sections" in s]
        page_plan, counts_plan = plans
        for plan in plans:
            nodes = list(_nodes(plan))
            # Never the declarations read whole. (The kept counts are a small table of a
            # few rows per unit and status: whether the planner scans or probes it depends
            # on its statistics at that moment, in a full run on other tests' rows too.)
            seq = [n for n in nodes if n["Node Type"] == "Seq Scan"]
            assert not [n for n in seq if n.get("Relation Name") == "declaration"], plan
            assert not [n for n in nodes if n["Node Type"].startswith("Gather")], plan
            assert plan["Actual Rows"] <= 101, plan  # what the statement returns
        # The page: the first rows of its index from the cursor, unsorted, stopped at the
        # page's end (one more, to know there is a next page).
        [page_scan] = [n for n in _nodes(page_plan) if n.get("Relation Name") == "declaration"]
        assert (page_scan["Index Name"], page_scan["Actual Rows"]) == (
            "ix_declaration_unit_waiting",
            101,
        ), page_plan
        assert not [n for n in _nodes(page_plan) if "Sort" in n["Node Type"]], page_plan
        # The counts: the kept counts' few rows of the unit, and its 200 recorded from
        # their own index; not the 4 000 waiting.
        scans = {
            n["Relation Name"]: (n.get("Index Name"), n["Actual Rows"])
            for n in _nodes(counts_plan)
            if n.get("Relation Name")
        }
        assert scans["declaration"] == ("ix_declaration_unit_recorded", 200), counts_plan
        assert scans["declaration_count"][1] <= 10, counts_plan
    finally:
        await _review_recorded(dsn, recorded, undo=True)
