"""Inputs a careless client sends (issue #22): each is a 422 problem naming the field by
its JSON path, in Chinese, never a 200 that ignored it nor a 500."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import (
    OPS,
    SECTIONS,
    auth,
    campaign_body,
    drafted,
    post,
    submitted,
    token,
)


def invalid(response, *fields: str) -> dict:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == "urn:zhicheng:problem:validation-error", body
    assert [e["field"] for e in body["errors"]] == list(fields), body
    assert all(f in body["detail"] for f in fields)
    return body


async def test_a_status_that_is_no_status_is_refused(client) -> None:
    applicant = token("applicant")
    for who in (applicant, OPS):
        r = await client.get("/v1/declarations?status=sumbitted", headers=auth(who))
        body = invalid(r, "status")
        assert "取值不在允许范围内" in body["errors"][0]["message"]
        assert "abandoned" in body["errors"][0]["message"]  # the list names every status
    # Every real status is still a filter (an empty page for a caller with none).
    for status in ("draft", "payment_due", "abandoned"):
        r = await client.get(f"/v1/declarations?status={status}", headers=auth(applicant))
        assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get("/v1/experts?status=active", headers=auth(OPS))
    invalid(r, "status")


async def test_a_reversed_date_range_is_refused(client) -> None:
    applicant = token("applicant")
    url = "/v1/work-calendar/working-days"
    r = await client.get(f"{url}?start_on=2024-03-31&end_on=2024-03-01", headers=auth(applicant))
    body = invalid(r, "end_on")  # was a 200 counting 0 working days
    assert "结束不能早于开始（start_on）" in body["errors"][0]["message"]
    # One day (start = end) is a range: 2024-03-01 was a Friday and a working day.
    r = await client.get(f"{url}?start_on=2024-03-01&end_on=2024-03-01", headers=auth(applicant))
    assert r.status_code == 200 and r.json()["working_days"] == 1, r.text


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "韦\u202e三张" shows as 韦张三


async def test_controls_in_names_and_titles_are_refused(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="控制符")
    current = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    for bad in (f"韦{RLO}三张", "韦\u2066三\u2069", "韦三\n", "韦\t三", "韦\x07三", "韦\x85三"):
        sections = copy.deepcopy(SECTIONS)
        sections["basic_info"]["name"] = bad
        r = await client.patch(
            f"/v1/declarations/{did}",
            json={"sections": sections},
            headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
        )
        body = invalid(r, "sections.basic_info.name")
        assert "不能含控制字符或文字方向控制符（U+" in body["errors"][0]["message"], body
    after = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    assert after.json()["sections"] == current.json()["sections"]  # nothing stored
    assert after.headers["etag"] == current.headers["etag"]

    org = {"kind": "committee_office", "name": f"柳州市{RLO}办改职", "region_code": "450200"}
    invalid(await post(client, "/v1/orgs", OPS, org), "name")
    expert = {
        "name": "覃专家",
        "series": "engineering",
        "specialties": ["机械工程"],
        "title": f"正高级{RLO}师程工",
        "employer_name": "柳州市\r\n某某单位",
        "region_code": "450200",
    }
    r = await post(client, "/v1/experts/applications", token("expert", uuid.uuid4()), expert)
    invalid(r, "title", "employer_name")

    # Scripts that are right-to-left by nature, and characters that only look unusual,
    # are names like any other: stored as sent.
    for name in ("柳州市职改办·西区", "مكتب الألقاب", "Zoë Ō’Brien 😀"):
        r = await post(client, "/v1/orgs", OPS, {**org, "name": name})
        assert r.status_code == 201 and r.json()["name"] == name, r.text


async def test_every_applicant_write_on_a_declaration_requires_if_match(client) -> None:
    """Withdrawing, importing into a draft and moving it to another committee are the
    applicant's writes like an edit or a submission: without If-Match a 428 (never a
    withdrawal a second device did not see), a stale one a 412, nothing changed. A
    reviewer's action still takes it optionally (checked when sent)."""
    case = await submitted(client, label="撤回版本")
    url = f"/v1/declarations/{case.did}"
    current = await client.get(url, headers=auth(case.applicant))
    for suffix, body in (
        ("/withdrawals", {"reason": "不再申报"}),
        ("/imports", {"source_declaration_id": str(uuid.uuid4())}),
        ("/committee-resets", {"campaign_id": case.campaign["id"], "level": "intermediate"}),
    ):
        r = await post(client, url + suffix, case.applicant, body)
        assert r.status_code == 428, (suffix, r.text)
        assert r.json()["type"] == "urn:zhicheng:problem:if-match-required", r.text
        r = await post(client, url + suffix, case.applicant, body, **{"If-Match": '"999"'})
        assert r.status_code == 412, (suffix, r.text)
    after = await client.get(url, headers=auth(case.applicant))
    assert after.json()["status"] == "unit_review"
    assert after.headers["etag"] == current.headers["etag"]  # nothing written
    # The unit's reviewer returns it without If-Match (optional for reviewers)...
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    returned = {"items": [{"message": "补充继续教育证明"}], "deadline_at": deadline}
    r = await post(client, url + "/returns", case.tree.tokens["unit_reviewer"], returned)
    assert r.status_code == 201, r.text
    # ...and the applicant withdraws with the ETag it read.
    r = await post(
        client,
        url + "/withdrawals",
        case.applicant,
        {"reason": "不再申报"},
        **{"If-Match": (await client.get(url, headers=auth(case.applicant))).headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text


async def test_a_weak_etag_does_not_satisfy_if_match(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="弱标签")
    current = await client.get(f"/v1/declarations/{did}", headers=auth(applicant))
    strong = current.headers["etag"]
    assert strong.startswith('"')
    sections = copy.deepcopy(SECTIONS)
    sections["basic_info"]["name"] = "韦新名"
    url = f"/v1/declarations/{did}"
    for weak in (f"W/{strong}", f'W/{strong}, W/"999"'):
        r = await client.patch(
            url, json={"sections": sections}, headers=auth(applicant, **{"If-Match": weak})
        )
        assert r.status_code == 412, r.text
        body = r.json()
        assert body["type"] == "urn:zhicheng:problem:precondition-failed"
        assert "不接受弱 ETag" in body["detail"] and body["weak_etag"] is True
        assert body["current_etag"] == strong
    after = await client.get(url, headers=auth(applicant))
    assert after.headers["etag"] == strong  # nothing written
    # A stale strong tag is the ordinary mismatch; the current strong tag writes.
    r = await client.patch(
        url, json={"sections": sections}, headers=auth(applicant, **{"If-Match": '"999"'})
    )
    assert r.status_code == 412 and "弱" not in r.json()["detail"]
    r = await client.patch(
        url, json={"sections": sections}, headers=auth(applicant, **{"If-Match": strong})
    )
    assert r.status_code == 200, r.text
    assert r.json()["sections"]["basic_info"]["name"] == "韦新名"


async def test_instants_come_back_in_one_form(client) -> None:
    """A deadline stated in Beijing time comes back as the same instant in UTC (`Z`), from
    the write that set it and from every read (the write echoed `+08:00`, reads `Z`)."""
    beijing = timezone(timedelta(hours=8))
    now = datetime.now(beijing).replace(microsecond=0)
    closes = now + timedelta(days=2)
    body = campaign_body(
        windows_override={
            "submission": {
                "opens_at": (now - timedelta(days=1)).isoformat(),
                "closes_at": closes.isoformat(),
                "basis": "测试",
            }
        }
    )
    assert body["windows"]["submission"]["closes_at"].endswith("+08:00")
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    written = r.json()["windows"]
    read = await client.get(f"/v1/campaigns/{r.json()['id']}", headers=auth(OPS))
    assert read.json()["windows"] == written
    expected = closes.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert written["submission"]["closes_at"] == expected
    for window in written.values():
        for key in ("opens_at", "closes_at"):
            assert window.get(key) is None or window[key].endswith("Z"), window


async def test_a_return_deadline_reads_back_as_written(client) -> None:
    case = await submitted(client, label="时区")
    deadline = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=3)).replace(
        microsecond=0
    )
    url = f"/v1/declarations/{case.did}/returns"
    body = {"items": [{"message": "补充继续教育证明"}], "deadline_at": deadline.isoformat()}
    r = await post(client, url, case.tree.tokens["unit_reviewer"], body)
    assert r.status_code == 201, r.text
    written = r.json()["deadline_at"]
    assert written == deadline.astimezone(UTC).isoformat().replace("+00:00", "Z")
    listed = await client.get(url, headers=auth(case.applicant))
    assert [x["deadline_at"] for x in listed.json()] == [written]
    progress = await client.get(f"/v1/declarations/{case.did}/progress", headers=auth(OPS))
    assert progress.json()["open_return"]["deadline_at"] == written


