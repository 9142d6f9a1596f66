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
from services.api.certificates.problems import CertificateRevoked
from services.api.committee.problems import (
    AdjustmentInvalid,
    AlreadyMarked,
    GradeRatioBroken,
    MarksMissing,
    NotScored,
    SessionNotFound,
)
from services.api.committee.schemas import AdjustmentCreate, AdjustmentRead
from services.api.declarations.deps import Act, VisibleDeclaration, declaration_dependency
from services.api.http import IfMatch, IfNoneMatch, RelayAfterCommit, WriteDep, cacheable, etag
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.api.ratelimit import guarded, hit, too_many
from services.api.results import approval, certs, objections, posting, recheck
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
    ResultsApprovalCreate,
    ResultsObjectionCreate,
    ResultsObjectionRead,
    RevocationCreate,
)
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(tags=["results"], dependencies=[RelayAfterCommit])
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
    summary="复核: reopen an evaluated declaration for a re-vote, with a reason (If-Match: the "
    "declaration's version)",
    responses=validated(
        Forbidden,
        IfMatchRequired,
        VersionMismatch,
        NotEvaluated,
        RecheckAfterPosting,
        RecheckOpen,
        RecheckNotFound,
    ),
)
async def open_recheck(act: RechecksAct, body: RecheckCreate) -> JSONResponse:
    done = await recheck.open_recheck(act.session, act.principal, act.declaration, body=body)
    return await act.respond(done, status_code=201)


