"""The applicant's facts in the shape the predicates read fast: plain slots, ranks as ints,
titles and skills indexed, dates as `date` with the evaluation date also as an ordinal."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.rules.engine.vocab import EDUCATION_RANK, GRADE_RANK, SKILL_RANK


class Facts:
    __slots__ = (
        "achievements",
        "as_of",
        "as_of_ord",
        "assessments",
        "county",
        "currently_in_township",
        "dual_directed",
        "education",
        "employer_type",
        "exceptional",
        "fcs_left_on",
        "in_professional_post",
        "industry",
        "internship_passed_on",
        "level",
        "papers",
        "poverty_county_years",
        "qualification_exam_specialty",
        "region",
        "retired",
        "retirement_extended",
        "same_level_applications",
        "sanctions",
        "series",
        "skills",
        "social_insurance_months",
        "specialty",
        "titles",
        "top_education",
        "township_years",
        "work_since",
        "year",
    )

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    def replace(self, **changes: Any) -> Facts:
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        if "as_of" in changes:
            values["as_of_ord"] = changes["as_of"].toordinal()
            values["year"] = changes["as_of"].year
        return Facts(**values)


# For showing "the highest education held": technical-college classes sit with the school
# level they are tabled with in the seeds (预备技师班 with 本科, 高级工班 with 大专).
_DISPLAY_RANK = {
    **EDUCATION_RANK,
    "tech_college_preparatory": 3.5,
    "tech_college_senior_worker": 2.5,
}


def effective_county(region: str, county: str | None) -> str | None:
    if county:
        return county
    return region if not region.endswith("00") else None


def facts_from_request(req: Any, as_of: date) -> Facts:
    """Build facts from a validated request (attribute access only, no validation)."""
    a = req.applicant
    education = tuple(
        (
            e.level,
            EDUCATION_RANK.get(e.level, 0),
            e.related_major,
            e.engineering_master_degree,
            e.graduated_on,
        )
        for e in a.education
    )
    top = None
    top_rank = -1
    for e in a.education:
        rank = _DISPLAY_RANK[e.level]
        if rank > top_rank:
            top, top_rank = e.level, rank
    titles: dict[tuple[str, str], date] = {}
    for t in a.titles:
        key = (t.series, t.level)
        old = titles.get(key)
        if old is None or t.obtained_on < old:
            titles[key] = t.obtained_on
    skills = tuple((SKILL_RANK[s.grade], s.grade, s.obtained_on) for s in a.skill_grades)
    assessments = {x.year: GRADE_RANK[x.grade] for x in a.annual_assessments}
    sanctions = tuple((s.kind, s.until) for s in a.sanctions)
    return Facts(
        region=req.region,
        county=effective_county(req.region, req.county),
        series=req.series,
        level=req.level,
        industry=req.industry,
        specialty=req.specialty,
        as_of=as_of,
        as_of_ord=as_of.toordinal(),
        year=as_of.year,
        employer_type=a.employer_type,
        in_professional_post=a.in_professional_post,
        retired=a.retired,
        retirement_extended=a.retirement_extended,
        education=education,
        top_education=top,
        titles=titles,
        skills=skills,
        work_since=a.professional_work_since,
        internship_passed_on=a.internship_passed_on,
        fcs_left_on=a.former_civil_servant_left_on,
        dual_directed=a.dual_directed,
        poverty_county_years=a.poverty_county_years,
        township_years=a.township_years,
        currently_in_township=a.currently_in_township,
        sanctions=sanctions,
        assessments=assessments,
        papers=a.papers,
        achievements=a.achievements,
        social_insurance_months=a.social_insurance_months,
        same_level_applications=a.same_level_applications_this_year,
        qualification_exam_specialty=a.qualification_exam_specialty,
        exceptional=a.exceptional,
    )
