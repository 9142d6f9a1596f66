from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.declarations import examples
from services.api.declarations.sections import DeclarationSections
from services.kit.openapi import NOTE_MAX_CHARS
from services.kit.vocabulary import Level
from services.kit.vocabulary import PathId as Path


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


# A return's item as a plain line (an untied item, the message alone).
ReturnLine = Annotated[str, Field(min_length=1, max_length=1000)]


class ItemRef(Strict):
    """One entry of a list section that a document proves (申报系统操作注意事项 一（二）5、7、8:
    each paper, achievement and award has its own proof)."""

    section: str = Field(min_length=1, max_length=64, description="栏目，如 papers、achievements")
    index: int = Field(ge=0, le=199, description="条目在该栏目中的序号，从0起")


class Attachment(Strict):
    """Which uploaded document serves which material (an upload records one itself)."""

    document_id: uuid.UUID = Field(description="已上传到本申报书、通过检查且未被替换的材料编号")
    kind: str = Field(
        min_length=1,
        max_length=64,
        description="申报材料编号（资格服务给出的材料）；材料的类别须能证明该项",
    )
    document_kind: str | None = Field(
        default=None,
        max_length=64,
        description=("材料服务的材料类别（GET /v1/kinds），如 paper_cover；未填为 null"),
    )
    section: str | None = Field(default=None, max_length=64)
    """所属栏目；未填为 null"""
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)
    """说明；没有则为 null"""
    item: ItemRef | None = Field(
        default=None,
        description="该材料证明的条目，如第一篇论文；未指明为 null",
    )


class DeclarationCreate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DECLARATION_CREATE]}
    )
    campaign_id: uuid.UUID
    """申报批次编号"""
    unit_org_id: uuid.UUID
    """申报单位（用人单位）编号"""
    level: Level
    """级别：technician 技术员；assistant 助理级；intermediate 中级；
    deputy_senior 副高级；senior 正高级
    """
    specialty: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "拟评专业：该系列职称评审专业目录中的代码（GET /v1/specialties）；未定为 null"
        ),
    )
    path: Path = "normal"
    """申报途径：normal 正常申报；direct 直接申报；exceptional 破格申报；
    dual_directed 定向评价；high_skill 高技能人才；former_civil_servant 公务员转任；
    engineering_master_early 工程硕士提前申报；series_transfer 转评；
    no_title 无职称申报
    """
    sections: DeclarationSections = DeclarationSections()
    """申报书各栏目"""
    attachments: list[Attachment] = Field(default_factory=list, max_length=200)
    """附件：每份已上传的材料证明哪项申报材料"""
    applicant_facts: dict[str, Any] = Field(
        default_factory=dict, description="资格评估所用的事实：资格评估请求中的 applicant 对象"
    )
    copy_from_declaration_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "写入数据：从本人以前的一份申报书（如上一年度的）复制栏目和材料；不复制为 null"
        ),
    )


class DeclarationUpdate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DECLARATION_UPDATE]}
    )
    specialty: str | None = Field(
        default=None,
        max_length=100,
        description="新的拟评专业代码；不改为 null",
    )
    path: Path | None = None
    """新的申报途径；不改为 null"""
    sections: DeclarationSections | None = Field(
        default=None, description="提交的栏目整栏替换，其余不变；不改为 null"
    )
    attachments: list[Attachment] | None = Field(default=None, max_length=200)
    """新的附件列表；不改为 null"""
    applicant_facts: dict[str, Any] | None = None
    """新的资格评估事实；不改为 null"""


class DeclarationImport(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DECLARATION_IMPORT]}
    )
    source_declaration_id: uuid.UUID
    """要复制的本人以前的申报书编号"""


class CommitteeReset(Strict):
    """重置评委会: the campaign (and so the committee) the declaration moves to."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.COMMITTEE_RESET]}
    )

    campaign_id: uuid.UUID
    """转入的申报批次编号（从而确定评委会）"""
    level: Level | None = Field(default=None, description="转入后的级别；不改为 null")


class ReturnTarget(Strict):
    """What one item of a return is about: a section of the declaration, a material it
    attaches, or both; checked against the declaration when the return is issued."""

    section: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="申报书中的栏目（sections 的键），如 papers；没有则为 null",
    )
    material: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description=("申报书附件中的材料：附件的 kind（材料编号）或材料编号；没有则为 null"),
    )


class ReturnItem(Strict):
    """One item of the one complete list (一次性告知). With a `target` it is tracked: at the
    resubmission it must have changed, or carry the applicant's note saying why not. The
    bare `section` is the label it always was (not checked, not tracked)."""

    section: str | None = Field(default=None, max_length=64)
    """涉及的栏目（仅作说明，不跟踪）；没有则为 null"""
    message: str = Field(min_length=1, max_length=1000)
    """意见内容"""
    target: ReturnTarget | None = None
    """涉及的栏目或材料（会被跟踪）；没有则为 null"""


class ReturnCreate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RETURN_CREATE]}
    )
    items: list[ReturnItem | ReturnLine] = Field(
        min_length=1,
        max_length=100,
        description="退回意见各项：对象（可指明栏目或材料），或一行文字",
    )
    deadline_at: datetime
    """补正截止时间（带时区）"""


class ItemAnswer(Strict):
    """The applicant's mark on one item of the open return: addressed, and why."""

    item: int = Field(ge=0, le=99, description="该项在退回意见列表中的序号，从0起")
    note: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="说明；相关栏目或材料未修改的须填写；否则可为 null",
    )


