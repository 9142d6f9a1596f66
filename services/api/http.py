"""HTTP conventions of the gateway: Idempotency-Key on POST, ETag/If-Match, cursors,
ETag/If-None-Match on public reads."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.background import BackgroundTask, BackgroundTasks

from services.api import clock
from services.api.access import PrincipalDep
from services.api.models import IdempotencyRecord
from services.api.problems import IdempotencyKeyRequired, IfMatchRequired, VersionMismatch
from services.kit.auth import Principal
from services.kit.db import SessionDep, request_session
from services.kit.openapi import answers
from services.kit.outbox import relay
from services.kit.problems import ProblemError, validation_problem
from services.kit.text import utc_instant

logger = logging.getLogger("zhicheng.api")


class Replay(Exception):
    """Raised to answer a repeated POST with the answer stored for its key."""

    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


def replay_response(record: IdempotencyRecord) -> JSONResponse:
    headers = dict(record.headers or {})
    headers["Idempotent-Replayed"] = "true"
    return JSONResponse(record.response, status_code=record.status_code or 200, headers=headers)


def instants_in_utc(body: Any) -> Any:
    """`body` as JSON, every aware datetime in one form (UTC, `Z`): a write answers an
    object that may still hold the instant in the zone the request sent (`+08:00`), while
    a read of the same row prints the database's UTC value. Everything else is encoded
    as before (the JSON form and the Python form are walked side by side)."""
    return _align(body, jsonable_encoder(body))


def _align(value: Any, encoded: Any) -> Any:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="python", by_alias=True)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return utc_instant(value)
    if isinstance(value, dict) and isinstance(encoded, dict) and len(value) == len(encoded):
        pairs = zip(value.values(), encoded.items(), strict=True)
        return {key: _align(v, e) for v, (key, e) in pairs}
    sequence = isinstance(value, list | tuple) and isinstance(encoded, list)
    if sequence and len(value) == len(encoded):
        return [_align(v, e) for v, e in zip(value, encoded, strict=True)]
    return encoded


class Idempotency:
    def __init__(self, session, record: IdempotencyRecord | None) -> None:
        self.session = session
        self.record = record

    async def respond(
        self, body: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        content = instants_in_utc(body)
        if self.record is not None:
            self.record.status_code = status_code
            self.record.response = content
            self.record.headers = headers or {}
            self.session.add(self.record)
            await self.session.flush()
        return JSONResponse(content, status_code=status_code, headers=headers)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="幂等键：列出它的 POST 必须带（缺少答复 400 idempotency-key-required）；"
        "以同一个键重试，答复第一次的结果，只办理一次。",
    ),
]


def _key_required() -> ProblemError:
    return IdempotencyKeyRequired()


async def _claim(request: Request, session, principal, idempotency_key: str) -> Idempotency:
    digest = await _digest(request)
    who = f"{principal.role}:{principal.sub}"
    # A concurrent request with the same key waits here until the first one commits.
    inserted = (
        await session.exec(
            insert(IdempotencyRecord)
            .values(
                principal=who,
                key=idempotency_key,
                method=request.method,
                path=request.url.path,
                body_sha256=digest,
            )
            .on_conflict_do_nothing()
            .returning(IdempotencyRecord.key)
        )
    ).first()
    record_query = (
        select(IdempotencyRecord)
        .where(IdempotencyRecord.principal == who, IdempotencyRecord.key == idempotency_key)
        .execution_options(populate_existing=True)
    )
    record = (await session.exec(record_query)).one()
    if inserted is None:
        _answered(record, digest)
    return Idempotency(session, record)


def _answered(record: IdempotencyRecord, digest: str) -> None:
    """A committed record for this key: replay its answer, unless the body differs."""
    if record.body_sha256 != digest:
        raise key_reused()
    raise Replay(record)


def key_reused() -> ProblemError:
    return ProblemError(
        422,
        "idempotency-key-reused",
        "该 Idempotency-Key 已用于另一个不同的请求，请为新操作换一个新的键。",
        title="Idempotency key reused with another request",
    )


async def _digest(request: Request) -> str:
    return hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + await request.body()
    ).hexdigest()


async def _idempotency(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> Idempotency:
    if request.method != "POST":
        return Idempotency(session, None)
    if not idempotency_key:
        raise _key_required()
    return await _claim(request, session, principal, idempotency_key)


class DeferredIdempotency:
    """The key checked now, claimed later: for a POST whose slow part (a call to an outside
    system) must not hold a database connection, the record (which holds a row lock until
    commit) is inserted only once that part is over. `replay_if_answered` first, so that a
    retry of a finished request is answered as before, whatever the state is now."""

    def __init__(self, request: Request, principal, key: str) -> None:
        self.request = request
        self.principal = principal
        self.key = key

    async def replay_if_answered(self, session) -> None:
        who = f"{self.principal.role}:{self.principal.sub}"
        record = await session.get(IdempotencyRecord, (who, self.key))
        if record is not None:
            _answered(record, await _digest(self.request))

    async def claim(self, session) -> Idempotency:
        return await _claim(self.request, session, self.principal, self.key)


async def _deferred_idempotency(
    request: Request, principal: PrincipalDep, idempotency_key: IdempotencyKey = None
) -> DeferredIdempotency:
    if not idempotency_key:
        raise _key_required()
    return DeferredIdempotency(request, principal, idempotency_key)


DeferredIdempotencyDep = Annotated[DeferredIdempotency, Depends(_deferred_idempotency)]


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]


@dataclass(frozen=True, slots=True)
class Write:
    """A write that is not on a declaration: the request's session, the caller and the
    Idempotency-Key's record together (a declaration's writes take an `Act`)."""

    session: AsyncSession
    principal: Principal
    idem: Idempotency

    async def apply(
        self, action: Callable[..., Awaitable[Any]], /, *, status_code: int = 200, **kwargs: Any
    ) -> JSONResponse:
        """Run the service `action(session, principal, **kwargs)` and answer what it
        returns, stored under the Idempotency-Key."""
        done = await action(self.session, self.principal, **kwargs)
        return await self.idem.respond(done, status_code=status_code)


async def _write(session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep) -> Write:
    return Write(session, principal, idem)


WriteDep = Annotated[Write, Depends(_write)]


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise IfMatchRequired()
        return
    # If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches, not even
    # W/"n" for the current version n; it says only that the content was equivalent.
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    if any(t.startswith("W/") for t in tags):
        raise VersionMismatch(WEAK_IF_MATCH, current_etag=etag(version), weak_etag=True)
    raise VersionMismatch(current_etag=etag(version))


WEAK_IF_MATCH = (
    "If-Match 不接受弱 ETag（W/ 开头）：修改须以强 ETag 确认版本，"
    "请带上次读取时响应头中的 ETag 原样重试。"
)


IfMatch = Annotated[str | None, Header(alias="If-Match")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]


# The answer a cacheable public read documents besides its 200.
CACHED = {304: {"description": "Not modified (If-None-Match named the current ETag)"}}


def cacheable(content: Any, if_none_match: str | None, *, max_age: int = 300) -> Response:
    """A public read with a strong ETag of its content: 304 when If-None-Match names it."""
    body = json.dumps(jsonable_encoder(content), ensure_ascii=False, separators=(",", ":"))
    tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if "*" in tags or tag in tags:
            return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def encode_cursor(created_at: datetime, id_: Any) -> str:
    raw = json.dumps([created_at.isoformat(), str(id_)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) a page ended at; anything else, a cursor not of our making."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, id_ = json.loads(raw)
        after = datetime.fromisoformat(created), uuid.UUID(id_)
    except (ValueError, TypeError, AttributeError) as exc:
        raise invalid_cursor() from exc
    if after[0].tzinfo is None:  # ours always carry their offset
        raise invalid_cursor()
    return after


def ordered_range(start: Any, end: Any, *, names: tuple[str, str]) -> None:
    """A from/to pair of query parameters: an end before the start is the end's 422."""
    if start is not None and end is not None and end < start:
        first, last = names
        raise validation_problem(
            [
                {
                    "loc": ("query", last),
                    "type": "value_error",
                    "msg": f"Value error, {last} is before {first}",
                    "ctx": {"error": f"结束不能早于开始（{first}）"},
                }
            ]
        )


