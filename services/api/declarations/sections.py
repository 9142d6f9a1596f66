"""The fifteen sections of a declaration (申报系统操作注意事项 一（二）), typed per section.

A draft may hold any subset; completeness is checked at submission.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.kit.text import PlainLine
from services.kit.vocabulary import EducationLevel as Education
from services.kit.vocabulary import EmployerType, Level, Series

PHONE = r"^(\+86)?1[3-9][0-9]{9}$"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BasicInfo(Section):
    name: PlainLine = Field(min_length=1, max_length=50)
    gender: Literal["male", "female"] | None = None
    birth_on: date | None = None
    phone: str = Field(pattern=PHONE, description="联系电话，不能留空")
    employer_type: EmployerType
    declaration_mode: Literal["promotion", "second_title", "transfer"] = "promotion"
    dual_directed: bool = False


class EducationEntry(Section):
    level: Education
    school: PlainLine = Field(min_length=1, max_length=100)
    major: PlainLine = Field(min_length=1, max_length=100)
    graduated_on: date
    related_major: bool = True


class CurrentTitle(Section):
    series: Series | None = None
    level: Level | None = None
    title_name: PlainLine = Field(min_length=1, max_length=100)
    obtained_on: date
    certificate_no: str | None = Field(default=None, max_length=64)
    region: str | None = Field(
        default=None, pattern=r"^[1-8][0-9]{5}$", description="取得职称的地区（GB/T 2260 代码）"
    )
    reconfirmed_on: date | None = Field(
        default=None,
        description="区外取得职称办理重新确认的日期（桂工信职办〔2023〕6号 一（二）3）",
    )


class ContinuingEducation(Section):
    public_course_year: int = Field(ge=2000, le=2100)
    public_course_passed: bool
    industry_hours: int = Field(default=0, ge=0)


class Paper(Section):
    title: PlainLine = Field(min_length=1, max_length=200)
    journal: PlainLine = Field(min_length=1, max_length=200)
    published_on: date = Field(description="发表日期；仅有用稿通知的，填用稿通知日期")
    stage: Literal["published", "accepted"] = Field(
        default="published", description="published: 已公开发表; accepted: 仅有用稿通知（等待期）"
    )
    issn_cn: str | None = Field(default=None, max_length=64)
    condition: str | None = Field(default=None, max_length=200)
    authorship: Literal["sole", "first", "other"] | None = Field(
        default=None, description="本人署名：独著/独立完成、第一作者/第一完成人、其他"
    )


class ExperienceEntry(Section):
    start_on: date
    end_on: date | None = None
    employer: PlainLine = Field(min_length=1, max_length=200)
    work: PlainLine = Field(min_length=1, max_length=200)
    position: PlainLine | None = Field(default=None, max_length=100)
    witness: PlainLine | None = Field(default=None, max_length=50)


class Achievement(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=2000)
    role: PlainLine = Field(min_length=1, max_length=200)
    result: str | None = Field(default=None, max_length=2000)
    completed_on: date | None = Field(default=None, description="取得（完成、结题）日期")
    stage: Literal["completed", "project_approved"] = Field(
        default="completed",
        description="completed: 已完成/结题; project_approved: 仅课题立项（等待期）",
    )
    condition: str | None = Field(default=None, max_length=200)
    authorship: Literal["sole", "first", "other"] | None = Field(
        default=None, description="本人署名：独著/独立完成、第一作者/第一完成人、其他"
    )


class Award(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    awarded_on: date
    issuer: PlainLine = Field(min_length=1, max_length=200)
    grade: str | None = Field(default=None, max_length=50)


class ProfessionalWork(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=2000)
    start_on: date
    end_on: date | None = None
    condition: str | None = Field(default=None, max_length=200)
    village_posting: bool = Field(default=False, description="驻村工作队员的驻村工作经历")


class Qualification(Section):
    grade: Literal["senior_worker", "technician_worker", "senior_technician_worker"]
    obtained_on: date
    certificate_no: str | None = Field(default=None, max_length=64)


class Assessment(Section):
    year: int = Field(ge=2000, le=2100)
    grade: Literal["excellent", "qualified", "basic", "unqualified", "none"]


class Training(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    start_on: date
    end_on: date
    hours: int = Field(ge=0)


class SocialInsurance(Section):
    months: int = Field(ge=0, description="申报前在申报单位连续缴费月数（不含申报当月）")
    employer_matches: bool = True
    note: str | None = Field(default=None, max_length=500)


class OtherProof(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=500)


class SelfEvaluation(Section):
    text: str = Field(min_length=1, max_length=5000)


class ConsultingAdoption(Section):
    publication: Literal["central", "regional"] = Field(
        description="central: 党中央、国务院信息刊物; regional: 自治区党委、政府信息刊物"
    )
    adoption: Literal["adopted", "comprehensive"] = Field(description="采用 / 综合采用")
    instruction: Literal["none", "leader", "principal", "other_leader"] = Field(
        default="none", description="领导批示 / 主要负责同志批示 / 其他领导批示"
    )


class DecisionConsulting(Section):
    """决策咨询类信息 (桂工信职办〔2023〕6号 二（二）2（3）), counted as papers."""

    title: PlainLine = Field(min_length=1, max_length=200)
    adoptions: list[ConsultingAdoption] = Field(min_length=1, max_length=10)
    notice_no: str | None = Field(default=None, max_length=100, description="采用告知单编号")


class PlagiarismCheck(Section):
    """长工信〔2022〕139号 七1: the review paper's plagiarism check, sent to the committee's
    mailbox before the dossier; its result decides whether the applicant may defend."""

    rate_percent: float = Field(ge=0, le=100, description="送审论文抄袭率（%）")
    checked_on: date | None = Field(default=None, description="检测日期")
    database: str | None = Field(default=None, max_length=100, description="检测数据库，如知网")


class DeclarationSections(Section):
    basic_info: BasicInfo | None = None
    education: list[EducationEntry] | None = None
    current_title: CurrentTitle | None = None
    continuing_education: ContinuingEducation | None = None
    papers: list[Paper] | None = Field(default=None, max_length=5, description="原则上不超过5篇")
    main_experience: list[ExperienceEntry] | None = None
    achievements: list[Achievement] | None = None
    awards: list[Award] | None = None
    professional_experience: list[ProfessionalWork] | None = None
    qualifications: list[Qualification] | None = None
    annual_assessments: list[Assessment] | None = None
    training: list[Training] | None = None
    social_insurance: SocialInsurance | None = None
    other_proofs: list[OtherProof] | None = None
    self_evaluation: SelfEvaluation | None = None
    decision_consulting: list[DecisionConsulting] | None = None
    plagiarism_check: PlagiarismCheck | None = None


SECTION_TITLES = {
    "basic_info": "个人基本信息",
    "education": "学历情况",
    "current_title": "现专业技术资格证书",
    "continuing_education": "继续教育情况",
    "papers": "任现职以来论文、著作情况",
    "main_experience": "主要经历",
    "achievements": "工作业绩",
    "awards": "何时何地受何奖励",
    "professional_experience": "专业工作经历",
    "qualifications": "职业资格",
    "annual_assessments": "近5年考核结果",
    "training": "进修培训",
    "social_insurance": "社保信息",
    "other_proofs": "其他证明",
    "self_evaluation": "自评表",
    "decision_consulting": "决策咨询类信息",
    "plagiarism_check": "送审论文抄袭率检测",
}
