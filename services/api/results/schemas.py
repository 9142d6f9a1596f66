"""Request and response shapes of the results stage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.committee.schemas import Grade, Mark
from services.api.results import examples
from services.kit.text import PlainLine

Text = Field(min_length=2, max_length=2000)


class RecheckCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.RECHECK_CREATE]},
        use_attribute_docstrings=True,
    )
    reason: str = Field(min_length=2, max_length=2000, description="复核的理由（记入审计）")


class RecheckRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RECHECK_READ]}
    )
    id: uuid.UUID
    """复核编号"""
    declaration_id: uuid.UUID
    """申报书编号"""
    session_id: uuid.UUID
    """评审会编号"""
    reason: str
    """复核理由"""
    status: Literal["open", "closed"]
    """状态：open 进行中；closed 已闭会"""
    version: int
    """版本号：闭会时作为 If-Match"""
    opened_at: datetime
    """发起时间"""
    closed_at: datetime | None
    """闭会时间；未闭会为 null"""
    previous: dict[str, Any]
    """被重新表决的原结果"""
    outcome: dict[str, Any] | None = Field(
        description="闭会后的新结果（量化赋分的为重新计分的结果）；未闭会为 null"
    )


class RecheckMarkCreate(BaseModel):
    """An expert's new 答辩 marks in a scored session's 复核, each on 100 points."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.RECHECK_MARK_CREATE]},
        use_attribute_docstrings=True,
    )
    material: Mark = Field(description="答辩材料学术水平评价（占40%），百分制")
    live: Mark = Field(description="现场答辩评价（占60%），百分制")


class RecheckMarkReceipt(BaseModel):
    """That the marks were recorded, never what they were."""

    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.RECHECK_MARK_RECEIPT]},
    )

    recheck_id: uuid.UUID
    """复核编号"""
    recorded: bool = True
    """已记录（不透露分数）"""


class RecheckClose(BaseModel):
    """Closing a 复核. In a scored session the declaration keeps the grade the session
    fixed, unless the office sets `grade` here; the session's grades with it must then
    still hold 3:6:1."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.RECHECK_CLOSE]},
        use_attribute_docstrings=True,
    )
    grade: Grade | None = Field(
        None,
        description=("评委会办公室重新确定的等次：excellent 优；medium 中；poor 差；不改为 null"),
    )


class RecheckBallotCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.RECHECK_BALLOT_CREATE]},
    )
    choice: Literal["agree", "disagree", "abstain"]
    """表决：agree 同意；disagree 不同意；abstain 弃权"""


class RecheckReceipt(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RECHECK_RECEIPT]}
    )
    recheck_id: uuid.UUID
    """复核编号"""
    counted: bool = True
    """已计入（不透露投了什么）"""


class PostingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.POSTING_CREATE]},
    )
    starts_on: date
    """公示开始日期"""
    ends_on: date
    """公示结束日期（须含不少于5个工作日）"""


class PostingRow(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    no: int
    """序号"""
    name: str = Field(description="姓名（遮蔽）")
    unit: str
    """单位"""
    series: str
    """系列"""
    level: str
    """级别"""
    specialty: str
    """专业"""
    result: str
    """评审结果"""


class PostingRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.POSTING_READ]}
    )
    id: uuid.UUID
    """公示编号"""
    session_id: uuid.UUID
    """评审会编号"""
    kind: Literal["posting", "publication"] = Field(
        description="类别：posting 二次公示；publication 批复后主动公开的名单"
    )
    title: str
    """标题"""
    starts_on: date
    """公示开始日期"""
    ends_on: date
    """公示结束日期"""
    working_days: int
    """公示期的工作日数"""
    rows: list[PostingRow]
    """公示名单各行"""
    content_sha256: str
    """名单内容的 SHA-256（记入审计链，印在导出文件上）"""
    xlsx_sha256: str
    """XLSX 导出文件的 SHA-256"""
    pdf_sha256: str
    """PDF 导出文件的 SHA-256"""
    published_at: datetime
    """发布时间"""
    version: int
    """版本号：确认和批复时作为 If-Match"""
    objections_open: bool
    """是否有未处理的异议"""
    confirmation_authority: str | None = None
    """确认机关；未确认为 null"""
    confirmation_document: str | None = None
    """评审结果确认文件的文号；没有则为 null"""
    confirmed_at: datetime | None = None
    """结果确认时间；未确认为 null"""
    approval_number: str | None = None
    """批复文号；未批复为 null"""
    approved_on: date | None = None
    """批复日期；未批复为 null"""


class ConfirmationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.CONFIRMATION_CREATE]},
        use_attribute_docstrings=True,
    )
    document_number: str | None = Field(
        default=None,
        min_length=3,
        max_length=100,
        description=("评审结果确认文件的文号（确认机关不是本机构时必填）；否则可为 null"),
    )


class ResultsApprovalCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.APPROVAL_CREATE]},
    )
    document_number: str = Field(min_length=3, max_length=100, description="批复文号")
    approved_on: date
    """批复日期"""


class ApprovalRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.APPROVAL_READ]}
    )
    posting: PostingRead
    """被批复的二次公示"""
    publication: PostingRead
    """主动公开的通过名单"""
    approved: list[uuid.UUID]
    """通过的申报书编号"""
    rejected: list[uuid.UUID]
    """未通过的申报书编号"""
    certificates: dict[str, str] = Field(description="申报书编号 → 签发的证书号")


class RevocationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.REVOCATION_CREATE]},
    )
    reason: str = Field(min_length=2, max_length=2000)
    """撤销理由"""
    document_number: str | None = Field(default=None, max_length=100)
    """撤销所依据文件的文号；没有则为 null"""


class CertificateStatus(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CERTIFICATE_STATUS]}
    )
    status: Literal["genuine", "revoked", "unknown"]
    """核验结果：genuine 真实有效；revoked 已撤销；unknown 无此证书（或姓名不符）"""


class CertificateSummary(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.CERTIFICATE_SUMMARY]},
    )
    certificate_id: uuid.UUID
    """证书编号（用于核验）"""
    number: str
    """证书号"""
    revoked: bool
    """是否已撤销"""


class ResultRead(BaseModel):
    """A declaration's final result, once 批复 happened."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RESULT_READ]}
    )
    declaration_id: uuid.UUID
    """申报书编号"""
    outcome: Literal["approved", "rejected"]
    """批复结果：approved 通过；rejected 未通过"""
    document_number: str
    """批复文号"""
    approved_on: date
    """批复日期"""
    approved_at: datetime
    """批复的办理时间"""
    posting_id: uuid.UUID
    """被批复的二次公示编号"""
    certificate: CertificateSummary | None
    """签发的职称电子证书（编号、证书号、是否已撤销）；未签发为 null"""


