"""Schemathesis hooks for tests/robustness/test_fuzz.py (loaded via SCHEMATHESIS_HOOKS).

A check that every error is problem+json, and bearer tokens chosen per operation so the
fuzzer gets past the access checks to the validation and the services behind them.
"""

from __future__ import annotations

import json
import os
import re

import schemathesis


@schemathesis.check
def problem_json(ctx, response, case) -> None:
    """Every 4xx/5xx is RFC 9457 application/problem+json with type/title/status/detail."""
    if response.status_code < 400:
        return
    ctype = (response.headers.get("content-type") or [""])[0]
    if not ctype.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered as {ctype!r}, not problem+json")
    body = json.loads(response.content)
    missing = {"type", "title", "status", "detail"} - body.keys()
    if missing:
        raise AssertionError(f"problem+json without {sorted(missing)}: {body}")
    if body["status"] != response.status_code:
        raise AssertionError(f"problem status {body['status']} != HTTP {response.status_code}")
    if not str(body["type"]).startswith("urn:zhicheng:problem:"):
        raise AssertionError(f"problem type {body['type']!r} is not a zhicheng URN")


@schemathesis.check
def answer_documented(ctx, response, case) -> None:
    """What the fuzzer was answered is what the operation documents: the status, a
    problem's `type` listed on it (tests/contract.py reads them as a client would), and
    each ETag, Location, Retry-After and X-Request-ID sent listed on that answer."""
    from tests.contract import WATCHED, problems_of

    if case.method.upper() != case.operation.method.upper():
        return  # a method the path does not take (its 405 is no operation's)
    operation = case.operation.definition.raw
    where = f"{case.method} {case.operation.path} {response.status_code}"
    status = str(response.status_code)
    answer = operation.get("responses", {}).get(status)
    if answer is None:
        raise AssertionError(f"{where}: status not documented")
    listed = {k.lower() for k in answer.get("headers", {})}
    sent = {h for h in WATCHED if h in {k.lower() for k in response.headers}}
    if sent - listed:
        raise AssertionError(f"{where}: sends {sorted(sent - listed)} undocumented")
    ctype = (response.headers.get("content-type") or [""])[0]
    if response.status_code < 400 or not ctype.startswith("application/problem+json"):
        return
    code = str(json.loads(response.content).get("type", "")).rsplit(":", 1)[-1]
    if code not in (problems_of(operation, status) or set()):
        raise AssertionError(f"{where}: problem type {code} not listed on the operation")


# The public check of a certificate's copy takes the PDF itself as the body: sent as the
# raw bytes the fuzzer makes, like any binary upload (schemathesis has no PDF serializer).
schemathesis.serializer.alias("application/pdf", "application/octet-stream")


# Role whose routes these are; everything else is called as an applicant.
ROLES = (
    (re.compile(r"^/v1/campaigns/[^/]+/unit-quality$"), "*", "series_office"),
    (re.compile(r"^/v1/campaigns/[^/]+/posting-list$"), "*", "unit_reviewer"),
    (re.compile(r"^/v1/(orgs|campaigns|work-calendar|audit)"), "*", "ops"),
    (re.compile(r"/(approvals|returns|unit-review|payment-notices)$"), "*", "unit_reviewer"),
    (
        re.compile(r"/(original-checks|unit-pledge|posting-objections|unit-materials)(/|$)"),
        "*",
        "unit_reviewer",
    ),
    (re.compile(r"^/v1/payments/expirations$"), "*", "service"),
)


def role_for(method: str, path: str) -> str:
    for pattern, verb, role in ROLES:
        if pattern.search(path) and verb in ("*", method.upper()):
            return role
    return "applicant"


def service_token(service: str) -> str:
    """The eligibility and document services answer the gateway only: the fuzzer calls
    them as the gateway does, with a fresh 60-second service token."""
    from services.kit.service_tokens import DOCUMENTS_AUDIENCE, RULES_AUDIENCE, issue
    from tests.support import GATEWAY_KEY

    if service == "rules":
        return issue(GATEWAY_KEY, RULES_AUDIENCE)
    return issue(GATEWAY_KEY, DOCUMENTS_AUDIENCE)


if tokens := os.environ.get("ZHICHENG_FUZZ_TOKENS"):
    TOKENS = json.loads(tokens)
    SERVICE = os.environ.get("ZHICHENG_FUZZ_SERVICE")

    @schemathesis.auth(refresh_interval=None)
    class RoleTokens:
        def get(self, case, ctx) -> str:
            if SERVICE:
                return service_token(SERVICE)
            return TOKENS[role_for(case.method, case.operation.path)]

        def set(self, case, data, ctx) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
