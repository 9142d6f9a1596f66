"""The real stack for the test run: PostgreSQL, Valkey and SeaweedFS from PyPI wheels.

Started once per run (once per test worker: the suite runs on two pytest-xdist workers)
on free ports, unless DATABASE_URL / REDIS_URL / S3_ENDPOINT point at existing servers.
Either way the run gets a database of its own, migrated once, and dropped at the end.
Nothing here is a mock: tests talk to the real servers.

Two database roles, as in production: an owner role (no superuser) owns the database and
runs the migrations; the app role, which every process and most tests connect as, owns
nothing and may only read and append to the audit tables. Both are made for the run and
dropped at the end (a role is cluster-wide). Tests that act as an operator or an attacker
(fault injection, dumps, tampering) use `owner_database_url`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import settings

from scripts.servers import Postgres, SeaweedS3, Server, Valkey, free_port, port_open
from services.kit.settings import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent

# No per-example time limit for property tests: on a shared machine an example's wall time
# says more about the neighbours than about the code (speed is for the benchmarks).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@dataclass
class Stack:
    database_url: str  # the app role: what the processes connect as
    owner_database_url: str  # the owner role: migrations, operators, attackers
    admin_database_url: str  # the server's superuser, on its `postgres` database
    app_role: str
    owner_role: str
    redis_url: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    s3_bucket: str
    workdir: Path

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a child process (worker, uvicorn) of this stack."""
        env = dict(os.environ)
        env.update(
            ENVIRONMENT="test",
            DATABASE_URL=self.database_url,
            MIGRATION_DATABASE_URL=self.owner_database_url,
            REDIS_URL=self.redis_url,
            S3_ENDPOINT=self.s3_endpoint,
            S3_ACCESS_KEY=self.s3_access_key,
            S3_SECRET_KEY=self.s3_secret_key,
            S3_BUCKET=self.s3_bucket,
        )
        if "DATABASE_URL" in extra and "MIGRATION_DATABASE_URL" not in extra:
            # A server of the test's own (single-user): migrations go there too, never
            # to the run's database.
            env["MIGRATION_DATABASE_URL"] = extra["DATABASE_URL"]
        env.update(extra)
        return env

    def settings_kwargs(self) -> dict[str, str]:
        return {
            "environment": "test",
            "database_url": self.database_url,
            "migration_database_url": self.owner_database_url,
            "redis_url": self.redis_url,
            "s3_endpoint": self.s3_endpoint,
            "s3_access_key": self.s3_access_key,
            "s3_secret_key": self.s3_secret_key,
            "s3_bucket": self.s3_bucket,
        }

    def with_database(self, name: str) -> Stack:
        """The same roles on another database of the same server (see `create_database`)."""
        return replace(
            self,
            database_url=_with_database(self.database_url, name),
            owner_database_url=_with_database(self.owner_database_url, name),
        )


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _with_redis_db(url: str, db: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def _with_user(url: str, user: str, password: str) -> str:
    scheme, _, rest = url.partition("://")
    _, _, host = rest.rpartition("@")
    return f"{scheme}://{user}:{password}@{host}"


def create_database(stack: Stack, name: str) -> Stack:
    """A new empty database owned by the run's owner role; drop it with `drop_database`."""
    _admin(stack.admin_database_url, f'CREATE DATABASE "{name}" OWNER "{stack.owner_role}"')
    return stack.with_database(name)


def drop_database(stack: Stack, name: str) -> None:
    _admin(stack.admin_database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def database_of_its_own(stack: Stack, prefix: str) -> AsyncIterator[Stack]:
    """A migrated database on the run's server for one test or module, dropped after it,
    connected as its owner (`database_url` too): for what needs the whole database to
    itself (a sweep that takes every row, a load of 100k declarations, a chain of audit
    checkpoints of its own)."""
    from services.kit.migrations import upgrade_all

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    db = await asyncio.to_thread(create_database, stack, name)
    try:
        await asyncio.to_thread(upgrade_all, db.owner_database_url)
        yield replace(db, database_url=db.owner_database_url)
    finally:
        await asyncio.to_thread(drop_database, stack, name)


@pytest.fixture
async def maker(stack: Stack):
    """A sessionmaker on the run's database, for tests below the HTTP API."""
    from services.kit.db import make_engine, make_sessionmaker

    engine = make_engine(stack.database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def scratch_db(stack: Stack) -> Iterator[str]:
    """An empty database of its own, as the owner role sees it (migrations run as the
    owner, as in production: no superuser); dropped after the test."""
    name = f"zhicheng_scratch_{uuid.uuid4().hex[:8]}"
    yield create_database(stack, name).owner_database_url
    drop_database(stack, name)


def _admin(url: str, sql: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="zhicheng-test-"))
    started: list[Server] = []
    roles: list[str] = []
    try:
        if url := os.environ.get("DATABASE_URL"):
            server_url = url
        else:
            pg = Postgres(workdir / "postgres", free_port(), database="postgres").start()
            started.append(pg)
            server_url = pg.url
        if redis_url := os.environ.get("REDIS_URL"):
            # Test workers (pytest-xdist) sharing one given server each take a database
            # number of their own, so one worker's keys and flushes never meet another's.
            if worker := os.environ.get("PYTEST_XDIST_WORKER"):
                redis_url = _with_redis_db(redis_url, 1 + int(worker.removeprefix("gw")))
        else:
            vk = Valkey(workdir / "valkey", free_port(), persist=False).start()
            started.append(vk)
            redis_url = vk.url
        if s3_endpoint := os.environ.get("S3_ENDPOINT"):
            access = os.environ["S3_ACCESS_KEY"]
            secret = os.environ["S3_SECRET_KEY"]
        else:
            access, secret = DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY
            s3 = SeaweedS3(workdir / "seaweedfs", free_port(), access, secret).start()
            started.append(s3)
            s3_endpoint = s3.url

        run_id = uuid.uuid4().hex[:10]
        db_name = f"zhicheng_test_{run_id}"
        admin_url = _with_database(server_url, "postgres")
        owner, app = f"zhicheng_owner_{run_id}", f"zhicheng_app_{run_id}"
        owner_password, app_password = secrets.token_hex(16), secrets.token_hex(16)
        _admin(admin_url, f"CREATE ROLE \"{owner}\" LOGIN PASSWORD '{owner_password}'")
        _admin(admin_url, f"CREATE ROLE \"{app}\" LOGIN PASSWORD '{app_password}'")
        roles.extend([app, owner])
        _admin(admin_url, f'CREATE DATABASE "{db_name}" OWNER "{owner}"')
        url = _with_database(server_url, db_name)
        st = Stack(
            database_url=_with_user(url, app, app_password),
            owner_database_url=_with_user(url, owner, owner_password),
            admin_database_url=admin_url,
            app_role=app,
            owner_role=owner,
            redis_url=redis_url,
            s3_endpoint=s3_endpoint,
            s3_access_key=access,
            s3_secret_key=secret,
            s3_bucket=f"zhicheng-test-{run_id}",
            workdir=workdir,
        )
        subprocess.run(
            [sys.executable, "-m", "scripts.migrate"], env=st.env(), check=True, cwd=ROOT
        )
        yield st
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        for role in roles:
            _admin(admin_url, f'DROP ROLE IF EXISTS "{role}"')
    finally:
        for server in reversed(started):
            server.stop(grace=3)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def uvicorn_service():
    """Start one of our apps under a real uvicorn on a free port; stopped at the end."""
    procs: list[subprocess.Popen] = []

    def start(target: str, env: dict[str, str]) -> str:
        import time

        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--no-proxy-headers"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(proc)
        deadline = time.monotonic() + 30
        while not port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start")
            time.sleep(0.1)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def documents_url(stack: Stack, uvicorn_service) -> str:
    """The document service under uvicorn, one for the run (no periodic sweep)."""
    return uvicorn_service("services.documents.main:app", stack.env(SWEEP_INTERVAL_SECONDS="0"))


# What the xdist workers' recorders met, gathered on the controller as each worker ends.
_WORKERS_FOUND: dict[str, set[str]] = {}


def pytest_sessionfinish(session) -> None:
    """On an xdist worker: hand what its recorder met to the controller."""
    if hasattr(session.config, "workeroutput"):
        from tests.contract import undocumented

        found = undocumented()
        session.config.workeroutput["contract"] = {k: sorted(v) for k, v in found.items()}


def pytest_testnodedown(node, error) -> None:
    """On the controller (xdist's hook): one worker's recorded faults."""
    for fault, paths in getattr(node, "workeroutput", {}).get("contract", {}).items():
        _WORKERS_FOUND.setdefault(fault, set()).update(paths)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The answers the run met that their OpenAPI documents do not state (tests/contract.py),
    in this process or in any xdist worker: printed; under ZHICHENG_CONTRACT=strict they
    fail the run."""
    from tests.contract import undocumented

    found = {k: set(v) for k, v in undocumented().items()}
    for fault, paths in _WORKERS_FOUND.items():
        found.setdefault(fault, set()).update(paths)
    if not found:
        return
    terminalreporter.section("answers not in the OpenAPI documents")
    for fault, paths in sorted(found.items()):
        terminalreporter.write_line(f"{fault}  (e.g. {sorted(paths)[0]})")
    if os.environ.get("ZHICHENG_CONTRACT") == "strict":
        terminalreporter._session.exitstatus = 1
