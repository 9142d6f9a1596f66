"""The read path's database work: a pool sized to the process's concurrency that opens no
connection beyond it, no ping per checkout, a read run once more when its connection was
dropped by the database, and no COMMIT on a GET."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from sqlalchemy import event, text

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import auth, make_campaign, make_tree, new_draft, token
from tests.conftest import Stack
from tests.support import running

# Statements one GET of a declaration may cost: BEGIN, the declaration's SELECT, ROLLBACK
# (the token is checked without the database; a token with a sign-in session is checked
# in Valkey). A change that adds a round trip to every read fails here, on purpose.
MOST_STATEMENTS = 3


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@asynccontextmanager
async def gateway(stack: Stack, urls: tuple[str, str], **overrides):
    rules_url, documents_url = urls
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        return_sweep_interval=0,
        **overrides,
    )
    app = build_app(settings)
    async with running(app) as client:
        yield app, client


async def _draft(client) -> tuple[str, str]:
    tree = await make_tree(client, label="读路径", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    return await new_draft(client, tree, campaign, applicant), applicant


class Statements:
    """What the app's engine sends to Postgres, counted by SQLAlchemy's events."""

    def __init__(self, engine) -> None:
        self.engine = engine.sync_engine
        self.counts: Counter[str] = Counter()
        self.checkouts = 0

    def _statement(self, conn, cursor, statement, *args) -> None:
        self.counts[statement.split(None, 1)[0].upper()] += 1

    def _begin(self, conn) -> None:
        self.counts["BEGIN"] += 1

    def _commit(self, conn) -> None:
        self.counts["COMMIT"] += 1

    def _rollback(self, conn) -> None:
        self.counts["ROLLBACK"] += 1

    def _checkout(self, *args) -> None:
        self.checkouts += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        event.listen(self.engine.pool, "checkout", self._checkout)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)
        event.remove(self.engine.pool, "checkout", self._checkout)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def test_the_pool_is_the_processes_concurrency_with_no_overflow(
    stack: Stack, urls: tuple[str, str]
) -> None:
    async with gateway(stack, urls, concurrency=7) as (app, _client):
        pool = app.state.engine.pool
        assert pool.size() == 7
        assert pool._max_overflow == 0
        assert app.state.engine.pool._pre_ping is False
    async with gateway(stack, urls, concurrency=7, db_pool_size=3) as (app, _client):
        assert app.state.engine.pool.size() == 3


async def test_a_declaration_read_commits_nothing(stack: Stack, urls: tuple[str, str]) -> None:
    async with gateway(stack, urls) as (app, client):
        did, applicant = await _draft(client)
        url = f"/v1/declarations/{did}"
        assert (await client.get(url, headers=auth(applicant))).status_code == 200  # warm
        with Statements(app.state.engine) as seen:
            r = await client.get(url, headers=auth(applicant))
        assert r.status_code == 200, r.text
        assert r.json()["id"] == did
        print(f"one GET of a declaration: {seen.total} statements {dict(seen.counts)}")
        assert seen.counts["COMMIT"] == 0
        assert seen.checkouts == 1
        assert seen.total <= MOST_STATEMENTS, dict(seen.counts)

        # A write still commits: the edit is there when read back.
        with Statements(app.state.engine) as seen:
            edit = {"specialty": "eng-mechanical"}
            headers = auth(applicant, **{"If-Match": r.headers["etag"]})
            assert (await client.patch(url, json=edit, headers=headers)).status_code == 200
        assert seen.counts["COMMIT"] == 1
        assert (await client.get(url, headers=auth(applicant))).json()["specialty"] == (
            "eng-mechanical"
        )


async def _terminate_pool(stack: Stack, app, size: int) -> None:
    """The database ends every connection of the app's pool (as an operator's
    pg_terminate_backend, a restart or a failover would), none of any other process."""
    engine = app.state.engine
    async with AsyncExitStack() as held:
        conns = [await held.enter_async_context(engine.connect()) for _ in range(size)]
        pids = [(await c.execute(text("SELECT pg_backend_pid()"))).scalar_one() for c in conns]
    admin = await asyncpg.connect(_pg(stack.admin_database_url))
    try:
        ended = await admin.fetchval(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM unnest($1::int[]) pid",
            pids,
        )
    finally:
        await admin.close()
    assert ended == size
    await asyncio.sleep(0.2)


async def test_a_read_on_a_dropped_connection_is_run_again(
    stack: Stack, urls: tuple[str, str]
) -> None:
    """The database drops every connection of the app (a restart, a failover): the next
    GET still answers 200, on a fresh connection; a write is not run twice by the server
    (a 503 the client retries) and its retry succeeds."""
    async with gateway(stack, urls, concurrency=2) as (app, client):
        did, applicant = await _draft(client)
        url = f"/v1/declarations/{did}"
        assert (await client.get(url, headers=auth(applicant))).status_code == 200
        await _terminate_pool(stack, app, 2)
        r = await client.get(url, headers=auth(applicant))
        assert r.status_code == 200, r.text
        assert r.json()["id"] == did

        assert (await client.get(url, headers=auth(applicant))).status_code == 200
        await _terminate_pool(stack, app, 2)
        edit = {"specialty": "eng-mechanical"}
        headers = auth(applicant, **{"If-Match": r.headers["etag"]})
        first = await client.patch(url, json=edit, headers=headers)
        if first.status_code == 503:
            assert first.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert first.json()["type"] == "urn:zhicheng:problem:database-unavailable"
            again = await client.patch(url, json=edit, headers=headers)
            assert again.status_code == 200, again.text
        else:  # the write met a fresh connection (the pool had dropped the dead ones)
            assert first.status_code == 200, first.text


async def test_an_exhausted_pool_answers_503_service_busy(
    stack: Stack, urls: tuple[str, str]
) -> None:
    async with gateway(stack, urls, concurrency=1, db_pool_timeout=0.5) as (app, client):
        did, applicant = await _draft(client)
        url = f"/v1/declarations/{did}"
        async with app.state.engine.connect():  # the pool's one connection, held
            r = await client.get(url, headers=auth(applicant))
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert r.json()["type"] == "urn:zhicheng:problem:service-busy"
        assert r.headers["retry-after"]
        assert (await client.get(url, headers=auth(applicant))).status_code == 200
