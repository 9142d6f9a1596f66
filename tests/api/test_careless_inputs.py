"""Inputs a careless client sends (issue #22): each is a 422 problem naming the field by
its JSON path, in Chinese, never a 200 that ignored it nor a 500."""

from __future__ import annotations

from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import OPS, auth, token


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