class SubmissionCreate(Strict):
    """Optional body of a submission: on a resubmission after a return, the applicant's
    answer to its items (chain/returns.py)."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.SUBMISSION_CREATE]}
    )

    addressed: list[ItemAnswer] = Field(default_factory=list, max_length=100)
    """重新提交时对退回意见各项的答复"""


class ReturnAnswerRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    item: int
    """该项在退回意见列表中的序号"""
    addressed: bool = Field(description="申报人是否标为已处理")
    note: str | None
    """申报人的说明；没有则为 null"""
    unchanged: list[str] = Field(
        description="该项所涉而未修改的栏目或材料（section:… 或 material:…）"
    )


class ReturnChangedField(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    field: str = Field(description="栏目中的字段路径，如 phone 或 [1].title")
    before: Any
    """修改前的值"""
    after: Any
    """修改后的值"""


class ReturnChangedSection(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    section: str
    """栏目"""
    fields: list[ReturnChangedField]
    """有变化的字段"""


class ReturnDocumentRef(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    document_id: uuid.UUID
    """材料编号"""
    material: str | None
    """对应的申报材料编号；没有则为 null"""
    document_kind: str | None
    """材料类别；没有则为 null"""
    filename: str | None = Field(description="上传时的文件名；没有则为 null")


class ReturnReplacedDocument(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    old: ReturnDocumentRef
    """被替换的旧材料"""
    new: ReturnDocumentRef
    """替换它的新材料"""


class ReturnChanges(BaseModel):
    """What changed between the submission a return was issued against and the
    resubmission that answered it, from the two hashed snapshots."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RETURN_CHANGES]}
    )

    return_id: uuid.UUID
    """退回编号"""
    n: int
    """第几次退回"""
    before_submission: int
    """退回所针对的是第几次提交"""
    after_submission: int
    """重新提交是第几次提交"""
    before_sha256: str
    """退回前快照的 SHA-256"""
    after_sha256: str
    """重新提交快照的 SHA-256"""
    sections: list[ReturnChangedSection] = Field(description="有变化的栏目")
    replaced_documents: list[ReturnReplacedDocument]
    """被替换的材料（旧 → 新）"""
    added_documents: list[ReturnDocumentRef]
    """新增的材料"""
    removed_documents: list[ReturnDocumentRef]
    """删除的材料"""
    answers: list[ReturnAnswerRead] | None
    """申报人对各项的答复；没有则为 null"""


class ApprovalCreate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.APPROVAL_CREATE]}
    )
    comment: str | None = Field(default=None, max_length=2000)
    """审核意见；没有则为 null"""


class WithdrawalCreate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.WITHDRAWAL_CREATE]}
    )
    reason: str | None = Field(default=None, max_length=500)
    """撤回理由；不填为 null"""


class ReturnRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.RETURN_READ]}
    )
    id: uuid.UUID
    """退回编号"""
    n: int
    """这是第几次退回"""
    position: int
    """退回发生在审核链的第几级"""
    org_id: uuid.UUID
    """退回的机构编号"""
    items: list[dict[str, Any]]
    """退回意见各项"""
    deadline_at: datetime
    """补正截止时间"""
    issued_by: str
    """退回人账号"""
    issued_role: str
    """退回人角色"""
    issued_at: datetime | None
    """退回时间；没有则为 null"""
    resolved_at: datetime | None
    """重新提交（处理完）的时间；未处理为 null"""
    baseline_n: int | None = Field(
        default=None, description="退回所针对的是第几次提交；没有则为 null"
    )
    answers: list[ReturnAnswerRead] | None = Field(
        default=None, description="申报人重新提交时对各项的答复；未重新提交为 null"
    )


class RiskSummary(BaseModel):
    """Counts a reviewer's list shows per declaration (details: GET …/warnings)."""

    flagged_papers: int = Field(
        description="学术风险预警标出的论文篇数（最近一次提交时记录的或新出现的）"
    )
    new_flagged_papers: int = Field(description="其中只按今天的期刊名录才标出的篇数")
    consistency_warnings: int | None = Field(
        description=("工作经历或单位与社保记录不一致的提示数；调用者无权查看时为 null")
    )
    duplicate_claims: int | None = Field(
        default=None,
        description=(
            "本申报书以独著或第一作者/完成人填报、"
            "同一年度另一份申报书也填报的论文或业绩数；"
            "调用者无权查看时为 null"
        ),
    )


class DeclarationRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DECLARATION_READ]}
    )
    id: uuid.UUID
    """申报书编号"""
    campaign_id: uuid.UUID
    """申报批次编号"""
    applicant_sub: str
    """申报人账号"""
    unit_org_id: uuid.UUID
    """申报单位编号"""
    year: int
    """评审年度"""
    series: str
    """系列代码"""
    level: str
    """级别代码"""
    specialty: str | None
    """拟评专业代码；未定为 null"""
    path: str
    """申报途径代码"""
    committee_code: str
    """受理评审的评委会代码"""
    sections: dict[str, Any]
    """申报书各栏目"""
    attachments: list[dict[str, Any]]
    """附件"""
    applicant_facts: dict[str, Any]
    """资格评估所用的事实"""
    status: str
    """申报书状态：draft 草稿；submitted 已提交；unit_review 单位审核中；
    supervisor_review 主管部门审核中；county_review 县区职改办审核中；
    series_office_review 系列职改办审核中；committee_office_review 评委会办公室审核
    中；returned 退回补正；accepted 已受理；payment_due 待缴费；paid 已缴费；
    evaluated 已评审；approved 评审通过；rejected 评审未通过；withdrawn 已撤回；
    abandoned 视为放弃
    """
    version: int
    """版本号：修改时作为 If-Match"""
    current_position: int | None
    """当前所在的审核链序号；未进入审核为 null"""
    submission_count: int
    """已提交的次数"""
    eligibility: dict[str, Any] | None
    """最近一次资格评估的结果；未评估为 null"""
    fee_yuan: int | None
    """评审费（元）；未定为 null"""
    copied_from_id: uuid.UUID | None
    """写入数据所复制的申报书编号；没有则为 null"""
    created_at: datetime | None
    """建立时间"""
    updated_at: datetime | None
    """最后修改时间"""
    academic_risk: list[dict[str, Any]] | None = Field(
        default=None,
        description=(
            "仅提交的答复中：期刊名录标出的论文（学术风险预警，请自行核验）；其他答复为 null"
        ),
    )
    risk: RiskSummary | None = Field(
        default=None,
        description=("仅审核人员和运维人员的列表中：有风险的论文和一致性提示的计数；其他为 null"),
    )


class DeclarationPage(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.DECLARATION_PAGE]}
    )
    items: list[DeclarationRead]
    """本页的申报书"""
    next_cursor: str | None
    """下一页的游标；没有更多时为 null"""


class StepRead(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    position: int
    """在审核链中的序号"""
    kind: str
    """机构类别"""
    org_id: uuid.UUID
    """审核机构编号"""
    org_name: str
    """审核机构名称"""
    reached_at: datetime | None
    """申报书到达该级的时间；未到达为 null"""
    completed_at: datetime | None
    """该级办理完成的时间；未完成为 null"""
    completed_by: str | None
    """办理人账号；未完成为 null"""


class EventRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.EVENT_READ]}
    )
    seq: int
    """审计链序号"""
    at: datetime
    """时间"""
    actor_sub: str
    """操作者账号"""
    actor_role: str
    """操作者角色"""
    actor_org: uuid.UUID | None
    """操作者所在机构编号；没有则为 null"""
    action: str
    """操作"""
    from_status: str | None
    """操作前的状态；没有则为 null"""
    to_status: str | None
    """操作后的状态；没有则为 null"""
    reason: str | None
    """理由；没有则为 null"""
    request_id: str | None
    """请求编号；没有则为 null"""


class JudgementRead(BaseModel):
    """A condition the eligibility service leaves to a reviewer, and who decides it."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.JUDGEMENT_READ]}
    )

    id: uuid.UUID
    """认定编号"""
    condition_id: str
    """条件代码"""
    path: str
    """申报途径代码"""
    message: str = Field(description="资格服务所述的条件")
    clause: str = Field(description="条件所依据的条款")
    level: Literal["unit", "series_office", "committee_office"] = Field(
        description=(
            "由哪一级认定：unit 用人单位；series_office 系列职改办；committee_office 评委会办公室"
        )
    )
    level_named: bool = Field(
        description=(
            "true：政策文件指明由该级认定（level_basis 引其原文）；false：文件未指明，按默认"
        )
    )
    level_basis: str
    """认定层级的依据"""
    position: int = Field(description="负责认定的审核链序号")
    org_name: str = Field(description="负责认定的机构")
    status: Literal["open", "approved", "rejected"]
    """状态：open 待认定；approved 认定符合；rejected 认定不符合"""
    raised_in: int = Field(description="提出（或重新提出）该认定的是第几次提交")
    reason: str | None
    """认定理由；没有则为 null"""
    decision_clause: str | None
    """认定所依据的条款；没有则为 null"""
    decided_by: str | None
    """认定人账号；未认定为 null"""
    decided_role: str | None
    """认定人角色；未认定为 null"""
    decided_at: datetime | None
    """认定时间；未认定为 null"""


class JudgementDecisionCreate(Strict):
    model_config = ConfigDict(
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.JUDGEMENT_DECISION_CREATE]},
    )
    decision: Literal["approve", "reject"]
    """认定：approve 符合；reject 不符合"""
    reason: str = Field(min_length=4, max_length=2000, description="认定理由")
    clause: str = Field(min_length=4, max_length=500, description="认定所依据的条款")
