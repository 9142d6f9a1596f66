"""HTTP for the results stage: 复核, the results posting (二次公示) with its public reads and
exports, and objections (异议) taken online during the posting."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, allow
from services.api.auth.problems import InvalidLoginCode
from services.api.auth.tokens import client_ip
from services.api.certificates.problems import CertificateKeyInvalid, CertificateRevoked
from services.api.committee.problems import (
    AdjustmentInvalid,
    AlreadyMarked,
    GradeRatioBroken,
    MarksMissing,
    NotScored,
    SessionNotFound,
)
from services.api.committee.schemas import AdjustmentCreate, AdjustmentRead
from services.api.declarations.deps import (
    READ_PROBLEMS,
    Act,
    VisibleDeclaration,
    declaration_dependency,
)
from services.api.declarations.problems import DeclarationNotFound
from services.api.http import (
    IfMatch,
    IfNoneMatch,
    RelayAfterCommit,
    WriteDep,
    cacheable,
    etag,
    sends,
)
from services.api.models import Declaration
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.api.ratelimit import guarded, hit, too_many
from services.api.results import approval, certs, objections, posting, reads, recheck
from services.api.results.problems import (
    AlreadyApproved,
    AlreadyConfirmed,
    ConfirmationDocumentRequired,
    ExportTooLarge,
    NoCertificate,
    NotAPosting,
    NotConfirmed,
    NotEvaluated,
    NotSeated,
    ObjectionHandled,
    ObjectionNotFound,
    ObjectionsUnresolved,
    PostingExists,
    PostingNotFound,
    PostingNotOpen,
    PostingRowUnknown,
    PostingRunning,
    PostingStartInvalid,
    PostingTooShort,
    RecheckAfterPosting,
    RecheckAlreadyVoted,
    RecheckClosed,
    RecheckNotFound,
    RecheckOpen,
    ResultNotYet,
    ReviewFormUnavailable,
    SessionNotClosed,
)
from services.api.results.schemas import (
    ApprovalRead,
    CertificateStatus,
    CertificateSummary,
    ConfirmationCreate,
    ExportCheck,
    ObjectionHandling,
    ObjectionReceipt,
    PostingCreate,
    PostingRead,
    RecheckBallotCreate,
    RecheckClose,
    RecheckCreate,
    RecheckMarkCreate,
    RecheckMarkReceipt,
    RecheckRead,
    RecheckReceipt,
    ResultRead,
    ResultsApprovalCreate,
    ResultsObjectionCreate,
    ResultsObjectionRead,
    RevocationCreate,
)
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, merged, validated

router = APIRouter(tags=["results"], route_class=RelayAfterCommit)
OFFICE = [allow("committee_office")]
OFFICE_OPS = [allow("committee_office", "ops")]
EXPERT = [allow("expert")]
OFFICE_EXPERT = [allow("committee_office", "expert")]
R = "/v1/rechecks/{recheck_id}"
P = "/v1/public/results-postings"
CACHED = {304: {"description": "Not modified (If-None-Match named the current ETag)"}}
MAX_EXPORT = 10 * 1024 * 1024
CHECKS_PER_MINUTE = 30

# The committee's office reopening an evaluated declaration: If-Match its version.
RechecksAct = Annotated[
    Act,
    declaration_dependency("committee_office", lock=True, if_match=True, idempotent=True, act=True),
]
# Who reads a declaration's 复核: as for one 复核 (GET /v1/rechecks/{id}), the office and ops.
RecheckReaders = Annotated[Declaration, declaration_dependency("committee_office", "ops")]


async def _tagged(write, action, /, *, status_code: int = 200, **kwargs) -> JSONResponse:
    done = await action(write.session, write.principal, **kwargs)
    return await write.idem.respond(
        done, status_code=status_code, headers={"ETag": etag(done.version)}
    )


# 复核 -------------------------------------------------------------------------------------


@router.post(
    "/v1/declarations/{declaration_id}/rechecks",
    status_code=201,
    response_model=RecheckRead,
    summary=("复核：写明理由，重新表决已评审的申报书（If-Match：申报书版本）"),
    responses=validated(
        DeclarationNotFound,
        Forbidden,
        IfMatchRequired,
        VersionMismatch,
        NotEvaluated,
        RecheckAfterPosting,
        RecheckOpen,
        RecheckNotFound,
    ),
    description=(
        "2023年度广西工艺美术系列通知 五："
        "“2023年11月为自治区工艺美术系列职改办组织评审、"
        "复核与二次公示阶段。”评委会办公室对已评审的申报书发起复核，"
        "写明理由（记入审计），原表决结果随之保留以备对照。"
        "须带 If-Match。仅评委会办公室可调用。"
    ),
)
async def open_recheck(act: RechecksAct, body: RecheckCreate) -> JSONResponse:
    done = await recheck.open_recheck(act.session, act.principal, act.declaration, body=body)
    return await act.respond(done, status_code=201)


@router.get(
    "/v1/declarations/{declaration_id}/rechecks",
    response_model=list[RecheckRead],
    summary="申报书的全部复核（最新在前）：理由、状态、原结果和闭会后的新结果",
    responses=documented(*READ_PROBLEMS, Forbidden),
    description=(
        "列出该申报书的每一次复核，最新的在前：理由、进行中或已闭会、"
        "被重新表决的原结果和（闭会后）新结果。评委会办公室只看到本机构"
        "评审会的复核。评委会办公室和运维人员可调用。"
    ),
)
async def declaration_rechecks(
    declaration: RecheckReaders, session: SessionDep, principal: PrincipalDep
) -> list[RecheckRead]:
    return await reads.rechecks(session, principal, declaration)


@router.get(
    R,
    response_model=RecheckRead,
    dependencies=OFFICE_OPS,
    summary="查看一次复核：理由、被重新表决的原结果，以及闭会后的新结果",
    responses=merged(documented(Forbidden, RecheckNotFound), sends("ETag")),
    description=(
        "读取一次复核的理由、状态、原结果和（闭会后）新结果。评委会办公室和运维人员可调用。"
    ),
)
async def get_recheck(
    recheck_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    read = await recheck.get(session, principal, recheck_id)
    return JSONResponse(read.model_dump(mode="json"), headers={"ETag": etag(read.version)})


@router.post(
    R + "/ballots",
    status_code=201,
    response_model=RecheckReceipt,
    dependencies=EXPERT,
    summary="复核不记名投票：出席的专家投一次票；答复从不透露投了什么",
    responses=validated(Forbidden, RecheckNotFound, RecheckClosed, NotSeated, RecheckAlreadyVoted),
    description=(
        "出席该评审会的专家对复核投票（同意、不同意、弃权），"
        "每人一次；答复只说明已计入。仅评审专家可调用。"
    ),
)
async def recheck_ballot(
    write: WriteDep, recheck_id: uuid.UUID, body: RecheckBallotCreate
) -> JSONResponse:
    return await write.apply(recheck.cast, status_code=201, recheck_id=recheck_id, body=body)


@router.post(
    R + "/marks",
    status_code=201,
    response_model=RecheckMarkReceipt,
    dependencies=EXPERT,
    summary=(
        "复核答辩评分（量化赋分的评审会）：出席的专家给出新的答辩分，只能一次；答复从不透露分数"
    ),
    responses=validated(
        Forbidden, RecheckNotFound, RecheckClosed, NotSeated, NotScored, AlreadyMarked
    ),
    description=(
        "量化赋分的评审会中，出席的专家为复核给出新的现场答辩评价（"
        "占60%）和答辩材料学术水平评价（占40%），各按百分制，"
        "每人一次；答复只说明已记录。仅评审专家可调用。"
    ),
)
async def recheck_mark(
    write: WriteDep, recheck_id: uuid.UUID, body: RecheckMarkCreate
) -> JSONResponse:
    return await write.apply(recheck.mark, status_code=201, recheck_id=recheck_id, body=body)


@router.post(
    R + "/adjustments",
    status_code=201,
    response_model=AdjustmentRead,
    dependencies=OFFICE_EXPERT,
    summary=(
        "复核量化赋分调整（量化赋分的评审会）："
        "出席的专家或评委会办公室调整某一项的分值并写明理由（记录在案"
        "）"
    ),
    responses=validated(
        Forbidden, RecheckNotFound, RecheckClosed, NotSeated, NotScored, AdjustmentInvalid
    ),
    description=(
        "量化赋分的评审会中，出席的专家或评委会办公室调整一个赋分项目"
        "的分值（加或减），写明理由，记入记录。"
        "评委会办公室和评审专家可调用。"
    ),
)
async def recheck_adjust(
    write: WriteDep, recheck_id: uuid.UUID, body: AdjustmentCreate
) -> JSONResponse:
    return await write.apply(recheck.adjust, status_code=201, recheck_id=recheck_id, body=body)


@router.post(
    R + "/closing",
    response_model=RecheckRead,
    dependencies=OFFICE,
    summary=(
        "复核闭会：按评审会的规则统计重新表决（量化赋分的按其评审模型"
        "重新计分），替换原记录的结果（If-Match：复核的版本）"
    ),
    responses=validated(
        Forbidden,
        RecheckNotFound,
        RecheckClosed,
        IfMatchRequired,
        VersionMismatch,
        NotScored,
        MarksMissing,
        GradeRatioBroken,
    ),
    description=(
        "按评审会的表决规则统计复核的投票；"
        "量化赋分的评审会按其评审模型重新计分，"
        "评委会办公室可在请求体中重新确定优、中、差等次。"
        "新结果替换原记录的结果。须带 If-Match。"
        "仅评委会办公室可调用。"
    ),
)
async def close_recheck(
    write: WriteDep,
    recheck_id: uuid.UUID,
    if_match: IfMatch = None,
    body: RecheckClose | None = None,
) -> JSONResponse:
    return await _tagged(write, recheck.close, recheck_id=recheck_id, if_match=if_match, body=body)


# The results posting (二次公示) -----------------------------------------------------------


@router.post(
    "/v1/committee-sessions/{session_id}/results-posting",
    status_code=201,
    response_model=PostingRead,
    dependencies=OFFICE,
    summary="发布二次公示：已闭会评审会的结果，公示不少于5个工作日",
    description=(
        "2023年度广西工艺美术系列通知 五："
        "“评审完成后的二次公示将在广西壮族自治区工业和信息化厅网站职"
        "称改革专栏进行。”评委会办公室发布已闭会评审会的评审结果，"
        "公示起止日期须含不少于5个工作日。发布时即固定：名单各行、"
        "其 SHA-256（记入审计链，并印在 XLSX 和 PDF 导出上）"
        "以及导出文件本身。仅评委会办公室可调用。"
    ),
    responses=validated(
        Forbidden,
        SessionNotFound,
        SessionNotClosed,
        PostingExists,
        RecheckOpen,
        PostingStartInvalid,
        PostingTooShort,
    ),
)
async def publish(
    write: WriteDep, request: Request, session_id: uuid.UUID, body: PostingCreate
) -> JSONResponse:
    return await write.apply(
        posting.publish,
        status_code=201,
        session_id=session_id,
        body=body,
        settings=request.app.state.settings,
    )


@router.get(
    P,
    response_model=list[PostingRead],
    summary="评审结果公示列表（公开，最新在前）",
    responses=CACHED,
    description=(
        "列出已发布的评审结果公示和批复后主动公开的名单，最新的在前。"
        "公开接口，无需登录。答复带 ETag，"
        "可用 If-None-Match 得到 304。"
    ),
)
async def public_postings(session: SessionDep, if_none_match: IfNoneMatch = None) -> Response:
    return cacheable(await posting.listing(session), if_none_match, max_age=60)


@router.get(
    P + "/{posting_id}",
    response_model=PostingRead,
    summary=("一份评审结果公示（公开，可直接展示：姓名遮蔽、单位、系列、级别、专业、结果）"),
    responses=merged(CACHED, documented(PostingNotFound), sends("ETag")),
    description=(
        "读取一份公示：标题、公示期及其工作日数、各行（序号、"
        "遮蔽后的姓名、单位、系列、级别、专业、评审结果）"
        "和导出文件的哈希。公开接口，无需登录。答复带 ETag。"
    ),
)
async def public_posting(
    posting_id: uuid.UUID, session: SessionDep, if_none_match: IfNoneMatch = None
) -> Response:
    return cacheable(await posting.get(session, posting_id), if_none_match, max_age=60)


def _export_route(kind: str, media: str):
    async def export(posting_id: uuid.UUID, session: SessionDep) -> Response:
        content = await posting.export(session, posting_id, kind)
        return Response(
            content,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="results-{posting_id}.{kind}"',
                "Cache-Control": "public, max-age=300",
            },
        )

    export.__name__ = f"public_posting_{kind}"
    return export


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
for _kind, _media in (("xlsx", XLSX), ("pdf", "application/pdf")):
    router.add_api_route(
        P + "/{posting_id}/export." + _kind,
        _export_route(_kind, _media),
        methods=["GET"],
        summary=f"公示导出 {_kind.upper()}（与发布时逐字节相同；印有内容哈希）",
        description=(
            f"下载公示发布时固定的 {_kind.upper()} 文件，与发布时逐字节相同，"
            "文件中印有名单内容的 SHA-256。公开接口，无需登录。"
        ),
        responses={200: {"content": {_media: {}}}, **documented(PostingNotFound)},
        response_class=Response,
    )


@router.post(
    P + "/verification",
    response_model=ExportCheck,
    summary=(
        "核验公示文件：这份 XLSX 或 PDF 是否为已发布的导出、"
        "未经改动（公开，限流；请求体为文件本身）"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    responses=documented(ExportTooLarge),
    description=(
        "把一份 XLSX 或 PDF 作为请求体提交，"
        "答复它是否与某份已发布公示的导出文件完全一致，以及是哪一份、"
        "哪种格式、内容哈希。公开接口，无需登录。按来源限流。"
    ),
)
@guarded
async def check_export(request: Request, session: SessionDep) -> ExportCheck:
    count, ttl = await hit(
        request.app.state.redis, f"ratelimit:results-check:{client_ip(request)}", 60
    )
    if count > CHECKS_PER_MINUTE:
        raise too_many(ttl, "核验过于频繁，请稍后再试。")
    content = await request.body()
    if len(content) > MAX_EXPORT:
        raise ExportTooLarge()
    return await posting.check_export(session, content=content)


# Objections (异议) ------------------------------------------------------------------------


@router.post(
    P + "/{posting_id}/objections",
    status_code=201,
    response_model=ObjectionReceipt,
    summary=(
        "提出异议（公开）：公示名单中的一行、事实依据、"
        "姓名及经短信验证的手机号（先调用 POST /v1/auth/sms-codes）"
    ),
    responses=validated(PostingNotFound, PostingNotOpen, PostingRowUnknown, InvalidLoginCode),
    description=(
        "公示期内任何人可对公示名单中的一行提出异议：写明序号、"
        "异议内容与事实依据、联系人姓名和手机号，"
        "手机号须先经短信验证码验证。答复受理编号和时间。公开接口，"
        "无需登录。按来源限流。"
    ),
)
@guarded
async def object_to(
    posting_id: uuid.UUID, body: ResultsObjectionCreate, request: Request, session: SessionDep
) -> JSONResponse:
    done = await objections.submit(session, request, posting_id=posting_id, body=body)
    return JSONResponse(done.model_dump(mode="json"), status_code=201)


@router.get(
    "/v1/results-postings/{posting_id}/objections",
    response_model=list[ResultsObjectionRead],
    dependencies=OFFICE_OPS,
    summary="本机构一份公示收到的异议及处理情况",
    responses=documented(Forbidden, PostingNotFound, ObjectionNotFound),
    description=(
        "列出一份公示收到的异议：涉及的申报书、内容、"
        "联系人（手机号脱敏）、状态和处理情况。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def objection_list(
    posting_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[ResultsObjectionRead]:
    return await objections.listing(session, principal, posting_id=posting_id)


@router.post(
    "/v1/results-objections/{objection_id}/handling",
    response_model=ResultsObjectionRead,
    dependencies=OFFICE,
    summary="异议处理：记录核查和处理结论（If-Match：异议的版本）",
    responses=validated(
        Forbidden, ObjectionNotFound, ObjectionHandled, IfMatchRequired, VersionMismatch
    ),
    description=(
        "评委会办公室记录一条异议的核查与处理情况，"
        "结论为成立或不成立。须带 If-Match（异议的版本）。"
        "仅评委会办公室可调用。"
    ),
)
async def handle_objection(
    write: WriteDep, objection_id: uuid.UUID, body: ObjectionHandling, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(
        write, objections.handle, objection_id=objection_id, body=body, if_match=if_match
    )


# 结果确认, 批复 and the approved list -----------------------------------------------------

W = "/v1/results-postings/{posting_id}"
DECIDE = (
    Forbidden,
    PostingNotFound,
    NotAPosting,
    IfMatchRequired,
    VersionMismatch,
)


@router.get(
    W,
    response_model=PostingRead,
    dependencies=OFFICE_OPS,
    summary="评委会办公室查看一份公示，含用于确认和批复的版本（ETag）",
    responses=merged(documented(Forbidden, PostingNotFound), sends("ETag")),
    description=(
        "读取一份公示的完整内容和版本号（ETag），"
        "供结果确认和批复时作为 If-Match。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def office_posting(
    posting_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    read = await posting.for_office(session, principal, posting_id)
    return JSONResponse(read.model_dump(mode="json"), headers={"ETag": etag(read.version)})


@router.post(
    W + "/confirmation",
    response_model=PostingRead,
    dependencies=OFFICE,
    summary=(
        "结果确认：公示期满且无未处理异议后，"
        "由规定的机关确认（广西高级：自治区职改办，"
        "桂职办〔2020〕113号，须写文号）"
    ),
    responses=validated(
        *DECIDE,
        AlreadyConfirmed,
        PostingRunning,
        ObjectionsUnresolved,
        ConfirmationDocumentRequired,
    ),
    description=(
        "2023年度广西工艺美术系列通知 五："
        "“对公示无异议的进行确认结果，并按评审批复审核权限进行批复。"
        "高级职称评审结果按……（桂职办〔2020〕113号）"
        "等文件要求报自治区职改办，有关批复根据评审结果确认文件进行，"
        "并在……职称改革专栏主动公开。”公示期满、"
        "没有未处理的异议时才可确认；确认机关不是本机构的，"
        "须写明评审结果确认文件的文号。须带 If-Match。"
        "仅评委会办公室可调用。"
    ),
)
async def confirm(
    write: WriteDep, posting_id: uuid.UUID, body: ConfirmationCreate, if_match: IfMatch = None
) -> JSONResponse:
    return await _tagged(
        write, approval.confirm, posting_id=posting_id, body=body, if_match=if_match
    )


@router.post(
    W + "/approval",
    response_model=ApprovalRead,
    dependencies=OFFICE,
    summary=("批复（写明文号）：通过或不通过，各发一条短信，签发证书，主动公开通过名单"),
    responses=validated(*DECIDE, NotConfirmed, AlreadyApproved),
    description=(
        "2023年度广西工艺美术系列通知 五："
        "“对公示无异议的进行确认结果，并按评审批复审核权限进行批复。"
        "高级职称评审结果按……（桂职办〔2020〕113号）"
        "等文件要求报自治区职改办，有关批复根据评审结果确认文件进行，"
        "并在……职称改革专栏主动公开。”按确认结果批复："
        "通过的签发职称电子证书，不通过的记为未通过，"
        "申报人各收到一条短信，通过名单作为主动公开的名单发布。"
        "须带 If-Match。仅评委会办公室可调用。"
    ),
)
async def approve(
    write: WriteDep,
    request: Request,
    posting_id: uuid.UUID,
    body: ResultsApprovalCreate,
    if_match: IfMatch = None,
) -> JSONResponse:
    done = await approval.approve(
        write.session,
        write.principal,
        posting_id=posting_id,
        body=body,
        if_match=if_match,
        settings=request.app.state.settings,
        cipher=request.app.state.pii,
    )
    return await write.idem.respond(done, headers={"ETag": etag(done.posting.version)})


# Certificates -----------------------------------------------------------------------------


@router.get(
    "/v1/public/certificates/verification",
    response_model=CertificateStatus,
    summary=(
        "职称电子证书核验（公开，限流）："
        "证书编号 + 持证人姓名 → 真实、已撤销或无此证书，"
        "不答复其他信息"
    ),
    description=(
        "按证书上印的证书编号（number）或二维码中的核验编号（certificate_id），"
        "二者其一，和持证人姓名（或二维码中的签名）核验证书，"
        "只答复真实（genuine）、已撤销（revoked）"
        "或无此证书（unknown），不透露任何其他信息。公开接口，"
        "无需登录。按来源限流。"
    ),
    responses=validated(CertificateKeyInvalid),
)
@guarded
async def verify_certificate(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Query(min_length=1, max_length=40)],
    certificate_id: uuid.UUID | None = None,
    number: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    sig: Annotated[str | None, Query(max_length=400)] = None,
) -> JSONResponse:
    if (certificate_id is None) == (number is None):
        raise CertificateKeyInvalid()
    done = await certs.check(
        session,
        request,
        settings=request.app.state.settings,
        certificate_id=certificate_id,
        number=number,
        name=name,
        signature=sig,
    )
    return JSONResponse(done.model_dump(), headers={"Cache-Control": "no-store"})


@router.post(
    "/v1/public/certificates/{certificate_id}/pdf-verification",
    response_model=CertificateStatus,
    summary=(
        "核验证书 PDF（公开，限流）：这份文件是否为签发的原件？真实、"
        "已撤销或无此证书（请求体为 PDF）"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            # Raw bytes, as the export check takes them (any content type is read as bytes).
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    responses=documented(ExportTooLarge),
    description=(
        "把证书 PDF 作为请求体提交，核对它是否与签发的证书文件一致，"
        "答复真实、已撤销或无此证书。公开接口，无需登录。按来源限流。"
    ),
)
@guarded
async def verify_certificate_pdf(
    certificate_id: uuid.UUID, request: Request, session: SessionDep
) -> JSONResponse:
    content = await request.body()
    if len(content) > MAX_EXPORT:
        raise ExportTooLarge()
    done = await certs.check_pdf(
        session,
        request,
        settings=request.app.state.settings,
        certificate_id=certificate_id,
        content=content,
    )
    return JSONResponse(done.model_dump(), headers={"Cache-Control": "no-store"})


@router.post(
    "/v1/certificates/{certificate_id}/revocation",
    response_model=CertificateSummary,
    dependencies=OFFICE_OPS,
    summary=("撤销职称电子证书并写明理由（如弄虚作假：评审结果无效）；立即生效"),
    responses=validated(Forbidden, NoCertificate, CertificateRevoked),
    description=(
        "评委会办公室或运维人员撤销一份职称电子证书，"
        "写明理由和（可选）文号，记入审计；此后核验答复已撤销。"
        "评委会办公室和运维人员可调用。"
    ),
)
async def revoke_certificate(
    write: WriteDep, certificate_id: uuid.UUID, body: RevocationCreate
) -> JSONResponse:
    return await write.apply(certs.revoke, certificate_id=certificate_id, body=body)


D = "/v1/declarations/{declaration_id}"


@router.get(
    D + "/result",
    response_model=ResultRead,
    summary="申报书的最终评审结果：通过或未通过、批复文号、批复日期和签发的证书",
    responses=documented(*READ_PROBLEMS, ResultNotYet),
    description=(
        "2023年度广西工艺美术系列通知 五（三）：“对公示无异议的进行确认结果，"
        "并按评审批复审核权限进行批复。”批复后读取该申报书的结果："
        "通过（approved）或未通过（rejected）、批复文号、批复日期，"
        "以及通过时签发的职称电子证书（编号、证书号、是否已撤销），"
        "未签发为 null；批复之前答复 404（result-not-yet）。"
        "申报人本人、用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用。"
    ),
)
async def declaration_result(declaration: VisibleDeclaration, session: SessionDep) -> ResultRead:
    return await reads.result(session, declaration)


@router.get(
    D + "/certificate",
    response_model=CertificateSummary,
    summary="申报书的职称电子证书：编号、证书号、是否已撤销",
    responses=documented(NoCertificate, DeclarationNotFound),
    description=(
        "读取该申报书签发的职称电子证书的编号、证书号和是否已撤销。"
        "申报人本人、用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用。"
    ),
)
async def my_certificate(
    declaration: VisibleDeclaration, session: SessionDep
) -> CertificateSummary:
    return await certs.summary(session, declaration)


@router.get(
    D + "/certificate.pdf",
    summary="下载职称电子证书（PDF，内嵌中文字体和二维码）",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        **documented(NoCertificate, DeclarationNotFound),
    },
    description=(
        "下载该申报书的职称电子证书 PDF：内嵌中文字体子集，附核验二维码。调用者范围同查看证书。"
    ),
)
async def certificate_pdf(
    declaration: VisibleDeclaration, session: SessionDep, request: Request
) -> Response:
    content = await certs.certificate_pdf(session, declaration, settings=request.app.state.settings)
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.get(
    D + "/review-form.pdf",
    summary="下载评审表：评审时的申报书及各级审核意见",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        **documented(ReviewFormUnavailable, DeclarationNotFound),
    },
    description=(
        "下载评审表 PDF：评审时的申报书内容和各级审核意见。"
        "申报人本人、用人单位、审核链上的职改办、"
        "评委会办公室和运维人员可调用。"
    ),
)
async def review_form(
    declaration: VisibleDeclaration, session: SessionDep, request: Request
) -> Response:
    content = await certs.review_form(session, declaration, settings=request.app.state.settings)
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})
