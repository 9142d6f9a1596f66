"""From registry answers to sections and facts, decided without HTTP or a database."""

from __future__ import annotations

from datetime import date

import pytest

from services.api.registries.facts import apply, consecutive_months, waived

UNIT = "91450200000000001X"


def _paid(*months: str, unit: str = UNIT) -> list[dict]:
    return [{"month": m, "paid": True, "unit_credit_code": unit} for m in months]


def test_months_count_back_from_the_month_before_and_stop_at_a_gap() -> None:
    today = date(2026, 3, 15)
    assert consecutive_months(_paid("2026-02", "2026-01", "2025-12"), UNIT, today) == 3
    # The current month does not count (不含申报当月), and a gap ends the run.
    assert consecutive_months(_paid("2026-03", "2026-01", "2025-12"), UNIT, today) == 0
    assert consecutive_months(_paid("2026-02", "2025-12"), UNIT, today) == 1
    # Months paid by another employer do not count for this unit.
    records = _paid("2026-02") + _paid("2026-01", unit="other")
    assert consecutive_months(records, UNIT, today) == 1
    assert consecutive_months(_paid("2026-02"), None, today) == 0


def test_continuing_education_waives_the_upload_only_once_the_exam_is_passed() -> None:
    assert waived("continuing_education", {"exam_passed": False}) == ()
    assert waived("continuing_education", {"exam_passed": True}) == ("continuing_education",)
    assert waived("titles", None) == ()


def _apply(registry: str, data: dict, sections: dict, facts: dict) -> list[str]:
    return apply(
        registry=registry,
        data=data,
        sections=sections,
        facts=facts,
        series="engineering",
        credit_code=UNIT,
        today=date(2026, 3, 15),
    )


def test_education_takes_the_registry_and_keeps_what_it_does_not_hold() -> None:
    sections = {
        "education": [
            {"level": "bachelor", "school": "手填", "related_major": False},
            {"level": "college", "school": "旧校"},
        ]
    }
    facts: dict = {}
    degree = {
        "level": "bachelor",
        "school": "广西大学",
        "major": "土木",
        "graduated_on": "2015-07-01",
    }
    assert _apply("education", {"degrees": [degree]}, sections, facts) == ["education"]
    by_level = {e["level"]: e for e in sections["education"]}
    assert by_level["bachelor"]["school"] == "广西大学"
    assert by_level["bachelor"]["related_major"] is False  # the applicant's answer stays
    assert by_level["college"]["school"] == "旧校"
    assert facts["education"][0]["graduated_on"] == "2015-07-01"


def test_the_current_title_is_the_highest_of_the_declarations_series() -> None:
    certificates = [
        {
            "series": "engineering",
            "level": "assistant",
            "title_name": "助理工程师",
            "obtained_on": "2016-01-01",
        },
        {
            "series": "engineering",
            "level": "intermediate",
            "title_name": "工程师",
            "obtained_on": "2020-01-01",
        },
        {
            "series": "health",
            "level": "deputy_senior",
            "title_name": "副主任医师",
            "obtained_on": "2021-01-01",
        },
    ]
    sections: dict = {}
    facts: dict = {}
    assert _apply("titles", {"certificates": certificates}, sections, facts) == ["current_title"]
    assert sections["current_title"]["title_name"] == "工程师"
    assert len(facts["titles"]) == 3


def test_an_unknown_registry_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        _apply("tax", {}, {}, {})
