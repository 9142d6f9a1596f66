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
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class BasicInfo(Section):
    name: PlainLine = Field(min_length=1, max_length=50)
    """姓名"""
    gender: Literal["male", "female"] | None = None
    """性别：male 男；female 女；未填为 null"""
    birth_on: date | None = None
    """出生日期；未填为 null"""
    phone: str = Field(pattern=PHONE, description="联系电话，不能留空")
    employer_type: EmployerType
    """单位类型：public_institution 事业单位；state_owned 国有企业；private 民营企业；
    social_org 社会组织；freelancer 自由职业；civil_service 机关（公务员）
    """
    declaration_mode: Literal["promotion", "second_title", "transfer"] = "promotion"
    """申报方式：promotion 晋升；second_title 第二职称；transfer 转评"""
    dual_directed: bool = False
    """是否定向评价"""


class EducationEntry(Section):
    level: Education
    """学历：doctorate 博士；master 硕士；second_bachelor 第二学士；bachelor 本科；
    junior_college 专科；technical_secondary 中专；high_school 高中；
    tech_college_preparatory 技工院校预备技师班；
    tech_college_senior_worker 技工院校高级工班
    """
    school: PlainLine = Field(min_length=1, max_length=100)
    """学校"""
    major: PlainLine = Field(min_length=1, max_length=100)
    """专业"""
    graduated_on: date
    """毕业日期"""
    related_major: bool = True
    """是否与申报专业相同或相近"""


class CurrentTitle(Section):
    series: Series | None = None
    """现职称的系列；非本平台系列为 null"""
    level: Level | None = None
    """现职称的级别；未填为 null"""
    title_name: PlainLine = Field(min_length=1, max_length=100)
    """现职称名称"""
    obtained_on: date
    """取得日期"""
    certificate_no: str | None = Field(default=None, max_length=64)
    """证书编号；没有则为 null"""
    region: str | None = Field(
        default=None,
        pattern=r"^[1-8][0-9]{5}$",
        description="取得职称的地区（GB/T 2260 代码）；未填为 null",
    )
    reconfirmed_on: date | None = Field(
        default=None,
        description=(
            "区外取得职称办理重新确认的日期（桂工信职办〔2023〕6号 一（二）3）；没有则为 null"
        ),
    )


class ContinuingEducation(Section):
    public_course_year: int = Field(ge=2000, le=2100)
    """公需科目所属年度"""
    public_course_passed: bool
    """公需科目学习考试是否完成"""
    industry_hours: int = Field(default=0, ge=0)
    """行业（专业）科目学时"""


class Paper(Section):
    title: PlainLine = Field(min_length=1, max_length=200)
    """论文题目"""
    journal: PlainLine = Field(min_length=1, max_length=200)
    """期刊名称"""
    published_on: date = Field(description="发表日期；仅有用稿通知的，填用稿通知日期")
    stage: Literal["published", "accepted"] = Field(
        default="published",
        description="阶段：published 已公开发表；accepted 仅有用稿通知（等待期）",
    )
    issn_cn: str | None = Field(default=None, max_length=64)
    """ISSN 或 CN 号；未填为 null"""
    condition: str | None = Field(default=None, max_length=200)
    """对应的申报条件；未填为 null"""
    authorship: Literal["sole", "first", "other"] | None = Field(
        default=None,
        description=(
            "本人署名：sole 独著/独立完成；first 第一作者/第一完成人；other 其他；未填为 null"
        ),
    )


class ExperienceEntry(Section):
    start_on: date
    """开始日期"""
    end_on: date | None = None
    """结束日期；至今为 null"""
    employer: PlainLine = Field(min_length=1, max_length=200)
    """工作单位"""
    work: PlainLine = Field(min_length=1, max_length=200)
    """从事的工作"""
    position: PlainLine | None = Field(default=None, max_length=100)
    """职务；没有则为 null"""
    witness: PlainLine | None = Field(default=None, max_length=50)
    """证明人；没有则为 null"""


