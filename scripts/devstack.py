"""The whole stack on one machine, no Docker: `python -m scripts.devstack`.

Starts PostgreSQL, Valkey and SeaweedFS from their PyPI wheels (unless DATABASE_URL,
REDIS_URL or S3_ENDPOINT point at existing ones), applies the migrations, then runs the
gateway, the eligibility and document services and the web front end (uvicorn) and the
notify worker (arq).
As in production, migrations run as the owner (`postgres` here) and the processes
connect as the app role `zhicheng_app`, which may only read and append audit rows.
Ctrl-C or SIGTERM stops every child it started. Data stays under `--data-dir`, and each
process's output goes to its log file there (the summary printed once all answer says
where). `--demo` then seeds a ready world through the API (scripts/demo.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scripts import demo
from scripts.servers import Postgres, SeaweedS3, Server, Valkey, port_open
from services.kit import settings as defaults

APPS = (
    ("rules", "services.rules.main:app", defaults.DEV_RULES_PORT),
    ("documents", "services.documents.main:app", defaults.DEV_DOCUMENTS_PORT),
    ("api", "services.api.main:app", defaults.DEV_API_PORT),
    ("web", "services.web.main:app", defaults.DEV_WEB_PORT),
)
READY_TIMEOUT = 120.0
APP_ROLE = "zhicheng_app"


def _log(msg: str) -> None:
    print(f"[devstack] {msg}", flush=True)


def _free_or_die(port: int, what: str, env_name: str) -> None:
    if port_open(port):
        raise SystemExit(
            f"port {port} for {what} is taken: stop what runs there, or set {env_name} "
            "to use an existing server"
        )


def start_infrastructure(data_dir: Path, env: dict[str, str], offset: int) -> list[Server]:
    """Start what the environment does not already provide; fill `env` with its URLs."""
    started: list[Server] = []
    if "DATABASE_URL" not in env:
        port = defaults.DEV_POSTGRES_PORT + offset
        _free_or_die(port, "PostgreSQL", "DATABASE_URL")
        pg = Postgres(data_dir / "postgres", port).start()
        started.append(pg)
        env["MIGRATION_DATABASE_URL"] = pg.url
        env["DATABASE_URL"] = pg.ensure_role(APP_ROLE)
        _log(f"PostgreSQL   {env['DATABASE_URL']} (migrations: {pg.url})")
    if "REDIS_URL" not in env:
        port = defaults.DEV_REDIS_PORT + offset
        _free_or_die(port, "Valkey", "REDIS_URL")
        vk = Valkey(data_dir / "valkey", port).start()
        started.append(vk)
        env["REDIS_URL"] = vk.url
        _log(f"Valkey       {vk.url}")
    if "S3_ENDPOINT" not in env:
        port = defaults.DEV_S3_PORT + offset
        _free_or_die(port, "SeaweedFS S3", "S3_ENDPOINT")
        access = env.setdefault("S3_ACCESS_KEY", defaults.DEV_S3_ACCESS_KEY)
        secret = env.setdefault("S3_SECRET_KEY", defaults.DEV_S3_SECRET_KEY)
        s3 = SeaweedS3(data_dir / "seaweedfs", port, access, secret).start()
        started.append(s3)
        env["S3_ENDPOINT"] = s3.url
        _log(f"SeaweedFS S3 {s3.url}")
    return started


class App(Server):
    """A uvicorn app or the arq worker, restarted if it dies on its own."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int) -> None:
        super().__init__(name, Path(env["ZHICHENG_DATA_DIR"]) / "logs" / name, port)
        self.argv = argv
        self.env = env

    def start(self) -> App:
        # Its output to its own file under the data dir (appended across restarts).
        self._spawn(self.argv, env=self.env)
        return self


# /metrics of rules, documents, api, notify: 9100, 9101, 9102, 9103 (+ the offset).
DEV_METRICS_PORT = 9100


def _uvicorn(target: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", target,
        "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--no-proxy-headers", "--timeout-graceful-shutdown", "20",
    ]  # fmt: skip


def app_processes(env: dict[str, str], offset: int) -> list[App]:
    ports = {name: port + offset for name, _target, port in APPS}
    ports["notify"] = defaults.DEV_NOTIFY_PORT + offset
    for name, port in ports.items():
        _free_or_die(port, name, "--port-offset")
    # The services find each other through these, whatever the offset.
    env["RULES_URL"] = f"http://127.0.0.1:{ports['rules']}"
    env["DOCUMENTS_URL"] = f"http://127.0.0.1:{ports['documents']}"
    env["GATEWAY_URL"] = f"http://127.0.0.1:{ports['api']}"
    env["NOTIFY_HEALTH_PORT"] = str(ports["notify"])
    # Each process serves /metrics on a port of its own (never the public one).
    metrics = {name: DEV_METRICS_PORT + i + offset for i, name in enumerate(ports)}
    for name, port in metrics.items():
        _free_or_die(port, f"{name} metrics", "--port-offset")

    def env_of(name: str) -> dict[str, str]:
        own = {"METRICS_PORT": str(metrics[name])}
        if name == "api":
            # The web front end runs here and forwards each person's address (web/README.md).
            own["TRUSTED_PROXIES"] = env.get("TRUSTED_PROXIES") or "127.0.0.1"
        return {**env, **own}

    apps = [
        App(name, _uvicorn(target, ports[name]), env_of(name), ports[name])
        for name, target, _ in APPS
    ]
    worker = [sys.executable, "-m", "arq", "services.notify.worker.WorkerSettings"]
    apps.append(App("notify", worker, env_of("notify"), ports["notify"]))
    return apps


