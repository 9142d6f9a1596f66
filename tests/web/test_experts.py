"""The expert pool (评委库) in a real browser: experts apply and follow their entry; the
committee office lists its pool by status and decides on each entry with a reason."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.api.factories import OPS, make_org, post
from tests.web.browsing import (
    PASSWORD,
    UNLABELLED,
    alerts,
    press,
    seen,
    shot,
    staff_signed_in,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def pool(through_api) -> dict:
    """Ops open a committee office with its office account and two expert accounts."""
    tag = uuid.uuid4().hex[:6]

    async def setup(client) -> dict:
        office = await make_org(client, "committee_office", f"专家库{tag}评委会所在职改办", None)
        series = await make_org(client, "series_office", f"专家库{tag}系列职改办", office)
        # The unit the first expert asks to stand aside from (申报回避).
        await make_org(client, "unit", f"专家库{tag}机械研究院", series)
        people = {"office": ("committee_office", f"pool-office-{tag}")}
        people |= {k: ("expert", f"pool-{k}-{tag}") for k in ("first", "second")}
        for role, username in people.values():
            body = {"username": username, "password": PASSWORD, "role": role, "org_id": office}
            r = await post(client, "/v1/staff-accounts", OPS, body)
            assert r.status_code == 201, r.text
        return {key: username for key, (_role, username) in people.items()} | {
            "unit": f"专家库{tag}机械研究院"
        }

    return through_api(setup)


def apply(page, name: str, *, region: str = "450200", conflicts: str = "") -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("现有职称").fill("正高级工程师")
    page.get_by_label("工作单位").fill("柳州某机械研究院")
    page.get_by_label("系列").select_option("engineering")
    page.get_by_label("专业（可填多个，用逗号分隔）").fill("机械工程，机械设计")
    page.get_by_label("所在地区（行政区划代码，6 位数字）").fill(region)
    page.get_by_label("申报回避的单位").fill(conflicts)
    press(page, page.get_by_role("button", name="提交入库申请"))


def decide(page, decision: str, reason: str) -> None:
    page.get_by_label("决定").select_option(label=decision)
    page.get_by_label("理由").fill(reason)
    press(page, page.get_by_role("button", name="提交决定"))


def test_experts_apply_and_the_office_decides_on_its_pool(
    browser, web_url: str, pool: dict, artefacts: Path
) -> None:
    # An expert signs in and lands on their pool entry: none yet, the form.
    ctx, page = staff_signed_in(browser, web_url, pool["first"])
    assert page.url.endswith("/experts/me"), alerts(page)
    seen(page.get_by_role("heading", name="申请入库"))
    assert page.evaluate(UNLABELLED) == []
    # A region code the gateway refuses: its Chinese detail, the entries kept.
    apply(page, "黄建国", region="4502", conflicts=pool["unit"])
    seen(page.locator(".alert.error").get_by_text("请求内容有误"), alerts(page))
    assert "region_code" in page.locator(".alert.error").inner_text()
    assert page.get_by_label("姓名").input_value() == "黄建国"
    shot(page, artefacts, "desk-29-expert-refused")
    page.get_by_label("所在地区（行政区划代码，6 位数字）").fill("450200")
    press(page, page.get_by_role("button", name="提交入库申请"))
    seen(page.get_by_text("入库申请已提交"), alerts(page))
    assert page.locator("#expert-status").inner_text() == "待审核"
    assert "机械工程、机械设计" in page.locator("main").inner_text()
    assert page.locator("#entry-conflicts").inner_text() == pool["unit"]
    assert page.get_by_role("button", name="提交入库申请").count() == 0  # one application
    shot(page, artefacts, "desk-30-expert-applied")
    # The pool is the office's page, not the expert's.
    page.goto("/experts")
    seen(page.locator(".alert.error"), alerts(page))
    assert "/experts" in page.url and page.get_by_role("table").count() == 0

    other_ctx, other = staff_signed_in(browser, web_url, pool["second"])
    # A unit to stand aside from that the search does not find: said, nothing sent.
    apply(other, "蒙丽", conflicts="并不存在的某某研究院")
    seen(other.locator(".alert.error").get_by_text("没有找到单位“并不存在的某某研究院”"))
    other.get_by_label("申报回避的单位").fill("")
    press(other, other.get_by_role("button", name="提交入库申请"))
    seen(other.get_by_text("入库申请已提交"), alerts(other))

    # The office: its pool from the navigation, filtered by status.
    office_ctx, office = staff_signed_in(browser, web_url, pool["office"])
    press(office, office.get_by_role("link", name="评委库"))
    seen(office.get_by_role("heading", name="评委库"), alerts(office))
    office.get_by_label("状态").select_option("pending")
    press(office, office.get_by_role("button", name="筛选"))
    names = office.locator("tbody tr td:first-child").all_inner_texts()
    assert names == ["黄建国", "蒙丽"], names
    shot(office, artefacts, "desk-31-expert-pool")

    # A decision the entry's status does not allow: the gateway's reason, in Chinese.
    press(office, office.get_by_role("link", name="黄建国"))
    decide(office, "暂停", "暂停评审资格")
    seen(office.locator(".alert.error").get_by_text("该专家当前为“待审核”，不能暂停。"))
    assert office.locator("#expert-status").inner_text() == "待审核"
    decide(office, "核准入库", "正高级工程师，从事机械设计二十年，符合入库条件")
    seen(office.get_by_text("已核准入库。"), alerts(office))
    assert office.locator("#expert-status").inner_text() == "在库"
    shot(office, artefacts, "desk-32-expert-approved")
    # Suspended later, with its reason (the version read after the approval goes along).
    decide(office, "暂停", "本年度借调外省，暂停参加评审")
    seen(office.get_by_text("已暂停。"), alerts(office))
    assert office.locator("#expert-status").inner_text() == "暂停"

    office.goto("/experts")
    press(office, office.get_by_role("link", name="蒙丽"))
    decide(office, "不予入库", "现有职称为副高级，不符合正高级评委会入库条件")
    seen(office.get_by_text("已不予入库。"), alerts(office))
    office.goto("/experts?status=pending")
    seen(office.get_by_text("没有待审核的专家。"))
    office.goto("/experts?status=suspended")
    assert office.locator("tbody tr td:first-child").all_inner_texts() == ["黄建国"]

    # Each expert reads the office's decision and its reason; the one refused may apply again.
    page.goto("/experts/me")
    assert page.locator("#expert-status").inner_text() == "暂停"
    seen(page.get_by_text("本年度借调外省，暂停参加评审"))
    other.goto("/experts/me")
    assert other.locator("#expert-status").inner_text() == "未核准"
    seen(other.get_by_text("不符合正高级评委会入库条件"))
    seen(other.get_by_role("heading", name="重新申请"))
    shot(other, artefacts, "desk-33-expert-rejected")
    for c in (ctx, other_ctx, office_ctx):
        c.close()
