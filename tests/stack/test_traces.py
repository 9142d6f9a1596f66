"""Seeing a request across the hops: traces on the real stack, exported to a real receiver.

The gateway, the eligibility service, the document service and the notify worker run as
real processes (uvicorn, arq) with `TRACE_EXPORTER=otlp` pointed at a small OTLP/HTTP
receiver of the test's own (tests/stack/otlp.py). An applicant signs in with an SMS code,
files a declaration with real scans and submits it, then withdraws it.

One submission is one trace through every hop: the gateway's request asks the
eligibility service (its server spans continue the gateway's httpx calls), writes the
submission to Postgres with its receipt (申报已提交, an SMS notice in the outbox), and
hands the notice to the queue (Redis); the worker's send job continues the trace the
outbox row carried, and its own statements are its children. An upload's trace holds the
document service's; the withdrawal's notice is sent in its own trace the same way. Each
request is found by its X-Request-ID, and the JSON log lines of that request (and of the
job) carry the same trace id.

The processes use a database and a Redis database of their own: the worker sends only
what this test wrote.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlmodel import select

from scripts.servers import free_port, port_open
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from tests.api.factories import LOGIN_CODE, answer_incomplete, as_read, auth, drafted, post
from tests.conftest import ROOT, Stack, _with_redis_db, create_database, drop_database
from tests.stack.otlp import Receiver, Span

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WAIT_SECONDS = 60
# A Redis database no other suite uses (the run's suites use 0, or 1 + the worker's number).
REDIS_DB = 13
UPLOAD_ROUTE = "/v1/declarations/{declaration_id}/documents"
RID, SPAN_RID, LOG_RID = "X-Request-ID", "zhicheng.request_id", "request_id"


@dataclass
class Processes:
    receiver: Receiver
    logs: dict[str, Path]
    gateway: str
    untraced_gateway: str
    start_worker: Callable[[], None]
    submit_rid: str = ""
    withdraw_rid: str = "trace-withdraw"


def _wait_until(ready: Callable[[], bool], what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready():
        assert proc is None or proc.poll() is None, f"{what}: the process exited"
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS}s"
        time.sleep(0.1)


def _log_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
    return lines


@pytest.fixture(scope="module")
def own_stack(stack: Stack) -> Iterator[Stack]:
    name = f"zhicheng_traces_{uuid.uuid4().hex[:8]}"
    st = replace(create_database(stack, name), redis_url=_with_redis_db(stack.redis_url, REDIS_DB))
    Redis.from_url(st.redis_url).flushdb()
    subprocess.run([sys.executable, "-m", "scripts.migrate"], env=st.env(), check=True, cwd=ROOT)
    yield st
    Redis.from_url(st.redis_url).flushdb()
    drop_database(stack, name)


@pytest.fixture(scope="module")
def started(own_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    logdir = tmp_path_factory.mktemp("traces")
    procs: list[subprocess.Popen] = []
    logs: dict[str, Path] = {}
    ports = {name: free_port() for name in ("rules", "documents", "api", "off", "notify")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    with Receiver() as receiver:
        env = own_stack.env(
            TRACE_EXPORTER="otlp",
            TRACE_OTLP_ENDPOINT=receiver.endpoint,
            # The SDK's batch delay (ms): spans reach the receiver promptly.
            OTEL_BSP_SCHEDULE_DELAY="100",
            RULES_URL=urls["rules"],
            DOCUMENTS_URL=urls["documents"],
            NOTIFY_HEALTH_PORT=str(ports["notify"]),
            SWEEP_INTERVAL_SECONDS="0",
            AUDIT_CHECKPOINT_INTERVAL="0",
            RETURN_SWEEP_INTERVAL="0",
        )

        def start(name: str, command: list[str], env: dict[str, str]) -> None:
            logs[name] = logdir / f"{name}.log"
            with logs[name].open("w") as out:
                proc = subprocess.Popen(
                    command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                )
            procs.append(proc)
            _wait_until(lambda: port_open(ports[name]), f"{name} listening", proc)

        def uvicorn(target: str, name: str) -> list[str]:
            return [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
                    "--port", str(ports[name]), "--no-access-log"]  # fmt: skip

        try:
            start("rules", uvicorn("services.rules.main:app", "rules"), env)
            start("documents", uvicorn("services.documents.main:app", "documents"), env)
            start("api", uvicorn("services.api.main:app", "api"), env)
            # The same gateway with traces left at their default (off), same receiver.
            off = {k: v for k, v in env.items() if k != "TRACE_EXPORTER"}
            start("off", uvicorn("services.api.main:app", "off"), off)
            worker = [sys.executable, "-m", "arq", "services.notify.worker.WorkerSettings"]
            yield Processes(
                receiver, logs, urls["api"], urls["off"], lambda: start("notify", worker, env)
            )
        finally:
            # What the receiver got, beside the processes' logs, for a failure's reader.
            spans = [vars(span) for span in receiver.snapshot()]
            (logdir / "spans.json").write_text(json.dumps(spans, indent=1))
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


async def _signed_in_applicant(gw: httpx.AsyncClient, database_url: str) -> str:
    """An applicant signed in with an SMS code, read where the worker reads it (the
    outbox), before the worker runs (it scrubs the code once sent)."""
    phone = "139" + f"{random.randrange(10**8):08d}"
    r = await gw.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(Notification.params).where(
                Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
            )
            [params] = (await session.exec(query)).all()
    finally:
        await engine.dispose()
    r = await gw.post("/v1/auth/sms-logins", json={"phone": phone, "code": params["code"]})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def _submit(gw: httpx.AsyncClient, url: str, applicant: str, rid: str) -> httpx.Response:
    """Submit as a client does: with the ETag last read as If-Match, under this request id."""
    tag = (await gw.get(url, headers=auth(applicant))).headers["etag"]
    return await post(gw, url + "/submissions", applicant, **{"X-Request-ID": rid, "If-Match": tag})


@pytest.fixture(scope="module")
async def journey(started: Processes, own_stack: Stack) -> Processes:
    """Sign in, start the worker, file with real scans, submit, then withdraw."""
    async with httpx.AsyncClient(base_url=started.gateway, timeout=60, trust_env=False) as gw:
        applicant = await _signed_in_applicant(gw, own_stack.database_url)
        # The worker runs from here on: the submission's receipt is sent in its trace.
        started.start_worker()
        case = await drafted(gw, applicant=applicant, label=f"trace-{uuid.uuid4().hex[:6]}")
        url = f"/v1/declarations/{case.did}"
        started.submit_rid = "trace-submit-1"
        r = await _submit(gw, url, applicant, "trace-submit-1")
        if r.status_code == 422 and r.json()["type"].endswith("declaration-incomplete"):
            # The materials the eligibility service asks for, uploaded as real scans.
            await answer_incomplete(gw, case.did, applicant, r.json()["errors"])
            started.submit_rid = "trace-submit-2"
            r = await _submit(gw, url, applicant, "trace-submit-2")
        assert r.status_code == 200, r.text
        r = await as_read(
            gw, url + "/withdrawals", applicant, {"reason": "改投"},
            **{"X-Request-ID": started.withdraw_rid},
        )  # fmt: skip
        assert r.status_code == 200, r.text
    return started


def _request_span(receiver: Receiver, request_id: str) -> Span:
    """The gateway's server span of the request with this X-Request-ID (waited for)."""

    def found() -> list[Span]:
        return [
            s
            for s in receiver.snapshot()
            if s.service == "zhicheng-api"
            and s.kind == "server"
            and s.attributes.get("zhicheng.request_id") == request_id
        ]

    _wait_until(lambda: bool(found()), f"the gateway's span of {request_id}")
    [span] = found()
    return span


