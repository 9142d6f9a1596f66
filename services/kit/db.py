"""Async SQLAlchemy engine and session for SQLModel over asyncpg.

One engine per process, its pool sized to the process's concurrency (CONCURRENCY, or
DB_POOL_SIZE) with no overflow: the connections are opened once and kept, not opened and
closed for one request. A connection is not pinged on checkout (a round trip per request)
unless it sat idle longer than DB_PING_AFTER_IDLE seconds (after a quiet spell, when a
restart may have dropped it; a busy pool never pays for it); a read that still meets a
connection the database has dropped (a restart, a failover, an idle connection killed)
is run once more on a fresh one (services/kit/edge.py), and a write
answers 503 database-unavailable, safe to retry with the same Idempotency-Key.

A request gets one session; a write commits once, after the endpoint returned and before
the response is sent (services only `flush()`). A read (GET, HEAD) never commits: its
transaction is rolled back when the session closes, unless it wrote something after all
(flushed ORM changes, or an INSERT/UPDATE/DELETE executed), which is then committed like
any write's.

A hot read of one row that needs no transaction (one SELECT sees one snapshot anyway)
can skip the session: `fetch_one` runs the statement on a pooled connection's driver, in
autocommit, with no BEGIN, COMMIT or ROLLBACK and no ORM or Result layer; its errors are
SQLAlchemy's, so a dead connection is run once more like any read's.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic_core import from_json
from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlmodel.ext.asyncio.session import AsyncSession

READ_METHODS = frozenset({"GET", "HEAD"})
# `session.info` key: the session wrote something (a flush, or a DML statement).
WROTE = "zhicheng.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    statement = state.statement
    if isinstance(statement, TextClause) and statement.text.lstrip()[:6].upper() == "SELECT":
        return
    state.session.info[WROTE] = True


def connect_args(*, connect_timeout: float, statement_timeout: float) -> dict:
    """asyncpg options that bound every wait on the database.

    `statement_timeout` is set on the server (a runaway statement is cancelled there, its
    locks released); the client gives up one second later (`command_timeout`), which is
    what bounds a wait on a server that no longer answers at all (frozen, or a network
    that drops packets): a hung statement then fails, and the pool opens a new connection
    within `connect_timeout` or reports the database unreachable.
    """
    return {
        "timeout": connect_timeout,
        "command_timeout": statement_timeout + 1,
        "server_settings": {"statement_timeout": str(int(statement_timeout * 1000))},
    }


def _ping_when_idle(engine: AsyncEngine, after: float) -> None:
    """Ping a pooled connection on checkout only when it has sat idle longer than `after`
    seconds.

    A connection given back moments ago was working moments ago: pinging it on every
    checkout (`pool_pre_ping`) cost a database round trip per checkout, several per
    request under load. One that sat idle (across a database restart, say) is pinged; if
    the ping fails the pool drops it and checks out another, so the request does not see
    the stale connection. A connection that breaks while in use is still an error of that
    request (503), and a disconnect invalidates the rest of the pool, as before.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _checkin(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= after:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("idle connection failed its ping") from error
        if alive is False:
            raise exc.DisconnectionError("idle connection failed its ping")


def make_engine(
    url: str,
    *,
    pool_size: int = 16,
    max_overflow: int = 0,
    pool_timeout: float = 3.0,
    connect_timeout: float = 3.0,
    statement_timeout: float = 5.0,
    pre_ping: bool = False,
    ping_after_idle: float = 1.0,
) -> AsyncEngine:
    """`pre_ping`: ping every connection on checkout (a round trip each time), as does
    `ping_after_idle` 0; otherwise only a connection idle longer than `ping_after_idle`
    seconds is pinged (a busy pool never is), and a read that still meets a dropped one is
    run once more (module docstring)."""
    every_checkout = pre_ping or ping_after_idle <= 0
    engine = create_async_engine(
        url,
        # json and jsonb columns decoded by pydantic-core's parser (Rust): the same values
        # as `json.loads` gives for what PostgreSQL stores, in half its time, on every
        # row read (a declaration's read decodes four such columns).
        json_deserializer=from_json,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # A request that cannot get a connection this long answers 503 service-busy.
        pool_timeout=pool_timeout,
        pool_pre_ping=every_checkout,
        pool_recycle=1800,
        connect_args=connect_args(
            connect_timeout=connect_timeout, statement_timeout=statement_timeout
        ),
    )
    if not every_checkout:
        _ping_when_idle(engine, ping_after_idle)
    return engine


def engine_for(settings, **overrides) -> AsyncEngine:
    """The engine of a process, sized and bounded by its settings (PostgresSettings' DB_*)."""
    options = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "connect_timeout": settings.db_connect_timeout,
        "statement_timeout": settings.db_statement_timeout,
        "ping_after_idle": settings.db_ping_after_idle,
    }
    return make_engine(settings.database_url, **{**options, **overrides})


def make_sessionmaker(
    engine: AsyncEngine, *, info: dict | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions of one process; `info` is copied into each session's `info` (what the
    process's settings tell code below the request, e.g. the gateway's clock offset)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, info=info)


