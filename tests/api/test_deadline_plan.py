"""The deadline planner and its reminders on the real stack, through the public API, with
the gateway's clock set to days of September 2022 by CLOCK_OFFSET (a test-only setting,
refused in production): a 柳州 2022 副高 campaign whose 逐级上报 deadline falls after the
National Day holiday.

The seeds this rests on:
- `000_…` 首次提交材料时间: "8月23日前，个人提交申报材料，单位完成审核、答辩、审议、公示、推荐，
  逐级上报至柳州市经济专业工程技术人员职称改革工作领导小组。"
- `000_…` (桂人社规〔2021〕11号 第二十条): "注意把握审核推荐对象及时间点要求：答辩≤审议小组审议
  推荐意见≤公示 < 单位推荐意见"
- `002_…` 二、1: "公示期不能少于5个工作日（双休日和节假日不计入公示时间）"
- `000_…`: "申报人需随时关注短信和系统审核反馈消息"; `004_…` 六（二）: "请留意系统站内消息"

The State Council's 2022 schedule: 10月1日至7日放假调休，共7天；10月8日（星期六）、10月9日
（星期日）上班. The calendar rows say so (checked below); under the strict posting rule the
make-up Saturday and Sunday do not count as posting days.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.outbox import Notification
from services.notify.service import send_notification
from tests.api.factories import (
    OPS,
    auth,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    token,
    verified_applicant,
)
from tests.api.test_messages import fake_url, notify_worker
from tests.api.test_payments import db
from tests.conftest import Stack
from tests.notify.conftest import Fake
from tests.support import running

__all__ = ["db", "fake_url"]  # fixtures shared with the payment and message tests

BEIJING = ZoneInfo("Asia/Shanghai")
END = "2022-10-12T23:59:59+08:00"
PASSWORD = "Planner-2022-strong"
SERVICE = token("service", sub="reminder-cron")
BASIS = "测试批次（仿柳州市2022年度工程系列职称申报“首次提交时间”，逐级上报截止移至国庆节后）"

# Worked by hand from the calendar rows, deadline 2022-10-12 23:59 (Wednesday), no 主管部门:
#   推荐意见  10-12 Wed  the last working day by the deadline
#   公示结束  10-11 Tue  the last posting day before the recommendation (公示 < 推荐)
#   公示开始  09-28 Wed  09-28, 09-29, 09-30, 10-10, 10-11 = 5 working days; 10-01..07
#                        国庆节 and the make-up 10-08 (Sat), 10-09 (Sun) do not count
#   审议      09-27 Tue  one working day to print and post the list (default)
#   答辩      09-26 Mon  one working day before the deliberation (default)
#   个人提交  09-20 Tue  three full working days of unit review (09-21, 09-22, 09-23) (default)
NATIONAL_DAY_TABLE = {
    "submission": date(2022, 9, 20),
    "defence": date(2022, 9, 26),
    "deliberation": date(2022, 9, 27),
    "posting_start": date(2022, 9, 28),
    "posting_end": date(2022, 10, 11),
    "recommendation": date(2022, 10, 12),
}
# The unit's review of a file submitted on 09-14, done before 09-26: defence, deliberation,
# a posting of 09-16 (Fri), 09-19..09-22 = 5 working days, the recommendation after it.
DONE_REVIEW = {
    "defence_on": "2022-09-15",
    "deliberation_on": "2022-09-16",
    "panel": ["甲", "乙", "丙", "丁", "戊"],
    "posting_start_on": "2022-09-16",
    "posting_end_on": "2022-09-22",
    "recommendation": {
        "moral_character": "遵纪守法，作风正派，职业道德良好",
        "work_results": "主持完成某型底盘研制，成效显著",
        "professional_level": "熟练掌握机械设计理论，专业基础扎实",
        "competence": "能独立解决复杂技术问题，指导助理工程师",
        "work_attitude": "工作认真负责，积极主动",
        "agree": True,
        "recommended_on": "2022-09-23",
    },
}
# The office moves the deadline to 2022-10-14 (Friday): the posting now needs 09-30 and
# 10-10..10-13, so everything before it moves two working days later.
MOVED_TABLE = {
    "submission": date(2022, 9, 22),
    "defence": date(2022, 9, 28),
    "deliberation": date(2022, 9, 29),
    "posting_start": date(2022, 9, 30),
    "posting_end": date(2022, 10, 13),
    "recommendation": date(2022, 10, 14),
}
# Ops mark 09-29 a day off: the posting must start a working day earlier (09-27).
DAY_OFF_TABLE = {
    "submission": date(2022, 9, 19),
    "defence": date(2022, 9, 23),
    "deliberation": date(2022, 9, 26),
    "posting_start": date(2022, 9, 27),
    "posting_end": date(2022, 10, 11),
    "recommendation": date(2022, 10, 12),
}


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BEIJING)


@asynccontextmanager
async def gateway_at(stack: Stack, urls: tuple[str, str], when: datetime):
    """The gateway as it runs on `when` (Beijing time): its clock offset by the difference."""
    rules_url, documents_url = urls
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_sweep_interval=0,
        return_sweep_interval=0,
        reminder_sweep_interval=0,
        clock_offset=when - datetime.now(UTC),
    )
    async with running(build_app(settings)) as client:
        yield client


def table(plan: dict) -> dict[str, date]:
    return {s["key"]: date.fromisoformat(s["latest_on"]) for s in plan["steps"]}


async def unit_plan(client, org: str, campaign: str, tok: str) -> dict:
    r = await client.get(
        f"/v1/orgs/{org}/calendar", params={"campaign_id": campaign}, headers=auth(tok)
    )
    assert r.status_code == 200, r.text
    [plan] = r.json()["plans"]
    return plan


COUNTS = ("waiting_total", "waiting_by_step", "waiting_by_level")


async def calendar_pages(
    client, org: str, campaign: str, tok: str, *, limit: int | None = None
) -> tuple[list[dict], dict]:
    """Every page of the unit's calendar, walked by next_cursor to the end: the waiting
    declarations of all pages in order (each once) and the counts (the same on every page,
    and adding up to what the pages listed)."""
    waiting, counts, cursor = [], None, None
    while True:
        params = {"campaign_id": campaign, "cursor": cursor, "limit": limit}
        r = await client.get(
            f"/v1/orgs/{org}/calendar",
            params={k: v for k, v in params.items() if v is not None},
            headers=auth(tok),
        )
        assert r.status_code == 200, r.text
        page = r.json()
        assert limit is None or len(page["waiting"]) <= limit
        these = {k: page[k] for k in COUNTS}
        assert counts in (None, these), (counts, these)
        counts = these
        waiting += page["waiting"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["waiting"]) == (limit or 20)  # full pages before the last
    ids = [w["declaration_id"] for w in waiting]
    assert len(ids) == len(set(ids)) == counts["waiting_total"]
    for part, key in (("waiting_by_step", "waiting_at"), ("waiting_by_level", "level")):
        tally: dict[str, int] = {}
        for w in waiting:
            tally[w[key]] = tally.get(w[key], 0) + 1
        assert {c["key"]: c["count"] for c in counts[part]} == tally
    return waiting, counts


def windows(deadline: str) -> dict:
    return {
        "submission": {
            "opens_at": "2022-09-13T08:00:00+08:00",
            "closes_at": deadline,
            "basis": BASIS,
        },
        "unit_review": {"closes_at": deadline, "basis": BASIS},
        "correction": {"closes_at": "2022-10-20T18:00:00+08:00", "basis": BASIS},
        "payment": {
            "opens_at": "2022-09-13T08:00:00+08:00",
            "closes_at": "2022-10-31T18:00:00+08:00",
            "basis": BASIS,
        },
    }


async def sweep(client) -> dict:
    """The sweep run now, as a caller runs it: `ran: false` means another replica held the
    lock at that moment (another test's gateway sweeping the same database on its own
    schedule), so it asks again until this one ran."""
    for _ in range(100):
        r = await post(client, "/v1/deadline-reminders/sweeps", SERVICE)
        assert r.status_code == 200, r.text
        if r.json()["ran"]:
            return r.json()
        await asyncio.sleep(0.1)
    raise AssertionError("the reminder sweep's lock was never free")


async def test_the_plan_across_national_day_follows_the_calendar_and_the_campaign(
    stack: Stack, urls
) -> None:
    async with gateway_at(stack, urls, at(2022, 9, 13, 7, 30)) as app:
        # The calendar rows the plan rests on: the State Council's 2022 National Day.
        for day, kind in (("2022-10-01", "holiday"), ("2022-10-07", "holiday"),
                          ("2022-10-08", "makeup"), ("2022-10-09", "makeup")):  # fmt: skip
            r = await app.get(f"/v1/work-calendar/days/{day}", headers=auth(OPS))
            assert r.json()["kind"] == kind and r.json()["name"] == "National Day", r.text

        tree = await make_tree(app, label="倒排", supervisor=False, county=False)
        campaign = await make_campaign(app, windows_override=windows("2022-10-12T23:59:59+08:00"))
        cid = campaign["id"]
        unit = tree.tokens["unit_reviewer"]
        plan = await unit_plan(app, tree.unit, cid, unit)
        assert table(plan) == NATIONAL_DAY_TABLE
        assert plan["today_on"] == "2022-09-13" and plan["with_supervisor"] is False
        assert plan["deadline_at"] == "2022-10-12T15:59:59Z"
        steps = {s["key"]: s for s in plan["steps"]}
        posting = steps["posting_start"]["explanation"]
        assert "公示期不能少于5个工作日（双休日和节假日不计入公示时间）" in posting
        assert "国庆节（10月1日至10月7日）放假" in posting
        assert "10月8日（周六）、10月9日（周日）是国庆节调休上班日" in posting
        assert "逐级上报" in steps["recommendation"]["explanation"]
        assert BASIS in steps["recommendation"]["explanation"]
        assert (
            "答辩≤审议小组审议推荐意见≤公示 < 单位推荐意见" in steps["posting_end"]["explanation"]
        )
        assert steps["submission"]["default_days"] == 3
        assert "文件未规定，为默认值" in steps["submission"]["explanation"]
        assert not any(s["passed"] for s in plan["steps"])

        # The offices above see it; another unit's reviewer does not.
        r = await app.get(
            f"/v1/orgs/{tree.unit}/calendar",
            params={"campaign_id": cid},
            headers=auth(tree.tokens["series_office"]),
        )
        assert r.status_code == 200, r.text
        stranger = token("unit_reviewer", uuid.uuid4())
        r = await app.get(
            f"/v1/orgs/{tree.unit}/calendar", params={"campaign_id": cid}, headers=auth(stranger)
        )
        assert r.status_code == 403 and r.json()["type"].endswith(":forbidden"), r.text
        r = await app.get(
            f"/v1/orgs/{tree.series}/calendar", params={"campaign_id": cid}, headers=auth(OPS)
        )
        assert r.status_code == 404 and r.json()["type"].endswith("org-calendar-not-unit")

        # No 逐级上报 deadline, or one in a year the calendar does not know: said, not guessed.
        for windows_, problem in (
            ({"correction": windows(END)["correction"]}, "plan-deadline-unknown"),
            (windows("2099-08-23T00:00:00+08:00"), "calendar-year-unknown"),
        ):
            body = {**_campaign_body(windows_, office=tree.series), "windows": windows_}
            r = await post(app, "/v1/campaigns", OPS, body)
            assert r.status_code == 201, r.text
            r = await app.get(
                f"/v1/orgs/{tree.unit}/calendar",
                params={"campaign_id": r.json()["id"]},
                headers=auth(unit),
            )
            assert r.status_code in (409, 422) and r.json()["type"].endswith(problem), r.text
            assert "逐级上报" in r.json()["detail"] or "2099" in r.json()["detail"]

        # A campaign's deadline corrected before it opens: the plan follows on the next read.
        ops_office = await _own_campaign(app, tree)
        r = await app.patch(
            f"/v1/campaigns/{ops_office}",
            json={
                "windows": {
                    "unit_review": {"closes_at": "2022-10-14T23:59:59+08:00", "basis": BASIS}
                },
                "reason": "逐级上报截止顺延两天",
            },
            headers=auth(tree.tokens["series_office"]),
        )
        assert r.status_code == 200, r.text
        assert table(await unit_plan(app, tree.unit, ops_office, unit)) == MOVED_TABLE

        # A calendar day corrected by ops: the plan follows too (and is put back after).
        body = {"day": "2022-09-29", "kind": "holiday", "name": "停工日"}
        r = await post(app, "/v1/work-calendar/days", OPS, body)
        assert r.status_code == 200, r.text
        try:
            plan = await unit_plan(app, tree.unit, cid, unit)
            assert table(plan) == DAY_OFF_TABLE
            steps = {s["key"]: s for s in plan["steps"]}
            assert "停工日（9月29日）放假" in steps["posting_start"]["explanation"]
        finally:
            body = {"day": "2022-09-29", "kind": "workday"}
            r = await post(app, "/v1/work-calendar/days", OPS, body)
            assert r.status_code == 200, r.text
        assert table(await unit_plan(app, tree.unit, cid, unit)) == NATIONAL_DAY_TABLE

    # A draft whose plan cannot be computed (逐级上报 in a year the calendar does not
    # know): /plan says why; its progress still answers, with no plan and the reason.
    async with gateway_at(stack, urls, at(2022, 9, 14, 10)) as app:
        far = await make_campaign(app, windows_override=windows("2099-08-23T00:00:00+08:00"))
        applicant, _ = await verified_applicant(app)
        draft = await new_draft(app, tree, far, applicant)
        r = await app.get(f"/v1/declarations/{draft}/plan", headers=auth(applicant))
        assert r.status_code == 422 and r.json()["type"].endswith("calendar-year-unknown")
        progress = await app.get(f"/v1/declarations/{draft}/progress", headers=auth(applicant))
        assert progress.status_code == 200, progress.text
        assert progress.json()["plan"] is None and progress.json()["status"] == "draft"
        assert progress.json()["plan_unavailable"] == r.json()["detail"]
        assert "2099" in progress.json()["plan_unavailable"]


async def _own_campaign(app, tree) -> str:
    """A second campaign the series office runs (only the owning office corrects one)."""
    body = windows("2022-10-12T23:59:59+08:00")
    r = await post(app, "/v1/campaigns", OPS, _campaign_body(body, office=tree.series))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _campaign_body(windows_: dict, *, office: str) -> dict:
    from tests.api.factories import campaign_body

    return {**campaign_body(windows_override=windows_), "office_org_id": office}


async def test_reminders_are_sent_once_by_day_and_stop_when_people_act(
    stack: Stack, urls, db, fake_url: str
) -> None:
    deadline = "2022-10-12T23:59:59+08:00"
    async with gateway_at(stack, urls, at(2022, 9, 14, 10)) as app:
        tree = await make_tree(app, label="提醒", supervisor=False, county=False)
        unit = tree.tokens["unit_reviewer"]
        campaign = await make_campaign(app, windows_override=windows(deadline))
        username = f"plan-{uuid.uuid4().hex[:8]}"
        # Ops give the reviewer's mobile phone with the account: step reminders go to it.
        reviewer_phone = "137" + f"{random.randrange(10**8):08d}"
        body = {"username": username, "password": PASSWORD, "role": "unit_reviewer",
                "org_id": tree.unit, "phone": reviewer_phone}  # fmt: skip
        r = await post(app, "/v1/staff-accounts", OPS, body)
        assert r.status_code == 201, r.text
        assert r.json()["phone_masked"] == reviewer_phone[:3] + "****" + reviewer_phone[-4:]
        reviewer_sub = f"staff:{r.json()['id']}"
        r = await app.post(
            "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        reviewer = r.json()["access_token"]
        people = {}
        for who in ("early", "late", "acts"):
            applicant, _ = await verified_applicant(app)
            people[who] = (applicant, await new_draft(app, tree, campaign, applicant))
        r = await submit(app, people["early"][1], people["early"][0])
        assert r.status_code == 200, r.text
        # 09-14: the last safe day (09-20) is still 4 working days away.
        assert (await sweep(app))["applicants"] == []
        r = await app.get(
            f"/v1/declarations/{people['late'][1]}/plan", headers=auth(people["late"][0])
        )
        assert r.status_code == 200, r.text
        assert table(r.json()) == NATIONAL_DAY_TABLE and r.json()["status"] == "draft"
        # Issue #24: the plan is "Shown in the declaration's progress": the same answer.
        progress = await app.get(
            f"/v1/declarations/{people['late'][1]}/progress", headers=auth(people["late"][0])
        )
        assert progress.status_code == 200, progress.text
        assert progress.json()["plan"] == r.json()
        assert progress.json()["plan_unavailable"] is None
        # A submitted one's progress shows its plan too, as its unit reviewer reads it.
        r = await app.get(f"/v1/declarations/{people['early'][1]}/plan", headers=auth(reviewer))
        assert r.status_code == 200, r.text
        progress = await app.get(
            f"/v1/declarations/{people['early'][1]}/progress", headers=auth(reviewer)
        )
        assert progress.status_code == 200, progress.text
        assert progress.json()["plan"] == r.json() and r.json()["status"] != "draft"

    # 09-15 06:30: three working days before (09-15, 09-16, 09-19 before 09-20), but night.
    async with gateway_at(stack, urls, at(2022, 9, 15, 6, 30)) as app:
        night = await sweep(app)
        assert night["quiet_hours"] is True and night["applicants"] == []
    late, acts = people["late"][1], people["acts"][1]
    assert await _reminders(db, late) == []

    # 08:05 the same morning: the two still drafting are reminded, once.
    async with gateway_at(stack, urls, at(2022, 9, 15, 8, 5)) as app:
        morning = await sweep(app)
        assert morning["quiet_hours"] is False
        assert set(morning["applicants"]) == {late, acts}
        assert (await sweep(app))["applicants"] == []  # at most once
        [reminder] = await _reminders(db, late)
        assert reminder.template_code == "SUBMISSION_REMINDER" and reminder.send_after is None
        assert reminder.params["day"] == "2022年9月20日"
        r = await app.get("/v1/me/messages", headers=auth(people["late"][0]))
        [message] = [
            m for m in r.json()["items"] if m["event"] == "declaration.submission_reminder"
        ]
        assert message["title"] == "申报提交期限提醒" and "2022年9月20日" in message["body"]
        # One acts before the SMS goes out: the pending reminder is cancelled with the act.
        r = await submit(app, acts, people["acts"][0])
        assert r.status_code == 200, r.text
    [cancelled] = await _reminders(db, acts)
    assert cancelled.status == "cancelled"
    reminder_id, cancelled_id = reminder.id, cancelled.id

    # The notify worker sends the one still due, through the fake SMS provider, once.
    fake = Fake(fake_url)
    async with notify_worker(stack, fake_url, now=at(2022, 9, 15, 8, 10)) as (sender, _):
        assert await send_notification(sender, reminder_id) == "sent"
        assert await send_notification(sender, reminder_id) == "skipped"
        assert await send_notification(sender, cancelled_id) == "skipped"
    [sent] = [r for r in fake.records() if r["out_id"] == str(reminder_id)]
    assert "2022年9月20日" in str(sent)
    assert not [r for r in fake.records() if r["out_id"] == str(cancelled_id)]
    fake.client.close()

    # 09-22, 2 working days before the defence's latest day (09-26): the unit's reviewer
    # is told of the two declarations waiting at it; a return's reminder waits for day.
    async with gateway_at(stack, urls, at(2022, 9, 22, 9)) as app:
        result = await sweep(app)
        assert result["reviewers"] and all(s.startswith("staff:") for s in result["reviewers"])
        assert (await sweep(app))["reviewers"] == []
        [told] = await _told(app, reviewer)
        assert told["title"] == "单位审核推荐期限提醒" and told["event"] == "unit.step_reminder"
        assert "2份职称申报待答辩" in told["body"] and "2022年9月26日" in told["body"]
        # The reviewer's phone is on record: the reminder is an SMS to it as well.
        [step_sms] = await _step_reminders(db, reviewer_sub)
        assert step_sms.phone == "+86" + reviewer_phone and step_sms.status == "created"
        assert told["sms"] == "pending"

        # A return due 09-27 06:00: its reminder 2 days before would fall at night, so at
        # 08:00 on 09-25.
        early, acts = people["early"], people["acts"]
        r = await post(
            app,
            f"/v1/declarations/{early[1]}/returns",
            unit,
            {"items": [{"message": "补充继续教育证明"}],
             "deadline_at": "2022-09-27T06:00:00+08:00"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
    rows = await _all(db, early[1], "CORRECTION_REMINDER")
    assert [(n.dedupe_key.rsplit(":", 1)[1], n.send_after) for n in rows] == [
        ("2d", at(2022, 9, 25, 8))
    ]
    # The notify worker sends it (a quiet-hours template: never at night; the per-phone
    # limits as any SMS) to the fake provider, at the reviewer's phone, once.
    fake = Fake(fake_url)
    async with notify_worker(stack, fake_url, now=at(2022, 9, 22, 9, 5)) as (sender, _):
        assert await send_notification(sender, step_sms.id) == "sent"
        assert await send_notification(sender, step_sms.id) == "skipped"
    [sent] = [r for r in fake.records() if r["out_id"] == str(step_sms.id)]
    assert sent["phone"] == "+86" + reviewer_phone
    assert sent["params"]["day"] == "2022年9月26日" and sent["params"]["step"] == "答辩"
    fake.client.close()

    # 09-23, 2 working days before the deliberation's latest day (09-27): one declaration
    # waits (the returned one is the applicant's again).
    async with gateway_at(stack, urls, at(2022, 9, 23, 9)) as app:
        assert len((await sweep(app))["reviewers"]) == 1
        told = await _told(app, reviewer)
        assert "1份职称申报待审议小组审议" in told[0]["body"] and "2022年9月27日" in told[0]["body"]

    # 09-26: the unit records its review of one (defence, deliberation, a 5-day posting and
    # its recommendation behind it), the other comes back corrected. Only the one the unit
    # has not acted on is counted for the posting that must start by 09-28.
    async with gateway_at(stack, urls, at(2022, 9, 26, 9)) as app:
        r = await app.put(
            f"/v1/declarations/{acts[1]}/unit-review", json=DONE_REVIEW, headers=auth(unit)
        )
        assert r.status_code == 200, r.text
        assert r.json()["posting_working_days"] == 5
        r = await submit(app, early[1], early[0])
        assert r.status_code == 200, r.text
        # A page at a time, in the order they were made; the counts cover every page.
        waiting, counts = await calendar_pages(app, tree.unit, campaign["id"], reviewer, limit=1)
        assert [(w["declaration_id"], w["waiting_at"]) for w in waiting] == [
            (early[1], "defence"),
            (people["late"][1], "submission"),  # still a draft, past its last safe day
            (acts[1], "recommendation"),
        ]
        assert counts == {
            "waiting_total": 3,
            "waiting_by_step": [
                {"key": "submission", "count": 1},
                {"key": "defence", "count": 1},
                {"key": "recommendation", "count": 1},
            ],
            "waiting_by_level": [{"key": "deputy_senior", "count": 3}],
        }
        # The default page holds them all; a cursor not of ours is refused.
        assert (await calendar_pages(app, tree.unit, campaign["id"], reviewer))[0] == waiting
        r = await app.get(
            f"/v1/orgs/{tree.unit}/calendar",
            params={"campaign_id": campaign["id"], "cursor": "bm90LW91cnM"},
            headers=auth(reviewer),
        )
        assert r.status_code == 422 and r.json()["type"].endswith("invalid-cursor"), r.text
        r = await app.get(
            f"/v1/declarations/{people['late'][1]}/plan", headers=auth(people["late"][0])
        )
        passed = {s["key"]: s["passed"] for s in r.json()["steps"]}
        assert passed["submission"] is True and passed["defence"] is False
        assert len((await sweep(app))["reviewers"]) == 1
        told = await _told(app, reviewer)
        assert "1份职称申报待开始公示" in told[0]["body"] and "2022年9月28日" in told[0]["body"]
        assert len(told) == 3  # defence, deliberation, posting: one each
    [corrected] = await _all(db, early[1], "CORRECTION_REMINDER")
    assert corrected.status == "cancelled"


async def _told(app, reviewer: str) -> list[dict]:
    """The reviewer's step reminders (their daily queue digests are messages too)."""
    r = await app.get("/v1/me/messages", headers=auth(reviewer))
    assert r.status_code == 200, r.text
    return [m for m in r.json()["items"] if m["event"] == "unit.step_reminder"]


async def _all(db, did: str, template: str) -> list[Notification]:
    query = (
        select(Notification)
        .where(
            Notification.declaration_id == uuid.UUID(did), Notification.template_code == template
        )
        .execution_options(populate_existing=True)
    )
    return list((await db.exec(query)).all())


async def _step_reminders(db, sub: str) -> list[Notification]:
    """A reviewer's step reminders in the outbox (their dedupe key ends with the account)."""
    query = (
        select(Notification)
        .where(
            Notification.template_code == "UNIT_STEP_REMINDER",
            Notification.dedupe_key.endswith(":" + sub),
        )
        .execution_options(populate_existing=True)
    )
    return list((await db.exec(query)).all())


async def _reminders(db, did: str) -> list[Notification]:
    return await _all(db, did, "SUBMISSION_REMINDER")
