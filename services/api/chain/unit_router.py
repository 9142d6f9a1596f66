"""HTTP for the unit's own records at its step: 原件核实, the unit's 承诺书, posting
objections, and the materials the gateway generates for the unit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from services.api.access import PrincipalDep
from services.api.chain import unit, unit_documents
from services.api.chain.problems import (
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    OriginalAlreadyChecked,
    OriginalNoteRequired,
    PledgeTextOutdated,
    PostingObjectionOpen,
    UnitReviewMissing,
)
from services.api.chain.routes import (
    REVIEWER_ACTS,
    D,
    Read,
    Record,
    declaration_reads,
    reviewers_records,
)
from services.api.chain.schemas import (
    ObjectionRead,
    OriginalCheckRead,
    UnitPledgeRead,
)
from services.api.clients.documents import DocumentsUnavailable
from services.api.declarations.deps import (
    ReviewersRecord,
    ReviewersUnlocked,
)
from services.api.documents.problems import DocumentNotFound
from services.api.documents.schemas import DocumentRead
from services.api.http import DeferredIdempotencyDep, RelayAfterCommit, sends
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

router = APIRouter(tags=["reviews"], route_class=RelayAfterCommit)


# The unit's records at its step, each from the request's body.
reviewers_records(
    router,
    Record(
        "put_original_check",
        "PUT",
        "/original-checks/{document_id}",
        OriginalCheckRead,
        unit.record_original_check,
        "原件核实：用人单位核对了申报人一份材料的原件（或说明未见原件的情况）",
        also=(DocumentNotFound, OriginalNoteRequired, OriginalAlreadyChecked),
        act=ReviewersRecord,
        description=(
            "用人单位记录是否见到并核对了申报人一份材料的原件，"
            "未见原件的须写明核验情况（柳州工程系列2022申报培训："
            "“原则上应提供原件扫描件……提供复印件的，"
            "应由单位标注‘与原件一致’”）。退回过申报书的上级，"
            "对退回后重新提交的材料在本级核实。须带 If-Match。"
            "用人单位审核人员、县区、系列的职改办和评委会办公室中申报书当"
            "前所在一级的工作人员可调用。"
        ),
    ),
    Record(
        "sign_unit_pledge",
        "POST",
        "/unit-pledge",
        UnitPledgeRead,
        unit.sign_pledge,
        "用人单位审核人员为该申报书签署单位承诺书",
        also=(PledgeTextOutdated,),
        description=(
            "用人单位审核人员签署当前版本的单位承诺书（2023年度广西工艺美"
            "术系列职称评审工作通知 三（一）：“明确审核责任人，"
            "签署承诺书，落实审核责任”；长工信〔2022〕139号 十（二）："
            "“申报人员及推荐单位对所提交材料的真实性负全责，"
            "实行‘双承诺’制”）。提交的版本须与当前文本一致。"
            "须带 If-Match。"
        ),
    ),
    Record(
        "record_objection",
        "POST",
        "/posting-objections",
        ObjectionRead,
        unit.record_objection,
        "记录单位公示期间收到的异议（处理完之前一直未结）",
        status_code=201,
        description=(
            "用人单位记录在单位内部公示期间收到的异议："
            "收到日期（须在公示期内）和内容。"
            "有未处理的异议时不能推荐（单位对“审议通过且公示无异议的申报"
            "人出具单位推荐意见”，柳州工程系列2022申报培训）。"
            "须带 If-Match。用人单位审核人员、县区、"
            "系列的职改办和评委会办公室中申报书当前所在一级的工作人员可调"
            "用。"
        ),
    ),
    Record(
        "resolve_objection",
        "POST",
        "/posting-objections/{objection_id}/resolution",
        ObjectionRead,
        unit.resolve_objection,
        "处理一条公示异议并写明核查情况",
        also=(ObjectionNotFound, ObjectionAlreadyResolved),
        description=(
            "写明如何核查、处理一条公示异议，使其结案。须带 If-Match。"
            "用人单位审核人员、县区、系列的职改办和评委会办公室中申报书当"
            "前所在一级的工作人员可调用。"
        ),
    ),
)


# What the unit recorded at its step, each a plain read for whoever sees the declaration.
declaration_reads(
    router,
    Read(
        "list_original_checks",
        "/original-checks",
        list[OriginalCheckRead],
        unit.original_checks,
        "申报人每份材料的原件核实情况（已核实或尚未核实）",
        description=(
            "列出申报人上传的每份材料及其原件核实情况：是否见到原件、"
            "说明、核实人和时间。申报人本人、已到达的用人单位、"
            "审核链上的职改办、评委会办公室和运维人员可调用。"
        ),
    ),
    Read(
        "get_unit_pledge",
        "/unit-pledge",
        UnitPledgeRead,
        unit.pledge,
        "用人单位承诺书：当前文本，是否已签及签署人",
        description=(
            "读取用人单位承诺书的当前文本及其版本、依据，"
            "以及该申报书是否已签、由谁在何时签了哪个版本。申报人本人、"
            "已到达的用人单位、审核链上的职改办、"
            "评委会办公室和运维人员可调用。"
        ),
    ),
    Read(
        "list_objections",
        "/posting-objections",
        list[ObjectionRead],
        unit.objections,
        description=(
            "列出申报书在单位公示期间收到的异议及其核查处理情况。"
            "申报人本人、已到达的用人单位、审核链上的职改办、"
            "评委会办公室和运维人员可调用。"
        ),
        summary="申报书公示期间的异议",
    ),
)


@router.post(
    D + "/unit-materials/{material}",
    status_code=201,
    response_model=DocumentRead,
    summary="按单位的记录生成单位出具的材料并归档（文本 PDF）",
    description=(
        "public_posting（公示情况）：公示期及其工作日数、"
        "单位的公示名册和各条异议的处理情况；"
        "unit_recommendation（单位推荐意见）：五个方面的评价和结论。"
        "由材料服务保存，并作为该项材料的附件记入申报书。"
        "仅申报书在本单位一级时，用人单位审核人员可调用。"
    ),
    responses=documented(
        *REVIEWER_ACTS, UnitReviewMissing, PostingObjectionOpen, DocumentsUnavailable
    )
    | sends("ETag", "Location", status=201),
)
async def generate_unit_material(
    declaration: ReviewersUnlocked,
    material: Annotated[unit_documents.Generated, Path()],
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
) -> Response:
    return await unit_documents.generate(
        session,
        principal,
        declaration,
        material=material,
        http=request.app.state.documents,
        idem=idem,
    )