def wait_healthy(apps: list[App], started: float) -> None:
    pending = list(apps)
    while pending and time.monotonic() - started < READY_TIMEOUT:
        pending = [a for a in pending if not _answers(a.port)]
        if pending:
            time.sleep(0.3)
    if pending:
        raise TimeoutError("no answer from " + ", ".join(a.name for a in pending))


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def summary(
    infra: list[Server], apps: list[App], data_dir: Path, offset: int, env: dict[str, str]
) -> list[str]:
    """What `run` prints once everything answers: where each thing is and logs."""
    lines = [f"data dir     {data_dir}"]
    if offset:
        lines.append(f"port offset  {offset}: every default port moved by {offset}")
    for server in infra:
        lines.append(f"{server.name:<12} port {server.port}  log {server.log_path}")
    started = {server.name for server in infra}
    for server, name, key in (("postgres", "PostgreSQL", "DATABASE_URL"),
                              ("valkey", "Valkey", "REDIS_URL"),
                              ("seaweedfs", "S3", "S3_ENDPOINT")):  # fmt: skip
        if server not in started and key in env:
            lines.append(f"{name:<12} given: {key} (not started here)")
    for app in apps:
        lines.append(
            f"{app.name:<12} http://127.0.0.1:{app.port}  (/healthz, /readyz)  log {app.log_path}"
        )
    api = next(a for a in apps if a.name == "api")
    notify = next(a for a in apps if a.name == "notify")
    lines.append(f"API docs     http://127.0.0.1:{api.port}/docs")
    web = next((a for a in apps if a.name == "web"), None)
    if web is not None:
        lines.append(f"web          http://127.0.0.1:{web.port}/ (staff: /staff/login)")
    if env.get("NOTIFY_DEV_INBOX", "").lower() == "true":
        lines.append(
            f"SMS inbox    http://127.0.0.1:{notify.port}/dev/sms-inbox?phone=<phone> "
            "(development: login codes readable)"
        )
    # The README's curl examples start from these variables: pasted into a shell, they
    # name the ports actually used (with --port-offset too) and this data dir.
    lines.append(
        f"shell        API=http://127.0.0.1:{api.port} NOTIFY=http://127.0.0.1:{notify.port} "
        f"DEMO={data_dir / 'demo.json'}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("ZHICHENG_DATA_DIR", ".data"))
    parser.add_argument(
        "--port-offset", type=int, default=0, help="added to every default port (a second stack)"
    )
    parser.add_argument(
        "--demo", action="store_true",
        help="seed a ready world through the API once up (scripts/demo.py) and print it",
    )  # fmt: skip
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    env["ZHICHENG_DATA_DIR"] = str(data_dir)
    # Login codes readable locally (services/notify/inbox.py); production refuses it.
    if env.get("ENVIRONMENT", "development") == "development":
        env.setdefault("NOTIFY_DEV_INBOX", "true")
    stopping = False

    def request_stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    infra: list[Server] = []
    apps: list[App] = []
    started = time.monotonic()
    try:
        infra = start_infrastructure(data_dir, env, args.port_offset)
        _log("applying migrations")
        subprocess.run([sys.executable, "-m", "scripts.migrate"], env=env, check=True)
        apps = [a.start() for a in app_processes(env, args.port_offset)]
        wait_healthy(apps, started)
        for line in summary(infra, apps, data_dir, args.port_offset, env):
            _log(line)
        if args.demo:
            ports = {a.name: a.port for a in apps}
            world = asyncio.run(
                demo.seed_once(
                    data_dir,
                    f"http://127.0.0.1:{ports['api']}",
                    f"http://127.0.0.1:{ports['notify']}",
                )
            )
            for line in demo.describe(world, f"http://127.0.0.1:{ports['api']}"):
                _log(line)
        _log(f"up in {time.monotonic() - started:.1f}s; Ctrl-C stops everything")
        while not stopping:
            time.sleep(0.5)
            for app in apps:
                if not stopping and not app.running():
                    _log(f"{app.name} exited with {app.proc.returncode}; restarting in 2 s")
                    time.sleep(2)
                    app.start()
    except (subprocess.CalledProcessError, RuntimeError, TimeoutError, OSError) as exc:
        _log(f"start-up failed: {exc}")
        return 1
    finally:
        _log("stopping")
        for server in [*reversed(apps), *reversed(infra)]:
            server.stop()
        _log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
