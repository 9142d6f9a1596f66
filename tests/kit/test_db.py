"""One commit per request, before the response: a failed commit is never a success."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, column, func, select, table, text
from sqlalchemy.exc import DBAPIError

from services.kit.app import create_app
from services.kit.clients import check_database
from services.kit.db import Prepared, SessionDep, engine_for, fetch_one, make_sessionmaker
from services.kit.settings import KitSettings
from tests.conftest import Stack
from tests.support import running


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
async def rows(stack: Stack):
    # Made by the owner; the app under test (the app role) may write to it.
    conn = await asyncpg.connect(_pg(stack.owner_database_url))
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS public.kit_commit_probe ("
        " code text, CONSTRAINT kit_commit_probe_code UNIQUE (code)"
        " DEFERRABLE INITIALLY DEFERRED)"
    )
    await conn.execute(f'GRANT SELECT, INSERT ON public.kit_commit_probe TO "{stack.app_role}"')
    await conn.execute("TRUNCATE public.kit_commit_probe")
    yield conn
    await conn.execute("DROP TABLE public.kit_commit_probe")
    await conn.close()


def _app(stack: Stack, **overrides) -> FastAPI:
    settings = KitSettings(**stack.settings_kwargs(), **overrides)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine_for(settings)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        yield
        await app.state.engine.dispose()

    app = create_app(
        service="test", title="t", description="t", settings=settings,
        checks={"database": check_database}, lifespan=lifespan,
    )  # fmt: skip

    @app.post("/probe/{code}")
    async def insert(code: str, session: SessionDep, twice: bool = False) -> dict:
        conn = await session.connection()
        for _ in range(2 if twice else 1):
            await conn.execute(
                text("INSERT INTO public.kit_commit_probe (code) VALUES (:c)"), {"c": code}
            )
        await session.flush()
        return {"stored": code}

    @app.post("/slow/{code}")
    async def slow(code: str, session: SessionDep) -> dict:
        conn = await session.connection()
        await conn.execute(
            text("INSERT INTO public.kit_commit_probe (code) VALUES (:c)"), {"c": code}
        )
        await conn.execute(text("SELECT pg_sleep(30)"))
        return {"stored": code}

    @app.post("/cross/{first}/{second}")
    async def cross(first: int, second: int, session: SessionDep) -> dict:
        """Take one lock, wait, then the other: two of these in opposite orders deadlock."""
        conn = await session.connection()
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": first})
        await conn.execute(
            text("INSERT INTO public.kit_commit_probe (code) VALUES (:c)"), {"c": f"x{first}"}
        )
        await conn.execute(text("SELECT pg_sleep(0.3)"))
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": second})
        return {"stored": first}

    return app


async def test_success_is_committed(stack: Stack, rows) -> None:
    async with running(_app(stack)) as client:
        response = await client.post("/probe/a")
        assert response.status_code == 200
    assert await rows.fetchval("SELECT count(*) FROM public.kit_commit_probe") == 1


async def test_failed_commit_is_reported_and_nothing_is_stored(
    stack: Stack, rows, capfd: pytest.CaptureFixture
) -> None:
    """A write a unique constraint refuses, where no route gives its own answer: 409
    already-stored, never a 500 nor a success; the log names the constraint, not the
    value."""
    async with running(_app(stack)) as client:
        # The duplicate passes the flush (deferred constraint) and fails at COMMIT.
        response = await client.post("/probe/b-510", params={"twice": "true"})
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:zhicheng:problem:already-stored"
        assert "没有保存任何内容" in response.json()["detail"]
    assert await rows.fetchval("SELECT count(*) FROM public.kit_commit_probe") == 0
    logged = capfd.readouterr().err
    assert "unique constraint refused a write: kit_commit_probe_code" in logged
    assert "b-510" not in logged.replace("/probe/b-510", "")


async def test_a_twin_request_loses_with_409_and_the_first_stays(stack: Stack, rows) -> None:
    """Two requests storing the same thing at once: one is stored, the other answers 409
    already-stored (nothing of it is kept), whichever order the server ran them in."""
    async with running(_app(stack)) as client:
        answers = await asyncio.gather(*(client.post("/probe/twin") for _ in range(2)))
        assert (await client.post("/probe/twin")).status_code == 409  # and after both
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    loser = next(r for r in answers if r.status_code == 409)
    assert loser.json()["type"] == "urn:zhicheng:problem:already-stored"
    assert await rows.fetch("SELECT code FROM public.kit_commit_probe") == [("twin",)]


async def test_a_statement_over_its_bound_is_cancelled_and_answers_503(stack: Stack, rows) -> None:
    """DB_STATEMENT_TIMEOUT: the server cancels the statement, the request's transaction
    rolls back, and the caller is told to retry (503 service-busy with Retry-After)."""
    async with running(_app(stack, db_statement_timeout=0.5)) as client:
        response = await client.post("/slow/c")
        assert response.status_code == 503, response.text
        assert response.json()["type"] == "urn:zhicheng:problem:service-busy"
        assert response.headers["retry-after"]
        assert (await client.post("/probe/d")).status_code == 200  # the pool is fine
    assert await rows.fetchval("SELECT count(*) FROM public.kit_commit_probe") == 1


async def test_a_deadlock_answers_503_and_stores_nothing_of_the_loser(stack: Stack, rows) -> None:
    """Two writes that wait on each other: the server aborts one (deadlock_detected); it
    answers 503 service-busy with Retry-After, never a 500, and none of its rows stay; the
    other completes."""
    a, b = (random.randrange(10**9, 2 * 10**9) for _ in range(2))
    async with running(_app(stack)) as client:
        answers = await asyncio.gather(
            client.post(f"/cross/{a}/{b}"), client.post(f"/cross/{b}/{a}")
        )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 503], [r.text for r in answers]
    loser = next(r for r in answers if r.status_code == 503)
    assert loser.json()["type"] == "urn:zhicheng:problem:service-busy"
    assert loser.headers["retry-after"]
    winner = next(r for r in answers if r.status_code == 200).json()["stored"]
    stored = [r["code"] for r in await rows.fetch("SELECT code FROM public.kit_commit_probe")]
    assert stored == [f"x{winner}"]


_probe = table("kit_commit_probe", column("code"), schema="public")


async def test_fetch_one_reads_each_callers_row_outside_a_transaction(stack: Stack, rows) -> None:
    """`fetch_one`: the row of its own bound values, though the statement's compiled form
    is reused (one shape, several values); None when there is none; a bad statement is
    SQLAlchemy's DBAPIError, as a session's would be, and the pool stays usable; a
    statement made ready once reads the value given per call; an IN list (one SQL per
    length) is refused. (No BEGIN on the wire: tests/api/test_read_path.py.)"""
    async with running(_app(stack)) as client:
        for code in ("e", "f"):
            assert (await client.post(f"/probe/{code}")).status_code == 200
    engine = engine_for(KitSettings(**stack.settings_kwargs()))
    try:

        def probe(code):
            return select(_probe.c.code).where(_probe.c.code == code)

        for code in ("e", "f", "e"):
            row = await fetch_one(engine, probe(code))
            assert row is not None
            assert row["code"] == code
        assert await fetch_one(engine, probe("nothing")) is None

        # Made ready once, its code given per read.
        by_code = Prepared(engine.dialect, probe(bindparam("code", required=False)))
        for code in ("f", "e"):
            assert (await fetch_one(engine, by_code, code=code))["code"] == code
        assert await fetch_one(engine, by_code, code="nothing") is None

        with pytest.raises(DBAPIError) as raised:
            await fetch_one(engine, select(func.sqrt(_probe.c.code)))
        assert not raised.value.connection_invalidated
        assert (await fetch_one(engine, probe("f")))["code"] == "f"  # the pool is fine

        with pytest.raises(ValueError, match="IN"):
            await fetch_one(engine, select(_probe.c.code).where(_probe.c.code.in_(["e", "f"])))
    finally:
        await engine.dispose()
