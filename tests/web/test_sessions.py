"""Sessions in a real browser: CSRF tokens, refresh of an access token the gateway no
longer accepts, a forged cookie, signing out, a token that opens nothing, a gateway that
does not answer."""

from __future__ import annotations

import random

import httpx
import pytest

from services.web.config import DEV_WEB_SESSION_SECRET
from services.web.session import COOKIE, dump, load
from tests.conftest import Stack
from tests.web.browsing import (
    PHONE,
    press,
    seen,
)
from tests.web.conftest import login_code

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_a_form_without_its_csrf_token_is_refused(browser, web_url: str) -> None:
    ctx = browser.new_context(base_url=web_url, **PHONE)
    page = ctx.new_page()
    page.goto("/login")
    r = page.request.post("/login/code", form={"phone": "13900000000", "csrf": "forged"})
    assert r.status == 403
    assert "表单已过期或来源不明" in r.text()
    ctx.close()


def _signed_in(browser, web_url: str, stack: Stack):
    ctx = browser.new_context(base_url=web_url, **PHONE)
    page = ctx.new_page()
    page.goto("/login")
    phone = "138" + f"{random.randrange(10**8):08d}"
    page.get_by_label("手机号码").fill(phone)
    press(page, page.get_by_role("button", name="获取短信验证码"))
    page.get_by_label("短信验证码").fill(login_code(stack, phone))
    press(page, page.get_by_role("button", name="登录"))
    seen(page.get_by_role("heading", name="我的申报"))
    return ctx, page


def _cookie(ctx) -> dict:
    return next(c for c in ctx.cookies() if c["name"] == COOKIE)


def test_an_expired_access_token_is_refreshed_and_a_forged_cookie_signs_out(
    browser, web_url: str, stack: Stack
) -> None:
    ctx, page = _signed_in(browser, web_url, stack)
    cookie = _cookie(ctx)
    assert cookie["httpOnly"] is True
    held = load(cookie["value"], DEV_WEB_SESSION_SECRET)
    # The access token stops being accepted (as after its 15 minutes): the page refreshes
    # the pair with the refresh token and carries on.
    held.access = "expired." + held.access.split(".", 1)[1]
    ctx.add_cookies([{**cookie, "value": dump(held, DEV_WEB_SESSION_SECRET, 3600)}])
    page.goto("/")
    seen(page.get_by_role("heading", name="我的申报"))
    renewed = load(_cookie(ctx)["value"], DEV_WEB_SESSION_SECRET)
    assert renewed.refresh != held.refresh and renewed.access != held.access
    # A cookie changed by anyone without the key is no session at all.
    forged = _cookie(ctx)["value"][:-4] + "AAAA"
    ctx.add_cookies([{**_cookie(ctx), "value": forged}])
    page.goto("/")
    assert page.url.endswith("/login")
    ctx.close()


def test_signing_out_ends_the_session_at_the_gateway(browser, web_url: str, stack: Stack) -> None:
    ctx, page = _signed_in(browser, web_url, stack)
    # The workbench asks the gateway as this person: an applicant's token opens no queue.
    answer = page.goto("/review")
    assert answer.status == 403
    seen(page.locator(".alert.error"))
    copied = _cookie(ctx)
    press(page, page.get_by_role("button", name="退出（"))
    assert page.url.endswith("/login")
    # The cookie as it was before signing out no longer opens anything.
    ctx.add_cookies([copied])
    page.goto("/")
    assert page.url.endswith("/login")
    ctx.close()


def test_a_gateway_that_does_not_answer_is_said_so_in_chinese(
    browser, stack: Stack, uvicorn_service
) -> None:
    from scripts.servers import free_port

    silent = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    web = uvicorn_service("services.web.main:app", {**stack.env(), "GATEWAY_URL": silent})
    ctx = browser.new_context(base_url=web, **PHONE)
    page = ctx.new_page()
    page.goto("/login")
    page.get_by_label("手机号码").fill("13900000001")
    with page.expect_navigation():
        page.get_by_role("button", name="获取短信验证码").click()
    seen(page.locator(".alert.error").get_by_text("系统暂时无法连接，请稍后再试。"))
    assert httpx.get(web + "/readyz").status_code == 503
    ctx.close()
