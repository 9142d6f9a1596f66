from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.declarations.sections import DeclarationSections
from services.kit.openapi import NOTE_MAX_CHARS
from services.kit.vocabulary import Level
from services.kit.vocabulary import PathId as Path


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A return's item as a plain line (an untied item, the message alone).
ReturnLine = Annotated[str, Field(min_length=1, max_length=1000)]


class ItemRef(Strict):
    """One entry of a list section that a document proves (申报系统操作注意事项 一（二）5、7、8:
    each paper, achievement and award has its own proof)."""

    section: str = Field(min_length=1, max_length=64, description="e.g. papers, achievements")
    index: int = Field(ge=0, le=199, description="position of the entry in that section, from 0")


class Attachment(Strict):
    """Which uploaded document serves which material (an upload records one itself)."""

    document_id: uuid.UUID = Field(
        description="a document uploaded to this declaration (POST …/documents), accepted "
        "and not replaced; anything else is refused (422)"
    )
    kind: str = Field(
        min_length=1,
        max_length=64,
        description="material id from the eligibility service; the document's kind must serve it",
    )
    document_kind: str | None = Field(
        default=None,
        max_length=64,
        description="the document service's kind of the document (GET /v1/kinds), e.g. "
        "paper_cover; set by the gateway",
    )
    section: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)
    item: ItemRef | None = Field(
        default=None,
        description="the entry this document proves, e.g. the first paper; an upload with "
        "item_section/item_index records it",
    )


class DeclarationCreate(Strict):
    campaign_id: uuid.UUID
    unit_org_id: uuid.UUID
    level: Level
    specialty: str | None = Field(
        default=None,
        max_length=100,
        description="拟评专业: a code of the series' 职称评审专业目录 (GET /v1/specialties)",
    )
    path: Path = "normal"
    sections: DeclarationSections = DeclarationSections()
    attachments: list[Attachment] = Field(default_factory=list, max_length=200)
    applicant_facts: dict[str, Any] = Field(
        default_factory=dict, description="the `applicant` object of the eligibility contract"
    )
    copy_from_declaration_id: uuid.UUID | None = Field(
        default=None,
        description="写入数据: start from one of your earlier declarations (e.g. last year's); "
        "its sections and facts replace those given here (not its attachments: they name "
        "that declaration's documents; upload this one's)",
    )


class DeclarationUpdate(Strict):
    specialty: str | None = Field(
        default=None,
        max_length=100,
        description="拟评专业: a code of the series' 职称评审专业目录 (GET /v1/specialties)",
    )
    path: Path | None = None
    sections: DeclarationSections | None = Field(
        default=None, description="sections given here replace the stored ones, others stay"
    )
    attachments: list[Attachment] | None = Field(default=None, max_length=200)
    applicant_facts: dict[str, Any] | None = None


class DeclarationImport(Strict):
    source_declaration_id: uuid.UUID


class CommitteeReset(Strict):
    """重置评委会: the campaign (and so the committee) the declaration moves to."""

    campaign_id: uuid.UUID
    level: Level | None = Field(default=None, description="the target level; default: unchanged")


class ReturnTarget(Strict):
    """What one item of a return is about: a section of the declaration, a material it
    attaches, or both; checked against the declaration when the return is issued."""

    section: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="a section the declaration has (its `sections` key), e.g. papers",
    )
    material: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="a material the declaration attaches: an attachment's `kind` (material "
        "id) or `document_kind`, e.g. degree_certificate or paper_cover",
    )


class ReturnItem(Strict):
    """One item of the one complete list (一次性告知). With a `target` it is tracked: at the
    resubmission it must have changed, or carry the applicant's note saying why not. The
    bare `section` is the label it always was (not checked, not tracked)."""

    section: str | None = Field(default=None, max_length=64)
    message: str = Field(min_length=1, max_length=1000)
    target: ReturnTarget | None = None


class ReturnCreate(Strict):
    items: list[ReturnItem | ReturnLine] = Field(
        min_length=1,
        max_length=100,
        description="each an object, or a plain line (an item with no section nor target)",
    )
    deadline_at: datetime


class ItemAnswer(Strict):
    """The applicant's mark on one item of the open return: addressed, and why."""

    item: int = Field(ge=0, le=99, description="the item's position in the return's list, from 0")
    note: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="说明；an item whose section or material did not change needs one",
    )


class SubmissionCreate(Strict):
    """Optional body of a submission: on a resubmission after a return, the applicant's
    answer to its items (chain/returns.py)."""

    addressed: list[ItemAnswer] = Field(default_factory=list, max_length=100)


class ReturnAnswerRead(BaseModel):
    item: int
    addressed: bool = Field(description="marked addressed by the applicant")
    note: str | None
    unchanged: list[str] = Field(
        description="what the item names that did not change (`section:…`, `material:…`)"
    )


class ReturnChangedField(BaseModel):
    field: str = Field(description="path inside the section, e.g. phone or [1].title")
    before: Any
    after: Any


class ReturnChangedSection(BaseModel):
    section: str
    fields: list[ReturnChangedField]


