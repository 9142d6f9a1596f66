"""Input limits every service applies before a request reaches its routes.

Hostile or broken input must come back as a 4xx problem, never reach the database as
something it refuses (a 500), and never make the parser recurse until it falls over.
The request pass every app runs (services/kit/edge.py) checks, before any route:

- text anywhere: no NUL (PostgreSQL text cannot hold one), no lone surrogate and no
  percent-escape that is not UTF-8, in a path parameter, a query parameter, a urlencoded
  form or any JSON string: a 422 `invalid-character` naming each field (by its JSON path
  in a body, by its name in the URL);
- the size of every non-multipart body, while it streams in: a declared Content-Length
  over the cap is refused before a byte is read, and bodies without one (chunked) are
  counted as they arrive and cut off at the cap (413). Multipart uploads keep the
  streaming cap of the document service, which knows the size of a scan;
- JSON bodies: strict UTF-8 (RFC 8259 §8.1) and nesting depth.

String lengths are the schemas' business (`max_length` on each field).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Match
from starlette.types import Message, Receive, Scope

from services.kit.problems import ROOT_FIELD, ProblemError, unstorable_text

# Brackets and quotes are the structure; a string left with a bracket in it is dropped.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STRING_LEFT = re.compile(rb'"[^"]*"')
_PAIR = re.compile(rb"[\[{][\]}]")
# \u0000 or a \uD800-\uDFFF escape (or text that merely looks like one, such as "\\u0000"):
# a cheap scan; only a body that has one is parsed to look closer.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def body_too_large(cap: int) -> ProblemError:
    return ProblemError(
        413,
        "body-too-large",
        f"请求体超过 {_size_zh(cap)} 的上限，未予处理。请精简提交的内容；"
        "上传扫描件请使用材料上传接口（multipart/form-data）。",
        title="Request body too large",
        limit=cap,
    )


def _size_zh(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _bad_length() -> ProblemError:
    return ProblemError(
        400,
        "invalid-content-length",
        "请求头 Content-Length 不是合法的非负整数，请修正后重试。",
        title="Invalid Content-Length",
    )


def _not_utf8() -> ProblemError:
    return ProblemError(
        400,
        "invalid-encoding",
        "请求体不是合法的 UTF-8 编码。JSON 须以 UTF-8 编码发送（RFC 8259 第 8.1 节），"
        "请检查客户端的字符编码设置。",
        title="Body is not valid UTF-8",
    )


def _too_deep(limit: int) -> ProblemError:
    return ProblemError(
        400,
        "json-too-deep",
        f"JSON 嵌套层数超过 {limit} 层的上限，未予处理。请按接口文档的结构提交。",
        title="JSON nested too deeply",
        limit=limit,
    )


def _interrupted() -> ProblemError:
    return ProblemError(
        400,
        "request-interrupted",
        "请求中断，未处理任何内容，请重新提交。",
        title="Request interrupted",
    )


def _decoded(raw: bytes) -> str | None:
    """Percent-decoded UTF-8 text, or None when it is not storable text."""
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if storable(text) else None


def form_fields(raw: bytes) -> list[str]:
    """The names of the query (or urlencoded form) parameters that are not storable text:
    a %00, or percent-escapes that are not UTF-8 (else silently turned into U+FFFD)."""
    found: list[str] = []
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        if _decoded(name) is None or _decoded(value) is None:
            found.append(unquote(name.decode("latin-1"), errors="replace").replace("\x00", ""))
    return [f or "query" for f in dict.fromkeys(found)]


def unstorable_path(scope: Scope) -> ProblemError | None:
    """The problem for a path that is not storable text (a percent-escape that is not
    UTF-8 would otherwise arrive as U+FFFD), naming the path parameters as the route that
    takes the path names them; None for storable text (one decode, on every request), and
    for a path no route takes (the router's 404 or 405 answers it). Answered before the
    route runs, so before its parameters are validated and its dependencies solved.

    The route is looked up only for a path that fails, as the router looks it up: the
    first route of the app that takes the method and the path (an API route's parameters
    are checked; another kind of route is left to answer)."""
    raw = scope.get("raw_path")
    if raw is None or _decoded(raw.replace(b"+", b"%2B")) is not None:
        return None
    app = scope.get("app")
    for context in iter_route_contexts(getattr(app, "routes", ())):
        match, child = context.matches(scope)
        if match == Match.FULL:
            break
    else:
        return None
    if not isinstance(context.original_route, APIRoute):
        return None
    # The route, as the router puts it in the scope (the metrics and Deprecation read it).
    scope.update(child)
    scope["route"] = context.original_route
    params = child.get("path_params", {})
    bad = [k for k, v in params.items() if isinstance(v, str) and not storable(v)]
    bad += [k for k, v in params.items() if isinstance(v, str) and "\ufffd" in v]
    return unstorable_text(*(dict.fromkeys(bad) or ["path"]))


def _structure(body: bytes) -> bytes:
    """The body's brackets that are not inside a string, in order (C-speed passes only)."""
    # Escaped backslashes, then escaped quotes: what is left of `"` opens or closes strings.
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Keep quotes and brackets; the many strings with no bracket in them become `""`.
    reduced = plain.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    return _STRING_LEFT.sub(b"", reduced)


def json_depth(body: bytes, *, stop_after: int | None = None) -> int:
    """Deepest nesting of arrays and objects, counted without parsing (no recursion).

    Each pass removes every innermost pair, so depth d takes d passes; a run of openers
    longer than what is left of `stop_after` ends the count early. Brackets that do not
    pair up are left for the JSON parser to refuse.
    """
    rest = _structure(body)
    depth = 0
    while rest:
        if stop_after is not None:
            left = stop_after - depth
            if left < 0 or re.search(rb"[\[{]{%d}" % (left + 1), rest):
                return stop_after + 1
        rest, removed = _PAIR.subn(b"", rest)
        if not removed:
            break
        depth += 1
    return depth


def storable(text: str) -> bool:
    """Text a UTF-8 database column holds: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def unstorable_fields(value: Any, *, limit: int = 10) -> list[str]:
    """The JSON paths (`sections.papers.0.title`, as validation errors name fields) of
    the strings holding a NUL or a lone surrogate, in document order (iterative walk)."""
    found: list[str] = []
    stack: list[tuple[tuple[str, ...], Any]] = [((), value)]
    while stack and len(found) < limit:
        path, item = stack.pop()
        if isinstance(item, str):
            if not storable(item):
                found.append(".".join(path) or ROOT_FIELD)
        elif isinstance(item, dict):
            found.extend(".".join((*path, _printable(k))) for k in item if not storable(k))
            stack.extend(((*path, _printable(k)), child) for k, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((*path, str(i)), child) for i, child in reversed(list(enumerate(item))))
    return found


def check_json(body: bytes, *, max_depth: int) -> None:
    """Raise the problem for a JSON body the services must not take; pass anything else on.

    Malformed JSON is left to the framework's own validation (a 422 problem).
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    if json_depth(body, stop_after=max_depth) > max_depth:
        raise _too_deep(max_depth)
    if _SUSPECT_ESCAPE.search(body):
        try:
            parsed = json.loads(body)
        except ValueError:
            return
        if fields := unstorable_fields(parsed):
            raise unstorable_text(*fields)


def _is_json(content_type: str) -> bool:
    if not content_type:
        return True  # checked all the same: some clients leave the type out
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


async def read_checked(
    scope: Scope, receive: Receive, *, max_body_bytes: int, max_json_depth: int
) -> bytes | None:
    """The whole body once checked, or None to hand the request on untouched.

    Raises the ProblemError the caller answers (services/kit/edge.py)."""
    if fields := form_fields(scope.get("query_string", b"")):
        raise unstorable_text(*fields)
    content_type = b""
    length = None
    for key, value in scope.get("headers") or ():
        if key == b"content-type":
            content_type = value
        elif key == b"content-length":
            length = value
    if length is None and scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type_text = content_type.decode("latin-1")
    if content_type_text.lower().startswith("multipart/form-data"):
        return None
    if length is not None:
        if not length.isdigit():
            raise _bad_length()
        if int(length) > max_body_bytes:
            raise body_too_large(max_body_bytes)
    if scope.get("method") in ("GET", "HEAD", "OPTIONS") and length in (None, b"0"):
        return None
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            # Never hand a cut-off body on as if it were whole; nobody reads this answer.
            raise _interrupted()
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > max_body_bytes:
            raise body_too_large(max_body_bytes)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    if body and _is_json(content_type_text):
        check_json(body, max_depth=max_json_depth)
    elif (
        body
        and content_type_text.lower().startswith("application/x-www-form-urlencoded")
        and (fields := form_fields(body))
    ):
        raise unstorable_text(*fields)
    return body


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` that hands the body read by `read_checked` on first, then the rest."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
