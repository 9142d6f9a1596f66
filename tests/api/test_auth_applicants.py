"""Applicants: SMS code login, throttles and lockout, rotating refresh tokens, logout."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import event, update
from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Applicant, SignInEvent
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from services.notify.sms.templates import get_template, render_text
from tests.api.factories import LOGIN_CODE, auth, withdraw_notices
from tests.conftest import Stack
from tests.support import running

EVENT = LOGIN_CODE


@pytest.fixture
async def app_client(stack: Stack, rules_url: str):
    # A generous per-address throttle: every test here comes from the same address.
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        sms_ip_per_hour=10_000,
        sms_phone_interval_seconds=0,
    )
    app = build_app(settings)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture(scope="module", autouse=True)
async def no_codes_left_queued(stack: Stack):
    """Login codes written here are never sent: cancel them and take their jobs away."""
    yield
    await withdraw_notices(stack, Notification.event == EVENT)


def new_phone() -> str:
    return "139" + f"{random.randrange(10**8):08d}"


async def codes_sent(client, phone: str) -> list[str]:
    async with client.app.state.sessionmaker() as session:
        rows = (
            await session.exec(
                select(Notification.params)
                .where(Notification.phone == "+86" + phone, Notification.event == EVENT)
                .order_by(Notification.created_at)
            )
        ).all()
    return [r["code"] for r in rows]


async def send(client, phone: str):
    return await client.post("/v1/auth/sms-codes", json={"phone": phone})


async def login(client, phone: str, code: str):
    return await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": code})


async def sign_in(client, phone: str) -> dict:
    assert (await send(client, phone)).status_code == 202
    r = await login(client, phone, (await codes_sent(client, phone))[-1])
    assert r.status_code == 200, r.text
    return r.json()


async def test_sms_login_creates_the_account_once_and_signs_in(app_client) -> None:
    phone = new_phone()
    first = await sign_in(app_client, phone)
    assert first["token_type"] == "Bearer" and first["expires_in"] <= 900
    me = await app_client.get("/v1/me/identity", headers=auth(first["access_token"]))
    assert me.status_code in (200, 404), me.text  # signed in as an applicant
    second = await sign_in(app_client, phone)
    async with app_client.app.state.sessionmaker() as session:
        bidx = app_client.app.state.pii.blind_index("phone", phone)
        accounts = (await session.exec(select(Applicant).where(Applicant.phone_bidx == bidx))).all()
        assert len(accounts) == 1 and accounts[0].phone_enc and phone not in accounts[0].phone_enc
        events = (
            await session.exec(
                select(SignInEvent.subject, SignInEvent.outcome).where(
                    SignInEvent.method == "sms", SignInEvent.subject.like(phone[:3] + "%")
                )
            )
        ).all()
    masked = phone[:3] + "****" + phone[-4:]
    assert (masked, "success") in events and all(phone not in s for s, _ in events)
    # The two sign-ins are the same person.
    import jwt

    subs = {
        jwt.decode(t["access_token"], options={"verify_signature": False})["sub"]
        for t in (first, second)
    }
    assert subs == {accounts[0].sub}
    # A code is used up by a successful login.
    code = (await codes_sent(app_client, phone))[-1]
    r = await login(app_client, phone, code)
    assert r.status_code == 401 and r.json()["type"].endswith("invalid-login-code")


async def test_known_and_unknown_phone_get_the_same_answer_and_work(app_client) -> None:
    known, unknown = new_phone(), new_phone()
    await sign_in(app_client, known)
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = app_client.app.state.engine.sync_engine
    answers = {}
    work = {}
    for label, phone in (("known", known), ("unknown", unknown)):
        before = len(await codes_sent(app_client, phone))
        statements.clear()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            r = await send(app_client, phone)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        headers = {k: v for k, v in r.headers.items() if k not in ("x-request-id", "date")}
        answers[label] = (r.status_code, headers, r.content)
        work[label] = (list(statements), len(await codes_sent(app_client, phone)) - before)
    assert answers["known"] == answers["unknown"]
    assert answers["known"][0] == 202
    assert work["known"] == work["unknown"]
    assert work["known"][1] == 1 and work["known"][0]  # one notice, the same SQL
    assert not any("applicant" in s for s in work["known"][0])


async def test_ten_wrong_codes_lock_the_phone_for_the_window(app_client) -> None:
    phone = new_phone()
    # Five wrong guesses use up a code; guesses without a live code count as well.
    for _ in range(6):
        r = await login(app_client, phone, "000000")
        assert r.status_code == 401
    assert (await send(app_client, phone)).status_code == 202
    good = (await codes_sent(app_client, phone))[-1]
    wrong = "111111" if good != "111111" else "222222"
    for _ in range(3):
        assert (await login(app_client, phone, wrong)).status_code == 401
    tenth = await login(app_client, phone, wrong)
    assert tenth.status_code == 429, tenth.text
    assert tenth.json()["type"] == "urn:zhicheng:problem:phone-locked"
    window = app_client.app.state.settings.sms_lock_seconds
    assert 0 < int(tenth.headers["retry-after"]) <= window
    # Locked: the right code (still live: it had only 4 wrong tries) is refused, and no
    # new code is sent.
    r = await login(app_client, phone, good)
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= window
    sent = len(await codes_sent(app_client, phone))
    assert (await send(app_client, phone)).status_code == 429
    assert len(await codes_sent(app_client, phone)) == sent
    # Another phone is not affected.
    await sign_in(app_client, new_phone())


async def test_five_wrong_tries_kill_a_code(app_client) -> None:
    phone = new_phone()
    assert (await send(app_client, phone)).status_code == 202
    good = (await codes_sent(app_client, phone))[-1]
    wrong = "111111" if good != "111111" else "222222"
    for _ in range(5):
        assert (await login(app_client, phone, wrong)).status_code == 401
    assert (await login(app_client, phone, good)).status_code == 401


async def test_send_code_throttles(stack: Stack, rules_url: str) -> None:
    settings = ApiSettings(**stack.settings_kwargs(), rules_url=rules_url, sms_ip_per_hour=10_000)
    app = build_app(settings)
    async with running(app) as client:
        client.app = app
        phone = new_phone()
        assert (await send(client, phone)).status_code == 202
        again = await send(client, phone)
        assert again.status_code == 429 and int(again.headers["retry-after"]) <= 60
        assert len(await codes_sent(client, phone)) == 1
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        sms_ip_per_hour=2,
        sms_phone_interval_seconds=0,
    )
    app = build_app(settings)
    async with running(app) as client:
        # The per-address counter is shared with earlier tests; use a fresh address.
        ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        client._transport.client = (ip, 1234)
        answers = [(await send(client, new_phone())).status_code for _ in range(3)]
        assert answers == [202, 202, 429]
        r = await send(client, "12345")
        assert r.status_code == 422


async def test_refresh_rotates_and_reuse_kills_the_session(app_client) -> None:
    tokens = await sign_in(app_client, new_phone())
    stolen = tokens["refresh_token"]
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": stolen})
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["refresh_token"] != stolen
    assert (
        await app_client.get("/v1/declarations", headers=auth(rotated["access_token"]))
    ).is_success
    # The old token used a second time (by the thief, or the owner): the family dies.
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": stolen})
    assert r.status_code == 401
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert r.status_code == 401
    assert r.json()["type"] == "urn:zhicheng:problem:invalid-refresh-token"
    # The access tokens of the session stop at once too.
    for access in (tokens["access_token"], rotated["access_token"]):
        r = await app_client.get("/v1/declarations", headers=auth(access))
        assert r.status_code == 401 and r.json()["type"].endswith("session-ended")


async def test_logout_revokes_the_family(app_client) -> None:
    tokens = await sign_in(app_client, new_phone())
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    current = r.json()["refresh_token"]
    access = r.json()["access_token"]
    assert (await app_client.get("/v1/declarations", headers=auth(access))).status_code == 200
    other = await sign_in(app_client, new_phone())  # another session, untouched
    r = await app_client.post("/v1/auth/logout", json={"refresh_token": current})
    assert r.status_code == 204
    assert (await app_client.get("/v1/declarations", headers=auth(access))).status_code == 401
    r = await app_client.get("/v1/declarations", headers=auth(other["access_token"]))
    assert r.status_code == 200
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": current})
    assert r.status_code == 401
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert r.status_code == 401


async def test_guessing_across_phones_from_one_address_is_stopped(
    stack: Stack, rules_url: str
) -> None:
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, sms_ip_failures_per_hour=3
    )
    app = build_app(settings)
    async with running(app) as client:
        client._transport.client = (f"10.9.{random.randrange(256)}.{random.randrange(255)}", 1)
        answers = [(await login(client, new_phone(), "123456")).status_code for _ in range(4)]
        assert answers == [401, 401, 401, 429]


async def test_a_disabled_applicant_cannot_refresh(app_client) -> None:
    phone = new_phone()
    tokens = await sign_in(app_client, phone)
    bidx = app_client.app.state.pii.blind_index("phone", phone)
    async with app_client.app.state.sessionmaker() as session:
        await session.exec(
            update(Applicant).where(Applicant.phone_bidx == bidx).values(status="disabled")
        )
        await session.commit()
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    assert (await send(app_client, phone)).status_code == 202  # same answer as ever
    r = await login(app_client, phone, (await codes_sent(app_client, phone))[-1])
    assert r.status_code == 403 and r.json()["type"].endswith("account-disabled")


async def test_the_sms_states_the_code_lifetime_configured(stack: Stack, rules_url: str) -> None:
    """The code lives `sms_code_ttl_seconds`; the text the applicant reads says as much."""
    with pytest.raises(ValidationError):
        ApiSettings(**stack.settings_kwargs(), rules_url=rules_url, sms_code_ttl_seconds=90)
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        sms_ip_per_hour=10_000,
        sms_code_ttl_seconds=600,
    )
    app = build_app(settings)
    phone = new_phone()
    async with running(app) as client:
        r = await send(client, phone)
        assert r.status_code == 202 and r.json()["expires_in"] == 600
        async with app.state.sessionmaker() as session:
            row = (
                await session.exec(
                    select(Notification).where(
                        Notification.phone == "+86" + phone, Notification.event == EVENT
                    )
                )
            ).one()
    assert row.params["minutes"] == "10"
    assert timedelta(seconds=590) < row.not_after - row.created_at <= timedelta(seconds=601)
    text = render_text(get_template(row.template_code), row.params)
    assert "10分钟内有效" in text and row.params["code"] in text


# --- Bursts of guesses on open connections, against the gateway under a real uvicorn ---

BURST = 300


@pytest.fixture(scope="module")
def burst_gateway(stack: Stack, rules_url: str, uvicorn_service):
    """Start a gateway with its own Valkey index (so counters start at zero) per test."""
    base, _, _ = stack.redis_url.rpartition("/")
    indexes = iter(range(10, 16))

    def start(**env: str) -> str:
        return uvicorn_service(
            "services.api.main:app",
            stack.env(
                RULES_URL=rules_url,
                REDIS_URL=f"{base}/{next(indexes)}",
                SMS_PHONE_INTERVAL_SECONDS="0",
                SMS_IP_PER_HOUR="100000",
                PAYMENT_SWEEP_INTERVAL="0",
                LOG_LEVEL="WARNING",
                **env,
            ),
        )

    return start


async def _codes(stack: Stack, phone: str) -> list[str]:
    """The codes the applicant received by SMS (the notices written for the phone)."""
    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.exec(
                select(Notification.params)
                .where(Notification.phone == "+86" + phone, Notification.event == EVENT)
                .order_by(Notification.created_at)
            )
            return [r["code"] for r in rows.all()]
    finally:
        await engine.dispose()


async def _burst(base_url: str, guesses: list[tuple[str, str]]) -> list:
    """Every guess on its own connection, all in flight at once; answers in send order."""
    limits = httpx.Limits(max_connections=len(guesses), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        return await asyncio.gather(
            *(
                client.post("/v1/auth/sms-logins", json={"phone": phone, "code": code})
                for phone, code in guesses
            )
        )


def _types(answers) -> list[str]:
    return [r.json()["type"].rsplit(":", 1)[1] if r.status_code != 200 else "ok" for r in answers]


def _wrong_codes(good: str, n: int) -> list[str]:
    wrong = [f"{i:06d}" for i in range(n + 1)]
    return [c for c in wrong if c != good][:n]


async def _new_code(base_url: str, stack: Stack, phone: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.post("/v1/auth/sms-codes", json={"phone": phone})).status_code == 202
    return (await _codes(stack, phone))[-1]


async def test_a_code_signs_in_once_however_many_present_it_at_once(
    stack: Stack, burst_gateway
) -> None:
    base_url = burst_gateway()
    phone = new_phone()
    good = await _new_code(base_url, stack, phone)
    answers = await _burst(base_url, [(phone, good)] * BURST)
    kinds = _types(answers)
    # Single use: one sign-in; the other presentations meet no live code and count as
    # wrong guesses, so the phone locks at the 10th.
    assert kinds.count("ok") == 1, kinds
    assert kinds.count("invalid-login-code") == 9
    assert kinds.count("phone-locked") == BURST - 10, Counter(kinds)


async def test_a_burst_of_guesses_is_counted_before_any_is_compared(
    stack: Stack, burst_gateway
) -> None:
    """300 guesses at once, the right code sent last: the lock (10 wrong guesses) holds
    exactly, and the right code is never among the guesses compared."""
    base_url = burst_gateway()
    phone = new_phone()
    good = await _new_code(base_url, stack, phone)
    guesses = [(phone, code) for code in _wrong_codes(good, BURST - 1)] + [(phone, good)]
    kinds = _types(await _burst(base_url, guesses))
    assert "ok" not in kinds
    assert kinds.count("invalid-login-code") == 9, kinds
    assert kinds.count("phone-locked") == BURST - 9
    async with httpx.AsyncClient(base_url=base_url) as client:
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": good})
    assert r.status_code == 429 and r.json()["type"].endswith("phone-locked")


async def test_the_sixth_guess_on_a_code_is_refused_under_a_burst(
    stack: Stack, burst_gateway
) -> None:
    """With the phone lock out of the way, a code still allows five guesses in all: the
    right code, sent after 299 wrong ones in the same burst, finds the code burnt."""
    base_url = burst_gateway(SMS_LOCK_FAILURES="100000", SMS_IP_FAILURES_PER_HOUR="100000")
    phone = new_phone()
    good = await _new_code(base_url, stack, phone)
    guesses = [(phone, code) for code in _wrong_codes(good, BURST - 1)] + [(phone, good)]
    kinds = _types(await _burst(base_url, guesses))
    assert kinds == ["invalid-login-code"] * BURST
    async with httpx.AsyncClient(base_url=base_url) as client:
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": good})
        assert r.status_code == 401 and r.json()["type"].endswith("invalid-login-code")
        # A new code works: the phone was never locked.
        fresh = await _new_code(base_url, stack, phone)
        r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": fresh})
        assert r.status_code == 200, r.text


async def test_the_address_limit_holds_under_a_burst_across_phones(
    stack: Stack, burst_gateway
) -> None:
    limit = 100
    base_url = burst_gateway(SMS_IP_FAILURES_PER_HOUR=str(limit))
    guesses = [(new_phone(), "123456") for _ in range(BURST)]
    kinds = _types(await _burst(base_url, guesses))
    assert kinds.count("invalid-login-code") == limit, kinds
    assert kinds.count("rate-limited") == BURST - limit