class ReturnDocumentRef(BaseModel):
    document_id: uuid.UUID
    material: str | None
    document_kind: str | None
    filename: str | None = Field(
        description="the uploaded file's name, as the document service has it"
    )


class ReturnReplacedDocument(BaseModel):
    old: ReturnDocumentRef
    new: ReturnDocumentRef


class ReturnChanges(BaseModel):
    """What changed between the submission a return was issued against and the
    resubmission that answered it, from the two hashed snapshots."""

    return_id: uuid.UUID
    n: int
    before_submission: int
    after_submission: int
    before_sha256: str
    after_sha256: str
    sections: list[ReturnChangedSection] = Field(description="only the sections that changed")
    replaced_documents: list[ReturnReplacedDocument]
    added_documents: list[ReturnDocumentRef]
    removed_documents: list[ReturnDocumentRef]
    answers: list[ReturnAnswerRead] | None


class ApprovalCreate(Strict):
    comment: str | None = Field(default=None, max_length=2000)


class WithdrawalCreate(Strict):
    reason: str | None = Field(default=None, max_length=500)


class ReturnRead(BaseModel):
    id: uuid.UUID
    n: int
    position: int
    org_id: uuid.UUID
    items: list[dict[str, Any]]
    deadline_at: datetime
    issued_by: str
    issued_role: str
    issued_at: datetime | None
    resolved_at: datetime | None
    baseline_n: int | None = Field(
        default=None, description="the submission the return was issued against"
    )
    answers: list[ReturnAnswerRead] | None = Field(
        default=None, description="the applicant's answer to each item, at the resubmission"
    )


class RiskSummary(BaseModel):
    """Counts a reviewer's list shows per declaration (details: GET …/warnings)."""

    flagged_papers: int = Field(
        description="papers flagged 学术风险预警: recorded at the latest submission, or new"
    )
    new_flagged_papers: int = Field(
        description="of those, flagged only by today's register (not when submitted)"
    )
    consistency_warnings: int | None = Field(
        description="work history or unit against the social-insurance records; "
        "null for callers who may not see them"
    )
    duplicate_claims: int | None = Field(
        default=None,
        description="papers or achievements this declaration claims as sole/first author "
        "that another applicant's submitted declaration of the same year claims too; "
        "null where not counted",
    )


class DeclarationRead(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    applicant_sub: str
    unit_org_id: uuid.UUID
    year: int
    series: str
    level: str
    specialty: str | None
    path: str
    committee_code: str
    sections: dict[str, Any]
    attachments: list[dict[str, Any]]
    applicant_facts: dict[str, Any]
    status: str
    version: int
    current_position: int | None
    submission_count: int
    eligibility: dict[str, Any] | None
    fee_yuan: int | None
    copied_from_id: uuid.UUID | None
    created_at: datetime | None
    updated_at: datetime | None
    academic_risk: list[dict[str, Any]] | None = Field(
        default=None,
        description="In the submission answer only: papers the journal register flags "
        "(学术风险预警，请自行核验); reviewers see them in GET …/warnings",
    )
    risk: RiskSummary | None = Field(
        default=None,
        description="In reviewers' (and ops') lists only: flagged papers and consistency "
        "warnings, counted; the details are in GET …/warnings",
    )


class DeclarationPage(BaseModel):
    items: list[DeclarationRead]
    next_cursor: str | None


class StepRead(BaseModel):
    position: int
    kind: str
    org_id: uuid.UUID
    org_name: str
    reached_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None


class EventRead(BaseModel):
    seq: int
    at: datetime
    actor_sub: str
    actor_role: str
    actor_org: uuid.UUID | None
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    request_id: str | None


class JudgementRead(BaseModel):
    """A condition the eligibility service leaves to a reviewer, and who decides it."""

    id: uuid.UUID
    condition_id: str
    path: str
    message: str = Field(description="the condition as the eligibility service states it")
    clause: str = Field(description="the clause the condition rests on")
    level: Literal["unit", "series_office", "committee_office"] = Field(
        description="the review level that decides it, as the policy names it"
    )
    level_named: bool = Field(
        description="true: the policy names that level (level_basis quotes it); false: "
        "the policy names none and level_basis says why this level was chosen"
    )
    level_basis: str
    position: int = Field(description="the chain step that decides it")
    org_name: str = Field(description="who decides it: that step's org")
    status: Literal["open", "approved", "rejected"]
    raised_in: int = Field(description="the submission that raised (or reopened) it")
    reason: str | None
    decision_clause: str | None
    decided_by: str | None
    decided_role: str | None
    decided_at: datetime | None


class JudgementDecisionCreate(Strict):
    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=4, max_length=2000, description="认定理由")
    clause: str = Field(
        min_length=4, max_length=500, description="the clause the decision rests on (依据条款)"
    )


class ProgressRead(BaseModel):
    declaration_id: uuid.UUID
    status: str
    current_position: int | None
    steps: list[StepRead]
    events: list[EventRead]
    open_return: ReturnRead | None
    judgements: list[JudgementRead] = Field(
        default_factory=list,
        description="conditions awaiting (or given) a reviewer's judgement, and by whom",
    )
