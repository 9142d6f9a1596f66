"""The radar's plan from the eligibility service's answers (pure: no stack).

DESIGN.md: `earliest_on` is the "first date all time conditions hold, null if never by
time alone"; a path whose day comes with something besides time still missing is listed
but never told of."""

from __future__ import annotations

from datetime import date

from services.api.radar import plan

TODAY = date(2026, 12, 6)
SENIORITY = {"id": "seniority_after_lower_title", "clause": "工程师表第3行", "message": "须满4年"}
PAPERS = {"id": "papers", "clause": "论文条款", "message": "须有论文"}


def cond(c: dict, met: bool | None) -> dict:
    return {**c, "met": met}


def path(name: str, eligible: bool, on: str | None, *conditions: dict) -> dict:
    return {"path": name, "eligible": eligible, "earliest_on": on, "conditions": list(conditions)}


def answer(*paths: dict, blockers: list | None = None) -> dict:
    return {"paths": list(paths), "blockers": blockers or []}


def test_each_path_by_the_day_it_opens_and_whether_it_holds_then() -> None:
    today = answer(
        path("direct", True, "2026-12-06", cond(SENIORITY, True)),
        path("normal", False, "2027-03-01", cond(PAPERS, True), cond(SENIORITY, False)),
        path("dual_directed", False, "2027-05-01", cond(SENIORITY, False), cond(PAPERS, False)),
        path("high_skill", False, None, cond(PAPERS, False)),
    )
    assert plan.later_dates(today, TODAY) == [date(2027, 3, 1), date(2027, 5, 1)]
    later = {
        date(2027, 3, 1): answer(path("normal", True, "2027-03-01", cond(SENIORITY, True))),
        # On its day the seniority holds but the papers still do not.
        date(2027, 5, 1): answer(
            path("dual_directed", False, "2027-05-01", cond(SENIORITY, True), cond(PAPERS, False))
        ),
    }
    entries = plan.build(today, later, TODAY)
    assert [(e["path"], e["on"], e["eligible_then"], e["already"]) for e in entries] == [
        ("direct", "2026-12-06", True, True),
        ("normal", "2027-03-01", True, False),
        ("dual_directed", "2027-05-01", False, False),
    ]
    # The clause is the condition the date rests on: unmet today, met on the day.
    assert entries[1]["clause"] == "工程师表第3行" and entries[1]["path_name"] == "正常晋升"
    assert entries[2]["clause"] == "工程师表第3行"
    # Only 正常晋升 is worth a notice: 直接申报 held already, 双定向 needs more than time.
    assert [plan.due(e) for e in entries] == [False, True, False]
    assert plan.next_due(entries) == date(2027, 3, 1)
    entries[1]["notified"] = True
    assert plan.next_due(entries) is None


def test_a_blocker_on_the_day_means_no_notice() -> None:
    today = answer(path("normal", False, "2027-03-01", cond(SENIORITY, False)))
    blocked = answer(
        path("normal", True, "2027-03-01", cond(SENIORITY, True)),
        blockers=[{"id": "sanction", "clause": "…", "message": "处分期内"}],
    )
    [entry] = plan.build(today, {date(2027, 3, 1): blocked}, TODAY)
    assert entry["eligible_then"] is False and not plan.due(entry)
