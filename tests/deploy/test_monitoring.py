"""The monitoring in deploy/ agrees with the processes: the gateway, started under uvicorn
as deployed, answers `/metrics` on its metrics port and not on its public one; every
metric an alert rule names is exported by some process (the gateway scraped for real,
the document service and the worker's listener in-process against the test stack, the
eligibility service's and the web front end's registries), and every metric of every
process is named `zhicheng_…`; the ServiceMonitor scrapes every Service's `metrics`
port."""

from __future__ import annotations

import re

import httpx
import pytest
import yaml

from scripts.servers import free_port
from services.documents.main import build_app as build_documents
from services.kit.clients import make_redis
from services.kit.db import make_engine
from services.notify.config import NotifySettings
from services.notify.health import build_health_app
from services.rules.main import app as rules_app
from services.web.config import WebSettings
from services.web.main import build_app as build_web
from tests.conftest import Stack
from tests.deploy.test_deploy_files import DEPLOY, _k8s_docs
from tests.documents.conftest import settings as documents_settings
from tests.support import running, scrape

METRIC = re.compile(r"\bzhicheng_[a-z0-9_]+")


def _monitoring() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "monitoring").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _alerts() -> dict[str, str]:
    rules = [d for d in _monitoring() if d["kind"] == "PrometheusRule"]
    assert rules
    return {
        rule["alert"]: rule["expr"]
        for doc in rules
        for group in doc["spec"]["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


def exported(text: str) -> set[str]:
    """Every series name an exposition offers, families with no sample yet included (a
    labelled counter nothing has incremented still declares its TYPE)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_the_alerts_cover_what_ops_watch() -> None:
    names = {m for expr in _alerts().values() for m in METRIC.findall(expr)}
    for watched in (
        "zhicheng_http_requests_total",  # 5xx rate
        "zhicheng_http_request_duration_seconds_bucket",  # p95 latency
        "zhicheng_outbox_oldest_unqueued_age_seconds",  # outbox age
        "zhicheng_notify_queue_depth",  # queue depth
        "zhicheng_notify_oldest_due_notice_age_seconds",  # oldest due notice
        "zhicheng_sms_notifications",  # SMS failure rate
        "zhicheng_s3_errors_total",  # S3 errors
        "zhicheng_db_pool_saturation",  # DB pool saturation
    ):
        assert watched in names, watched


def test_the_service_monitor_scrapes_the_metrics_ports() -> None:
    monitors = [d for d in _monitoring() if d["kind"] == "ServiceMonitor"]
    assert monitors
    services = [d for d in _k8s_docs() if d["kind"] == "Service"]
    for monitor in monitors:
        selector = monitor["spec"]["selector"]["matchLabels"]
        chosen = [
            s
            for s in services
            if all(s["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
        ]
        # Every Service of a workload that offers a metrics port is scraped.
        with_metrics = {
            s["metadata"]["name"]
            for s in services
            if "metrics" in {p["name"] for p in s["spec"]["ports"]}
        }
        assert {s["metadata"]["name"] for s in chosen} == with_metrics
        assert with_metrics == {"api", "rules", "documents", "notify", "web"}
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] == "/metrics"
            for svc in chosen:
                assert endpoint["port"] in {p["name"] for p in svc["spec"]["ports"]}


@pytest.fixture(scope="module")
def gateway_metrics(stack: Stack, uvicorn_service) -> tuple[str, str]:
    """The gateway under uvicorn with METRICS_PORT set: (public URL, metrics URL)."""
    port = free_port()
    public = uvicorn_service(
        "services.api.main:app",
        stack.env(METRICS_PORT=str(port)),
    )
    return public, f"http://127.0.0.1:{port}"


def test_the_gateway_serves_metrics_on_its_metrics_port_only(
    gateway_metrics: tuple[str, str],
) -> None:
    public, metrics = gateway_metrics
    assert httpx.get(f"{public}/healthz").status_code == 200
    assert httpx.get(f"{public}/metrics").status_code == 404
    answer = httpx.get(f"{metrics}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    # The probe just made is counted, under the public app's service name.
    assert 'zhicheng_http_requests_total{method="GET",route="/healthz",service="api"' in answer.text
    # The metrics port serves metrics and nothing else.
    assert httpx.get(f"{metrics}/healthz").status_code == 404
    assert httpx.get(f"{metrics}/v1/eligibility/policies").status_code == 404


async def _exported_by_process(stack: Stack, gateway: str) -> dict[str, set[str]]:
    """Every series name each process exports: the gateway scraped for real, the document
    service, the eligibility service and the web front end in-process, the worker's
    listener against the test stack."""
    out: dict[str, set[str]] = {}
    async with httpx.AsyncClient() as client:
        out["api"] = exported((await client.get(f"{gateway}/metrics")).text)
    documents = build_documents(documents_settings(stack))
    async with running(documents):
        out["documents"] = exported(await scrape(documents))
    async with running(rules_app):
        out["rules"] = exported(await scrape(rules_app))
    web = build_web(WebSettings(gateway_url=gateway))
    async with running(web):
        out["web"] = exported(await scrape(web))
    engine = make_engine(stack.database_url)
    redis = make_redis(stack.redis_url)
    try:
        notify = build_health_app(
            NotifySettings(**stack.settings_kwargs()), {"engine": engine, "redis": redis}
        )
        out["notify"] = exported(await scrape(notify))
    finally:
        await redis.aclose()
        await engine.dispose()
    return out


async def test_every_metric_an_alert_names_is_exported(
    stack: Stack, gateway_metrics: tuple[str, str]
) -> None:
    _, gateway = gateway_metrics
    names = set().union(*(await _exported_by_process(stack, gateway)).values())
    assert "zhicheng_s3_errors_total" in names  # declared before any failure
    missing = {
        alert: sorted(set(METRIC.findall(expr)) - names) for alert, expr in _alerts().items()
    }
    assert not {a: m for a, m in missing.items() if m}, missing


async def test_every_metric_each_process_exports_is_named_zhicheng(
    stack: Stack, gateway_metrics: tuple[str, str]
) -> None:
    """The `zhicheng_` prefix on every series of every process (no client library default
    such as `process_…` or `python_gc_…` slips in), and each process exports some."""
    _, gateway = gateway_metrics
    by_process = await _exported_by_process(stack, gateway)
    assert set(by_process) == {"api", "documents", "rules", "web", "notify"}
    for process, names in by_process.items():
        assert names, process
        assert not sorted(n for n in names if not n.startswith("zhicheng_")), process