def invalid_cursor() -> ProblemError:
    """A `cursor` query parameter that is not one of ours: named like a validation error."""
    return ProblemError(
        422,
        "invalid-cursor",
        "分页游标无效，请从第一页重新读取。请检查以下字段：cursor。",
        errors=[
            {
                "field": "cursor",
                "message": "不是本接口给出的分页游标（取自上一页应答的 next_cursor）",
                "message_en": "Not a cursor this API issued",
            }
        ],
    )


async def _relay(request: Request, session: AsyncSession) -> None:
    """Hand the notices written in the request's session to the queue (after the commit)."""
    wake = getattr(request.app.state, "lapse_wake", None)
    if session.info.get(clock.DEADLINE_SET) and wake is not None:
        wake.set()  # a new return's deadline: the lapse sweep wakes at it
    ids = session.info.get("notification_ids") or []
    if not ids:
        return
    try:
        await relay(request.app.state.sessionmaker, request.app.state.arq, ids=ids)
    except Exception:  # the notify worker's sweeper relays what is left
        logger.exception("relay after commit failed", extra={"ids": [str(i) for i in ids]})


class RelayAfterCommit(APIRoute):
    """The `route_class` of a router whose writes queue notices: what a request's session
    wrote is handed to the queue once the response is out.

    Background tasks run after the response, and so after the request's commit; a request
    that failed sends no response with tasks, so nothing uncommitted is ever queued. A
    route that took no session (a read outside any transaction) has written no notice and
    gets no task: the check is made as the endpoint returns, not as a dependency FastAPI
    solves on every request. The relay runs before the route's own background tasks."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def relaying(request: Request) -> Response:
            response = await handle(request)
            session = request_session(request)
            if session is not None:
                task = BackgroundTask(_relay, request, session)
                if response.background is None:
                    response.background = task
                elif isinstance(response.background, BackgroundTasks):
                    response.background.tasks.insert(0, task)
                else:
                    response.background = BackgroundTasks([task, response.background])
            return response

        return relaying


# The request headers as the gateway enforces them, and the answer headers it sends, written
# into its OpenAPI document (an `openapi_hooks` entry of services/api/main.py). The rule:
#   Idempotency-Key  required on every POST that writes through `IdempotencyDep`,
#                    `WriteDep`, an `Act` or `DeferredIdempotencyDep` (a retry of a
#                    creation or a step must never do it twice); the other POSTs take
#                    none and do not list it (README.md, "Headers", names them). A PUT
#                    replaces, so it needs no key: the header is not listed there.
#   If-Match         required where a missing one answers 428 if-match-required (the
#                    operation lists that problem), optional (checked when sent) elsewhere.
#   ETag             on the 2xx answers of an operation that takes If-Match or
#                    If-None-Match, of a read of a resource written with If-Match, and of
#                    the operations that say so (`sends("ETag", …)`).
#   Location         on the 201 answers of the operations that say so.
_HEADER_DOCS = {
    "ETag": {
        "description": "The resource's version as a strong ETag: send it back as If-Match "
        "(writes) or If-None-Match (cached public reads).",
        "schema": {"type": "string", "example": '"3"'},
    },
    "Location": {
        "description": "The path of the resource created.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
}


def sends(*names: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route whose `status` answer carries these headers (ETag,
    Location): they are documented as such."""
    return {status: {"headers": {name: {"$ref": f"#/components/headers/{name}"} for name in names}}}


