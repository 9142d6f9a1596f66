"""The fixed vocabulary shared by every service (DESIGN.md "Vocabulary"), with the
Chinese names a person reads in messages."""

from __future__ import annotations

from typing import Literal

Series = Literal["engineering", "arts_crafts"]
Level = Literal["technician", "assistant", "intermediate", "deputy_senior", "senior"]
PathId = Literal[
    "normal",
    "direct",
    "exceptional",
    "dual_directed",
    "high_skill",
    "former_civil_servant",
    "engineering_master_early",
    "series_transfer",
    "no_title",
]
BlockerId = Literal[
    "civil_servant",
    "retired",
    "sanction",
    "investigation",
    "integrity_record",
    "same_level_twice",
    "qualification_exam_specialty",
    "not_in_professional_post",
    "social_insurance",
]
EducationLevel = Literal[
    "doctorate",
    "master",
    "second_bachelor",
    "bachelor",
    "junior_college",
    "technical_secondary",
    "high_school",
    "tech_college_preparatory",
    "tech_college_senior_worker",
]
SkillGrade = Literal["senior_worker", "technician_worker", "senior_technician_worker"]
AssessmentGrade = Literal["excellent", "qualified", "basic", "unqualified", "none"]
EmployerType = Literal[
    "public_institution", "state_owned", "private", "social_org", "freelancer", "civil_service"
]
SanctionKind = Literal["demerit", "party_discipline", "investigation", "integrity_record"]
Industry = Literal[
    "housing_construction",
    "natural_resources",
    "transport",
    "water",
    "ecology",
    "automotive",
    "other",
]

LEVELS: tuple[str, ...] = ("technician", "assistant", "intermediate", "deputy_senior", "senior")
LEVEL_NAMES = {
    "technician": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}
SERIES_NAMES = {"engineering": "工程系列", "arts_crafts": "工艺美术系列"}
# The paths by their names in DESIGN.md's vocabulary.
PATH_NAMES = {
    "normal": "正常晋升",
    "direct": "直接申报",
    "exceptional": "破格",
    "dual_directed": "双定向",
    "high_skill": "高技能人才",
    "former_civil_servant": "公务员流动",
    "engineering_master_early": "工程硕士提前",
    "series_transfer": "转评",
    "no_title": "无职称申报",
}
TITLE_NAMES = {
    "engineering": {
        "technician": "技术员",
        "assistant": "助理工程师",
        "intermediate": "工程师",
        "deputy_senior": "高级工程师",
        "senior": "正高级工程师",
    },
    "arts_crafts": {
        "technician": "工艺美术员",
        "assistant": "助理工艺美术师",
        "intermediate": "工艺美术师",
        "deputy_senior": "高级工艺美术师",
        "senior": "正高级工艺美术师",
    },
}


def title_name(series: str, level: str) -> str:
    names = TITLE_NAMES.get(series)
    if names:
        return names[level]
    return f"{series}系列{LEVEL_NAMES[level]}职称"


# The ordered chain of school education; the two technical-college classes sit outside it
# and count only where a clause names them (see `also` in the education condition).
EDUCATION_RANK = {
    "high_school": 1,
    "technical_secondary": 2,
    "junior_college": 3,
    "bachelor": 4,
    "second_bachelor": 5,
    "master": 6,
    "doctorate": 7,
}
EDUCATION_NAMES = {
    "doctorate": "博士学位",
    "master": "硕士学位",
    "second_bachelor": "第二学士学位",
    "bachelor": "大学本科学历",
    "junior_college": "大学专科学历",
    "technical_secondary": "中专（中等职业学校）学历",
    "high_school": "高中学历",
    "tech_college_preparatory": "技工院校预备技师（技师）班毕业",
    "tech_college_senior_worker": "技工院校高级工班毕业",
}
SKILL_RANK = {"senior_worker": 1, "technician_worker": 2, "senior_technician_worker": 3}
SKILL_NAMES = {
    "senior_worker": "高级工",
    "technician_worker": "技师",
    "senior_technician_worker": "高级技师",
}
GRADE_RANK = {"none": 0, "unqualified": 1, "basic": 2, "qualified": 3, "excellent": 4}
GRADE_NAMES = {
    "excellent": "优秀",
    "qualified": "合格",
    "basic": "基本合格",
    "unqualified": "不合格",
    "none": "未定等次",
}
EMPLOYER_NAMES = {
    "public_institution": "事业单位",
    "state_owned": "国有企业",
    "private": "民营企业",
    "social_org": "社会组织",
    "freelancer": "自由职业者",
    "civil_service": "机关（公务员或参公管理单位）",
}
SANCTION_NAMES = {
    "demerit": "记过以上处分",
    "party_discipline": "党纪处分",
    "investigation": "立案审查调查",
    "integrity_record": "记入职称评审诚信档案库",
}
