"""The deployment files agree with the code (no Docker engine here, so this stands in
for building): entry points exist, env names are real settings, ports and probe paths
match, and the worker that runs the queue's jobs is deployed everywhere."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI

from services.api.config import ApiSettings
from services.documents.config import DocumentsSettings
from services.kit import queue
from services.kit.queue import NOTIFY_QUEUE
from services.notify import tasks as notify_tasks
from services.notify.config import NotifySettings
from services.rules.config import RulesSettings
from services.web.config import WebSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS_ENV = {
    name.upper()
    for cls in (ApiSettings, DocumentsSettings, NotifySettings, RulesSettings, WebSettings)
    for name in cls.model_fields
}
# Variables of the third-party images (Postgres, MinIO), not of our processes.
FOREIGN_PREFIXES = ("POSTGRES_", "MINIO_")


def _k8s_docs(*, with_templates: bool = False) -> list[dict]:
    """What `kubectl apply -f deploy/k8s/` applies; with the Secret template ops fill."""
    paths = sorted((DEPLOY / "k8s").glob("*.yaml"))
    if with_templates:
        paths += sorted((DEPLOY / "templates").glob("k8s-*.yaml"))
    docs = []
    for path in paths:
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _containers() -> list[tuple[str, list[str], dict]]:
    """(where, command, spec) for every container of ours, in compose and Kubernetes."""
    out = []
    for name, svc in _compose()["services"].items():
        if svc.get("image", "").startswith("zhicheng") and "command" in svc:
            out.append((f"compose:{name}", svc["command"], svc))
    for doc in _k8s_docs():
        if doc["kind"] in ("Deployment", "Job"):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                out.append((f"k8s:{doc['metadata']['name']}", c["command"], c))
    return out


def _target(command: list[str], runner: str) -> str | None:
    return command[command.index(runner) + 1] if runner in command else None


def _load(target: str):
    module, _, attr = target.partition(":") if ":" in target else target.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _job_names() -> set[str]:
    """Every job and cron name the code defines: the kit's names and the worker's tasks."""
    names = {
        v
        for k, v in vars(queue).items()
        if k.isupper() and isinstance(v, str) and v != NOTIFY_QUEUE
    }
    names |= {
        name
        for name, fn in vars(notify_tasks).items()
        if inspect.iscoroutinefunction(fn) and fn.__module__ == notify_tasks.__name__
    }
    return names


def _registered(worker) -> set[str]:
    return {f.name for f in worker.functions} | {c.name for c in worker.cron_jobs}


def test_the_scan_finds_the_jobs() -> None:
    assert {"ping", "send_notification", "sweep", "noop"} <= _job_names()


def _route_paths(app: FastAPI) -> set[str]:
    return set(app.openapi()["paths"])


@pytest.mark.parametrize("where,command,spec", _containers(), ids=lambda v: str(v)[:40])
def test_every_command_runs_real_code(where: str, command: list[str], spec: dict) -> None:
    if uv := _target(command, "uvicorn"):
        app = _load(uv)
        assert isinstance(app, FastAPI), where
        # uvicorn's own proxy handling would trust X-Forwarded-For from 127.0.0.1 before
        # the app's TRUSTED_PROXIES check sees the peer (services/kit/proxies.py).
        assert "--no-proxy-headers" in command, where
        port = int(command[command.index("--port") + 1])
        paths = _route_paths(app)
        assert {"/healthz", "/readyz"} <= paths, where
        # Metrics are served on METRICS_PORT, never on the public port.
        assert "/metrics" not in paths, where
        if "ports" in spec and isinstance(spec["ports"][0], dict):
            assert spec["ports"][0]["containerPort"] == port, where
        for probe in ("readinessProbe", "livenessProbe"):
            if probe in spec:
                assert spec[probe]["httpGet"]["path"] in paths, (where, probe)
        if hc := spec.get("healthcheck"):
            url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", " ".join(hc["test"]))
            assert url and int(url.group(1)) == port and url.group(2) in paths, where
    elif arq := _target(command, "arq"):
        worker = _load(arq)
        assert worker.queue_name == NOTIFY_QUEUE
        assert _job_names() <= _registered(worker), where
    else:
        assert command[:2] == ["python", "-m"], where
        assert importlib.util.find_spec(command[2]) is not None, where


def test_every_env_name_is_a_setting() -> None:
    names: dict[str, str] = {}
    for name, svc in _compose()["services"].items():
        for key in svc.get("environment") or {}:
            names[key] = f"compose:{name}"
    for doc in _k8s_docs(with_templates=True):
        if doc["kind"] in ("ConfigMap", "Secret"):
            for key in doc.get("data") or doc.get("stringData") or {}:
                names[key] = f"k8s:{doc['metadata']['name']}"
        if doc["kind"] in ("Deployment", "Job"):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                for env in c.get("env", []):
                    names[env["name"]] = f"k8s:{doc['metadata']['name']}"
    unknown = {
        k: where
        for k, where in names.items()
        if k not in SETTINGS_ENV and not k.startswith(FOREIGN_PREFIXES)
    }
    assert not unknown, f"env names no setting reads: {unknown}"


def test_the_worker_and_the_migration_run_everywhere() -> None:
    commands = [" ".join(c) for _, c, _ in _containers()]
    for place in ("compose", "k8s"):
        mine = [
            c for (w, _, _), c in zip(_containers(), commands, strict=True) if w.startswith(place)
        ]
        assert any("services.notify.worker.WorkerSettings" in c for c in mine), place
        assert any("scripts.migrate" in c for c in mine), place
        for module in ("services.api.main", "services.rules.main", "services.documents.main"):
            assert any(module in c for c in mine), (place, module)


def test_kubernetes_hardening() -> None:
    kinds = {}
    for doc in _k8s_docs():
        kinds.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
        if doc["kind"] in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            for c in pod["containers"]:
                sc = c["securityContext"]
                assert sc["readOnlyRootFilesystem"] is True
                assert sc["allowPrivilegeEscalation"] is False
                assert {"requests", "limits"} <= set(c["resources"])
    assert set(kinds["HorizontalPodAutoscaler"]) == {"api", "notify"}
    assert set(kinds["PodDisruptionBudget"]) >= {"api", "notify"}
    assert set(kinds["Deployment"]) == {"api", "rules", "documents", "notify", "web"}


def test_dockerfile_is_pinned_and_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert bases and all(":" in b and not b.endswith(":latest") for b in bases)
    assert re.search(r"^USER\s+10001", text, re.M)


def test_only_the_migration_holds_the_owner_url() -> None:
    """The services connect as the app role; the owner's URL reaches the migration only."""
    compose = _compose()["services"]
    for name, svc in compose.items():
        has = "MIGRATION_DATABASE_URL" in (svc.get("environment") or {})
        assert has == (name == "migrate"), name
    assert "zhicheng_app:" in compose["api"]["environment"]["DATABASE_URL"]
    secrets = {
        d["metadata"]["name"]: d for d in _k8s_docs(with_templates=True) if d["kind"] == "Secret"
    }
    holders = {n for n, d in secrets.items() if "MIGRATION_DATABASE_URL" in d["stringData"]}
    assert holders == {"zhicheng-migrate-secrets"}
    for name, doc in secrets.items():
        if "DATABASE_URL" in doc["stringData"]:
            assert "zhicheng_app:" in doc["stringData"]["DATABASE_URL"], name
    for doc in _k8s_docs():
        if doc["kind"] in ("Deployment", "Job"):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                refs = {r["secretRef"]["name"] for r in c.get("envFrom", []) if "secretRef" in r}
                assert ("zhicheng-migrate-secrets" in refs) == (doc["kind"] == "Job"), c


