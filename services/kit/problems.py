"""RFC 9457 problem details, rendered in one place for every service.

A problem carries a stable `type` (a URN per kind of problem), an HTTP status, a short
`title`, and a `detail` in plain Chinese that says what is wrong and what to do. English
text goes in `detail_en` where clients need it. Extra members (e.g. `errors`) are allowed.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:zhicheng:problem:"

logger = logging.getLogger("zhicheng.problems")

# Generic answers for plain HTTP errors raised by the framework (unknown route, wrong method…).
_HTTP_DEFAULTS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "请求格式不正确。", "Bad request."),
    401: ("unauthenticated", "未登录或登录已失效，请重新登录。", "Authentication required."),
    403: ("forbidden", "无权执行此操作。", "Forbidden."),
    404: ("not-found", "请求的地址或资源不存在。", "Not found."),
    405: ("method-not-allowed", "该地址不支持此请求方法。", "Method not allowed."),
    406: ("not-acceptable", "无法按请求的格式返回结果。", "Not acceptable."),
    409: ("conflict", "当前状态不允许此操作。", "Conflict."),
    412: ("precondition-failed", "数据已被他人修改，请刷新后重试。", "Precondition failed."),
    413: ("payload-too-large", "上传内容过大。", "Payload too large."),
    415: ("unsupported-media-type", "不支持的内容类型。", "Unsupported media type."),
    429: ("too-many-requests", "请求过于频繁，请稍后再试。", "Too many requests."),
    503: ("service-unavailable", "服务暂时不可用，请稍后再试。", "Service unavailable."),
}


class ProblemError(Exception):
    """An error with everything needed to render it as problem+json."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        detail_en: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code.replace("-", " ")
        self.detail_en = detail_en
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.detail_en:
            body["detail_en"] = self.detail_en
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def problem_response(problem: ProblemError, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    body = problem.body(instance)
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    if request_id:
        body["request_id"] = request_id
    headers = dict(problem.headers)
    # Every 429 and 503 says when to try again (the OpenAPI documents say so on each):
    # a problem that names no wait of its own gets the default.
    if problem.status in (429, 503) and not any(k.lower() == "retry-after" for k in headers):
        headers["Retry-After"] = DEFAULT_RETRY_AFTER
    return JSONResponse(
        body, status_code=problem.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


DEFAULT_RETRY_AFTER = "5"


# Chinese renderings of pydantic's error types; anything else falls back to a generic line.
_VALIDATION_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "datetime_type": "时间格式应为 ISO 8601",
    "greater_than_equal": "数值不能小于下限",
    "greater_than": "数值必须大于下限",
    "less_than_equal": "数值不能大于上限",
    "less_than": "数值必须小于上限",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "文本过长",
    "string_too_short": "文本过短",
    "string_pattern_mismatch": "格式不正确",
    "list_type": "应为列表",
    "too_long": "项数过多",
    "too_short": "项数过少",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是合法的 JSON",
    "value_error": "取值不正确",
}


# The whole body (a JSON text that does not parse, an array where an object is wanted, no
# body at all): JSONPath's root. Fields below it are named `sections.papers.0.title`.
ROOT_FIELD = "$"
_LOCATIONS = ("body", "query", "path", "header", "cookie")


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A field's JSON path from a pydantic/FastAPI `loc`: the location (body, query…) is
    dropped, the rest joined with dots; nothing left is the root (`$`), never `body`."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or ROOT_FIELD


def _json_position(doc: Any, pos: int) -> tuple[int, int]:
    """Line and column (from 1) of character `pos` of a JSON text."""
    text = doc.decode("utf-8", "replace") if isinstance(doc, bytes) else str(doc)
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


def _syntax_item(err: dict[str, Any], doc: Any) -> dict[str, str]:
    """A JSON text that does not parse: where it stops, as line and column, on the root
    (FastAPI puts the character offset in `loc`; it names no field)."""
    loc = list(err.get("loc", ()))
    pos = next((p for p in reversed(loc) if isinstance(p, int)), None)
    reason = (err.get("ctx") or {}).get("error", "")
    if pos is None or doc is None:
        return {"field": ROOT_FIELD, "message": "请求体不是合法的 JSON", "message_en": reason}
    line, column = _json_position(doc, pos)
    return {
        "field": ROOT_FIELD,
        "message": f"请求体不是合法的 JSON：第 {line} 行第 {column} 列处无法解析，"
        "请检查该处前后的括号、引号和逗号",
        "message_en": f"JSON decode error: {reason} at line {line} column {column}",
    }


_ROOT_ZH = {
    "missing": "缺少请求体（应为 JSON 对象）",
    "model_attributes_type": "请求体应为 JSON 对象",
    "model_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
}


def validation_problem(errors: list[dict[str, Any]], *, body: Any = None) -> ProblemError:
    """A 422 naming each field by its JSON path; `body` is the request's text, when a
    JSON syntax error is among the errors (to say where, in lines and columns)."""
    items = []
    for err in errors:
        if err.get("type") == "json_invalid":
            items.append(_syntax_item(err, body))
            continue
        field = field_path(tuple(err.get("loc", ())))
        zh = _VALIDATION_ZH.get(err.get("type", ""), "取值不正确")
        if field == ROOT_FIELD:
            zh = _ROOT_ZH.get(err.get("type", ""), zh)
        ctx = err.get("ctx") or {}
        if "expected" in ctx:
            zh += f"（允许：{ctx['expected']}）"
        elif err.get("type", "").startswith("greater_than") and ("ge" in ctx or "gt" in ctx):
            zh += f"（下限 {ctx.get('ge', ctx.get('gt'))}）"
        elif err.get("type", "").startswith("less_than") and ("le" in ctx or "lt" in ctx):
            zh += f"（上限 {ctx.get('le', ctx.get('lt'))}）"
        elif "reason" in ctx and err.get("type") == "value_error":
            zh += f"：{ctx['reason']}"
        elif err.get("type") == "value_error" and "error" in ctx:
            zh += f"：{ctx['error']}"
        items.append({"field": field, "message": zh, "message_en": err.get("msg", "")})
    fields = "、".join(
        f"{f}（整个请求体）" if f == ROOT_FIELD else f
        for f in dict.fromkeys(i["field"] for i in items)
    )
    return ProblemError(
        422,
        "validation-error",
        f"请求内容有误，请检查以下字段：{fields}。",
        title="Request validation failed",
        detail_en=f"Invalid request fields: {', '.join(dict.fromkeys(i['field'] for i in items))}.",
        errors=items,
    )


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path (RFC 9110 §15.5.6).

    Starlette's own 405 names only the first route whose path matched, so a path served
    by a GET route and a DELETE route answered a PUT with `Allow: GET, HEAD`.
    """
    methods: set[str] = set()
    for method in _METHODS:
        # Each route (an included router too) says FULL when it answers this method here.
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return sorted(methods)


# ASGI scope key: False while a read (GET, HEAD) may still be run once more after a dead
# database connection, True once it has been (services/kit/edge.py sets it).
RETRY_READ = "zhicheng.retry_read"


class RetryRead(Exception):
    """Raised to the request pass (services/kit/edge.py): run this read once more."""


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [dict(e) for e in exc.errors()]
        return problem_response(validation_problem(errors, body=exc.body), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _HTTP_DEFAULTS.get(
            exc.status_code, ("http-error", "请求无法处理。", "HTTP error.")
        )
        detail = exc.detail if isinstance(exc.detail, str) and _has_cjk(exc.detail) else zh
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        problem = ProblemError(exc.status_code, code, detail, title=en.rstrip("."), headers=headers)
        return problem_response(problem, request)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if _sqlstate(exc) in _NUL_SQLSTATES:
            # Text the input limits (kit/limits.py) cannot see: inside a Basic credential,
            # a token's claims, a form part. Nothing was saved: the transaction rolls back.
            return problem_response(unstorable_text(), request)
        if _sqlstate(exc) == _STATEMENT_TIMEOUT:
            # DB_STATEMENT_TIMEOUT passed: the server cancelled the statement (and rolled
            # the transaction back); the database is overloaded or the statement too slow.
            logger.warning("database statement timed out")
            return problem_response(service_busy(), request)
        if _sqlstate(exc) in _CONFLICT_SQLSTATES:
            # Two transactions waited on each other (a deadlock) or could not be ordered:
            # the server rolled this one back, nothing of it was stored, and the same
            # request again will normally pass.
            logger.warning("database transaction aborted by a conflict: %s", _sqlstate(exc))
            return problem_response(service_busy(), request)
        if _sqlstate(exc) == _UNIQUE_VIOLATION:
            # A write a unique constraint refused that no route turned into its own answer:
            # most often two requests for the same thing at once, the other one first. The
            # transaction rolls back, so nothing of this request is stored. The constraint's
            # name is logged (never the values: personal data) so the route can be given
            # its own answer.
            constraint = getattr(exc.orig.__cause__, "constraint_name", None)
            logger.warning("unique constraint refused a write: %s", constraint)
            return problem_response(already_stored(), request)
        if not is_connection_error(exc):
            raise exc
        if request.scope.get(RETRY_READ) is False:
            # A read that met a connection the database had dropped: the pool has let go
            # of it (and of every connection as old); services/kit/edge.py runs the read
            # once more, on a fresh connection.
            request.scope[RETRY_READ] = True
            raise RetryRead from exc
        # The statement and its parameters stay out of the log (personal data).
        logger.warning("database unreachable: %s", type(exc.orig).__name__)
        return problem_response(database_unavailable(), request)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every pooled connection stayed busy for the pool's whole timeout (DB_POOL_SIZE +
        # DB_MAX_OVERFLOW too small for the load, or requests stuck on a slow dependency).
        logger.warning("database connection pool exhausted")
        return problem_response(service_busy(), request)

    @app.exception_handler(TimeoutError)
    async def _timeout(request: Request, exc: TimeoutError) -> JSONResponse:
        # asyncpg's own bounds (DB_CONNECT_TIMEOUT, the client-side statement bound) end
        # as a bare TimeoutError: the database did not answer at all (frozen, unreachable).
        if _from_database(exc):
            logger.warning("database did not answer in time")
            return problem_response(database_unavailable(), request)
        logger.warning("dependency timed out: %r", exc)
        return problem_response(_dependency_unavailable(), request)

    @app.exception_handler(ConnectionError)
    async def _connection(request: Request, exc: ConnectionError) -> JSONResponse:
        logger.warning("dependency unreachable: %s", type(exc).__name__)
        return problem_response(_dependency_unavailable(), request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Normally caught earlier by the request pass (edge.py), which knows the request id.
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(internal_error(), request)


def _dependency_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "service-unavailable",
        "服务暂时无法连接所依赖的组件，请稍后重试。",
        title="Service unavailable",
        headers={"Retry-After": "5"},
    )


def _from_database(exc: BaseException) -> bool:
    """Raised inside the database driver or SQLAlchemy (its traceback says so)."""
    seen: BaseException | None = exc
    while seen is not None:
        tb = seen.__traceback__
        while tb is not None:
            module = tb.tb_frame.f_globals.get("__name__", "")
            if module.startswith(("asyncpg", "sqlalchemy")):
                return True
            tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__
    return False


# PostgreSQL stores no NUL character: character_not_in_repertoire for text (and varchar),
# untranslatable_character for a \u0000 escape in jsonb. A str can carry nothing else
# these codes refuse (asyncpg sends it as UTF-8), so they mean a NUL in what was sent.
_NUL_SQLSTATES = ("22021", "22P05")

# query_canceled: here, DB_STATEMENT_TIMEOUT (no request cancels another's statement).
_STATEMENT_TIMEOUT = "57014"


# serialization_failure and deadlock_detected: the server aborted the transaction because
# of another running beside it; retrying is the documented remedy.
_CONFLICT_SQLSTATES = ("40001", "40P01")

# unique_violation: the row this request would add is already stored.
_UNIQUE_VIOLATION = "23505"


def _sqlstate(exc: DBAPIError) -> str:
    orig = exc.orig
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


# SQLSTATE classes and codes that mean "the server went away or is not accepting yet":
# 08 connection exception, 57P01-57P03 shutdown / crash / starting up.
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_connection_error(exc: DBAPIError) -> bool:
    """A lost or refused database connection (restart, failover), not a bad statement."""
    if exc.connection_invalidated:
        return True
    return _sqlstate(exc).startswith(_CONNECTION_SQLSTATES) or isinstance(exc.orig, ConnectionError)


def database_unavailable() -> ProblemError:
    """Never reported as success; repeated with the same Idempotency-Key it takes effect once."""
    return ProblemError(
        503,
        "database-unavailable",
        "数据库暂时无法连接，请稍后重试；"
        "重试 POST 请求时请使用同一个 Idempotency-Key，以免重复办理。",
        title="Database unavailable",
        headers={"Retry-After": "5"},
    )


def unstorable_text(*fields: str) -> ProblemError:
    """Text no UTF-8 database column can hold: a NUL (U+0000), a lone surrogate, or (in
    a URL or form) bytes that are not UTF-8. `fields` name where, as validation errors
    do (`sections.basic_info.name`, a query parameter's or path parameter's name)."""
    where = f"请检查以下字段：{'、'.join(fields)}。" if fields else ""
    return ProblemError(
        422,
        "invalid-character",
        "提交的文本中含有无法保存的字符（空字符 U+0000、不成对的 UTF-16 代理码位或非 UTF-8 "
        "字节），请删除这些字符后重试。" + where,
        title="Text contains a character that cannot be stored",
        **(
            {
                "detail_en": f"Unstorable character in: {', '.join(fields)}.",
                "errors": [
                    {
                        "field": field,
                        "message": "含有无法保存的字符（U+0000、不成对的代理码位或非 UTF-8 字节）",
                        "message_en": "Contains NUL, a lone surrogate or bytes that are not UTF-8",
                    }
                    for field in fields
                ],
            }
            if fields
            else {}
        ),
    )


def service_busy() -> ProblemError:
    return ProblemError(
        503,
        "service-busy",
        "服务繁忙，暂时无法处理该请求，请稍后重试；"
        "重试 POST 请求时请使用同一个 Idempotency-Key，以免重复办理。",
        title="Service busy",
        headers={"Retry-After": "5"},
    )


def already_stored() -> ProblemError:
    return ProblemError(
        409,
        "already-stored",
        "要保存的内容与已保存的记录重复（同一事项可能已由另一个请求同时办理），"
        "本次请求没有保存任何内容。请刷新后查看结果，不要重复提交。",
        title="Already stored",
    )


def internal_error() -> ProblemError:
    return ProblemError(
        500,
        "internal-error",
        "服务内部错误，已记录，请稍后重试；如持续出现请联系管理员并提供请求编号。",
        title="Internal server error",
    )


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
