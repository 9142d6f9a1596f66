"""OpenAPI fragments the services' routes share (FastAPI cannot infer them from a
handler that reads the request stream itself)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from services.kit.deprecation import document_deprecations
from services.kit.parameters import describe_parameters
from services.kit.problems import PROBLEM_MEDIA_TYPE

FILE = {"type": "string", "format": "binary"}
# A document's note (备注), refused above this: the document service's form and the
# declaration's attachment entry, which carries the note, hold the same limit.
NOTE_MAX_CHARS = 200


# What a form's file part stands for in an example (the bytes themselves are the file).
FILE_EXAMPLE = "（文件内容：JPG 扫描件或 PDF）"


def multipart_body(
    properties: dict[str, dict[str, Any]],
    *,
    required: list[str],
    also: dict[str, Any] | None = None,
    example: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`openapi_extra` for a multipart/form-data request body (plus other media types),
    with an example form: `example`, or each field's own example, a file part shown as
    FILE_EXAMPLE (every part of a form is text or a file)."""
    schema = {"type": "object", "required": required, "properties": properties}
    form = example or {
        name: FILE_EXAMPLE if prop.get("format") == "binary" else str(prop.get("example", ""))
        for name, prop in properties.items()
    }
    content = {
        "multipart/form-data": {"schema": schema, "example": form},
        **(also or {}),
    }
    return {"requestBody": {"required": True, "content": content}}


def scan_upload(kind_description: str, *, kind: str = "title_certificate") -> dict[str, Any]:
    """The form of a scan upload: the file, its material kind, an optional note."""
    return multipart_body(
        {
            "file": {**FILE, "description": "扫描件或照片"},
            "kind": {"type": "string", "description": kind_description},
            "note": {"type": "string", "maxLength": NOTE_MAX_CHARS, "description": "备注（可选）"},
        },
        required=["file", "kind"],
        example={"file": FILE_EXAMPLE, "kind": kind, "note": "现职称证书扫描件"},
    )


# The contract every service publishes (create_app installs it): readable operation ids,
# the project's version, and every error answer as RFC 9457 problem+json with one schema.

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": (
        "RFC 9457 问题详情（application/problem+json）：每个错误应答都是这一形状。"
        "`type` 稳定，可据以编程判断；`detail` 是给人看的中文说明；"
        "各类问题可另带字段（如校验错误的 `errors`）。全部类型见错误码表（docs/problems.md）。"
    ),
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "问题类型，稳定的 URN：urn:zhicheng:problem:<code>",
            "examples": ["urn:zhicheng:problem:validation-error"],
        },
        "title": {"type": "string", "description": "问题类型的简短英文标题"},
        "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599,
            "description": "HTTP 状态码，与应答一致",
        },
        "detail": {"type": "string", "description": "中文说明：哪里不对、怎么办"},
        "detail_en": {"type": "string", "description": "英文说明（部分问题提供）"},
        # No `format`: the path as the server decoded it (it may hold any character).
        "instance": {"type": "string", "description": "出错请求的路径"},
        "request_id": {"type": "string", "description": "请求编号（X-Request-ID），反馈问题时提供"},
        "errors": {
            "type": "array",
            "items": {},
            "description": "逐项说明（校验错误：每项为 field、message、message_en；"
            "field 为字段的 JSON 路径，如 sections.papers.0.title，整个请求体为 $）",
        },
    },
    "additionalProperties": True,
}
VALIDATION_EXAMPLE = {
    "summary": "请求内容有误（字段以 JSON 路径指明）",
    "value": {
        "type": "urn:zhicheng:problem:validation-error",
        "title": "Request validation failed",
        "status": 422,
        "detail": "请求内容有误，请检查以下字段：sections.basic_info.phone。",
        "errors": [
            {
                "field": "sections.basic_info.phone",
                "message": "格式不正确",
                "message_en": "String should match pattern",
            }
        ],
    },
}
# FastAPI's own description of its validation answer, and the schemas it brings.
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_id(service: str):
    """`generate_unique_id_function`: `<domain>.<handler>` (`declarations.submit`), the
    domain being the route's first tag (a service's routes without one: the service)."""

    def generate(route: Any) -> str:
        tag = route.tags[0] if route.tags else service
        return f"{str(tag).replace(' ', '_').replace('-', '_')}.{route.name}"

    return generate