@router.get(
    R,
    response_model=RecheckRead,
    dependencies=OFFICE_OPS,
    summary="One 复核: its reason, the tally it reopened, and the re-vote's once closed",
    responses=documented(Forbidden, RecheckNotFound),
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
    summary="复核不记名投票: an expert present at the session votes once; the answer never "
    "says what",
    responses=validated(Forbidden, RecheckNotFound, RecheckClosed, NotSeated, RecheckAlreadyVoted),
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
    summary="复核答辩评分 (scored sessions): an expert present gives new 答辩 marks once; the "
    "answer never says what",
    responses=validated(
        Forbidden, RecheckNotFound, RecheckClosed, NotSeated, NotScored, AlreadyMarked
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
    summary="复核量化赋分调整 (scored sessions): an expert present or the office changes one "
    "item's points, with a reason (logged)",
    responses=validated(
        Forbidden, RecheckNotFound, RecheckClosed, NotSeated, NotScored, AdjustmentInvalid
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
    summary="复核闭会: count the re-vote by the session's rule (a scored session: re-score by its "
    "judging model); it replaces the recorded outcome (If-Match: the 复核's version)",
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
    summary="发布二次公示: the closed session's results, public for ≥ 5 working days",
    description="Frozen at publication: the rows, their SHA-256 (recorded in the audit chain "
    "and printed on the XLSX and PDF exports) and the exports themselves.",
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
    summary="评审结果公示列表 (public, no sign-in; newest first)",
    responses=CACHED,
)
async def public_postings(session: SessionDep, if_none_match: IfNoneMatch = None) -> Response:
    return cacheable(await posting.listing(session), if_none_match, max_age=60)


@router.get(
    P + "/{posting_id}",
    response_model=PostingRead,
    summary="一份评审结果公示 (public, page-ready: masked names, unit, series, level, "
    "specialty, result)",
    responses={**CACHED, **documented(PostingNotFound)},
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
        summary=f"公示导出 {_kind.upper()} (as published, byte for byte; prints the content hash)",
        responses={200: {"content": {_media: {}}}, **documented(PostingNotFound)},
        response_class=Response,
    )


@router.post(
    P + "/verification",
    response_model=ExportCheck,
    summary="核验公示文件: is this XLSX or PDF a posted export, unaltered? (public, "
    "rate-limited; the file is the request body)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    responses=documented(ExportTooLarge),
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
    summary="提出异议 (public): a row of the posting, the facts, a name and a phone proved by "
    "an SMS code (POST /v1/auth/sms-codes first)",
    responses=validated(PostingNotFound, PostingNotOpen, PostingRowUnknown, InvalidLoginCode),
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
    summary="The objections to a posting of the office, with how each was handled",
    responses=documented(Forbidden, PostingNotFound, ObjectionNotFound),
)
async def objection_list(
    posting_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[ResultsObjectionRead]:
    return await objections.listing(session, principal, posting_id=posting_id)


@router.post(
    "/v1/results-objections/{objection_id}/handling",
    response_model=ResultsObjectionRead,
    dependencies=OFFICE,
    summary="异议处理: record how an objection was checked and decided (If-Match: its version)",
    responses=validated(
        Forbidden, ObjectionNotFound, ObjectionHandled, IfMatchRequired, VersionMismatch
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
    summary="The office's view of a posting, with its version (ETag) for confirmation and 批复",
    responses=documented(Forbidden, PostingNotFound),
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
    summary="结果确认: once the posting is over with no open objection, by the authority the "
    "rules name (广西高级: 自治区职改办, 桂职办〔2020〕113号, with its document number)",
    responses=validated(
        *DECIDE,
        AlreadyConfirmed,
        PostingRunning,
        ObjectionsUnresolved,
        ConfirmationDocumentRequired,
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
    summary="批复 with its document number: approved or rejected, one SMS each, certificates "
    "issued, the approved list published",
    responses=validated(*DECIDE, NotConfirmed, AlreadyApproved),
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
    summary="职称电子证书核验 (public, rate-limited): certificate id + holder name → genuine, "
    "revoked or unknown, and nothing else",
)
@guarded
async def verify_certificate(
    request: Request,
    session: SessionDep,
    certificate_id: uuid.UUID,
    name: Annotated[str, Query(min_length=1, max_length=40)],
    sig: Annotated[str | None, Query(max_length=400)] = None,
) -> JSONResponse:
    done = await certs.check(
        session,
        request,
        settings=request.app.state.settings,
        certificate_id=certificate_id,
        name=name,
        signature=sig,
    )
    return JSONResponse(done.model_dump(), headers={"Cache-Control": "no-store"})


@router.post(
    "/v1/public/certificates/{certificate_id}/pdf-verification",
    response_model=CertificateStatus,
    summary="核验证书PDF (public, rate-limited): is this file the certificate as issued? "
    "genuine, revoked or unknown (the PDF is the request body)",
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
    summary="撤销职称电子证书 with a reason (e.g. 弄虚作假: 评审结果无效); reflected at once",
    responses=validated(Forbidden, NoCertificate, CertificateRevoked),
)
async def revoke_certificate(
    write: WriteDep, certificate_id: uuid.UUID, body: RevocationCreate
) -> JSONResponse:
    return await write.apply(certs.revoke, certificate_id=certificate_id, body=body)


D = "/v1/declarations/{declaration_id}"


@router.get(
    D + "/certificate",
    response_model=CertificateSummary,
    summary="The declaration's certificate: id, number, revoked or not",
    responses=documented(NoCertificate),
)
async def my_certificate(
    declaration: VisibleDeclaration, session: SessionDep
) -> CertificateSummary:
    return await certs.summary(session, declaration)


@router.get(
    D + "/certificate.pdf",
    summary="下载职称电子证书 (PDF with embedded CJK font and a QR code)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **documented(NoCertificate)},
)
async def certificate_pdf(
    declaration: VisibleDeclaration, session: SessionDep, request: Request
) -> Response:
    content = await certs.certificate_pdf(session, declaration, settings=request.app.state.settings)
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.get(
    D + "/review-form.pdf",
    summary="下载评审表: the declaration as reviewed, with each level's opinion",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **documented(ReviewFormUnavailable)},
)
async def review_form(
    declaration: VisibleDeclaration, session: SessionDep, request: Request
) -> Response:
    content = await certs.review_form(session, declaration, settings=request.app.state.settings)
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})
