"""The eligibility radar (资格提醒) and the unit's roster, on the real stack, through the API.

An applicant subscribes with the self-check's facts; the sweep tells them once, by SMS
(sent by the notify worker to the fake provider) and a message, when a path's day comes
and when a campaign they qualify for opens; never at night, never twice. Days later is "the
same gateway days later": a second app over the same stack whose clock runs ahead by
CLOCK_OFFSET (a test-only setting, refused in production), not a patched clock.

The date rule checked is the pack's: 柳州工程系列2022申报培训 三（二）工程师表第3行,
“取得助理工程师后须满4年” (seniority counted by calendar date, DESIGN.md: "4 years after
2018-12-01 is 2022-12-01"), and 桂人社规〔2021〕11号 第十八条第（四）点 for 直接申报
(从事专业技术工作满7年).
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.api.clock import SHANGHAI
from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.radar.sweep import RADAR_LOCK_KEY
from services.kit.outbox import Notification
from services.kit.pii import id_check_character
from services.notify.service import send_notification
from tests.api.factories import (
    OPS,
    auth,
    campaign_body,
    make_tree,
    post,
    token,
    verified_applicant,
)
from tests.api.test_messages import fake_url, notify_worker  # noqa: F401 (fixture)
from tests.api.test_payments import db  # noqa: F401 (fixture)
from tests.conftest import Stack
from tests.notify.conftest import Fake
from tests.support import running

SUB = "/v1/me/eligibility-subscription"
PROBLEM = "urn:zhicheng:problem:"
NORMAL_CLAUSE = "柳州工程系列2022申报培训 三（二）工程师表第3行"
DIRECT_CLAUSE = "桂人社规〔2021〕11号 第十八条第（四）点"
SEED_SENIORITY = "取得助理工程师后须满4年"


def years_before(day: date, n: int) -> date:
    try:
        return day.replace(year=day.year - n)
    except ValueError:  # 29 February
        return day.replace(year=day.year - n, day=28)


def facts(opens: date) -> dict:
    """An 助理工程师 in 柳州 whose 正常晋升 to 工程师 opens on `opens` (title held 4 years
    then) and whose 直接申报 opens 7 years after starting work (a day after graduating 5
    years before `opens`): nothing is eligible before `opens`."""
    graduated = years_before(opens, 5)
    return {
        "region": "450200",
        "series": "engineering",
        "level": "intermediate",
        "applicant": {
            "employer_type": "state_owned",
            "education": [
                {"level": "bachelor", "related_major": True, "graduated_on": graduated.isoformat()}
            ],
            "titles": [
                {
                    "series": "engineering",
                    "level": "assistant",
                    "obtained_on": years_before(opens, 4).isoformat(),
                }
            ],
            "professional_work_since": (graduated + timedelta(days=1)).isoformat(),
            "papers": 2,
            "achievements": 2,
            "annual_assessments": [
                {"year": y, "grade": "qualified"} for y in range(opens.year - 6, opens.year + 1)
            ],
        },
    }


def beijing_today() -> date:
    return datetime.now(SHANGHAI).date()


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def later(stack: Stack, rules_url: str, documents_url: str):
    """`later(instant)`: the same gateway with its clock at that instant (Beijing)."""

    @asynccontextmanager
    async def gateway(instant: datetime, every: float = 0):
        settings = ApiSettings(
            **stack.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            payment_sweep_interval=0,
            return_sweep_interval=0,
            radar_sweep_interval=every,
            clock_offset=instant - datetime.now(UTC),
        )
        async with running(build_app(settings)) as client:
            yield client

    return gateway


async def sweep_at(later, instant: datetime) -> dict:
    async with later(instant) as g:
        r = await post(g, "/v1/eligibility-radar/sweeps", OPS)
        assert r.status_code == 200, r.text
        return r.json()


async def radar_notices(db, phone: str) -> list[Notification]:  # noqa: F811
    rows = await db.exec(
        select(Notification)
        .where(Notification.phone == "+86" + phone, Notification.event == "eligibility.radar")
        .order_by(Notification.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def test_the_radar_tells_once_by_day_never_at_night(
    client,
    later,
    db,  # noqa: F811
    stack: Stack,
    fake_url: str,  # noqa: F811
) -> None:
    applicant, phone = await verified_applicant(client)
    opens = beijing_today() + timedelta(days=40)
    direct_on = years_before(opens, 5) + timedelta(days=1)
    direct_on = direct_on.replace(year=direct_on.year + 7)

    # Facts the eligibility service refuses, a unit that is not one: 422, nothing stored.
    r = await post(client, SUB, applicant, {"request": {"region": "450200"}})
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "eligibility-request-invalid"
    r = await post(client, SUB, applicant, {"request": facts(opens), "unit_id": str(uuid.uuid4())})
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "radar-unit-invalid"
    r = await client.get(SUB, headers=auth(applicant))
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "radar-subscription-not-found"

    r = await post(client, SUB, applicant, {"request": facts(opens)})
    assert r.status_code == 200, r.text
    sub = r.json()
    by_path = {e["path"]: e for e in sub["plan"]}
    assert set(by_path) == {"normal", "direct"}
    assert by_path["normal"]["on"] == opens.isoformat()
    assert by_path["normal"]["clause"] == NORMAL_CLAUSE
    assert SEED_SENIORITY in by_path["normal"]["message"]
    assert by_path["normal"]["eligible_then"] and not by_path["normal"]["already"]
    assert by_path["direct"]["on"] == direct_on.isoformat()
    assert by_path["direct"]["clause"] == DIRECT_CLAUSE
    assert sub["next_due_on"] == opens.isoformat() and sub["subscribed_on"] == str(beijing_today())

    # A campaign for 柳州 工程系列 中级 opens that day at 08:00 (evaluating 5 days later).
    closes = at(opens + timedelta(days=20), 18).isoformat()
    body = campaign_body(
        level="intermediate",
        payment=False,
        windows_override={
            "submission": {
                "opens_at": at(opens, 8).isoformat(),
                "closes_at": closes,
                "basis": "测试批次",
            },
            "unit_review": {"closes_at": closes, "basis": "测试批次"},
            "correction": {"closes_at": closes, "basis": "测试批次"},
        },
    )
    body |= {
        "year": opens.year,
        "evaluate_on": (opens + timedelta(days=5)).isoformat(),
        "committee_code": "lz-eng-intermediate",
        "committee_name": "工程系列柳州市中级评委会",
    }
    body["name"] = f"{opens.year}年度柳州市工程系列中级（测试）"
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text

    # The day before: nothing due. The day itself at 06:00: night, nothing sent.
    await sweep_at(later, at(opens - timedelta(days=1), 10))
    assert await radar_notices(db, phone) == []
    night = await sweep_at(later, at(opens, 6))
    assert night["quiet_hours"] is True and night["notified"] == 0
    assert await radar_notices(db, phone) == []

    # At 10:00 that day: one notice (SMS + message) naming the path and the clause.
    day = await sweep_at(later, at(opens, 10))
    assert day["quiet_hours"] is False and day["notified"] >= 1
    [reached] = await radar_notices(db, phone)
    assert reached.template_code == "ELIGIBILITY_REACHED"
    assert reached.params["path"] == "正常晋升" and reached.params["clause"] == NORMAL_CLAUSE
    assert reached.not_after == at(opens, 21)  # moot rather than sent at night
    # Read an hour on: each `later` gateway's clock starts at its instant, and the message
    # shows from the moment the sweeping one wrote it (a few seconds past 10:00).
    async with later(at(opens, 11)) as g:
        r = await g.get("/v1/me/messages", headers=auth(applicant))
        [message] = r.json()["items"]
        assert message["title"] == "资格提醒：可以申报了" and message["kind"] == "notice"
        assert "正常晋升" in message["body"] and NORMAL_CLAUSE in message["body"]
        assert f"{opens.year}年{opens.month}月{opens.day}日" in message["body"]

    # Later that day, and the next day: no second SMS for that path. The campaign, open
    # since 08:00, waits for the next day (at most one radar notice a day), then once.
    await sweep_at(later, at(opens, 15))
    assert len(await radar_notices(db, phone)) == 1
    await sweep_at(later, at(opens + timedelta(days=1), 10))
    await sweep_at(later, at(opens + timedelta(days=2), 10))
    reached, campaign = await radar_notices(db, phone)
    assert campaign.template_code == "CAMPAIGN_OPEN_ELIGIBLE"
    assert campaign.params["campaign"] == body["name"] and campaign.params["path"] == "正常晋升"
    assert campaign.params["clause"] == NORMAL_CLAUSE

    # The notify worker sends both to the fake provider, to the phone the account proved.
    fake = Fake(fake_url)
    send_at = at(opens + timedelta(days=2), 11)
    async with notify_worker(stack, fake_url, now=send_at) as (sender, _receipts):
        for notice in (reached, campaign):
            assert await send_notification(sender, notice.id) == "sent"
    sent = [rec for rec in fake.records() if rec["phone"] == "+86" + phone]
    assert [rec["params"]["path"] for rec in sent] == ["正常晋升", "正常晋升"]
    # Each SMS names the clause as well as the path (whole: it fits a provider parameter).
    assert [rec["params"]["clause"] for rec in sent] == [NORMAL_CLAUSE, NORMAL_CLAUSE]
    fake.client.close()

    r = await client.get(SUB, headers=auth(applicant))
    state = r.json()
    assert {e["path"]: e["notified"] for e in state["plan"]} == {"normal": True, "direct": False}
    assert state["next_due_on"] == direct_on.isoformat()
    assert len(state["campaigns_told"]) == 1

    # Unsubscribed: nothing more, even when 直接申报's day comes.
    r = await client.delete(SUB, headers=auth(applicant))
    assert r.status_code == 204
    r = await client.delete(SUB, headers=auth(applicant))
    assert r.status_code == 404
    await sweep_at(later, at(direct_on, 10))
    assert len(await radar_notices(db, phone)) == 2

    # Staff and portals have no radar of their own.
    r = await post(client, SUB, token("unit_reviewer", uuid.uuid4()), {"request": facts(opens)})
    assert r.status_code == 403


def id_number(seed: int) -> str:
    first17 = f"45020319900101{seed % 1000:03d}"
    return first17 + id_check_character(first17)


async def test_a_units_roster_lists_who_becomes_eligible_this_year_and_next(client) -> None:
    tree = await make_tree(client, label="名册", supervisor=False)
    elsewhere = await make_tree(client, label="别的单位", supervisor=False)
    opens = beijing_today() + timedelta(days=40)
    next_year = opens.replace(year=opens.year + 1)

    soon, soon_phone = await verified_applicant(client)
    number = id_number(uuid.uuid4().int)
    r = await client.put(
        "/v1/me/identity", json={"name": "韦明", "id_number": number}, headers=auth(soon)
    )
    assert r.status_code < 300, r.text
    r = await post(client, SUB, soon, {"request": facts(opens), "unit_id": tree.unit})
    assert r.status_code == 200, r.text
    later_one, later_phone = await verified_applicant(client)
    r = await post(client, SUB, later_one, {"request": facts(next_year), "unit_id": tree.unit})
    assert r.status_code == 200, r.text
    # Someone who did not name the unit is not on its roster.
    outsider, _ = await verified_applicant(client)
    r = await post(client, SUB, outsider, {"request": facts(opens)})
    assert r.status_code == 200, r.text

    url = f"/v1/orgs/{tree.unit}/eligibility-roster"
    r = await client.get(
        url, params={"year": opens.year}, headers=auth(tree.tokens["unit_reviewer"])
    )
    assert r.status_code == 200, r.text
    roster = r.json()
    assert "未经审核" in roster["source"]
    # By hand: 正常晋升 opens on `opens` for the first, a year later for the second; their
    # 直接申报 opens 7 years after starting work, beyond next year, so it is not listed.
    first = {
        "name": "韦明",
        "phone_masked": soon_phone[:3] + "****" + soon_phone[-4:],
        "id_number_masked": number[:4] + "*" * 10 + number[-4:],
        "series": "engineering",
        "level": "intermediate",
        "title": "工程师",
        "earliest_on": opens.isoformat(),
        "paths": [
            {
                "path": "normal",
                "path_name": "正常晋升",
                "on": opens.isoformat(),
                "clause": NORMAL_CLAUSE,
                "message": roster["years"][0]["people"][0]["paths"][0]["message"],
            }
        ],
    }
    second = {
        **first,
        "name": None,
        "phone_masked": later_phone[:3] + "****" + later_phone[-4:],
        "id_number_masked": None,
        "earliest_on": next_year.isoformat(),
        "paths": [
            {
                **first["paths"][0],
                "on": next_year.isoformat(),
                "message": roster["years"][1]["people"][0]["paths"][0]["message"],
            }
        ],
    }
    assert roster["years"] == [
        {"year": opens.year, "people": [first]},
        {"year": opens.year + 1, "people": [second]},
    ]
    assert SEED_SENIORITY in first["paths"][0]["message"]

    # The offices over the unit read the same; another unit's reviewer, an office
    # elsewhere and applicants do not.
    r = await client.get(
        url, params={"year": opens.year}, headers=auth(tree.tokens["series_office"])
    )
    assert r.status_code == 200 and r.json() == roster
    for other in (elsewhere.tokens["unit_reviewer"], elsewhere.tokens["county_office"]):
        r = await client.get(url, headers=auth(other))
        assert r.status_code == 404 and r.json()["type"] == PROBLEM + "org-not-found"
    r = await client.get(url, headers=auth(soon))
    assert r.status_code == 403
    r = await client.get(url, params={"year": 1900}, headers=auth(tree.tokens["unit_reviewer"]))
    assert r.status_code == 422


async def test_the_gateway_sweeps_by_itself_and_relays(
    client,
    later,
    db,  # noqa: F811
) -> None:
    """The sweep each gateway runs on its own (radar_sweep_interval) tells the applicant
    and hands the notice to the queue after its commit."""
    applicant, phone = await verified_applicant(client)
    opens = beijing_today() + timedelta(days=60)
    r = await post(client, SUB, applicant, {"request": facts(opens)})
    assert r.status_code == 200, r.text
    async with later(at(opens, 11), every=0.2):
        for _ in range(100):
            found = await radar_notices(db, phone)
            if found and found[0].enqueued_at is not None:
                break
            await asyncio.sleep(0.1)
    [notice] = await radar_notices(db, phone)
    assert notice.template_code == "ELIGIBILITY_REACHED" and notice.enqueued_at is not None
    r = await client.get(SUB, headers=auth(applicant))
    assert r.json()["plan"][0]["notified"] is True


async def test_one_replica_sweeps_at_a_time(client, later, db) -> None:  # noqa: F811
    """Another replica holding the sweep's advisory lock: this one does nothing; once it
    is released, the sweep tells the applicant."""
    applicant, phone = await verified_applicant(client)
    opens = beijing_today() + timedelta(days=70)
    # A body that is no object, a unit that is no id: the validation problem, by field.
    r = await post(client, SUB, applicant, {"request": "中级"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "request", r.text
    r = await post(client, SUB, applicant, {"request": facts(opens), "unit_id": "柳州"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id", r.text
    r = await post(client, SUB, applicant, {"request": facts(opens)})
    assert r.status_code == 200, r.text

    await db.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=RADAR_LOCK_KEY))
    held = await sweep_at(later, at(opens, 10))
    assert held == {"ran": False, "quiet_hours": False, "notified": 0}
    assert await radar_notices(db, phone) == []
    await db.rollback()
    free = await sweep_at(later, at(opens, 10))
    assert free["ran"] is True and free["notified"] >= 1
    [notice] = await radar_notices(db, phone)
    assert notice.template_code == "ELIGIBILITY_REACHED"