def project_version() -> str:
    """The project's version: pyproject.toml in a checkout, the installed metadata in
    an image (where only the package is copied)."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.exists():
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    return metadata.version("zhicheng")


def _operations(schema: dict[str, Any]):
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield path, method, operation


def _uses(schema: dict[str, Any], name: str) -> bool:
    ref = f'"#/components/schemas/{name}"'
    return ref in json.dumps({k: v for k, v in schema.items() if k != "components"}) or any(
        ref in json.dumps(v)
        for k, v in schema.get("components", {}).get("schemas", {}).items()
        if k not in _FASTAPI_VALIDATION
    )


def problem_responses(schema: dict[str, Any]) -> None:
    """Every 4xx and 5xx answer: problem+json with the shared `Problem` schema; the types
    a route lists (`documented(...)`) are its examples, each kept once in
    `components/examples` under its code and referenced. The validation error FastAPI
    documents in its own shape (`HTTPValidationError`, application/json, never sent)
    becomes the problem it is. An operation that declares no security is public."""
    # Relative: the address the document was read from (each deployment has its own).
    schema.setdefault("servers", [{"url": "/", "description": "本服务（与本文档同一地址）"}])
    components = schema.setdefault("components", {})
    catalogue: dict[str, Any] = {}
    for _path, _method, operation in _operations(schema):
        operation.setdefault("security", [])
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        for status, response in operation.get("responses", {}).items():
            if str(status)[:1] not in ("4", "5"):
                continue
            media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE, {})
            examples = dict(media.get("examples", {}))
            if str(status) == "422" and takes_input:
                examples.setdefault("validation-error", VALIDATION_EXAMPLE)
            problem: dict[str, Any] = {"schema": PROBLEM_REF}
            if examples:
                refs = {}
                for code, example in sorted(examples.items()):
                    if catalogue.setdefault(code, example) is example or catalogue[code] == example:
                        refs[code] = {"$ref": f"#/components/examples/{code}"}
                    else:  # the same code shown differently: kept where it is
                        refs[code] = example
                problem["examples"] = refs
            response["content"] = {PROBLEM_MEDIA_TYPE: problem}
    if catalogue:
        components["examples"] = {
            **components.get("examples", {}),
            **dict(sorted(catalogue.items())),
        }
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in _FASTAPI_VALIDATION:
        if name in schemas and not _uses(schema, name):
            del schemas[name]


def _instance(problem: Any) -> Any:
    """A ProblemError as raised: a named kind (a class) is made with its one text."""
    return problem() if isinstance(problem, type) else problem


# How a status added only for the problems every operation shares is described.
SHARED = "问题类型见 application/problem+json 的示例；全部类型见错误码表（GET /v1/problems）。"


def answers(responses: dict[str, Any], *problems: Any, describe: bool = True) -> None:
    """List each problem (a ProblemError, or a named kind) on an operation's `responses`:
    an example of its status's problem+json (the status added when missing, described by
    its types). For what a route answers through shared machinery (the request pass, a
    dependency, a header), listed by that machinery's OpenAPI hook, never by hand.
    `describe=False`: the problems common to every operation, shown as examples only (a
    status they add is described by SHARED)."""
    for problem in map(_instance, problems):
        status = str(problem.status)
        line = f"`{problem.body()['type']}`: {problem.detail}"
        answer = responses.get(status) or responses.get(problem.status)
        if answer is None:
            answer = responses[status] = {"description": line if describe else SHARED}
        elif (
            describe
            and "urn:zhicheng:problem:" in answer.get("description", "")
            and problem.body()["type"] not in answer["description"]
        ):
            answer["description"] += "\n" + line
        media = answer.setdefault("content", {}).setdefault(PROBLEM_MEDIA_TYPE, {})
        examples = media.setdefault("examples", {})
        examples.setdefault(problem.code, {"summary": problem.detail, "value": problem.body()})


def request_pass_problems(schema: dict[str, Any]) -> None:
    """What the request pass every service runs (services/kit/edge.py, kit/limits.py) and
    its error handlers (kit/problems.py) answer before or around any route: listed on every
    operation, since each is answered whatever the route (a body sent to a GET is checked
    too). The problem a route raises itself is listed by the route."""
    from services.kit.limits import (
        _bad_length,
        _interrupted,
        _not_utf8,
        _too_deep,
        body_too_large,
    )
    from services.kit.problems import (
        _dependency_unavailable,
        already_stored,
        database_unavailable,
        service_busy,
        unstorable_text,
    )
    from services.kit.settings import KitSettings

    limits = KitSettings.model_fields
    general = (
        unstorable_text(),
        _bad_length(),
        _interrupted(),
        _not_utf8(),
        _too_deep(limits["max_json_depth"].default),
        body_too_large(limits["max_body_bytes"].default),
        service_busy(),
        database_unavailable(),
        _dependency_unavailable(),
    )
    for _path, method, operation in _operations(schema):
        # A write a unique constraint refuses without the route's own answer (a twin
        # request first): 409 already-stored.
        writes = (already_stored(),) if method in ("post", "put", "patch", "delete") else ()
        answers(operation.setdefault("responses", {}), *general, *writes, describe=False)


COMMON_HEADERS = {
    "X-Request-ID": {
        "description": "The request's id (the one sent, else a new one): in every log line "
        "of the request and in a problem's `request_id`; quote it when reporting a fault.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
}


def common_headers(schema: dict[str, Any]) -> None:
    """What every service sends: `X-Request-ID` on every answer (kit/logs.py), and
    `Retry-After` on every 429 (rate limits) and 503 (a dependency down)."""
    headers = schema.setdefault("components", {}).setdefault("headers", {})
    headers.update(COMMON_HEADERS)
    for _path, _method, operation in _operations(schema):
        for status, response in operation.get("responses", {}).items():
            listed = response.setdefault("headers", {})
            listed["X-Request-ID"] = {"$ref": "#/components/headers/X-Request-ID"}
            if str(status) in ("429", "503"):
                listed["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}


# A change a service makes to its own document once it is built (the gateway's security).
OpenApiHook = Callable[[dict[str, Any]], None]


def install_contract(app: Any, hooks: Iterable[OpenApiHook] = ()) -> None:
    """Build the app's document once: the service's hooks, then the shared contract."""
    hooks = tuple(hooks)
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            for hook in hooks:
                hook(schema)
            request_pass_problems(schema)
            describe_parameters(schema)
            problem_responses(schema)
            common_headers(schema)
            # Last: every answer the steps above added carries the deprecation headers too.
            document_deprecations(schema)
            restore_example_nulls(schema)
        return app.openapi_schema

    app.openapi = openapi


def restore_example_nulls(schema: dict[str, Any]) -> None:
    """FastAPI writes its document without a single null (`exclude_none`), the schemas'
    examples included: a required property that admits null and is missing from an example
    is put back as null, so that each example is one its own schema accepts."""
    schemas = schema.get("components", {}).get("schemas", {})
    for component in schemas.values():
        if isinstance(component.get("examples"), list):
            component["examples"] = [
                _with_nulls(example, component, schemas) for example in component["examples"]
            ]


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[1], {}) if ref else schema


def _admits_null(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    schema = _resolve(schema, schemas)
    kind = schema.get("type")
    return (
        kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or any(_admits_null(b, schemas) for b in schema.get("anyOf", []))
    )


def _with_nulls(instance: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    schema = _resolve(schema, schemas)
    branches = [schema, *(_resolve(b, schemas) for b in schema.get("anyOf", []))]
    if isinstance(instance, dict):
        instance = dict(instance)
        for branch in branches:
            properties = branch.get("properties", {})
            for name in branch.get("required", []):
                if name not in instance and _admits_null(properties.get(name, {}), schemas):
                    instance[name] = None
            for name, value in list(instance.items()):
                if name in properties:
                    instance[name] = _with_nulls(value, properties[name], schemas)
    elif isinstance(instance, list):
        items = next((b["items"] for b in branches if "items" in b), {})
        instance = [_with_nulls(value, items, schemas) for value in instance]
    return instance