def test_the_rules_service_is_given_no_secret() -> None:
    secrets = {"S3_SECRET_KEY", "S3_ACCESS_KEY", "JWT_SECRET", "PII_KEYS", "PII_INDEX_KEY"}
    secrets |= {"SERVICE_TOKEN_PRIVATE_KEY"}
    rules = _compose()["services"]["rules"]
    assert not secrets & set(rules.get("environment") or {})
    assert "SERVICE_TOKEN_PUBLIC_KEY" in rules["environment"]
    api = _compose()["services"]["api"]
    assert "SERVICE_TOKEN_PRIVATE_KEY" in api["environment"]
    holders = [
        name
        for name, svc in _compose()["services"].items()
        if "SERVICE_TOKEN_PRIVATE_KEY" in (svc.get("environment") or {})
    ]
    assert holders == ["api"], holders
    templates = {
        d["metadata"]["name"]: d for d in _k8s_docs(with_templates=True) if d["kind"] == "Secret"
    }
    assert not [n for n in templates if "rules" in n]
    for doc in _k8s_docs():
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "rules":
            for c in doc["spec"]["template"]["spec"]["containers"]:
                refs = [
                    ref["secretRef"]["name"] for ref in c.get("envFrom", []) if "secretRef" in ref
                ]
                assert refs == [], refs
                assert not [e for e in c.get("env", []) if "valueFrom" in e]
