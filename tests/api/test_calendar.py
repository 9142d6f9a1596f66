"""The work calendar: working days, holidays and make-up days, corrections by ops."""

from __future__ import annotations

from tests.api.factories import (
    OPS,
    auth,
    post,
)


async def test_work_calendar(client) -> None:
    def q(start, end, rule="strict"):
        return client.get(
            f"/v1/work-calendar/working-days?start_on={start}&end_on={end}&rule={rule}",
            headers=auth(OPS),
        )

    # 2022-09-28 … 10-10: Wed–Fri, National Day week, make-up Sat/Sun 10-08/09, Mon 10-10.
    assert (await q("2022-09-28", "2022-10-10")).json()["working_days"] == 4
    assert (await q("2022-09-28", "2022-10-10", "official")).json()["working_days"] == 6
    r = await q("2030-01-01", "2030-01-10")
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:calendar-year-unknown"
    r = await post(client, "/v1/work-calendar/years", OPS, {"year": 2027})
    assert r.status_code == 201, r.text
    assert (await q("2027-01-04", "2027-01-08")).json()["working_days"] == 5
    r = await post(
        client,
        "/v1/work-calendar/days",
        OPS,
        {"day": "2027-01-05", "kind": "holiday", "name": "测试假日"},
    )
    assert r.status_code == 200, r.text
    assert (await q("2027-01-04", "2027-01-08")).json()["working_days"] == 4
    r = await post(client, "/v1/work-calendar/days", OPS, {"day": "2027-01-06", "kind": "makeup"})
    assert r.status_code == 422  # a make-up workday must be a weekend day
