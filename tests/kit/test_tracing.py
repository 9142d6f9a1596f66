"""Traces off by default: nothing configured, no hook installed, log lines' trace_id null.

(With traces on, the processes of tests/stack/test_traces.py export to a real receiver;
this test process never turns them on, so what is checked here is the default.)
"""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pydantic import ValidationError
from redis.asyncio.client import Redis
from sqlalchemy import event
from sqlalchemy.engine import Engine

from services.kit import tracing
from services.kit.app import create_app
from services.kit.logs import configure_logging
from services.kit.settings import ProcessSettings


@pytest.fixture
def log_stream():
    """configure_logging's JSON lines, written to a buffer; the root logger put back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("test")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:], root.level = saved


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_off_by_default_configures_nothing() -> None:
    settings = ProcessSettings()
    assert settings.trace_exporter == "off"
    assert tracing.configure_tracing("test", settings) is False
    assert not tracing.enabled()
    # The API's global provider is still the no-op proxy: no SDK provider, no exporter.
    assert type(trace.get_tracer_provider()).__name__ == "ProxyTracerProvider"
    assert not getattr(httpx.AsyncHTTPTransport.handle_async_request, "_zhicheng_traced", False)
    assert not getattr(Redis.execute_command, "_zhicheng_traced", False)
    assert not event.contains(Engine, "before_cursor_execute", tracing._before_statement)
    assert tracing.current_traceparent() is None
    with tracing.job_span("send_notification", "00-" + "1" * 32 + "-" + "2" * 16 + "-01"):
        assert not trace.get_current_span().get_span_context().is_valid


def test_an_app_with_traces_off_opens_no_server_span(log_stream: io.StringIO) -> None:
    settings = ProcessSettings()
    create_app(service="test", title="t", description="d", settings=settings, checks={})
    scope = {"type": "http", "method": "GET", "path": "/v1/declarations", "headers": []}
    with tracing.server_span(scope) as span:
        assert span is None


def test_log_lines_carry_a_null_trace_id_outside_a_trace(log_stream: io.StringIO) -> None:
    logging.getLogger("zhicheng.test").info("hello")
    [line] = _lines(log_stream)
    assert "trace_id" in line
    assert line["trace_id"] is None


def test_log_lines_carry_the_current_trace_id(log_stream: io.StringIO) -> None:
    context = SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    with trace.use_span(NonRecordingSpan(context)):
        logging.getLogger("zhicheng.test").info("inside")
    logging.getLogger("zhicheng.test").info("outside")
    inside, outside = _lines(log_stream)
    assert inside["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert outside["trace_id"] is None


def test_the_otlp_endpoint_must_be_http() -> None:
    with pytest.raises(ValidationError, match="TRACE_OTLP_ENDPOINT"):
        ProcessSettings(trace_exporter="otlp", trace_otlp_endpoint="localhost:4318")
    ok = ProcessSettings(
        trace_exporter="otlp", trace_otlp_endpoint="https://otel.example/v1/traces"
    )
    assert ok.trace_exporter == "otlp"
