"""The committee office's pages in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browsing import (
    DESK,
    PASSWORD,
    press,
    seen,
    shot,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_the_committee_office_sees_why_a_session_cannot_be_formed_yet(
    browser, web_url: str, world: dict, artefacts: Path
) -> None:
    """Sessions are formed from paid declarations; none of this campaign is paid, and the
    office reads the gateway's reason in Chinese (the draw, defence schedule and ballots
    need a session: tests/api/test_committee_e2e.py walks those through the API)."""
    ctx = browser.new_context(base_url=web_url, **DESK)
    page = ctx.new_page()
    page.goto("/staff/login")
    page.get_by_label("用户名").fill(world["committee"])
    page.get_by_label("密码").fill(PASSWORD)
    press(page, page.get_by_role("button", name="登录"))
    press(page, page.get_by_role("link", name="评审会"))
    seen(page.get_by_role("heading", name="评审会"))
    # Below the level's minimum panel first: the rule and its clause are named.
    page.get_by_label("批次").select_option(world["campaign"]["id"])
    page.get_by_label("抽取专家人数").fill("9")
    press(page, page.get_by_role("button", name="新建"))
    seen(page.locator(".alert.error").get_by_text("少于本级评审委员会的最低人数"))
    page.get_by_label("抽取专家人数").fill("11")
    press(page, page.get_by_role("button", name="新建"))
    seen(page.locator(".alert.error").get_by_text("没有已缴费"))
    shot(page, artefacts, "desk-07-committee")
    ctx.close()