class ExportCheck(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EXPORT_CHECK]}
    )
    matches: bool
    """是否为某份已发布公示的导出文件且未经改动"""
    posting_id: uuid.UUID | None = None
    """对应的公示编号；不匹配为 null"""
    format: Literal["xlsx", "pdf"] | None = None
    """文件格式：xlsx 或 pdf；不匹配为 null"""
    content_sha256: str | None = None
    """对应公示的名单内容哈希；不匹配为 null"""


class ResultsObjectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.OBJECTION_CREATE]},
    )
    no: int = Field(ge=1, description="公示名单中的序号")
    content: str = Field(min_length=5, max_length=4000, description="异议内容与事实依据")
    contact_name: PlainLine = Field(min_length=1, max_length=40)
    """联系人姓名"""
    phone: str = Field(pattern=r"^1\d{10}$")
    """联系人手机号（须先获取短信验证码）"""
    code: str = Field(pattern=r"^\d{6}$", description="发到该手机的短信验证码")


class ObjectionReceipt(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.OBJECTION_RECEIPT]}
    )
    id: uuid.UUID
    """异议受理编号"""
    received_at: datetime
    """受理时间"""


class ResultsObjectionRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.OBJECTION_READ]}
    )
    id: uuid.UUID
    """异议编号"""
    posting_id: uuid.UUID
    """公示编号"""
    declaration_id: uuid.UUID
    """涉及的申报书编号"""
    content: str
    """异议内容"""
    contact_name: str
    """联系人姓名"""
    contact_phone: str = Field(description="联系人手机号（脱敏）")
    status: Literal["open", "upheld", "dismissed"]
    """状态：open 待处理；upheld 异议成立；dismissed 异议不成立"""
    version: int
    """版本号：处理时作为 If-Match"""
    handling: str | None
    """核查与处理情况；未处理为 null"""
    handled_at: datetime | None
    """处理时间；未处理为 null"""
    received_at: datetime
    """受理时间"""


class ObjectionHandling(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.OBJECTION_HANDLING]},
    )
    decision: Literal["upheld", "dismissed"]
    """结论：upheld 异议成立；dismissed 异议不成立"""
    handling: str = Field(min_length=2, max_length=4000, description="核查与处理情况")
