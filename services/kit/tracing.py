"""OpenTelemetry traces: one trace per request, across the processes it reaches.

A request's trace starts at the process that serves it (or continues the W3C
`traceparent` the caller sent) and follows it: the gateway's calls to the eligibility and
document services (httpx, the header injected), its Postgres statements and Redis
commands, and the notices it writes to the outbox. The outbox row keeps the request's
`traceparent` (services/kit/outbox.py), the relay hands it to the arq job with the row's
id, and the notify worker's job continues the trace (`job_span`).

Off by default (`TRACE_EXPORTER=off`): nothing is configured, no hook is installed, the
API's global tracer stays the no-op one, and the log lines' `trace_id` is null. With
`TRACE_EXPORTER=otlp` spans go in batches, as protobuf over HTTP, to
`TRACE_OTLP_ENDPOINT` (an OpenTelemetry Collector's `/v1/traces`); the SDK's own
`OTEL_BSP_*` and `OTEL_EXPORTER_OTLP_HEADERS` variables tune the batching and add
headers.

The hooks are our own, a few lines each (a wrapper of httpx's transport and of redis's
command and pipeline calls, SQLAlchemy's cursor events for asyncpg), installed only when
traces are on; the opentelemetry-instrumentation-* packages are not available to the
project's installs. FastAPI's own request spans are turned off (services/kit/app.py):
they would open a second trace beside ours, and they carry the query string.

Sampling is the SDK's, from `OTEL_TRACES_SAMPLER` (every request by default;
`parentbased_traceidratio` with `OTEL_TRACES_SAMPLER_ARG=0.1` keeps a tenth, and the
services and the job follow the gateway's choice).

Client spans (HTTP calls, SQL statements, Redis commands) are only made inside a trace
(a request or a job): the worker's queue polling and periodic sweeps start none. Spans
carry no personal data: HTTP spans name the path without its query, SQL spans the
statement with its placeholders (never the parameters), Redis spans the command only.
Health probes and metrics scrapes are not traced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from services.kit.queue import NOTIFY_QUEUE

if TYPE_CHECKING:
    from starlette.types import Scope

    from services.kit.settings import ProcessSettings

_PROPAGATOR = TraceContextTextMapPropagator()
# Paths a probe or a scraper calls every few seconds: a trace each would drown the rest.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_STATEMENT_CHARS = 2000
_state: dict[str, Any] = {"enabled": False, "service": None}


def enabled() -> bool:
    return _state["enabled"]


def configure_tracing(service: str, settings: ProcessSettings) -> bool:
    """Set up the exporter the settings name; True if traces are on in this process.

    Once per process (a second call, e.g. a second app built in one test process, keeps
    the first set-up).
    """
    if settings.trace_exporter == "off":
        return False
    if _state["enabled"]:
        return True
    # Imported only when on: with traces off the SDK is never loaded.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from services.kit.openapi import project_version

    resource = Resource.create(
        {"service.name": f"zhicheng-{service}", "service.version": project_version()}
    )
    # The provider flushes what it holds when the process exits (shutdown_on_exit).
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(
        endpoint=settings.trace_otlp_endpoint, timeout=settings.trace_export_timeout
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _install_httpx()
    _install_sqlalchemy()
    _install_redis()
    _state.update(enabled=True, service=service)
    return True


def _tracer() -> trace.Tracer:
    return trace.get_tracer(f"zhicheng.{_state['service']}")


def _in_trace() -> bool:
    return trace.get_current_span().get_span_context().is_valid


def current_trace_id() -> str | None:
    """The current trace's id (32 hex digits), for the log lines; None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span (what the outbox row keeps), or None."""
    if not _state["enabled"]:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def job_span(name: str, traceparent: str | None, **attributes: Any) -> Iterator[None]:
    """A queue job's span, continuing the trace whose `traceparent` the job was handed
    (a new trace when it has none). Nothing at all when traces are off."""
    if not _state["enabled"]:
        yield
        return
    parent = _PROPAGATOR.extract({"traceparent": traceparent} if traceparent else {})
    attrs = {
        "messaging.system": "arq",
        "messaging.operation.type": "process",
        "messaging.destination.name": NOTIFY_QUEUE,
        **attributes,
    }
    with _tracer().start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, attributes=attrs
    ):
        yield


