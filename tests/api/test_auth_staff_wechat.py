"""Staff accounts (argon2id, lockout, ops management, audit) and WeChat mini-program login."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update
from sqlmodel import select

from services.api.auth.tokens import digest
from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import AuditEntry, RefreshToken, SignInEvent, StaffAccount
from tests.api import fakewechat
from tests.api.factories import OPS, auth, make_tree, post, token
from tests.api.test_auth_applicants import (
    codes_sent,
    new_phone,
    no_codes_left_queued,
    send,
    sign_in,
)
from tests.conftest import Stack
from tests.support import running

__all__ = ["no_codes_left_queued"]
PASSWORD = "Liuzhou2022abc"


@pytest.fixture(scope="module")
def wechat_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("tests.api.fakewechat:app", stack.env())


@pytest.fixture
async def app_client(stack: Stack, rules_url: str, wechat_url: str):
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        sms_ip_per_hour=10_000,
        sms_phone_interval_seconds=0,
        staff_max_failures=3,
        wechat_api_base=wechat_url,
        wechat_appid=fakewechat.APPID,
        wechat_secret=fakewechat.SECRET,
    )
    app = build_app(settings)
    async with running(app) as client:
        client.app = app
        yield client


async def staff_login(client, username: str, password: str):
    return await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": password}
    )


async def test_staff_account_life(app_client) -> None:
    tree = await make_tree(app_client, label="员工")
    username = f"unit-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer",
            "org_id": tree.unit}  # fmt: skip
    # Wrong org kind for the role, weak password: refused.
    r = await post(app_client, "/v1/staff-accounts", OPS, {**body, "org_id": tree.series})
    assert r.status_code == 422
    r = await post(app_client, "/v1/staff-accounts", OPS, {**body, "password": "short1"})
    assert r.status_code == 422
    r = await post(app_client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    account = r.json()
    assert "password" not in r.text and "hash" not in r.text
    async with app_client.app.state.sessionmaker() as session:
        stored = await session.get(StaffAccount, uuid.UUID(account["id"]))
        assert stored.password_hash.startswith("$argon2id$")

    r = await staff_login(app_client, username, PASSWORD)
    assert r.status_code == 200, r.text
    tokens = r.json()
    # The staff token acts for its org and role.
    r = await app_client.get(f"/v1/orgs/{tree.unit}", headers=auth(tokens["access_token"]))
    assert r.status_code == 200
    r = await post(app_client, "/v1/orgs", tokens["access_token"], {})
    assert r.status_code == 403

    # Re-scope to the supervisor org? Wrong kind. Disable: sessions end, sign-in refused.
    r = await app_client.patch(
        f"/v1/staff-accounts/{account['id']}", json={"status": "disabled"}, headers=auth(OPS)
    )
    assert r.status_code == 200 and r.json()["status"] == "disabled"
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    r = await app_client.get(f"/v1/orgs/{tree.unit}", headers=auth(tokens["access_token"]))
    assert r.status_code == 401
    r = await staff_login(app_client, username, PASSWORD)
    assert r.status_code == 403 and r.json()["type"].endswith("account-disabled")
    r = await app_client.patch(
        f"/v1/staff-accounts/{account['id']}",
        json={"status": "active", "role": "series_office", "org_id": tree.series},
        headers=auth(OPS),
    )
    assert r.status_code == 200 and r.json()["role"] == "series_office"
    r = await staff_login(app_client, username, PASSWORD)
    assert r.status_code == 200
    import jwt

    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["role"] == "series_office" and claims["org_id"] == tree.series
    # Ops' changes are on record, who and what; a PATCH that changes nothing is not.
    r = await app_client.patch(
        f"/v1/staff-accounts/{account['id']}", json={"status": "active"}, headers=auth(OPS)
    )
    assert r.status_code == 200
    async with app_client.app.state.sessionmaker() as session:
        entries = (
            await session.exec(
                select(AuditEntry)
                .where(
                    AuditEntry.action == "staff_account_changed",
                    AuditEntry.reason.startswith(account["id"]),
                )
                .order_by(AuditEntry.seq)
            )
        ).all()
    assert [e.actor_role for e in entries] == ["ops", "ops"]
    assert [e.reason.split(": ", 1)[1] for e in entries] == [
        "status active→disabled",
        f"status disabled→active; role unit_reviewer→series_office; org {tree.unit}→{tree.series}",
    ]


async def test_staff_lockout_and_audit(app_client) -> None:
    tree = await make_tree(app_client, label="锁定")
    username = f"lock-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer",
            "org_id": tree.unit}  # fmt: skip
    created = await post(app_client, "/v1/staff-accounts", OPS, body)
    assert created.status_code == 201
    for _ in range(3):  # staff_max_failures=3 in this app
        r = await staff_login(app_client, username, "wrong-password-1")
        assert r.status_code == 401 and r.json()["type"].endswith("invalid-credentials")
    r = await staff_login(app_client, username, PASSWORD)
    assert r.status_code == 429, r.text
    assert r.json()["type"].endswith("account-locked") and int(r.headers["retry-after"]) > 0
    # An unknown user answers like a wrong password.
    unknown = await staff_login(app_client, f"nobody-{uuid.uuid4().hex[:6]}", "whatever12")
    wrong = await staff_login(app_client, f"{username}", "wrong-password-1")
    assert unknown.status_code == 401 and wrong.status_code == 429  # (locked stays locked)
    async with app_client.app.state.sessionmaker() as session:
        rows = (
            await session.exec(
                select(SignInEvent.outcome, SignInEvent.reason)
                .where(SignInEvent.subject == username)
                .order_by(SignInEvent.id)
            )
        ).all()
    assert [r[1] for r in rows] == [
        "wrong_password",
        "wrong_password",
        "wrong_password_locked",
        "locked",
        "locked",
    ]
    # Ops unlock by re-activating.
    r = await app_client.patch(
        f"/v1/staff-accounts/{created.json()['id']}", json={"status": "active"}, headers=auth(OPS)
    )
    assert r.status_code == 200 and r.json()["locked_until"] is None
    assert (await staff_login(app_client, username, PASSWORD)).status_code == 200


async def test_wechat_login_binds_after_a_phone_check(app_client) -> None:
    openid = f"o-{uuid.uuid4().hex[:20]}"
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}"})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["phone_check_required"] is True and "tokens" not in first
    assert "session_key" not in r.text and openid not in r.text
    phone = new_phone()
    assert (await send(app_client, phone)).status_code == 202
    code = (await codes_sent(app_client, phone))[-1]
    wrong = "111111" if code != "111111" else "222222"
    bind = {"ticket": first["ticket"], "phone": phone}
    r = await app_client.post("/v1/auth/wechat-bindings", json={**bind, "code": wrong})
    assert r.status_code == 401
    r = await app_client.post("/v1/auth/wechat-bindings", json={**bind, "code": code})
    assert r.status_code == 200, r.text
    assert "session_key" not in r.text
    # Next time (a new wx.login() code) the same WeChat user signs straight in.
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}.2"})
    assert r.status_code == 200
    again = r.json()
    assert again["phone_check_required"] is False and again["tokens"]["access_token"]
    # A used or bad code, and WeChat being busy.
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}"})
    assert r.status_code == 401 and r.json()["type"].endswith("wechat-code-invalid")
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": "busy"})
    assert r.status_code == 503 and r.headers["retry-after"]


async def _bind(client, openid: str, phone: str) -> dict:
    r = await client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}.{uuid.uuid4()}"})
    assert r.status_code == 200 and r.json()["phone_check_required"] is True, r.text
    assert (await send(client, phone)).status_code == 202
    body = {
        "ticket": r.json()["ticket"],
        "phone": phone,
        "code": (await codes_sent(client, phone))[-1],
    }
    r = await client.post("/v1/auth/wechat-bindings", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def refreshed(client, pair: dict):
    return await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})


async def test_wechat_unbind_ends_wechat_sessions_and_asks_for_the_phone_check_again(
    app_client,
) -> None:
    openid, phone = f"o-{uuid.uuid4().hex[:20]}", new_phone()
    tokens = await _bind(app_client, openid, phone)
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}.second"})
    second_wechat = r.json()["tokens"]
    by_sms = await sign_in(app_client, phone)
    # A session from before sessions recorded their method might have been WeChat's.
    unknown = await sign_in(app_client, phone)
    async with app_client.app.state.sessionmaker() as session:
        await session.exec(
            update(RefreshToken)
            .where(RefreshToken.token_hash == digest(unknown["refresh_token"]))
            .values(method=None)
        )
        await session.commit()
    me = auth(by_sms["access_token"])
    r = await app_client.delete("/v1/me/wechat", headers=me)
    assert r.status_code == 204, r.text
    # The WeChat sessions (and the unknown one) are over, access and refresh; the SMS
    # session goes on.
    for pair in (tokens, second_wechat, unknown):
        r = await app_client.get("/v1/me/identity", headers=auth(pair["access_token"]))
        assert r.status_code == 401, r.text
        r = await refreshed(app_client, pair)
        assert r.status_code == 401 and r.json()["type"].endswith(":invalid-refresh-token")
    r = await refreshed(app_client, by_sms)
    assert r.status_code == 200, r.text
    me = auth(r.json()["access_token"])
    r = await app_client.delete("/v1/me/wechat", headers=me)
    assert r.status_code == 404 and r.json()["type"].endswith(":wechat-not-bound")
    # The same WeChat user, next time: not signed in, a phone check first.
    r = await app_client.post("/v1/auth/wechat-logins", json={"code": f"code-{openid}.again"})
    assert r.status_code == 200 and r.json()["phone_check_required"] is True
    assert "tokens" not in r.json()
    # Binding again (the same phone) lands on the same applicant.
    again = await _bind(app_client, openid, phone)
    import jwt

    subs = {
        jwt.decode(t["access_token"], options={"verify_signature": False})["sub"]
        for t in (tokens, again)
    }
    assert len(subs) == 1
    async with app_client.app.state.sessionmaker() as session:
        rows = (
            await session.exec(
                select(SignInEvent.method, SignInEvent.outcome, SignInEvent.reason)
                .where(SignInEvent.subject == subs.pop())
                .order_by(SignInEvent.id)
            )
        ).all()
    # The second WeChat sign-in, the unbinding, then each WeChat session's refresh refused.
    assert rows == [
        ("wechat", "success", None),
        ("wechat", "success", "unbound"),
        ("refresh", "failure", "revoked"),
        ("refresh", "failure", "revoked"),
        ("refresh", "failure", "revoked"),
    ]
    # Staff and portals have no WeChat to unbind.
    r = await app_client.delete("/v1/me/wechat", headers=auth(OPS))
    assert r.status_code == 403


async def test_wechat_not_offered_is_501_and_unreachable_is_503(stack, rules_url) -> None:
    from scripts.servers import free_port

    base = {**stack.settings_kwargs(), "rules_url": rules_url, "sms_ip_per_hour": 10_000}
    ticket = {"ticket": "t" * 32, "phone": new_phone(), "code": "123456"}
    async with running(build_app(ApiSettings(**base))) as client:
        for url, body in (
            ("/v1/auth/wechat-logins", {"code": "code-someone"}),
            ("/v1/auth/wechat-bindings", ticket),
        ):
            r = await client.post(url, json=body)
            assert r.status_code == 501, r.text
            problem = r.json()
            assert problem["type"] == "urn:zhicheng:problem:wechat-login-not-offered"
            assert "短信验证码" in problem["detail"] and "retry-after" not in r.headers
        # Unbinding still works for accounts bound while it was offered.
        applicant = token("applicant", sub=f"no-wechat-{uuid.uuid4().hex[:6]}")
        r = await client.delete("/v1/me/wechat", headers=auth(applicant))
        assert r.status_code == 404 and r.json()["type"].endswith(":wechat-not-bound")
    gone = ApiSettings(
        **base,
        wechat_api_base=f"http://127.0.0.1:{free_port()}",
        wechat_appid=fakewechat.APPID,
        wechat_secret=fakewechat.SECRET,
    )
    async with running(build_app(gone)) as client:
        r = await client.post("/v1/auth/wechat-logins", json={"code": "code-someone"})
        assert r.status_code == 503 and r.json()["type"].endswith(":wechat-unavailable")
        assert int(r.headers["retry-after"]) > 0
