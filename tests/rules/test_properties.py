"""Property tests over generated applicants with every fact known (no blocker, full
assessment records, majors stated): a path is eligible on its `earliest_on` and not the
day before; more time or more years never makes an applicant less eligible."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from services.kit.vocabulary import LEVELS
from services.rules.engine.dates import add_years, elapsed, full_months
from services.rules.engine.evaluator import evaluate
from services.rules.engine.facts import facts_from_request
from services.rules.main import registry
from services.rules.schemas import EvaluateRequest

PACKS = {
    "guangxi-engineering-2022": ("450200", "engineering"),
    "changzhi-engineering-2022": ("140400", "engineering"),
    "guangxi-arts-crafts-2023": ("450100", "arts_crafts"),
}
EIGHT = ["451229", "451228", "451031", "451026", "450226", "450225", "451225", "451028"]
EDUCATION = [
    "doctorate", "master", "second_bachelor", "bachelor", "junior_college",
    "technical_secondary", "high_school", "tech_college_preparatory", "tech_college_senior_worker",
]  # fmt: skip
SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def days(lo: str, hi: str) -> st.SearchStrategy[date]:
    return st.dates(min_value=date.fromisoformat(lo), max_value=date.fromisoformat(hi))


@st.composite
def applicants(draw: st.DrawFn) -> tuple[str, dict]:
    """Applicants near the thresholds: every date lies from 16 years before to 2 years after
    the evaluation date, so that paths become eligible within the window often."""
    pack_id = draw(st.sampled_from(sorted(PACKS)))
    region, series = PACKS[pack_id]
    pack = registry.by_id[pack_id]
    level = draw(st.sampled_from(sorted(pack.levels)))
    start = pack.model.in_force_from
    as_of = draw(days(start.isoformat(), f"{start.year}-12-31"))

    def back(max_years: int = 16) -> str:
        return str(as_of - timedelta(days=draw(st.integers(-730, 365 * max_years))))

    titles = [
        {"series": series, "level": lower, "obtained_on": back(8)}
        for lower in LEVELS[max(0, LEVELS.index(level) - 2) : LEVELS.index(level)]
        if draw(st.integers(0, 3))
    ]
    if draw(st.integers(0, 9)) == 0:
        other = "economics" if series == "engineering" else "engineering"
        titles.append({"series": other, "level": level, "obtained_on": back()})
    applicant = {
        "employer_type": draw(
            st.sampled_from(["state_owned", "public_institution", "private", "freelancer"])
        ),
        "in_professional_post": True,
        "social_insurance_months": draw(st.integers(6, 120)),
        "education": [
            {
                "level": draw(st.sampled_from(EDUCATION)),
                "related_major": draw(st.booleans()),
                "engineering_master_degree": draw(st.booleans()),
                "graduated_on": back(20),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "titles": titles,
        "skill_grades": [
            {
                "grade": draw(
                    st.sampled_from(
                        ["senior_worker", "technician_worker", "senior_technician_worker"]
                    )
                ),
                "obtained_on": back(6),
            }
            for _ in range(draw(st.integers(0, 1)))
        ],
        "professional_work_since": back(14),
        "internship_passed_on": back(2),
        "dual_directed": draw(st.booleans()),
        "poverty_county_years": draw(st.integers(0, 15)),
        "township_years": draw(st.integers(0, 20)),
        "currently_in_township": draw(st.booleans()),
        "papers": draw(st.integers(1, 3)),
        "achievements": draw(st.integers(0, 2)),
        # A full record of good grades, so that moving the date never uncovers a gap.
        "annual_assessments": [
            {"year": y, "grade": draw(st.sampled_from(["qualified", "excellent"]))}
            for y in range(1990, 2050)
        ],
    }
    if draw(st.integers(0, 3)) == 0:
        applicant["former_civil_servant_left_on"] = back(3)
    if draw(st.integers(0, 4)) == 0:
        applicant["exceptional"] = True
    if region == "140400":
        region, county = "140400", "140421"
    else:
        county = draw(st.sampled_from([*EIGHT, "450223"]))
        region = county[:4] + "00"
    body = {
        "region": region,
        "county": county,
        "series": series,
        "level": level,
        "as_of": str(as_of),
        "applicant": applicant,
    }
    return pack_id, body


def _facts(body: dict):
    req = EvaluateRequest.model_validate_json(json.dumps(body))
    return facts_from_request(req, req.as_of)


def _eligible_paths(pack, f) -> set[str]:
    return {p["path"] for p in evaluate(pack, f, explain=False)["paths"] if p["eligible"]}


@SETTINGS
@given(applicants())
def test_eligible_on_earliest_on_and_not_the_day_before(case: tuple[str, dict]) -> None:
    pack_id, body = case
    pack = registry.by_id[pack_id]
    f = _facts(body)
    res = evaluate(pack, f)
    assume(not res["blockers"])
    for p in res["paths"]:
        if p["earliest_on"] is None:
            continue
        on = date.fromisoformat(p["earliest_on"])
        later = evaluate(pack, f.replace(as_of=on), explain=False)
        assert any(x["path"] == p["path"] and x["eligible"] for x in later["paths"]), (p, body)
        if on > f.as_of:
            before = f.replace(as_of=on - timedelta(days=1))
            assert p["path"] not in _eligible_paths(pack, before), (p, body)
        else:
            assert p["eligible"], (p, body)
    if res["earliest_on"] is not None:
        on = date.fromisoformat(res["earliest_on"])
        assert evaluate(pack, f.replace(as_of=on), explain=False)["eligible"]
        if on > f.as_of:
            assert not evaluate(pack, f.replace(as_of=on - timedelta(days=1)))["eligible"]
    else:
        assert not res["eligible"]


@SETTINGS
@given(applicants(), st.integers(1, 3650))
def test_more_time_never_less_eligible(case: tuple[str, dict], extra_days: int) -> None:
    pack_id, body = case
    pack = registry.by_id[pack_id]
    f = _facts(body)
    now = _eligible_paths(pack, f)
    later = _eligible_paths(pack, f.replace(as_of=f.as_of + timedelta(days=extra_days)))
    assert now <= later, (now - later, body)


@SETTINGS
@given(applicants(), st.integers(0, 15), st.integers(0, 20), st.integers(0, 3))
def test_more_years_and_output_never_less_eligible(
    case: tuple[str, dict], poverty: int, township: int, papers: int
) -> None:
    pack_id, body = case
    pack = registry.by_id[pack_id]
    f = _facts(body)
    more = f.replace(
        poverty_county_years=f.poverty_county_years + poverty,
        township_years=f.township_years + township,
        papers=f.papers + papers,
        achievements=f.achievements + papers,
        work_since=add_years(f.work_since, -township),
    )
    assert _eligible_paths(pack, f) <= _eligible_paths(pack, more), body


@settings(max_examples=500, deadline=None, derandomize=True)
@given(days("1950-01-01", "2090-12-31"), st.integers(0, 40), days("1950-01-01", "2099-12-31"))
def test_elapsed_counts_calendar_years(start: date, years: int, ref: date) -> None:
    due = add_years(start, years)
    met, due_ord, months = elapsed(start, years, (ref.year, ref.month, ref.day), False)
    assert met == (ref >= due)
    if not met:
        assert due_ord == due.toordinal()
    assert months == full_months(start, ref)
    if ref >= start and start.day <= 28:  # from the 29th on, month ends may differ by a day
        assert (months >= 12 * years) == met
    # Counted to the end of the evaluation year: met from 1 January of the year it is due.
    met_ye, due_ye, _ = elapsed(start, years, (ref.year, 12, 31), True)
    assert met_ye == (due.year <= ref.year)
    if not met_ye:
        assert due_ye == date(due.year, 1, 1).toordinal()


def test_calendar_examples() -> None:
    assert add_years(date(2018, 12, 1), 4) == date(2022, 12, 1)
    assert add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    assert elapsed(date(2018, 12, 1), 4, (2022, 11, 30), False)[0] is False
    assert elapsed(date(2018, 12, 1), 4, (2022, 12, 1), False)[0] is True
    assert full_months(date(2019, 3, 1), date(2022, 7, 31)) == 40
    assert full_months(date(2019, 3, 31), date(2019, 4, 30)) == 0