def server_span(scope: Scope) -> contextlib.AbstractContextManager[trace.Span | None]:
    """The request's server span, continuing the caller's trace (the request pass,
    services/kit/edge.py, opens it around everything else); nothing when traces are off
    or for the probes."""
    if not _state["enabled"] or scope.get("path") in UNTRACED_PATHS:
        return contextlib.nullcontext()
    carrier = {
        key.decode("latin-1"): value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key in (b"traceparent", b"tracestate")
    }
    method = scope.get("method", "GET")
    attributes = {"http.request.method": method, "url.path": scope.get("path", "")}
    return _tracer().start_as_current_span(
        method, context=_PROPAGATOR.extract(carrier), kind=SpanKind.SERVER, attributes=attributes
    )


def span_status(span: trace.Span, status: int) -> None:
    """The answer's status on the server span (an error from 500 on)."""
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def span_done(span: trace.Span, scope: Scope) -> None:
    """The request id and the route's template, once the request is served."""
    # The request id (services/kit/logs.py), to find a request's trace by it.
    if request_id := scope.get("state", {}).get("request_id"):
        span.set_attribute("zhicheng.request_id", request_id)
    # The route's template (`/v1/declarations/{declaration_id}`), once routed.
    route = getattr(scope.get("route"), "path", None)
    if route:
        span.update_name(f"{scope.get('method', 'GET')} {route}")
        span.set_attribute("http.route", route)


def _install_httpx() -> None:
    """A client span around every request an httpx client sends, `traceparent` injected."""
    import httpx

    original = httpx.AsyncHTTPTransport.handle_async_request
    if getattr(original, "_zhicheng_traced", False):
        return

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        if not _in_trace():
            return await original(self, request)
        url = request.url
        attributes = {
            "http.request.method": request.method,
            "server.address": url.host,
            "server.port": url.port or (443 if url.scheme == "https" else 80),
            "url.path": url.path,
        }
        with _tracer().start_as_current_span(
            request.method, kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            _PROPAGATOR.inject(request.headers)
            response = await original(self, request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    handle_async_request._zhicheng_traced = True  # type: ignore[attr-defined]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]


def _install_sqlalchemy() -> None:
    """A client span around every SQL statement (asyncpg, through SQLAlchemy's events)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "before_cursor_execute", _before_statement):
        return
    event.listen(Engine, "before_cursor_execute", _before_statement)
    event.listen(Engine, "after_cursor_execute", _after_statement)
    event.listen(Engine, "handle_error", _statement_failed)


def _before_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is None or not _in_trace():
        return
    url = conn.engine.url
    words = statement.split(None, 1)
    operation = words[0].upper() if words else "SQL"
    span = _tracer().start_span(
        f"{operation} {url.database}",
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": "postgresql",
            "db.namespace": url.database or "",
            "db.operation.name": operation,
            "db.query.text": statement[:_STATEMENT_CHARS],
            "server.address": url.host or "",
            "server.port": url.port or 5432,
        },
    )
    context._zhicheng_span = span


def _after_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    span = getattr(context, "_zhicheng_span", None)
    if span is not None:
        span.end()
        context._zhicheng_span = None


def _statement_failed(exception_context) -> None:
    context = exception_context.execution_context
    span = getattr(context, "_zhicheng_span", None)
    if span is not None:
        error = exception_context.original_exception
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        context._zhicheng_span = None


def _install_redis() -> None:
    """A client span around every Redis command and pipeline (arq's enqueue included)."""
    from redis.asyncio.client import Pipeline, Redis

    command = Redis.execute_command
    if getattr(command, "_zhicheng_traced", False):
        return
    execute = Pipeline.execute

    async def execute_command(self: Redis, *args: Any, **options: Any) -> Any:
        if not _in_trace():
            return await command(self, *args, **options)
        name = str(args[0]).upper() if args else "COMMAND"
        with _tracer().start_as_current_span(
            name, kind=SpanKind.CLIENT,
            attributes={"db.system.name": "redis", "db.operation.name": name},
        ):  # fmt: skip
            return await command(self, *args, **options)

    async def pipeline_execute(self: Pipeline, raise_on_error: bool = True) -> Any:
        if not _in_trace():
            return await execute(self, raise_on_error)
        names = [str(c[0][0]).upper() for c in self.command_stack if c and c[0]]
        with _tracer().start_as_current_span(
            "PIPELINE", kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": "redis",
                "db.operation.name": "PIPELINE",
                "db.operation.batch.size": len(names),
                "db.query.summary": " ".join(names)[:_STATEMENT_CHARS],
            },
        ):  # fmt: skip
            return await execute(self, raise_on_error)

    execute_command._zhicheng_traced = True  # type: ignore[attr-defined]
    Redis.execute_command = execute_command  # type: ignore[method-assign]
    Pipeline.execute = pipeline_execute  # type: ignore[method-assign]
