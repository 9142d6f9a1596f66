"""The read path's database work: a pool sized to the process's concurrency that opens no
connection beyond it, no ping per checkout, a read run once more when its connection was
dropped by the database, and a GET of a declaration that is one statement outside any
transaction (no BEGIN, COMMIT or ROLLBACK on the wire)."""

from __future__ import annotations

import asyncio
import struct
from collections import Counter
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import auth, make_campaign, make_tree, new_draft, token
from tests.conftest import Stack
from tests.support import running


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@asynccontextmanager
async def gateway(stack: Stack, urls: tuple[str, str], **overrides):
    rules_url, documents_url = urls
    settings = ApiSettings(
        **{
            **stack.settings_kwargs(),
            "rules_url": rules_url,
            "documents_url": documents_url,
            "return_sweep_interval": 0,
            **overrides,
        }
    )
    app = build_app(settings)
    async with running(app) as client:
        yield app, client


async def _draft(client) -> tuple[str, str]:
    tree = await make_tree(client, label="读路径", supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant")
    return await new_draft(client, tree, campaign, applicant), applicant


class Wire:
    """A TCP relay between the app and PostgreSQL that reads the frontend messages the app
    sends (the protocol's, not SQLAlchemy's view of them): `Q` a simple query (asyncpg
    sends BEGIN, COMMIT and ROLLBACK so), `P` a statement prepared, `B` a statement bound
    to run (each run of a prepared statement), with the SQL of Q and P."""

    SSL_REQUEST, GSS_REQUEST = 80877103, 80877104

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.sent: list[tuple[str, str]] = []
        self.server: asyncio.Server | None = None

    def database_url(self) -> str:
        port = self.server.sockets[0].getsockname()[1]
        return self.url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    async def __aenter__(self) -> Wire:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.url.host, self.url.port)
        buffer = bytearray()
        started = False

        def read(data: bytes) -> None:
            nonlocal started
            buffer.extend(data)
            while True:
                if not started:  # SSLRequest / GSSENCRequest, then the StartupMessage
                    if len(buffer) < 8:
                        return
                    length, code = struct.unpack("!ii", buffer[:8])
                    if len(buffer) < length:
                        return
                    started = code not in (self.SSL_REQUEST, self.GSS_REQUEST)
                    del buffer[:length]
                    continue
                if len(buffer) < 5:
                    return
                kind = chr(buffer[0])
                (length,) = struct.unpack("!i", buffer[1:5])
                if len(buffer) < 1 + length:
                    return
                body = bytes(buffer[5 : 1 + length])
                del buffer[: 1 + length]
                if kind == "Q":
                    self.sent.append((kind, body.rstrip(b"\0").decode()))
                elif kind == "P":  # statement name, then the SQL
                    self.sent.append((kind, body.split(b"\0")[1].decode()))
                elif kind == "B":
                    self.sent.append((kind, ""))

        async def pipe(source, sink, seen) -> None:
            try:
                while data := await source.read(65536):
                    if seen is not None:
                        seen(data)
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        await asyncio.gather(
            pipe(reader, up_writer, read), pipe(up_reader, writer, None), return_exceptions=True
        )

    def kinds(self) -> Counter[str]:
        return Counter(kind for kind, _ in self.sent)

    def queries(self) -> list[str]:
        return [sql.split(None, 1)[0].rstrip(";").upper() for kind, sql in self.sent if kind == "Q"]


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


async def test_a_declaration_read_is_one_statement_outside_any_transaction(
    stack: Stack, urls: tuple[str, str]
) -> None:
    """What the gateway sends PostgreSQL for one GET of a declaration, read on the wire: one
    statement run (its prepared form reused), no BEGIN, COMMIT or ROLLBACK. A write on the
    same wire still runs in a transaction and commits."""
    async with Wire(stack.database_url) as wire:
        # No idle ping (BEGIN; ping; ROLLBACK) between the warm-up and the read measured.
        overrides = {"database_url": wire.database_url(), "db_ping_after_idle": 60}
        async with gateway(stack, urls, **overrides) as (_app, client):
            did, applicant = await _draft(client)
            url = f"/v1/declarations/{did}"
            for _ in range(2):  # warm: the statement is prepared on this connection
                assert (await client.get(url, headers=auth(applicant))).status_code == 200
            wire.sent.clear()
            r = await client.get(url, headers=auth(applicant))
            assert r.status_code == 200, r.text
            assert r.json()["id"] == did
            print(f"one GET of a declaration on the wire: {wire.sent}")
            assert wire.queries() == [], wire.sent  # no BEGIN, COMMIT, ROLLBACK
            assert wire.kinds() == {"B": 1}, wire.sent  # one statement, already prepared

            # A write still commits: the edit is there when read back.
            wire.sent.clear()
            edit = {"specialty": "eng-mechanical"}
            headers = auth(applicant, **{"If-Match": r.headers["etag"]})
            assert (await client.patch(url, json=edit, headers=headers)).status_code == 200
            queries = wire.queries()
            assert queries[0] == "BEGIN", wire.sent
            assert queries.count("COMMIT") == 1, wire.sent
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
