"""The committed OpenAPI documents explain themselves in Chinese: every operation has a
Chinese summary and description, every field of its bodies a Chinese description
(字段说明), and every request and response body an example that its own schema accepts.

DESCRIBED lists, per service, the domains (an operation's one tag) held to it: all of
them, so a new domain fails until its operations, fields and bodies are described.
Bodies read here: JSON request bodies and JSON 2xx answers; file uploads and downloads
(multipart, CSV, XLSX, PDF) have no JSON schema to describe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest

from scripts.openapi import SERVICES
from services.kit.openapi import restore_example_nulls

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "openapi"
CJK = re.compile(r"[\u4e00-\u9fff]")
METHODS = {"get", "put", "post", "patch", "delete"}
BODY_TYPES = {"application/json", "application/problem+json"}

# service -> the domains (tags) held to this test
DESCRIBED: dict[str, set[str]] = {
    "api": {
        "applicants",
        "audit",
        "journals",
        "policies",
        "specialties",
        "campaigns",
        "work-calendar",
        "integrity",
        "data sharing",
        "messages",
        "orgs",
        "payments",
        "documents",
        "eligibility",
        "statistics",
        "declarations",
        "auth",
        "health",
        "reviews",
        "results",
        "committee",
        "problems",
    },
    "notify": {"health", "receipts"},
    "documents": {"health", "documents"},
    "rules": {"health", "eligibility"},
}


def _spec(service: str) -> dict:
    return json.loads((OUT / f"{service}.json").read_text(encoding="utf-8"))


def _operations(service: str) -> Iterator[tuple[str, dict]]:
    for path, item in _spec(service)["paths"].items():
        for method, operation in item.items():
            if method in METHODS and operation["tags"][0] in DESCRIBED[service]:
                yield f"{method.upper()} {path}", operation


def _bodies(operation: dict) -> Iterator[tuple[str, dict, dict]]:
    """(where, schema, media) of the JSON request body and every JSON 2xx answer."""
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        if media in BODY_TYPES:
            yield "request", content["schema"], content
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            for media, content in response.get("content", {}).items():
                if media in BODY_TYPES and "schema" in content:
                    yield status, content["schema"], content


def _named(schema: dict) -> str | None:
    """The component a body is (or, for a list or an optional body, whose items are)."""
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    refs = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if len(refs) == 1:
        schema = refs[0]
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[1] if ref.startswith("#/components/schemas/") else None


def _reachable(spec: dict, names: set[str]) -> set[str]:
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = json.dumps(schemas[name])
        todo += re.findall(r'"#/components/schemas/([^"]+)"', text)
    return seen


def _body_schemas(service: str) -> set[str]:
    """The components that are (or list) a body."""
    names = set()
    for _where, operation in _operations(service):
        for _status, schema, _media in _bodies(operation):
            name = _named(schema)
            if name is not None:
                names.add(name)
    return names


def _inline_bodies(service: str) -> Iterator[tuple[str, dict, list]]:
    """(where, schema, examples) of every body given inline rather than as a component
    (a body the handler reads itself, documented with `openapi_extra` or `responses`)."""
    for where, operation in _operations(service):
        for status, schema, media in _bodies(operation):
            others = set(operation["responses"].get(status, {}).get("content", {})) - BODY_TYPES
            if not schema and others:
                continue  # FastAPI's default JSON media beside a file answer (CSV, XLSX)
            if _named(schema) is None:
                examples = list(schema.get("examples", []))
                examples += [e["value"] for e in media.get("examples", {}).values()]
                examples += [media["example"]] if "example" in media else []
                yield f"{where} {status}", schema, examples


def test_every_service_is_described() -> None:
    assert set(DESCRIBED) == set(SERVICES)


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_domain_is_described(service: str) -> None:
    """Every domain of every service is held to the descriptions (a new one must join)."""
    spec = _spec(service)
    tags = {op["tags"][0] for item in spec["paths"].values() for op in item.values()}
    assert tags == DESCRIBED[service]


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_operation_has_a_chinese_summary_and_description(service: str) -> None:
    missing = [
        where
        for where, operation in _operations(service)
        if not CJK.search(operation.get("summary", ""))
        or not CJK.search(operation.get("description", ""))
    ]
    assert not missing, f"no Chinese summary or description: {missing}"


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_field_of_every_body_has_a_chinese_description(service: str) -> None:
    spec = _spec(service)
    schemas = spec["components"]["schemas"]
    missing = [
        f"{name}.{field}"
        for name in sorted(_reachable(spec, _body_schemas(service)) - {"Problem"})
        for field, prop in schemas[name].get("properties", {}).items()
        if not CJK.search(prop.get("description", ""))
    ]
    missing += [
        f"{where}.{field}"
        for where, schema, _examples in _inline_bodies(service)
        for field, prop in schema.get("properties", {}).items()
        if not CJK.search(prop.get("description", ""))
    ]
    assert not missing, f"fields without a Chinese description: {missing}"


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_body_has_an_example_its_schema_accepts(service: str) -> None:
    spec = _spec(service)
    components = {"components": spec["components"]}
    checked = 0
    for name in sorted(_body_schemas(service) - {"Problem"}):
        examples = spec["components"]["schemas"][name].get("examples")
        assert examples, f"{name}: no example"
        validator = jsonschema_rs.validator_for(
            {"$ref": f"#/components/schemas/{name}", **components}
        )
        for example in examples:
            errors = [e.message for e in validator.iter_errors(example)]
            assert not errors, f"{name}: its example does not validate: {errors}"
            checked += 1
    for where, schema, examples in _inline_bodies(service):
        assert examples, f"{where}: no example"
        validator = jsonschema_rs.validator_for({**schema, **components})
        for example in examples:
            errors = [e.message for e in validator.iter_errors(example)]
            assert not errors, f"{where}: its example does not validate: {errors}"
            checked += 1
    assert checked or not DESCRIBED[service]


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_parameter_has_a_chinese_description(service: str) -> None:
    """Path, query and header parameters alike (字段说明), on every operation."""
    missing = [
        f"{where} {parameter['in']} {parameter['name']}"
        for where, operation in _operations(service)
        for parameter in operation.get("parameters", [])
        if not CJK.search(parameter.get("description", ""))
    ]
    assert not missing, f"parameters without a Chinese description: {missing}"


@pytest.mark.parametrize("service", DESCRIBED)
def test_every_multipart_body_has_an_example_of_its_fields(service: str) -> None:
    """A form has no JSON schema to validate an example against: its example gives every
    required field, and names no field the form does not have."""
    forms = 0
    for where, operation in _operations(service):
        content = operation.get("requestBody", {}).get("content", {})
        for media, body in content.items():
            if not media.startswith("multipart/"):
                continue
            forms += 1
            example = body.get("example")
            assert isinstance(example, dict) and example, f"{where} {media}: no example"
            schema = body["schema"]
            assert set(schema.get("required", [])) <= set(example), (where, example)
            assert set(example) <= set(schema.get("properties", {})), (where, example)
            assert all(isinstance(v, str) and v for v in example.values()), (where, example)
    assert forms or service in ("rules", "notify")


def test_the_check_catches_a_bad_example() -> None:
    """The validation above can fail: a wrong type in an example is reported."""
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid({"n": 1})
    assert not validator.is_valid({"n": "1"})
    assert not validator.is_valid({})


def test_a_required_null_is_put_back_into_the_examples() -> None:
    """FastAPI drops every null from the document; the contract puts back a required
    property that admits null, and only that (services/kit/openapi.py)."""
    schemas = {
        "A": {
            "type": "object",
            "properties": {
                "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "s": {"type": "string"},
                "o": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["n", "s"],
            "examples": [{"s": "x"}, {"n": 1}],
        }
    }
    restore_example_nulls({"components": {"schemas": schemas}})
    assert schemas["A"]["examples"] == [{"s": "x", "n": None}, {"n": 1}]
