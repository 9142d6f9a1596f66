"""The applicant's facts in the shape the predicates read fast: plain slots, ranks as ints,
titles and skills indexed, dates as `date` with the evaluation date also as an ordinal."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kit.vocabulary import EDUCATION_RANK, GRADE_RANK, SKILL_RANK


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
        "engineering_master_early_used",
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
        "social_insurance_change_explained",
        "social_insurance_months",
        "specialty",
        "titles",
        "top_education",
        "township_years",
        "work_since",
        "year",
        "year_end_ymd",
        "ymd",
    )

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    def replace(self, **changes: Any) -> Facts:
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        if "as_of" in changes:
            day = changes["as_of"]
            values["as_of_ord"] = day.toordinal()
            values["year"] = day.year
            values["ymd"] = (day.year, day.month, day.day)
            values["year_end_ymd"] = (day.year, 12, 31)
        return Facts(**values)


# For showing "the highest education held": technical-college classes sit with the school
# level they are tabled with in the seeds (预备技师班 with 本科, 高级工班 with 大专).
_DISPLAY_RANK = {
    **EDUCATION_RANK,
    "tech_college_preparatory": 3.5,
    "tech_college_senior_worker": 2.5,
}


_new = object.__new__
_NO_RECORDS: dict[int, int] = {}  # shared, never written to


def effective_county(region: str, county: str | None) -> str | None:
    if county:
        return county
    return region if not region.endswith("00") else None


def facts_from_request(req: Any, as_of: date) -> Facts:
    """Build facts from a validated request (attribute access only, no validation)."""
    a = req.applicant
    top = None
    education = ()
    if a.education:
        top_rank = -1
        education = []
        for e in a.education:
            level = e.level
            education.append((level, e.related_major, e.engineering_master_degree, e.graduated_on))
            rank = _DISPLAY_RANK[level]
            if rank > top_rank:
                top, top_rank = level, rank
    titles: dict[tuple[str, str], date] = {}
    for t in a.titles:
        key = (t.series, t.level)
        old = titles.get(key)
        if old is None or t.obtained_on < old:
            titles[key] = t.obtained_on
    skills = (
        [(SKILL_RANK[s.grade], s.grade, s.obtained_on) for s in a.skill_grades]
        if a.skill_grades
        else ()
    )
    assessments = (
        {x.year: GRADE_RANK[x.grade] for x in a.annual_assessments}
        if a.annual_assessments
        else _NO_RECORDS
    )
    sanctions = [(s.kind, s.until) for s in a.sanctions] if a.sanctions else ()
    region = req.region
    county = req.county or (region if region[4:] != "00" else None)
    f = _new(Facts)
    f.region = region
    f.county = county
    f.series = req.series
    f.level = req.level
    f.industry = req.industry
    f.specialty = req.specialty
    f.as_of = as_of
    f.as_of_ord = as_of.toordinal()
    f.year = as_of.year
    f.ymd = (as_of.year, as_of.month, as_of.day)
    f.year_end_ymd = (as_of.year, 12, 31)
    f.employer_type = a.employer_type
    f.in_professional_post = a.in_professional_post
    f.retired = a.retired
    f.retirement_extended = a.retirement_extended
    f.education = education
    f.top_education = top
    f.titles = titles
    f.skills = skills
    f.work_since = a.professional_work_since
    f.internship_passed_on = a.internship_passed_on
    f.fcs_left_on = a.former_civil_servant_left_on
    f.dual_directed = a.dual_directed
    f.poverty_county_years = a.poverty_county_years
    f.township_years = a.township_years
    f.currently_in_township = a.currently_in_township
    f.sanctions = sanctions
    f.assessments = assessments
    f.papers = a.papers
    f.achievements = a.achievements
    f.social_insurance_months = a.social_insurance_months
    f.social_insurance_change_explained = a.social_insurance_change_explained
    f.same_level_applications = a.same_level_applications_this_year
    f.qualification_exam_specialty = a.qualification_exam_specialty
    f.exceptional = a.exceptional
    f.engineering_master_early_used = a.engineering_master_early_used
    return f


def facts_from_dict(req: dict, as_of: date) -> Facts | None:
    """`facts_from_request` for a request validated into dicts (the batch's fast path,
    every key present). None when the request breaks a rule the models check in Python
    (a year assessed twice, a county outside the region): the models then give the error."""
    a = req["applicant"]
    top = None
    education: Any = ()
    if a["education"]:
        top_rank = -1
        education = []
        for e in a["education"]:
            level = e["level"]
            education.append(
                (level, e["related_major"], e["engineering_master_degree"], e["graduated_on"])
            )
            rank = _DISPLAY_RANK[level]
            if rank > top_rank:
                top, top_rank = level, rank
    titles: dict[tuple[str, str], date] = {}
    for t in a["titles"]:
        key = (t["series"], t["level"])
        old = titles.get(key)
        on = t["obtained_on"]
        if old is None or on < old:
            titles[key] = on
    skills = a["skill_grades"]
    if skills:
        skills = [(SKILL_RANK[s["grade"]], s["grade"], s["obtained_on"]) for s in skills]
    else:
        skills = ()
    assessments = a["annual_assessments"]
    if assessments:
        n = len(assessments)
        assessments = {x["year"]: GRADE_RANK[x["grade"]] for x in assessments}
        if len(assessments) != n:
            return None
    else:
        assessments = _NO_RECORDS
    sanctions = a["sanctions"]
    sanctions = [(s["kind"], s["until"]) for s in sanctions] if sanctions else ()
    region = req["region"]
    county = req["county"]
    if county is not None and not county_in_region(county, region):
        return None
    f = _new(Facts)
    f.region = region
    f.county = county or (region if region[4:] != "00" else None)
    f.series = req["series"]
    f.level = req["level"]
    f.industry = req["industry"]
    f.specialty = req["specialty"]
    f.as_of = as_of
    f.as_of_ord = as_of.toordinal()
    f.year = year = as_of.year
    f.ymd = (year, as_of.month, as_of.day)
    f.year_end_ymd = (year, 12, 31)
    f.employer_type = a["employer_type"]
    f.in_professional_post = a["in_professional_post"]
    f.retired = a["retired"]
    f.retirement_extended = a["retirement_extended"]
    f.education = education
    f.top_education = top
    f.titles = titles
    f.skills = skills
    f.work_since = a["professional_work_since"]
    f.internship_passed_on = a["internship_passed_on"]
    f.fcs_left_on = a["former_civil_servant_left_on"]
    f.dual_directed = a["dual_directed"]
    f.poverty_county_years = a["poverty_county_years"]
    f.township_years = a["township_years"]
    f.currently_in_township = a["currently_in_township"]
    f.sanctions = sanctions
    f.assessments = assessments
    f.papers = a["papers"]
    f.achievements = a["achievements"]
    f.social_insurance_months = a["social_insurance_months"]
    f.social_insurance_change_explained = a["social_insurance_change_explained"]
    f.same_level_applications = a["same_level_applications_this_year"]
    f.qualification_exam_specialty = a["qualification_exam_specialty"]
    f.exceptional = a["exceptional"]
    f.engineering_master_early_used = a["engineering_master_early_used"]
    return f


def county_in_region(county: str, region: str) -> bool:
    """A county of the region (450226 of 450200 or of 450000), not a city code itself."""
    same = county[:2] == region[:2] if region.endswith("0000") else county[:4] == region[:4]
    return same and not county.endswith("00")