def _in_trace(receiver: Receiver, trace_id: str, wanted: Callable[[Span], bool], what: str):
    def held() -> str:
        return "; the trace holds " + ", ".join(
            sorted({f"{s.service} {s.kind} {s.name}" for s in receiver.trace(trace_id)})
        )

    try:
        _wait_until(lambda: any(wanted(s) for s in receiver.trace(trace_id)), what)
    except AssertionError as e:
        raise AssertionError(str(e) + held()) from None
    return [s for s in receiver.trace(trace_id) if wanted(s)]


def _ancestors(by_id: dict[str, Span], span: Span) -> list[str]:
    out = []
    while span.parent_id in by_id:
        out.append(span.parent_id)
        span = by_id[span.parent_id]
    return out


def _postgres(service: str) -> Callable[[Span], bool]:
    return lambda s: (
        s.service == service
        and s.kind == "client"
        and s.attributes.get("db.system.name") == "postgresql"
    )


async def test_one_submission_is_one_trace_through_every_hop(journey) -> None:
    receiver = journey.receiver
    gateway = _request_span(receiver, journey.submit_rid)
    assert gateway.name == "POST /v1/declarations/{declaration_id}/submissions"
    assert gateway.parent_id == ""  # the trace starts at the gateway
    # One server span per request and process, ours (FastAPI's own are off): each names
    # its request id, and the gateway's is the only one of the gateway in the trace.
    assert all(SPAN_RID in s.attributes for s in receiver.snapshot() if s.kind == "server")
    in_trace = receiver.trace(gateway.trace_id)
    assert [s for s in in_trace if s.service == "zhicheng-api" and s.kind == "server"] == [gateway]
    rules = _in_trace(
        receiver, gateway.trace_id,
        lambda s: s.service == "zhicheng-rules" and s.kind == "server",
        "the eligibility service's span in the submission's trace",
    )  # fmt: skip
    # Each eligibility request continues the gateway's httpx call that sent it.
    calls = {
        s.span_id: s
        for s in receiver.trace(gateway.trace_id)
        if s.service == "zhicheng-api" and s.kind == "client" and "url.path" in s.attributes
    }
    for span in rules:
        assert span.parent_id in calls, span
        assert calls[span.parent_id].attributes["url.path"] == span.attributes["url.path"]
    [statement, *_] = _in_trace(
        receiver, gateway.trace_id, _postgres("zhicheng-api"), "a Postgres span of the submission"
    )
    assert statement.attributes["db.query.text"]
    # The submission's receipt, written to the outbox in the request, handed to the queue
    # (arq's pipeline on Redis) inside it, and sent by the worker in the same trace: the
    # send job's chain of parents leads back to the gateway's span of this request.
    _in_trace(
        receiver, gateway.trace_id,
        lambda s: s.service == "zhicheng-api" and s.attributes.get("db.system.name") == "redis",
        "the gateway's Redis span of the submission",
    )  # fmt: skip
    [job] = _in_trace(
        receiver, gateway.trace_id,
        lambda s: s.service == "zhicheng-notify" and s.name == "send_notification",
        "the worker's send job of the submission's receipt",
    )  # fmt: skip
    assert job.kind == "consumer"
    by_id = {s.span_id: s for s in receiver.trace(gateway.trace_id)}
    assert by_id[job.parent_id].service == "zhicheng-api"
    assert gateway.span_id in _ancestors(by_id, job)
    worker_statements = _in_trace(
        receiver, gateway.trace_id, _postgres("zhicheng-notify"), "the worker's Postgres spans"
    )
    assert all(s.parent_id == job.span_id for s in worker_statements)
    # One trace id across the four: the gateway, the eligibility service, Postgres (the
    # gateway's and the worker's statements) and the worker.
    services = {s.service for s in receiver.trace(gateway.trace_id)}
    assert {"zhicheng-api", "zhicheng-rules", "zhicheng-notify"} <= services
    # No statement's parameters in a span: the applicant's data stays out of the traces.
    assert all(
        not k.startswith("db.query.parameter") for s in receiver.snapshot() for k in s.attributes
    )