async def test_text_over_its_limit_is_refused_never_cut(client) -> None:
    org = {"kind": "committee_office", "region_code": "450200"}
    r = await post(client, "/v1/orgs", OPS, {**org, "name": "职" * 201})
    body = invalid(r, "name")
    assert "文本过长" in body["errors"][0]["message"]
    r = await post(client, "/v1/orgs", OPS, {**org, "name": "职" * 200})  # at the limit
    assert r.status_code == 201 and r.json()["name"] == "职" * 200, r.text


async def test_a_cursor_not_of_ours_is_refused_naming_it(client) -> None:
    applicant = token("applicant")
    for bad in ("garbage", "bm90IGpzb24", "W10", "%E4%B8%AD", "WyIyMDI0IiwgIngiXQ"):
        for url in ("/v1/declarations", "/v1/me/messages"):
            r = await client.get(f"{url}?cursor={bad}", headers=auth(applicant))
            assert r.status_code == 422, (url, bad, r.text)
            body = r.json()
            assert body["type"] == "urn:zhicheng:problem:invalid-cursor", body
            assert [e["field"] for e in body["errors"]] == ["cursor"]
            assert "cursor" in body["detail"]


def unstorable(response, *fields: str) -> dict:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == "urn:zhicheng:problem:invalid-character", body
    assert [e["field"] for e in body["errors"]] == list(fields), body
    assert all(f in body["detail"] for f in fields)
    return body