class Achievement(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    """业绩成果名称"""
    content: str = Field(min_length=1, max_length=2000)
    """主要内容"""
    role: PlainLine = Field(min_length=1, max_length=200)
    """本人担任的角色"""
    result: str | None = Field(default=None, max_length=2000)
    """取得的成效；未填为 null"""
    completed_on: date | None = Field(
        default=None, description="取得（完成、结题）日期；未填为 null"
    )
    stage: Literal["completed", "project_approved"] = Field(
        default="completed",
        description=("阶段：completed 已完成/结题；project_approved 仅课题立项（等待期）"),
    )
    condition: str | None = Field(default=None, max_length=200)
    """对应的申报条件；未填为 null"""
    authorship: Literal["sole", "first", "other"] | None = Field(
        default=None,
        description=(
            "本人署名：sole 独著/独立完成；first 第一作者/第一完成人；other 其他；未填为 null"
        ),
    )


class Award(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    """奖项名称"""
    awarded_on: date
    """获奖日期"""
    issuer: PlainLine = Field(min_length=1, max_length=200)
    """授奖单位"""
    grade: str | None = Field(default=None, max_length=50)
    """奖励等级；未填为 null"""


class ProfessionalWork(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    """项目或工作名称"""
    content: str = Field(min_length=1, max_length=2000)
    """工作内容及本人承担的任务"""
    start_on: date
    """开始日期"""
    end_on: date | None = None
    """结束日期；至今为 null"""
    condition: str | None = Field(default=None, max_length=200)
    """对应的申报条件；未填为 null"""
    village_posting: bool = Field(default=False, description="是否为驻村工作队员的驻村工作经历")


class Qualification(Section):
    grade: Literal["senior_worker", "technician_worker", "senior_technician_worker"]
    """等级：senior_worker 高级工；technician_worker 技师；senior_technician_worker 高级技师"""
    obtained_on: date
    """取得日期"""
    certificate_no: str | None = Field(default=None, max_length=64)
    """证书编号；没有则为 null"""


class Assessment(Section):
    year: int = Field(ge=2000, le=2100)
    """考核年度"""
    grade: Literal["excellent", "qualified", "basic", "unqualified", "none"]
    """考核结果：excellent 优秀；qualified 合格（称职）；basic 基本合格；
    unqualified 不合格；none 未定等次
    """


class Training(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    """培训名称"""
    start_on: date
    """开始日期"""
    end_on: date
    """结束日期"""
    hours: int = Field(ge=0)
    """学时"""


class SocialInsurance(Section):
    months: int = Field(ge=0, description="申报前在申报单位连续缴费月数（不含申报当月）")
    employer_matches: bool = True
    """社保缴费单位是否与申报单位一致"""
    note: str | None = Field(default=None, max_length=500)
    """说明（如6个月内单位变动）；没有则为 null"""


class OtherProof(Section):
    name: PlainLine = Field(min_length=1, max_length=200)
    """证明材料名称"""
    note: str | None = Field(default=None, max_length=500)
    """说明；没有则为 null"""


class SelfEvaluation(Section):
    text: str = Field(min_length=1, max_length=5000)
    """个人总结正文"""


class ConsultingAdoption(Section):
    publication: Literal["central", "regional"] = Field(
        description=(
            "采用的刊物：central 党中央、国务院信息刊物；regional 自治区党委、政府信息刊物"
        )
    )
    adoption: Literal["adopted", "comprehensive"] = Field(
        description="采用方式：adopted 采用；comprehensive 综合采用"
    )
    instruction: Literal["none", "leader", "principal", "other_leader"] = Field(
        default="none",
        description=(
            "批示：none 无；leader 领导批示；principal 主要负责同志批示；other_leader 其他领导批示"
        ),
    )


class DecisionConsulting(Section):
    """决策咨询类信息 (桂工信职办〔2023〕6号 二（二）2（3）), counted as papers."""

    title: PlainLine = Field(min_length=1, max_length=200)
    """信息标题"""
    adoptions: list[ConsultingAdoption] = Field(min_length=1, max_length=10)
    """采用及批示情况（至少一项）"""
    notice_no: str | None = Field(
        default=None, max_length=100, description="采用告知单编号；没有则为 null"
    )


class PlagiarismCheck(Section):
    """长工信〔2022〕139号 七1: the review paper's plagiarism check, sent to the committee's
    mailbox before the dossier; its result decides whether the applicant may defend."""

    rate_percent: float = Field(ge=0, le=100, description="送审论文抄袭率（%）")
    checked_on: date | None = Field(default=None, description="检测日期；未填为 null")
    database: str | None = Field(
        default=None, max_length=100, description="检测数据库，如知网；未填为 null"
    )


class DeclarationSections(Section):
    basic_info: BasicInfo | None = None
    """基本信息"""
    education: list[EducationEntry] | None = None
    """学历"""
    current_title: CurrentTitle | None = None
    """现职称"""
    continuing_education: ContinuingEducation | None = None
    """继续教育"""
    papers: list[Paper] | None = Field(
        default=None, max_length=5, description="论文（原则上不超过5篇）"
    )
    main_experience: list[ExperienceEntry] | None = None
    """主要工作经历"""
    achievements: list[Achievement] | None = None
    """业绩成果"""
    awards: list[Award] | None = None
    """获奖"""
    professional_experience: list[ProfessionalWork] | None = None
    """专业技术工作经历"""
    qualifications: list[Qualification] | None = None
    """职业资格或职业技能等级"""
    annual_assessments: list[Assessment] | None = None
    """年度考核"""
    training: list[Training] | None = None
    """培训"""
    social_insurance: SocialInsurance | None = None
    """社保"""
    other_proofs: list[OtherProof] | None = None
    """其他证明材料"""
    self_evaluation: SelfEvaluation | None = None
    """个人总结"""
    decision_consulting: list[DecisionConsulting] | None = None
    """决策咨询类信息"""
    plagiarism_check: PlagiarismCheck | None = None
    """送审论文查重"""


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