def _header_params(operation: dict) -> dict[str, dict]:
    return {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "header"}


def _add_problem(responses: dict, kind) -> None:
    """Merge `documented(kind)` into an operation's responses (its status may list others)."""
    from services.kit.problem_kinds import documented

    [(status, listed)] = documented(kind).items()
    answer = responses.setdefault(str(status), listed)
    if answer is listed:
        return
    media = answer.setdefault("content", {}).setdefault("application/problem+json", {})
    examples = listed["content"]["application/problem+json"]["examples"]
    media["examples"] = {**media.get("examples", {}), **examples}
    if "urn:zhicheng:problem:" in answer.get("description", ""):
        answer["description"] += "\n" + listed["description"]


def document_headers(schema: dict) -> None:
    """The gateway's OpenAPI hook for the headers above."""
    components = schema.setdefault("components", {}).setdefault("headers", {})
    components.update({k: v for k, v in _HEADER_DOCS.items() if k not in components})
    versioned = {
        path
        for path, item in schema.get("paths", {}).items()
        for operation in item.values()
        if isinstance(operation, dict) and "If-Match" in _header_params(operation)
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            params = _header_params(operation)
            responses = operation["responses"]
            if key := params.get("Idempotency-Key"):
                if method == "post":
                    key["required"] = True
                    key.get("schema", {}).pop("anyOf", None)
                    key["schema"] = {"type": "string", "maxLength": 200}
                    _add_problem(responses, IdempotencyKeyRequired)
                    answers(responses, key_reused())
                else:  # ignored there: a PUT or a PATCH needs no key
                    operation["parameters"].remove(key)
            if match := params.get("If-Match"):
                required = "428" in responses
                # A stale or weak one, whenever it is sent (check_if_match).
                answers(responses, VersionMismatch())
                match["required"] = required
                match["schema"] = {"type": "string"}
                match["description"] = (
                    "上次读取时响应头中的 ETag（强 ETag）。"
                    + ("必须带：缺少答复 428 if-match-required；" if required else "可选：")
                    + "已过时或为弱 ETag 时答复 412 precondition-failed。"
                )
            query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "cursor" in query:  # every paged list decodes it (decode_cursor)
                answers(responses, invalid_cursor())
            etag = (
                "If-Match" in params
                or "If-None-Match" in params
                or (method == "get" and path in versioned)
            )
            for status, response in responses.items():
                if (etag and str(status)[:1] == "2") or str(status) == "304":
                    response.setdefault("headers", {}).setdefault(
                        "ETag", {"$ref": "#/components/headers/ETag"}
                    )
