"""The committed OpenAPI documents are what the code serves."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from collections import Counter
from pathlib import Path

import pytest
import yaml

from scripts.openapi import OUT, SERVICES, render
from services.api.access import PORTAL_SCOPES, SCOPES, TOKEN_URL
from services.kit.openapi import VALIDATION_EXAMPLE
from services.kit.problems import validation_problem
from tests.clients import node_env, node_tool

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
MATRIX = ROOT / "tests" / "api" / "access_matrix.yaml"
# Answers an anonymous caller 401 without taking a bearer token: the payment provider's
# callback is authenticated by its signature (payments/router.py).
SIGNED_NOT_BEARER = {"POST /v1/payments/callback"}


@pytest.mark.parametrize("service", SERVICES)
def test_committed_spec_is_current(service: str) -> None:
    path = OUT / f"{service}.json"
    assert path.exists(), f"{path.name} missing: run `make openapi`"
    assert path.read_text() == render(service), f"{path.name} is stale: run `make openapi`"


@pytest.mark.parametrize("service", SERVICES)
def test_spec_is_openapi_31_with_probes(service: str) -> None:
    spec = json.loads((OUT / f"{service}.json").read_text())
    assert spec["openapi"].startswith("3.1")
    assert {"/healthz", "/readyz"} <= set(spec["paths"])


def _spec(service: str) -> dict:
    return json.loads((OUT / f"{service}.json").read_text())


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_answer_is_problem_json_with_the_one_schema(service: str) -> None:
    """What is sent: every 4xx/5xx is application/problem+json (services/kit/problems.py),
    never FastAPI's `HTTPValidationError` in application/json; the types a route lists
    are examples of the shared `Problem` schema, each a real type of that status."""
    spec = _spec(service)
    assert "HTTPValidationError" not in json.dumps(spec)
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    catalogue = spec["components"].get("examples", {})
    errors = 0
    for method, path, operation in _operations(spec):
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            errors += 1
            where = f"{method.upper()} {path} {status}"
            assert list(response["content"]) == ["application/problem+json"], where
            media = response["content"]["application/problem+json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Problem"}, where
            for code, example in media.get("examples", {}).items():
                value = catalogue[example["$ref"].rsplit("/", 1)[1]]["value"]
                assert value["type"] == f"urn:zhicheng:problem:{code}", where
                assert value["status"] == int(status), where
                assert set(problem["required"]) <= set(value), where
            if status == "422" and takes_input:
                assert "validation-error" in media["examples"], where
    assert errors, "no error answer documented at all"


@pytest.mark.parametrize("service", SERVICES)
def test_operation_ids_are_domain_dot_handler_and_unique(service: str) -> None:
    """`declarations.submit`: the operation's one tag (its domain) and its handler, so
    a generated client reads `declarations.submit(...)`."""
    ids = []
    for method, path, operation in _operations(_spec(service)):
        assert len(operation["tags"]) == 1, (method, path, operation["tags"])
        domain = operation["tags"][0].replace(" ", "_").replace("-", "_")
        assert re.fullmatch(rf"{domain}\.[a-z][a-z0-9_]*", operation["operationId"]), (
            method,
            path,
            operation["operationId"],
        )
        ids.append(operation["operationId"])
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not twice, f"operationIds named twice (rename a handler): {twice}"


@pytest.mark.parametrize("service", SERVICES)
def test_info_version_is_the_projects(service: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert _spec(service)["info"]["version"] == project["version"]


@pytest.mark.parametrize("service", ["rules", "documents", "notify"])
def test_internal_services_declare_their_operations_public(service: str) -> None:
    """They take no token (they sit behind the gateway): every operation says so."""
    spec = _spec(service)
    assert all(op["security"] == [] for _m, _p, op in _operations(spec))
    assert "securitySchemes" not in spec["components"]


def test_gateway_security_is_what_each_route_enforces() -> None:
    """The schemes a generator reads (bearer; the portals' OAuth2 client credentials with
    the token endpoint and every scope) and, per operation, what the endpoint matrix
    observed: a route that answers an anonymous caller 401 takes a bearer token, one a
    portal may call names the scope it needs (PORTAL_SCOPES), a public route none."""
    spec = _spec("api")
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    flow = schemes["portal"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == TOKEN_URL and flow["scopes"] == SCOPES
    assert TOKEN_URL in spec["paths"]
    matrix = yaml.safe_load(MATRIX.read_text(encoding="utf-8"))
    portal_ops = {}
    for method, path, operation in _operations(spec):
        row = f"{method.upper()} {path}"
        security = operation["security"]
        names = [name for requirement in security for name in requirement]
        portal_ops.update(
            {(method.upper(), path): r["portal"][0] for r in security if "portal" in r}
        )
        if path == TOKEN_URL:
            assert security == [{"portalClient": []}, {}]
        elif matrix[row]["anonymous"] == "401" and row not in SIGNED_NOT_BEARER:
            assert security[0] == {"bearer": []}, row
            media = operation["responses"]["401"]["content"]["application/problem+json"]
            assert "unauthenticated" in media["examples"], row
        else:
            assert security == [], row
        assert set(names) <= set(schemes), row
    assert portal_ops == PORTAL_SCOPES


def test_specs_pass_the_redocly_recommended_ruleset() -> None:
    """Redocly CLI (tools/package.json, pinned by its lockfile; `scripts/dev.sh install`
    installs it, run by the node the dev lock pins) with its recommended ruleset
    (tools/redocly.yaml): no error over any committed document; its warnings are printed."""
    redocly = node_tool("redocly")
    env = {**node_env(), "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    files = [str(OUT / f"{service}.json") for service in SERVICES]
    config = str(TOOLS / "redocly.yaml")
    result = subprocess.run(
        [*redocly, "lint", "--config", config, "--format", "summary", *files],
        cwd=TOOLS, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validation_example_is_what_a_validation_error_answers() -> None:
    """The example every 422 shows is the body kit renders for that pydantic error."""
    error = {
        "loc": ("body", "sections", "basic_info", "phone"),
        "type": "string_pattern_mismatch",
        "msg": "String should match pattern",
    }
    body = validation_problem([error]).body()
    assert body.pop("detail_en")
    assert body == VALIDATION_EXAMPLE["value"]
    for service in SERVICES:
        examples = _spec(service)["components"].get("examples", {})
        assert examples.get("validation-error", VALIDATION_EXAMPLE) == VALIDATION_EXAMPLE