async def test_an_upload_is_one_trace_through_the_document_service(journey) -> None:
    receiver = journey.receiver

    def uploads() -> list[Span]:
        return [
            s
            for s in receiver.snapshot()
            if s.service == "zhicheng-api" and s.name == "POST " + UPLOAD_ROUTE
        ]

    _wait_until(lambda: bool(uploads()), "the gateway's span of an upload")
    for upload in uploads():
        [documents] = _in_trace(
            receiver, upload.trace_id,
            lambda s: s.service == "zhicheng-documents" and s.kind == "server",
            "the document service's span in an upload's trace",
        )  # fmt: skip
        assert documents.attributes["http.response.status_code"] == 201


async def test_the_sms_job_continues_the_trace_of_the_request_that_wrote_it(journey) -> None:
    receiver = journey.receiver
    gateway = _request_span(receiver, journey.withdraw_rid)
    [job] = _in_trace(
        receiver, gateway.trace_id,
        lambda s: s.service == "zhicheng-notify" and s.name == "send_notification",
        "the worker's send job in the withdrawal's trace",
    )  # fmt: skip
    assert job.kind == "consumer"
    # Its parent is the gateway's span that wrote the notice (FastAPI's endpoint span,
    # inside the request's), as the outbox row's traceparent named it.
    by_id = {s.span_id: s for s in receiver.trace(gateway.trace_id)}
    assert by_id[job.parent_id].service == "zhicheng-api"
    assert gateway.span_id in _ancestors(by_id, job)
    worker_statements = _in_trace(
        receiver, gateway.trace_id, _postgres("zhicheng-notify"), "the worker's Postgres spans"
    )
    assert all(s.parent_id == job.span_id for s in worker_statements)
    _in_trace(receiver, gateway.trace_id, _postgres("zhicheng-api"), "the gateway's statements")
    # The gateway handed the notice to the queue (arq's pipeline) inside the same trace.
    _in_trace(
        receiver, gateway.trace_id,
        lambda s: s.service == "zhicheng-api" and s.attributes.get("db.system.name") == "redis",
        "the gateway's Redis span",
    )  # fmt: skip


