"""The real stack behind the web front end: the eligibility and document services, the
gateway and the web process, each under uvicorn on a free port; a headless Chromium from
the system's packages (Debian's `chromium`) driven by Playwright.

Skipped, saying why, only where no chromium is installed (`scripts/dev.sh install` adds it
when run as root)."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from services.api.models import Declaration
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from tests.api.conftest import EVENTS
from tests.api.factories import (
    LOGIN_CODE,
    OPS,
    auth,
    campaign_body,
    credit_code,
    withdraw_notices,
)
from tests.api.test_payments import KEY as PAYMENT_KEY
from tests.conftest import ROOT, Stack
from tests.web.browsing import PASSWORD

# Every gateway these tests start sees its callers at 127.0.0.1 (the web process, the
# in-process clients), and every code any test of this worker asked for counts against
# that address in the worker's Valkey: at the default 30 an hour, a sign-in late in the
# run was refused (本网络获取验证码过于频繁) depending on which files ran before it. The
# per-address limit has tests of its own (tests/api/test_auth_applicants.py).
SMS_IP_PER_HOUR = "1000000"
ARTEFACTS = Path(os.environ.get("WEB_ARTEFACTS_DIR", ROOT / ".data" / "test-artefacts" / "web"))


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="package")
def browser(web_url: str):
    # After the stack's fixtures: Playwright's sync API holds an event loop on this thread,
    # so it lives only while these tests run (package scope): an async test after them in
    # the same worker needs the thread's loop free again.
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no chromium on this machine: `apt-get install -y chromium` "
            "(scripts/dev.sh install does it when run as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def web_rules_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("services.rules.main:app", stack.env())


@pytest.fixture(scope="session")
def gateway_url(stack: Stack, uvicorn_service, documents_url: str, web_rules_url: str) -> str:
    # The payment provider's callbacks are signed with the tests' key (tests/api/fakepay.py
    # signs the same way); no background sweeps: the tests' own calls move things.
    env = stack.env(
        RULES_URL=web_rules_url,
        DOCUMENTS_URL=documents_url,
        RETURN_SWEEP_INTERVAL="0",
        PAYMENT_CALLBACK_KEY=PAYMENT_KEY,
        PAYMENT_SWEEP_INTERVAL="0",
        SMS_IP_PER_HOUR=SMS_IP_PER_HOUR,
    )
    return uvicorn_service("services.api.main:app", env)


@pytest.fixture(scope="session")
def through_api(stack: Stack, web_rules_url: str, documents_url: str):
    """`through_api(fn, **settings)` runs `await fn(client)` with an in-process gateway over
    the same database, queue and store as the gateway the web process calls, and returns
    its result: what happens before a page is shown (a declaration walked to paid by the
    people before this one, through the public API with real uploads; the factories of
    tests/api need the app behind their client). `settings` override the gateway's, e.g.
    `clock_offset` for "the same gateway days later" (a test-only setting)."""
    from services.api.config import ApiSettings
    from services.api.main import build_app
    from tests.support import running

    def run(fn, **overrides):
        async def go():
            settings = ApiSettings(
                **stack.settings_kwargs(),
                rules_url=web_rules_url,
                documents_url=documents_url,
                payment_callback_key=PAYMENT_KEY,
                payment_sweep_interval=0,
                return_sweep_interval=0,
                sms_ip_per_hour=int(SMS_IP_PER_HOUR),
                **overrides,
            )
            async with running(build_app(settings)) as client:
                return await fn(client)

        # Playwright's sync API keeps an event loop running on the test's thread.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, go()).result()

    return run


@pytest.fixture(scope="session")
def web_url(stack: Stack, uvicorn_service, gateway_url: str) -> str:
    return uvicorn_service("services.web.main:app", {**stack.env(), "GATEWAY_URL": gateway_url})


@pytest.fixture(scope="package", autouse=True)
def leave_no_jobs(stack: Stack):
    """As after the gateway's tests: cancel the notices these tests caused (login codes,
    returns) and take their jobs off the queue, so a later suite's notify worker sends
    nothing of ours."""
    yield
    where = Notification.declaration_id.in_(select(Declaration.id)) | (
        Notification.event == LOGIN_CODE
    )
    events = tuple("declaration." + e for e in EVENTS)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, withdraw_notices(stack, where, events=events)).result()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def login_code(stack: Stack, phone: str) -> str:
    """The SMS code sent to `phone`, read where the notify worker reads it (the outbox)."""

    async def read() -> str:
        engine = make_engine(stack.database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                # The newest code: a phone signed in before (through the API) has older ones.
                query = (
                    select(Notification.params)
                    .where(Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE)
                    .order_by(Notification.created_at)
                )
                rows = (await session.exec(query)).all()
                return rows[-1]["code"]
        finally:
            await engine.dispose()

    # Playwright's sync API keeps an event loop running on the test's thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def _post(gw: str, path: str, body: dict) -> dict:
    r = httpx.post(gw + path, json=body, headers=auth(OPS, **{"Idempotency-Key": uuid.uuid4().hex}))
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def world(gateway_url: str) -> dict:
    """What ops set up through the API: an org chain, an open campaign, the unit's account."""
    tag = uuid.uuid4().hex[:6]

    def org(kind: str, name: str, parent: str | None, **extra) -> str:
        body = {"kind": kind, "name": name, "region_code": "450200", "parent_id": parent, **extra}
        return _post(gateway_url, "/v1/orgs", body)["id"]

    committee = org("committee_office", f"网页{tag}评委会所在职改办", None)
    series = org("series_office", f"网页{tag}系列职改办", committee)
    unit = org("unit", f"网页{tag}机械厂", series, credit_code=credit_code(random.randrange(10**9)))
    campaign = _post(gateway_url, "/v1/campaigns", campaign_body())
    username, office = f"unit-{tag}", f"series-{tag}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer", "org_id": unit}
    _post(gateway_url, "/v1/staff-accounts", body)
    body = {"username": office, "password": PASSWORD, "role": "series_office", "org_id": series}
    _post(gateway_url, "/v1/staff-accounts", body)
    body = {
        "username": f"committee-{tag}",
        "password": PASSWORD,
        "role": "committee_office",
        "org_id": committee,
    }
    _post(gateway_url, "/v1/staff-accounts", body)
    return {
        "unit_name": f"网页{tag}机械厂",
        "campaign": campaign,
        "username": username,
        "office": office,
        "committee": f"committee-{tag}",
    }