async def session_scope(
    maker: async_sessionmaker[AsyncSession], *, read_only: bool = False
) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency body: commit on success, roll back on any error.

    `read_only` (a GET): no COMMIT unless the session wrote; closing the session rolls
    the read's transaction back and returns the connection to the pool."""
    async with maker() as session:
        try:
            yield session
            if not read_only or session.info.get(WROTE):
                await session.commit()
        except BaseException:
            await session.rollback()
            raise


# Compiled SELECTs of `fetch_one`, by (dialect, the statement's cache key): the key leaves
# out the bound values, so one compiled form serves every request of the same shape.
_COMPILED: dict[tuple[str, Any], Any] = {}
_MOST_COMPILED = 512


class Prepared:
    """A SELECT made ready for `fetch_one`: its SQL, and its positional parameters with
    the values it was built with; a `bindparam(name)` left without one is given per call
    (`fetch_one(engine, prepared, name=value)`). Keep one to read again without building
    the statement or its cache key again."""

    __slots__ = ("_slots", "sql")

    def __init__(self, dialect, statement: ClauseElement) -> None:
        key = statement._generate_cache_key()  # SQLAlchemy's cache key: shape + values
        if key is None:
            raise ValueError("fetch_one takes a cacheable statement")
        slot = (dialect.name, key.key)
        compiled = _COMPILED.get(slot)
        if compiled is None:
            compiled = statement.compile(dialect=dialect, cache_key=key)
            if compiled.literal_execute_params or compiled.post_compile_params:
                # An IN list is rendered per call: its SQL is not one shape.
                raise ValueError("fetch_one takes no expanding IN parameters")
            if len(_COMPILED) < _MOST_COMPILED:
                _COMPILED[slot] = compiled
        values = compiled.construct_params(extracted_parameters=key.bindparams)
        processors = compiled._bind_processors
        self.sql: str = compiled.string
        self._slots = [(name, values[name], processors.get(name)) for name in compiled.positiontup]

    def parameters(self, given: Mapping[str, Any]) -> list[Any]:
        params = []
        for name, value, process in self._slots:
            if name in given:
                value = given[name]
            params.append(process(value) if process is not None else value)
        return params


def _database_error(engine: AsyncEngine, fairy, sql: str, error: Exception) -> Exception:
    """A driver error as SQLAlchemy raises it from a session: a DBAPIError (the pool
    invalidated, as SQLAlchemy does, when the connection is gone), or the error itself."""
    dialect = engine.dialect
    try:
        fairy.dbapi_connection._handle_exception(error)  # the DB-API translation: raises
    except dialect.loaded_dbapi.Error as translated:
        orig = translated
    except Exception:  # not the driver's (e.g. its TimeoutError): raised as it is
        return error
    gone = dialect.is_disconnect(orig, fairy.dbapi_connection, None)
    if gone:
        # This connection and every one as old: the next checkout opens a fresh one.
        engine.sync_engine.pool._invalidate(fairy, orig)
    return exc.DBAPIError.instance(
        sql,
        None,
        orig,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=gone,
        dialect=dialect,
    )


async def fetch_one(
    engine: AsyncEngine, statement: ClauseElement | Prepared, /, **given: Any
) -> Mapping[str, Any] | None:
    """The first row of a Core SELECT, or None, read outside any transaction: a pooled
    connection (the idle ping applies), the statement run by the driver in autocommit,
    no BEGIN, COMMIT or ROLLBACK. One round trip, where a session's read costs three.

    Values are the driver's (asyncpg: UUIDs, aware datetimes, JSON already decoded by
    the dialect's codecs), not passed through column types' result processors: for
    plain columns, not TypeDecorators. Errors are SQLAlchemy's (DBAPIError), so a dead
    connection's read is run once more (services/kit/edge.py) and the rest answer as
    any session's would. `given`: the values of the statement's `bindparam`s built
    without one."""
    if not isinstance(statement, Prepared):
        statement = Prepared(engine.dialect, statement)
    sql, params = statement.sql, statement.parameters(given)
    fairy = await engine.raw_connection()
    try:
        return await fairy.driver_connection.fetchrow(sql, *params)
    except Exception as error:
        translated = _database_error(engine, fairy, sql, error)
        if translated is error:
            raise
        raise translated from error
    finally:
        fairy.close()


async def xact_lock(session: AsyncSession, key: str) -> None:
    """Wait for, then hold until this transaction ends, the advisory lock named `key`.

    For a "check that none exists, then insert" with no row to lock yet: two transactions
    naming the same key run that check one after the other, and the second, reading after
    the first committed (a new snapshot per statement), finds the row the first inserted
    instead of failing on its unique key. Name keys by table and what is unique in it."""
    await session.exec(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))").bindparams(k=key)
    )


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    read_only = request.method in READ_METHODS
    async for session in session_scope(request.app.state.sessionmaker, read_only=read_only):
        # Where code after the response finds it (request_session), if the route made one.
        request.state.session = session
        yield session


def request_session(request: Request) -> AsyncSession | None:
    """The request's session, if its route took one (`SessionDep`); None otherwise."""
    return getattr(request.state, "session", None)


# scope="function": the commit runs when the endpoint returns, before the response is
# sent, so a failed commit is never reported to the caller as success.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
