"""The committed OpenAPI documents are what the code serves."""

from __future__ import annotations

import json

import pytest

from scripts.openapi import OUT, SERVICES, render


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
