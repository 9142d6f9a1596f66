"""Contracts between services that no import can check: the gateway writes notices by
template code and parameters that the notify worker must know."""

from __future__ import annotations

import ast
from pathlib import Path

from services.notify.sms.templates import TEMPLATES

API = Path(__file__).resolve().parent.parent / "services" / "api"


def _template_calls() -> list[tuple[str, set[str], str]]:
    """(template code, parameter names given, where) for every notify(...) call."""
    found = []
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            code = kw.get("template")
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue
            params = kw.get("params")
            names = (
                {k.value for k in params.keys if isinstance(k, ast.Constant)}
                if isinstance(params, ast.Dict)
                else set()
            )
            found.append((code.value, names, f"{path.name}:{node.lineno}"))
    return found


def test_every_template_the_gateway_uses_exists_with_its_parameters() -> None:
    calls = _template_calls()
    assert len(calls) >= 5, "the scan found no notify calls: has the call shape changed?"
    for code, names, where in calls:
        assert code in TEMPLATES, f"{where}: no notify template {code}"
        # The gateway adds `name` to every notice (services/api/notices.py).
        unknown = names - set(TEMPLATES[code].params)
        assert not unknown, f"{where}: {code} has no parameter(s) {unknown}"
