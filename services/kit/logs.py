"""JSON structured logs with the request id of the request being served.

The request id is taken from `X-Request-ID` when a caller sends a sane one, generated
otherwise, returned in the response header, and added to every log line of the request.
Beside it, `trace_id`: the OpenTelemetry trace the line was written in (null when traces
are off or outside a request or job; services/kit/tracing.py).

Every line is masked before it is written: 身份证号 (`4502**********1234`), mainland
mobile numbers (`138****5678`) and SMS verification codes (`"code": "******"`) never reach
the log in clear, whoever logged them and however (message, extra fields, traceback).
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import sys

from pythonjsonlogger.json import JsonFormatter
from starlette.responses import JSONResponse
from starlette.types import Scope

from services.kit.pii import mask_id_number, mask_phone
from services.kit.problems import PROBLEM_MEDIA_TYPE, internal_error
from services.kit.tracing import current_trace_id

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("zhicheng.access")


# Not inside a longer run of letters or digits (request ids, hashes, keys stay intact).
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_ID_NUMBER = re.compile(
    _EDGE_BEFORE
    + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    + _EDGE_AFTER
)
_PHONE = re.compile(_EDGE_BEFORE + r"(?:\+?86)?1[3-9]\d{9}" + _EDGE_AFTER)
_CODE = re.compile(r'("(?:code|sms_code|login_code)"\s*:\s*")\d{4,8}(")')


def mask_text(text: str) -> str:
    """Mask personal data and verification codes in one log line."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    return _CODE.sub(lambda m: m.group(1) + "******" + m.group(2), text)


class MaskingJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class _RequestIdFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        # The trace this line belongs to (services/kit/tracing.py); null with traces off.
        record.trace_id = current_trace_id()
        record.service = self.service
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """One JSON object per line on stderr, for every logger (uvicorn's included)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        MaskingJsonFormatter(
            "{asctime}{levelname}{name}{message}{service}{request_id}{trace_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            # Chinese as is: readable, and no \uXXXX escape glued to a number to mask.
            json_ensure_ascii=False,
        )
    )
    handler.addFilter(_RequestIdFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # Our own access log carries the request id; uvicorn's would duplicate it without one.
    logging.getLogger("uvicorn.access").disabled = True


def request_id_of(scope: Scope) -> str:
    """The caller's `X-Request-ID` when it is a sane one, else a new id."""
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            incoming = value.decode("latin-1")
            return incoming if _SAFE_ID.match(incoming) else new_request_id()
    return new_request_id()


def new_request_id() -> str:
    """32 random hex digits, as `uuid4().hex` wrote them, without building a UUID (a fifth
    of the time, on every request)."""
    return secrets.token_hex(16)


def internal_error_response(scope: Scope, request_id: str) -> JSONResponse:
    """The 500 of an unhandled error, with the request id in its body."""
    body = internal_error().body(scope.get("path"))
    body["request_id"] = request_id
    return JSONResponse(body, status_code=500, media_type=PROBLEM_MEDIA_TYPE)
