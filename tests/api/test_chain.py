"""The filed declaration on its way: one submission per level and year, returns and
their deadlines, the unit's record before passing up, corrections within the window,
and the database's refusal to rewrite the audit trail or an issued return."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.db import make_engine
from tests.api.factories import (
    OPS,
    answer_incomplete,
    as_read,
    auth,
    complete_unit_step,
    drafted,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submission,
    submit,
    submitted,
    token,
)
from tests.conftest import Stack, database_of_its_own
from tests.support import AS_GATEWAY_TO_RULES, running


async def test_second_same_level_declaration_in_a_year(client) -> None:
    tree = await make_tree(client, label="同级")
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"same-{uuid.uuid4().hex[:6]}")
    first = await new_draft(client, tree, campaign, applicant)
    second = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, first, applicant)).status_code == 200
    r = await submit(client, second, applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:same-level-twice"
    r = await as_read(
        client, f"/v1/declarations/{first}/withdrawals", applicant, {"reason": "改投"}
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert (await submit(client, second, applicant)).status_code == 200


@pytest.fixture
async def lone_client(stack: Stack, rules_url: str, documents_url: str):
    """A gateway on a database of its own. The lapse sweep is global by design (every
    lapsed return in the database), and other tests run it on the shared database
    (tests/api/test_messages.py, the access matrix, any gateway's start): a return left to
    lapse there may be swept to `abandoned` before this test resubmits."""
    async with database_of_its_own(stack, "zhicheng_lapse") as db:
        settings = ApiSettings(
            **db.settings_kwargs(),
            rules_url=rules_url,
            documents_url=documents_url,
            return_sweep_interval=0,
        )
        async with running(build_app(settings)) as c:
            yield c


async def test_resubmission_after_the_return_deadline_is_refused(lone_client) -> None:
    client = lone_client
    tree, _campaign, applicant, did = await submitted(
        client, label="逾期", supervisor=False, county=False
    )
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens["unit_reviewer"],
        {"items": [{"message": "补充学历证书"}], "deadline_at": deadline.isoformat()},
    )
    assert r.status_code == 201, r.text
    await asyncio.sleep(2.5)
    r = await submission(client, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:correction-deadline-passed"
    local = deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local.month}月{local.day}日{local:%H:%M}" in r.json()["detail"]


async def test_unit_must_record_and_recommend_before_passing_up(client) -> None:
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    tree, _campaign, _applicant, did = await submitted(
        client, label="推荐", supervisor=False, county=False
    )
    unit = tree.tokens["unit_reviewer"]
    r = await post(client, f"/v1/declarations/{did}/approvals", unit)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:unit-review-missing"
    # 副高 needs a defence; the posting must be in a year the calendar knows.
    no_defence = {k: v for k, v in UNIT_REVIEW.items() if k != "defence_on"}
    r = await client.put(f"/v1/declarations/{did}/unit-review", json=no_defence, headers=auth(unit))
    assert r.status_code == 422
    assert "defence_on" in {e["field"] for e in r.json()["errors"]}
    unknown_year = {
        **UNIT_REVIEW,
        "posting_start_on": "2003-06-02",
        "posting_end_on": "2003-06-09",
        "defence_on": "2003-05-01",
        "deliberation_on": "2003-05-02",
        "recommendation": {**UNIT_REVIEW["recommendation"], "recommended_on": "2003-06-10"},
    }
    r = await client.put(
        f"/v1/declarations/{did}/unit-review", json=unknown_year, headers=auth(unit)
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:calendar-year-unknown"
    disagree = {**UNIT_REVIEW, "recommendation": {**UNIT_REVIEW["recommendation"], "agree": False}}
    r = await client.put(f"/v1/declarations/{did}/unit-review", json=disagree, headers=auth(unit))
    assert r.status_code == 200, r.text
    r = await post(client, f"/v1/declarations/{did}/approvals", unit)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:unit-not-recommending"


async def test_corrected_declarations_move_up_within_the_correction_window(
    client, stack: Stack, urls
) -> None:
    from tests.api.test_deadline_plan import gateway_at
    from tests.api.test_review_chain_e2e import UNIT_REVIEW

    # The unit window closes in an hour; what follows its close is asked of a gateway whose
    # clock runs two hours ahead (inside the return's six-hour correction window).
    closes = datetime.now(UTC) + timedelta(hours=1)
    unit_window = {"unit_review": {"closes_at": closes.isoformat(), "basis": "测试：单位审核推荐"}}
    tree = await make_tree(client, label="补正窗口", supervisor=False, county=False)
    campaign = await make_campaign(client, windows_override=unit_window)
    unit = tree.tokens["unit_reviewer"]
    corrected, untouched = token("applicant"), token("applicant")
    ids = {}
    for who in (corrected, untouched):
        ids[who] = await new_draft(client, tree, campaign, who)
        assert (await submit(client, ids[who], who)).status_code == 200
        r = await client.put(
            f"/v1/declarations/{ids[who]}/unit-review", json=UNIT_REVIEW, headers=auth(unit)
        )
        assert r.status_code == 200, r.text
    deadline = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{ids[corrected]}/returns",
        unit,
        {"items": [{"message": "补充答辩记录"}], "deadline_at": deadline},
    )
    assert r.status_code == 201, r.text
    assert (
        await submission(client, f"/v1/declarations/{ids[corrected]}/submissions", corrected)
    ).status_code == 200
    async with gateway_at(stack, urls, datetime.now(UTC) + timedelta(hours=2)) as later:
        r = await post(later, f"/v1/declarations/{ids[untouched]}/approvals", unit)
        assert r.status_code == 409
        assert r.json()["type"] == "urn:zhicheng:problem:deadline-passed"
        assert "单位审核推荐已于" in r.json()["detail"]
        # The unit's own duties for the corrected one still fit in the correction window.
        await complete_unit_step(later, ids[corrected], unit)
        r = await post(later, f"/v1/declarations/{ids[corrected]}/approvals", unit)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "series_office_review"


async def test_database_refuses_changes_to_audit_and_issued_returns(client, stack: Stack) -> None:
    tree, _campaign, _applicant, did = await submitted(
        client, label="审计", supervisor=False, county=False
    )
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens["unit_reviewer"],
        {"items": [{"message": "补充社保证明"}], "deadline_at": deadline},
    )
    assert r.status_code == 201
    engine = make_engine(stack.database_url)
    try:
        for sql in (
            "UPDATE api.audit_entry SET reason = 'x' WHERE declaration_id = :d",
            "DELETE FROM api.audit_entry WHERE declaration_id = :d",
            "TRUNCATE api.audit_entry",
            "UPDATE api.declaration_return SET items = '[]' WHERE declaration_id = :d",
            "UPDATE api.declaration_return SET deadline_at = now() + interval '9 days'"
            " WHERE declaration_id = :d",
            "UPDATE api.declaration_snapshot SET sha256 = repeat('0', 64)"
            " WHERE declaration_id = :d",
        ):
            async with engine.begin() as conn:
                with pytest.raises(DBAPIError):
                    await conn.execute(text(sql), {"d": uuid.UUID(did)} if ":d" in sql else {})
                await conn.rollback()
    finally:
        await engine.dispose()
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.json()["intact"] is True


class HeldEvaluation(httpx.AsyncBaseTransport):
    """The real eligibility service, each evaluation held until the test lets it through."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/evaluate":
            self.entered.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_eligibility_is_evaluated_before_the_row_lock(
    stack: Stack, rules_url: str, documents_url: str
) -> None:
    """No row lock is held across the call to the eligibility service: the applicant can
    still edit meanwhile, and the submission then refuses the content it evaluated."""
    app = build_app(
        ApiSettings(**stack.settings_kwargs(), rules_url=rules_url, documents_url=documents_url)
    )
    async with running(app) as client:
        _tree, _campaign, applicant, did = await drafted(
            client, label="先评估后加锁", supervisor=False, county=False
        )
        url = f"/v1/declarations/{did}"
        r = await submission(client, url + "/submissions", applicant)
        await answer_incomplete(client, did, applicant, r.json()["errors"])
        complete = await client.get(url, headers=auth(applicant))

        gate = HeldEvaluation()
        real, app.state.rules = (
            app.state.rules,
            httpx.AsyncClient(
                base_url=rules_url, transport=gate, timeout=30, auth=AS_GATEWAY_TO_RULES
            ),
        )
        await real.aclose()
        submitting = asyncio.create_task(submission(client, url + "/submissions", applicant))
        await asyncio.wait_for(gate.entered.wait(), timeout=30)
        # The eligibility service is still answering; the declaration is not locked.
        headers = auth(applicant, **{"If-Match": complete.headers["etag"]})
        edit = await client.patch(url, json={"specialty": "eng-civil"}, headers=headers)
        gate.release.set()
        submitted = await submitting

        assert edit.status_code == 200, edit.text
        assert submitted.status_code == 412, submitted.text
        assert submitted.json()["type"] == "urn:zhicheng:problem:precondition-failed"
        assert submitted.json()["current_etag"] == edit.headers["etag"]
        assert (await client.get(url, headers=auth(applicant))).json()["status"] == "draft"
        again = await submission(client, url + "/submissions", applicant)
        assert again.status_code == 200, again.text
        assert again.json()["specialty"] == "eng-civil"
