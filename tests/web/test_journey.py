"""The reference front end in a real headless Chromium, on the real stack.

An applicant signs in with an SMS code on a 375 px phone screen, runs the eligibility
self-check, fills the declaration's sections step by step, uploads real scans (a scan too
large is refused with its findings, and the offered fix — normalise and retry — stores
it), submits (every missing item listed at once, each uploaded from that list), and
follows the progress. The unit's reviewer signs in at a desktop, returns the declaration
with one list and a deadline; the applicant sees the list and resubmits; the reviewer then
records the unit's steps, its posting list and recommendation and approves; the series
office and the committee's office pass it on and send the fee notice the applicant reads.
Each page is saved as a screenshot (tests/web/conftest.py ARTEFACTS)."""

from __future__ import annotations

import io
import random
import uuid
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.api.factories import SECTIONS, file_of_kind
from tests.conftest import Stack
from tests.documents import corpus
from tests.web.browsing import (
    DESK,
    PASSWORD,
    PHONE,
    UNLABELLED,
    alerts,
    fill_section,
    press,
    seen,
    shot,
    upload,
)
from tests.web.conftest import login_code

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_applicant_journey_and_unit_review(
    browser, web_url: str, world: dict, stack: Stack, artefacts: Path, tmp_path: Path
) -> None:
    phone_ctx = browser.new_context(base_url=web_url, **PHONE)
    page = phone_ctx.new_page()

    # Sign in with a phone and its SMS code.
    page.goto("/")
    assert page.url.endswith("/login")
    shot(page, artefacts, "phone-01-login")
    phone = "139" + f"{random.randrange(10**8):08d}"
    page.get_by_label("手机号码").fill(phone)
    press(page, page.get_by_role("button", name="获取短信验证码"))
    page.get_by_label("短信验证码").fill(login_code(stack, phone))
    press(page, page.get_by_role("button", name="登录"))
    seen(page.get_by_role("heading", name="我的申报"))
    shot(page, artefacts, "phone-02-home")

    # The self-check: each path's verdict with its clauses, and the earliest date.
    page.goto("/self-check")
    page.get_by_label("申报级别").select_option("deputy_senior")
    page.get_by_label("学历", exact=True).select_option("master")
    page.get_by_label("毕业时间").fill("2009-06-30")
    page.get_by_label("所学专业与申报专业相同或相近").check()
    page.locator("#title_level").select_option("intermediate")
    page.get_by_label("取得时间").fill("2017-05-01")
    page.get_by_label("参加专业技术工作时间").fill("2009-07-01")
    page.get_by_label("按哪一天计算（默认今天）").fill("2022-07-31")
    press(page, page.get_by_role("button", name="开始自测"))
    verdict = page.locator("#verdict").inner_text()
    assert verdict in ("符合申报条件", "暂不符合申报条件")
    seen(page.get_by_text("正常晋升").first)
    assert page.locator(".conditions li small").first.inner_text().startswith("依据：")
    shot(page, artefacts, "phone-03-self-check")

    # A new declaration: the unit found by name, the campaign, the level.
    page.goto("/declarations/new?q=" + world["unit_name"])
    page.get_by_label("申报批次").select_option(world["campaign"]["id"])
    page.get_by_label("申报级别").select_option("deputy_senior")
    press(page, page.get_by_role("button", name="创建申报"))
    assert page.url.endswith("/facts")
    did = page.url.split("/declarations/")[1].split("/")[0]

    # 申报条件: what the engine cannot read from the sections.
    page.get_by_label("单位性质").select_option("state_owned")
    page.get_by_label("学历", exact=True).select_option("master")
    page.get_by_label("毕业时间").fill("2009-06-30")
    page.get_by_label("所学专业与申报专业相同或相近").check()
    page.locator("#title_level").select_option("intermediate")
    page.locator("#title_on").fill("2017-05-01")
    page.locator("#title_level2").select_option("assistant")
    page.locator("#title_on2").fill("2011-12-01")
    page.get_by_label("参加专业技术工作时间").fill("2009-07-01")
    press(page, page.get_by_role("button", name="保存并下一步"))
    assert "/sections/basic_info" in page.url, alerts(page)

    # The sections, step by step, saved as they go.
    for key in (
        "basic_info", "education", "current_title", "continuing_education", "main_experience",
        "professional_experience", "papers", "achievements", "annual_assessments",
    ):  # fmt: skip
        page.goto(f"/declarations/{did}/sections/{key}")
        fill_section(page, key, SECTIONS[key])
        if key == "basic_info":
            shot(page, artefacts, "phone-04-section")
    page.goto(f"/declarations/{did}/sections/papers")
    assert page.locator("[name='0-title']").input_value() == SECTIONS["papers"][0]["title"]

    # Uploads: a scan over 512 KB is refused with its findings and the fix offered;
    # normalised and retried, it is stored. A blurred page is refused too.
    page.goto(f"/declarations/{did}/documents")
    blurred = tmp_path / "模糊.jpg"
    blurred.write_bytes(corpus.blurred_scan(7))
    page.locator("#kind-new").select_option("other_proof")
    upload(page, blurred)
    assert page.locator(".findings li.error").count() >= 1
    large = tmp_path / "职称证书.jpg"
    large.write_bytes(corpus.large_jpeg(700 * 1024, seed=3))
    page.locator("#kind-new").select_option("title_certificate")
    upload(page, large)
    findings = page.locator(".findings li.error").all_inner_texts()
    assert findings, alerts(page)
    shot(page, artefacts, "phone-05-upload-findings")
    upload(page, large, normalize=True, form="retry")
    seen(page.get_by_text("已通过检查并保存"), alerts(page))
    shot(page, artefacts, "phone-06-upload-normalised")

    # Submit: every missing item at once, each uploaded from the list, until it goes in.
    page.goto(f"/declarations/{did}")
    press(page, page.get_by_role("button", name="提交申报"))
    assert page.get_by_role("heading", name="还不能提交").count() == 1 or "progress" in page.url
    first = True
    for _ in range(40):
        if "/progress" in page.url:
            break
        if first:
            shot(page, artefacts, "phone-07-submit-missing")
            first = False
        form = page.locator("ol.missing form.upload").first
        kind = form.locator("input[name='kind']").input_value()
        name, content, _ = file_of_kind(kind, f"{did}/{kind}/{uuid.uuid4().hex[:4]}")
        path = tmp_path / name.split("/")[-1]
        path.write_bytes(content)
        form.locator("input[type='file']").set_input_files(str(path))
        press(page, form.get_by_role("button", name="上传"))
        seen(page.get_by_text("已通过检查并保存"), alerts(page))
        page.goto(f"/declarations/{did}")
        press(page, page.get_by_role("button", name="提交申报"))
    assert "/progress" in page.url, alerts(page)
    seen(page.get_by_role("heading", name="申报进度：用人单位审核"))
    shot(page, artefacts, "phone-08-progress")

    # The unit's reviewer, at a desk: the queue, the declaration beside its documents.
    desk_ctx = browser.new_context(base_url=web_url, **DESK)
    desk = desk_ctx.new_page()
    desk.goto("/staff/login")
    shot(desk, artefacts, "desk-01-login")
    desk.get_by_label("用户名").fill(world["username"])
    desk.get_by_label("密码").fill(PASSWORD)
    press(desk, desk.get_by_role("button", name="登录"))
    seen(desk.get_by_role("heading", name="审核队列（用人单位）"))
    shot(desk, artefacts, "desk-02-queue")
    press(desk, desk.get_by_role("link", name=SECTIONS["basic_info"]["name"]))
    scan = desk.locator(".side-by-side img").first
    scan.wait_for()
    desk.wait_for_load_state("load")
    assert scan.evaluate("img => img.complete && img.naturalWidth") > 0  # the scan is shown
    shot(desk, artefacts, "desk-03-declaration")
    assert desk.evaluate(UNLABELLED) == []

    # The return: one list, one deadline.
    deadline = (date.today() + timedelta(days=3)).isoformat()
    desk.get_by_label("需要补正的问题（每行一项）").fill("补充继续教育证明\n论文期刊目录页不清晰")
    desk.get_by_label("补正截止日期").fill(deadline)
    press(desk, desk.get_by_role("button", name="退回申报人"))
    seen(desk.get_by_text("已退回补正").first, alerts(desk))

    # The applicant sees the one list and its deadline, then resubmits.
    page.goto(f"/declarations/{did}/progress")
    seen(page.get_by_role("heading", name="退回补正（一次性告知）"))
    seen(page.get_by_text("论文期刊目录页不清晰"))
    assert page.locator(".return time").inner_text().startswith(deadline)
    shot(page, artefacts, "phone-09-return")
    page.goto("/messages")
    seen(page.get_by_role("heading", name="申报材料退回补正"))
    seen(page.get_by_role("heading", name="申报已提交"))  # the submission's receipt
    shot(page, artefacts, "phone-10-messages")
    returned = page.get_by_role("article").filter(has_text="申报材料退回补正")
    press(page, returned.get_by_role("button", name="标为已读"))
    seen(page.get_by_text("（未读 1）"))
    page.goto(f"/declarations/{did}")
    press(page, page.get_by_role("button", name="补正后重新提交"))
    assert "/progress" in page.url, alerts(page)

    # The unit's steps, its materials, 原件核实, 承诺书, then the recommendation.
    desk.goto(f"/review/{did}")
    review = {
        "defence_on": "2022-09-20", "deliberation_on": "2022-09-26", "panel": "甲，乙，丙，丁，戊",
        "posting_start_on": "2022-09-28", "posting_end_on": "2022-10-11",
        "recommended_on": "2022-10-12",
        "moral_character": "遵纪守法，作风正派", "work_results": "主持完成某型底盘研制",
        "professional_level": "专业基础扎实", "competence": "能独立解决复杂技术问题",
        "work_attitude": "工作认真负责",
    }  # fmt: skip
    for field, value in review.items():
        desk.locator(f"#{field}").fill(value)
    press(desk, desk.get_by_role("button", name="保存单位审核记录"))
    seen(desk.get_by_text("单位审核记录已保存。"), alerts(desk))
    for _ in range(6):
        button = desk.get_by_role("button", name="由系统生成")
        if button.count() == 0:
            break
        press(desk, button.first)
    for _ in range(6):
        form = desk.locator("form.unit-upload").first
        if form.count() == 0:
            break
        kind = form.locator("input[name='kind']").input_value()
        name, content, _ = file_of_kind(kind, f"unit/{did}/{kind}")
        path = tmp_path / name.split("/")[-1]
        path.write_bytes(content)
        form.locator("input[type='file']").set_input_files(str(path))
        press(desk, form.get_by_role("button", name="上传"))
        seen(desk.get_by_text("材料已上传。"), alerts(desk))
    if desk.get_by_role("button", name="已逐份核对原件，全部记录").count():
        press(desk, desk.get_by_role("button", name="已逐份核对原件，全部记录"))
    if desk.get_by_role("button", name="签署承诺书").count():
        press(desk, desk.get_by_role("button", name="签署承诺书"))
    shot(desk, artefacts, "desk-04-unit-steps")
    # The unit's posting list, as the export link on its queue serves it.
    desk.goto("/review")
    link = desk.locator(f"a[href*='{world['campaign']['id']}/posting-list']").get_attribute("href")
    export = desk.request.get(link)
    assert export.status == 200, export.text()[:500]
    assert export.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.body())).active
    assert SECTIONS["basic_info"]["name"] in [c.value for row in sheet.iter_rows() for c in row]
    desk.goto(f"/review/{did}")
    desk.get_by_label("审核意见").fill("同意推荐")
    press(desk, desk.get_by_role("button", name="审核通过"))
    assert desk.url.endswith("/review"), alerts(desk)

    page.goto(f"/declarations/{did}/progress")
    assert not page.get_by_role("heading", name="申报进度：用人单位审核").is_visible()
    seen(page.locator(".chain li.done"))
    shot(page, artefacts, "phone-11-progress-after-unit")

    # The series office: the declaration in its queue with the risk summary, statistics.
    office = browser.new_context(base_url=web_url, **DESK).new_page()
    office.goto("/staff/login")
    office.get_by_label("用户名").fill(world["office"])
    office.get_by_label("密码").fill(PASSWORD)
    press(office, office.get_by_role("button", name="登录"))
    seen(office.get_by_role("heading", name="审核队列（系列职改办）"))
    seen(office.get_by_role("link", name=SECTIONS["basic_info"]["name"]))
    assert "论文存疑" in office.locator("tbody tr").first.inner_text()
    shot(office, artefacts, "desk-05-office-queue")
    press(office, office.get_by_role("link", name="统计").first)
    seen(office.get_by_text("申报 "))
    shot(office, artefacts, "desk-06-office-statistics")

    # The series office passes it up; the committee's office accepts it and sends the fee
    # notice; the applicant reads the notice on the progress page.
    office.goto(f"/review/{did}")
    office.get_by_label("审核意见").fill("材料齐全")
    press(office, office.get_by_role("button", name="审核通过"))
    assert office.url.endswith("/review"), alerts(office)
    office.context.close()
    committee = browser.new_context(base_url=web_url, **DESK).new_page()
    committee.goto("/staff/login")
    committee.get_by_label("用户名").fill(world["committee"])
    committee.get_by_label("密码").fill(PASSWORD)
    press(committee, committee.get_by_role("button", name="登录"))
    committee.goto(f"/review/{did}")
    press(committee, committee.get_by_role("button", name="审核通过"))
    assert committee.url.endswith("/review"), alerts(committee)
    committee.goto(f"/review/{did}")
    press(committee, committee.get_by_role("button", name="发出缴费通知"))
    seen(committee.get_by_text("缴费通知已发出。"), alerts(committee))
    committee.context.close()
    page.goto(f"/declarations/{did}/progress")
    seen(page.get_by_role("heading", name="缴费通知"))
    assert "380.00 元" in page.locator("section", has_text="缴费通知").inner_text()
    shot(page, artefacts, "phone-12-payment-notice")
    phone_ctx.close()
    desk_ctx.close()
