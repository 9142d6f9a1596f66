"""Load data for the scale checks (#21): declarations with their steps, returns, claims and
recorded paper flags written with COPY, not a user path.

The orgs, the campaign and the portal client are made through the API (`build`); the
declarations are then COPYed (`load`), as the issue prescribes for scale data: building
100 000 through the API would take hours. Used by tests/api/test_scale.py and
scripts/bench_scale.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from tests.api.auth_helpers import portal_token, register
from tests.api.factories import Tree, make_campaign, make_org, make_tree

UNITS = 10  # half in 柳州 (4502xx, the portal's jurisdiction), half in 桂林 (4503xx)
BASE = datetime(2022, 3, 1, tzinfo=UTC)

# Per declaration i (created_at BASE + i s, unit units[(i // 10) % UNITS]), by i % 10:
#   0-1 draft · 2-3 waiting at the unit · 4-6 waiting at the series office (unit step done)
#   7-9 waiting at the committee office (unit and series steps done).
# At 100 000: recommended (unit step done) 60 000, more than asyncpg's 32 767 parameters;
# waiting at the series office 30 000, more than the ~9 000 pairs a literal list allowed.


def status_of(i: int) -> str:
    return STATUS[i % 10]


STATUS = ["draft"] * 2 + ["unit_review"] * 2 + ["series_office_review"] * 3
STATUS += ["committee_office_review"] * 3


def flags_of(i: int) -> int:
    """Papers recorded as risk at the latest submission."""
    return 2 if i % 1000 in (3, 4) else 1 if i % 13 == 0 else 0


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


CHUNK = 20_000  # declarations built and COPYed at a time: memory stays flat up to 1M


async def load(url: str, world: World, n: int, *, spread: int = UNITS) -> None:
    """COPY `n` declarations and their rows (load data, see the module's docstring), over
    the first `spread` units (all of them unless told; 1 puts every one in `tree.unit`),
    CHUNK at a time (the rows are the same whatever the chunk)."""
    rng = random.Random(21)
    conn = await asyncpg.connect(dsn(url))
    try:
        for start in range(0, n, CHUNK):
            rows = _rows(world, rng, range(start, min(n, start + CHUNK)), spread)
            # One transaction a chunk: the counts its declarations add (api_0033) are
            # recounted once, when it commits, with all their rows in.
            async with conn.transaction():
                for table, records in zip(COLUMNS, rows, strict=True):
                    await conn.copy_records_to_table(
                        table, schema_name="api", records=records, columns=COLUMNS[table]
                    )
        # As a table at rest is kept by autovacuum: the visibility map set, so an
        # index-only scan (the unread count, api_0034) reads no heap row.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


COLUMNS = {
    "declaration": ["id", "campaign_id", "applicant_sub", "unit_org_id", "year", "series",
                    "level", "path", "committee_code", "sections", "attachments",
                    "applicant_facts", "status", "version", "current_position",
                    "submission_count", "created_at", "updated_at"],
    "review_step": ["id", "declaration_id", "position", "org_id", "org_name", "kind",
                    "reached_at", "completed_at", "completed_by"],
    "declaration_return": ["id", "declaration_id", "n", "position", "org_id", "items",
                           "deadline_at", "issued_by", "issued_role", "issued_at",
                           "resolved_at"],
    "paper_flag": ["declaration_id", "n", "paper_index", "title", "journal", "level",
                   "message", "recorded_at"],
    "declaration_claim": ["declaration_id", "kind", "fingerprint", "year", "applicant_sub",
                          "label"],
    "message": ["id", "recipient_sub", "kind", "title", "body", "event", "declaration_id",
                "notification_id", "visible_from", "read_at"],
}  # fmt: skip


def _rows(world: World, rng: random.Random, numbers: range, spread: int) -> tuple[list, ...]:
    """The rows of declarations `numbers`, one list per table of COLUMNS (in its order)."""
    campaign, units, series, committee = (
        world.campaign,
        world.units,
        world.tree.series,
        world.tree.committee,
    )
    declarations, steps, returns, claims, paper_flags, messages = [], [], [], [], [], []
    cid = uuid.UUID(campaign["id"])
    for i in numbers:
        did = uuid.UUID(int=rng.getrandbits(128), version=4)
        status = status_of(i)
        unit = uuid.UUID(units[(i // 10) % spread])
        created = BASE + timedelta(seconds=i)
        submitted = status != "draft"
        position = {"unit_review": 0, "series_office_review": 1}.get(status, 2)
        papers = [
            {"title": f"论文{i}-{k}", "journal": "测试学报", "authorship": "first"}
            for k in range(2)
        ]
        sections = {"basic_info": {"name": f"申报人{i}"}, "papers": papers}
        declarations.append(
            (
                did, cid, f"scale-{i}", unit, 2022, "engineering", "deputy_senior", "path_a",
                campaign["committee_code"], json.dumps(sections, ensure_ascii=False), "[]", "{}",
                status, 1, position if submitted else None, 1 if submitted else 0,
                created, created,
            )
        )  # fmt: skip
        if not submitted:
            continue
        chain = [
            (unit, "unit"),
            (uuid.UUID(series), "series_office"),
            (uuid.UUID(committee), "committee_office"),
        ]
        for p in range(position + 1):
            org, kind = chain[p]
            reached = created + timedelta(days=p, seconds=rng.randrange(3600))
            done = reached + timedelta(hours=1) if p < position else None
            steps.append(
                (
                    uuid.uuid4(),
                    did,
                    p,
                    org,
                    f"{kind}-org",
                    kind,
                    reached,
                    done,
                    "scale" if done else None,
                )
            )
        if position > 0 and i % 7 == 0:  # returned by the series office once, resolved since
            at = created + timedelta(days=1)
            returns.append(
                (uuid.uuid4(), did, 1, 1, uuid.UUID(series), "[]", at + timedelta(days=5),
                 "scale-series", "series_office", at, at + timedelta(hours=2))
            )  # fmt: skip
        for k in range(flags_of(i)):
            paper_flags.append(
                (did, 1, k, papers[k]["title"], "测试学报", "risk", "测试：提交时列入预警", created)
            )
        if i % 17 == 0:  # pairs of applicants claiming the same paper
            fp = f"shared-{i // 34}"
            claims.append((did, "paper", fp, 2022, f"scale-{i}", "共同论文"))
        # The applicant's notice of the submission; for one in a hundred, a notice to the
        # reviewer of `tree.unit` too (half of them read): a busy staff inbox.
        messages.append(
            (uuid.uuid4(), f"scale-{i}", "notice", "申报已提交", "您的申报书已提交。",
             "declaration.submitted", did, uuid.uuid4(), created, None)
        )  # fmt: skip
        if i % 100 == 2:
            read = created + timedelta(hours=2) if i % 200 == 2 else None
            messages.append(
                (uuid.uuid4(), f"{world.label}-unit", "notice", "有申报书待审核",
                 f"申报人{i}的申报书已提交，待您审核。", "declaration.submitted", did,
                 uuid.uuid4(), created, read)
            )  # fmt: skip
    return declarations, steps, returns, paper_flags, claims, messages


@dataclass
class World:
    label: str  # the tree's label: its staff are `{label}-unit`, `{label}-series`, …
    tree: Tree
    units: list[str]
    campaign: dict
    portal: str  # a portal token for 450200 (柳州), scope declarations:read
    portal_client: dict = field(default_factory=dict)  # its credentials, for a new token


async def build(client) -> World:
    """Through the API: the org tree (every unit under the series office), the campaign and
    a portal client."""
    label = "规模"
    tree = await make_tree(client, label=label, supervisor=False, county=False)
    units = [tree.unit]
    for k in range(1, UNITS):
        region = "450206" if k < UNITS // 2 else "450305"
        units.append(await make_org(client, "unit", f"规模单位{k}", tree.series, region=region))
    campaign = await make_campaign(client)
    creds = await register(client, scopes=["declarations:read"], jurisdiction=["450200"])
    portal = await portal_token(client, creds, scope="declarations:read")
    return World(label, tree, units, campaign, portal, creds)


@dataclass
class HealthPoll:
    """GET /healthz every `every` seconds beside other work, keeping each answer's latency
    (ms): how long the event loop made a concurrent request wait."""

    client: object
    every: float = 0.010
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    async def run(self) -> None:
        due = time.perf_counter()
        while True:
            r = await self.client.get("/healthz")
            answered = time.perf_counter()
            if r.status_code == 200:
                # Counted from when the request was due, not sent: a loop held up while
                # this task slept (a long callback, a collection) is waiting too.
                self.latencies.append((answered - due) * 1000)
            else:
                self.failures += 1
            due = answered + self.every
            await asyncio.sleep(self.every)

    async def during(self, work):
        """Await `work` (a coroutine) with the poll running beside it; its result."""
        task = asyncio.create_task(self.run())
        try:
            await asyncio.sleep(0)  # the first poll starts before the work
            return await work
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