async def test_log_lines_carry_the_trace_id_of_their_spans(journey) -> None:
    receiver = journey.receiver
    submission = _request_span(receiver, journey.submit_rid)
    lines = [
        line
        for line in _log_lines(journey.logs["api"])
        if line.get("request_id") == journey.submit_rid
    ]
    assert lines, "no gateway log line of the submission"
    assert {line["trace_id"] for line in lines} == {submission.trace_id}
    rules_lines = [
        line
        for line in _log_lines(journey.logs["rules"])
        if line.get("request_id") == journey.submit_rid
    ]
    assert rules_lines and {line["trace_id"] for line in rules_lines} == {submission.trace_id}
    _in_trace(
        receiver, submission.trace_id,
        lambda s: s.name == "send_notification", "the receipt's send job's span",
    )  # fmt: skip
    receipts = [
        line
        for line in _log_lines(journey.logs["notify"])
        if line.get("message") == "sms" and line.get("template") == "DECLARATION_SUBMITTED"
    ]
    assert [line["trace_id"] for line in receipts] == [submission.trace_id]
    withdrawal = _request_span(receiver, journey.withdraw_rid)
    _in_trace(
        receiver, withdrawal.trace_id,
        lambda s: s.name == "send_notification", "the send job's span",
    )  # fmt: skip
    sent = [
        line
        for line in _log_lines(journey.logs["notify"])
        if line.get("message") == "sms" and line.get("template") == "DECLARATION_WITHDRAWN"
    ]
    assert [line["trace_id"] for line in sent] == [withdrawal.trace_id]


def test_with_traces_off_nothing_is_exported_and_logs_carry_no_trace_id(
    started: Processes,
) -> None:
    receiver = started.receiver
    with httpx.Client(trust_env=False, timeout=30) as http:
        off = http.get(started.untraced_gateway + "/v1/campaigns", headers={RID: "off-1"})
        on = http.get(started.gateway + "/v1/campaigns", headers={RID: "on-1"})
    assert off.status_code == on.status_code
    # The traced gateway's span arrives; the untraced one, with the same batch delay and
    # the same receiver in its settings, sent nothing at all.
    _request_span(receiver, "on-1")
    assert not [s for s in receiver.snapshot() if s.attributes.get(SPAN_RID) == "off-1"]
    lines = [line for line in _log_lines(started.logs["off"]) if line.get(LOG_RID) == "off-1"]
    assert lines
    assert all(line["trace_id"] is None for line in lines)
    on_lines = [line for line in _log_lines(started.logs["api"]) if line.get(LOG_RID) == "on-1"]
    assert on_lines and all(line["trace_id"] for line in on_lines)