async def test_nul_and_lone_surrogates_are_refused_wherever_they_come(client) -> None:
    """One place (services/kit/limits.py) looks at every path parameter, query parameter,
    urlencoded form and JSON string: a 422 naming the field, nothing stored."""
    _tree, _campaign, applicant, did = await drafted(client, label="空字符")
    url = f"/v1/declarations/{did}"
    current = await client.get(url, headers=auth(applicant))
    if_match = auth(applicant, **{"If-Match": current.headers["etag"]})
    for bad in ("韦\x00三", "韦\ud800三"):
        sections = copy.deepcopy(SECTIONS)
        sections["basic_info"]["name"] = bad
        sections["papers"][0]["title"] = bad
        # httpx refuses to encode a lone surrogate: send the JSON text a client would.
        raw = json.dumps({"sections": sections}).encode()
        r = await client.patch(
            url, content=raw, headers={**if_match, "Content-Type": "application/json"}
        )
        unstorable(r, "sections.basic_info.name", "sections.papers.0.title")
    after = await client.get(url, headers=auth(applicant))
    assert after.headers["etag"] == current.headers["etag"]  # nothing stored

    # Query parameters, by name; bytes that are not UTF-8 too (never a silent U+FFFD).
    r = await client.get("/v1/declarations?status=draft%00", headers=auth(applicant))
    unstorable(r, "status")
    r = await client.get("/v1/orgs?q=%ED%A0%80", headers=auth(applicant))
    unstorable(r, "q")
    # A path parameter, by its name in the route.
    r = await client.get("/v1/policies/guangxi%00", headers=auth(applicant))
    unstorable(r, "policy_id")
    r = await client.get("/v1/policies/%FF", headers=auth(applicant))
    unstorable(r, "policy_id")
    # A urlencoded form (the token endpoint's).
    r = await client.post(
        "/v1/oauth/token", content=b"grant_type=client_credentials&client_id=a%00b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    unstorable(r, "client_id")


async def test_an_unstorable_path_no_route_takes_is_answered_as_any_other(client) -> None:
    """The path is looked at before the route runs, but only a route that takes the path
    and the method names its parameters: otherwise the router's 404 or 405, as before."""
    r = await client.get("/v1/no-such-thing/%FF", headers=auth(OPS))
    assert (r.status_code, r.json()["type"]) == (404, "urn:zhicheng:problem:not-found")
    r = await client.delete("/v1/policies/%FF", headers=auth(OPS))
    assert (r.status_code, r.json()["type"]) == (405, "urn:zhicheng:problem:method-not-allowed")
    # Before the token is read, as the route's first check was.
    unstorable(await client.get("/v1/policies/%FF"), "policy_id")


async def test_a_submission_without_if_match_is_refused(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="提交要版本")
    url = f"/v1/declarations/{did}"
    current = await client.get(url, headers=auth(applicant))
    r = await post(client, url + "/submissions", applicant)
    assert r.status_code == 428 and r.json()["type"].endswith("if-match-required"), r.text
    r = await post(client, url + "/submissions", applicant, **{"If-Match": '"999"'})
    assert r.status_code == 412 and r.json()["current_etag"] == current.headers["etag"], r.text
    after = await client.get(url, headers=auth(applicant))
    assert after.json()["status"] == "draft" and after.headers["etag"] == current.headers["etag"]
