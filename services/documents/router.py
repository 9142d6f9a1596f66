"""HTTP surface of the document service (also what the gateway forwards to)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from services.documents import intake, service
from services.documents import metrics as doc_metrics
from services.documents.kinds import KindRules, all_kinds, get_kind
from services.documents.schemas import DeclarationId, DocumentRead, DownloadLink, KindRead
from services.kit.db import SessionDep
from services.kit.openapi import scan_upload
from services.kit.problems import PROBLEM_MEDIA_TYPE, ProblemError, problem_response

router = APIRouter(prefix="/v1", tags=["documents"])

_MULTIPART = scan_upload("材料类别，见 GET /v1/kinds")
_PROBLEM = {"content": {PROBLEM_MEDIA_TYPE: {}}}
_UPLOAD_RESPONSES = {
    413: {"description": "上传内容超过上限", **_PROBLEM},
    422: {
        "description": "材料未通过检查：problem+json，findings 列出全部问题，document 为被拒记录",
        **_PROBLEM,
    },
    503: {"description": "文件存储不可用（带 Retry-After），未保存任何内容", **_PROBLEM},
}

Normalize = Annotated[
    bool, Query(description="true：把 HEIC/PNG/过大/带旋转标记的图片转为 512 KB 以内的正向 JPG")
]
Uploader = Annotated[str | None, Header(alias="X-Uploader-ID", max_length=64)]
UploaderRole = Annotated[
    str | None,
    Header(
        alias="X-Uploader-Role",
        max_length=16,
        description="unit：用人单位在单位审核环节上传其出具的材料（申报状态 unit_review 时可上传）",
    ),
]
Defer = Annotated[
    bool,
    Query(
        description="true：新材料通过检查后保存，但原材料仍有效，"
        "直到调用 POST /v1/documents/{新材料}/supersede（网关锁定申报后调用）"
    ),
]
Revert = Annotated[
    bool,
    Query(
        description="true：撤销一次已生效的替换——删除这份新材料，它所替换的原材料恢复为有效"
        "（网关在替换未能记入申报时调用）"
    ),
]
DeclState = Annotated[
    str | None,
    Header(
        alias="X-Declaration-Status",
        description="网关告知的申报状态；仅 draft / returned 可上传、删除或替换",
    ),
]


def _runtime(request: Request) -> service.Runtime:
    return request.app.state.runtime


def _kind(code: str | None) -> KindRules:
    kind = get_kind(code or "")
    if kind is None:
        raise ProblemError(
            422,
            "kind-unknown",
            f"材料类别“{code or ''}”不存在，请从 GET /v1/kinds 列出的类别中选择。",
            title="Unknown material kind",
            known=sorted(all_kinds()),
        )
    return kind


def _answer(request: Request, doc, status: int = 201) -> Response:
    doc_metrics.record(request.app, doc)
    body = DocumentRead.model_validate(doc)
    if doc.status != "rejected":
        return JSONResponse(body.model_dump(mode="json"), status_code=status)
    errors = [f["message"] for f in doc.findings if f["severity"] == "error"]
    problem = ProblemError(
        422,
        "document-rejected",
        f"材料未通过检查，共 {len(errors)} 个问题需要处理：" + "；".join(errors),
        title="Document rejected",
        findings=body.model_dump(mode="json")["findings"],
        document=body.model_dump(mode="json"),
    )
    # Returned, not raised: the rejected record is committed with the answer.
    return problem_response(problem)


@router.get("/kinds", response_model=list[KindRead], summary="材料类别及其上传要求")
async def list_kinds() -> list[KindRead]:
    return [KindRead(**{**k.__dict__, "types": list(k.types)}) for k in all_kinds().values()]


@router.post(
    "/declarations/{declaration_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=_UPLOAD_RESPONSES,
    openapi_extra=_MULTIPART,
    summary="上传一份材料：检查、（可选）规范化、保存",
)
async def upload(
    declaration_id: DeclarationId,
    request: Request,
    session: SessionDep,
    normalize: Normalize = False,
    uploader: Uploader = None,
    state: DeclState = None,
    uploader_role: UploaderRole = None,
) -> Response:
    if state is not None:  # the gateway says; direct callers may leave it out
        service.require_editable(state, action="上传", uploader_role=uploader_role)
    cap = request.app.state.settings.max_upload_bytes
    up = await intake.read_upload(request, cap=cap)
    kind = _kind(up.fields.get("kind"))
    note = (up.fields.get("note") or "")[:500] or None
    async with intake.watch_caller(request) as caller:
        doc = await service.upload(
            session,
            _runtime(request),
            declaration_id=declaration_id,
            kind=kind,
            data=up.data,
            filename=up.filename,
            uploader_id=uploader,
            note=note,
            normalize=normalize,
        )
        caller.refuse_if_gone()
    return _answer(request, doc)


@router.get(
    "/declarations/{declaration_id}/documents",
    response_model=list[DocumentRead],
    summary="申报的材料列表",
)
async def list_documents(
    declaration_id: DeclarationId, session: SessionDep, include_inactive: bool = False
) -> list[DocumentRead]:
    docs = await service.list_for_declaration(
        session, declaration_id, include_inactive=include_inactive
    )
    return [DocumentRead.model_validate(d) for d in docs]


@router.get("/documents/{document_id}", response_model=DocumentRead, summary="材料详情")
async def get_document(document_id: uuid.UUID, session: SessionDep) -> DocumentRead:
    return DocumentRead.model_validate(await service.get(session, document_id))


@router.get(
    "/documents/{document_id}/download",
    response_model=DownloadLink,
    summary="限时下载链接（不超过 15 分钟）",
)
async def download(
    document_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    expires_in: Annotated[int, Query(ge=1, le=900)] = 900,
) -> DownloadLink:
    doc = await service.get(session, document_id)
    seconds = min(expires_in, request.app.state.settings.presign_max_seconds)
    url, expires_at = await service.download_link(_runtime(request), doc, seconds=seconds)
    return DownloadLink(url=url, expires_at=expires_at)


@router.delete(
    "/documents/{document_id}",
    status_code=204,
    summary="删除材料（申报提交前）",
    responses={
        409: {"description": "申报已提交", **_PROBLEM},
        428: {"description": "缺少 X-Declaration-Status", **_PROBLEM},
    },
)
async def delete(
    document_id: uuid.UUID,
    session: SessionDep,
    state: DeclState = None,
    revert: Revert = False,
    uploader_role: UploaderRole = None,
) -> Response:
    doc = await service.get(session, document_id, lock=revert)
    service.require_editable(state, action="删除", uploader_role=uploader_role)
    await service.delete(session, doc, revert=revert)
    return Response(status_code=204)


@router.post(
    "/documents/{document_id}/replace",
    status_code=201,
    response_model=DocumentRead,
    responses={**_UPLOAD_RESPONSES, 409: {"description": "申报已提交或材料已被替换", **_PROBLEM}},
    openapi_extra=_MULTIPART,
    summary="替换材料：新文件通过检查后，旧材料标记为已替换",
)
async def replace(
    document_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    normalize: Normalize = False,
    uploader: Uploader = None,
    state: DeclState = None,
    defer: Defer = False,
) -> Response:
    service.require_editable(state, action="替换")
    up = await intake.read_upload(request, cap=request.app.state.settings.max_upload_bytes)
    # Deferred: the old row is only read here; `supersede` locks it when it changes.
    old = await service.get(session, document_id, lock=not defer)
    if old.status != "accepted":
        raise service.not_active(old.status)
    kind = _kind(up.fields.get("kind") or old.kind)
    note = (up.fields.get("note") or "")[:500] or None
    async with intake.watch_caller(request) as caller:
        doc = await service.upload(
            session,
            _runtime(request),
            declaration_id=old.declaration_id,
            kind=kind,
            data=up.data,
            filename=up.filename,
            uploader_id=uploader,
            note=note,
            normalize=normalize,
            replaces=old,
            supersede=not defer,
        )
        caller.refuse_if_gone()
    return _answer(request, doc)


@router.post(
    "/documents/{document_id}/supersede",
    response_model=DocumentRead,
    responses={
        409: {"description": "申报已提交、原材料已不再有效，或这不是待生效的替换材料", **_PROBLEM},
        428: {"description": "缺少 X-Declaration-Status", **_PROBLEM},
    },
    summary="让延后生效的替换生效：原材料标记为已替换",
)
async def supersede(
    document_id: uuid.UUID, session: SessionDep, state: DeclState = None
) -> DocumentRead:
    service.require_editable(state, action="替换")
    return DocumentRead.model_validate(await service.supersede(session, document_id))


@router.post(
    "/normalise",
    response_class=Response,
    openapi_extra=_MULTIPART,
    responses={
        200: {
            "description": "规范化后的 JPG；X-Changes 列出改动代码",
            "content": {"image/jpeg": {}},
        },
        413: _UPLOAD_RESPONSES[413],
        422: {"description": "无法规范化：problem+json 带 findings", **_PROBLEM},
    },
    summary="只做规范化，不保存：返回正向、512 KB 以内的 JPG",
)
async def normalise_file(request: Request) -> Response:
    up = await intake.read_upload(request, cap=request.app.state.settings.max_upload_bytes)
    kind = _kind(up.fields.get("kind"))
    prepared = await service.check_file(
        _runtime(request), up.data, kind, filename=up.filename, normalize=True
    )
    ins = prepared.inspection
    if ins.errors or prepared.stored is None or prepared.stored_mime != "image/jpeg":
        findings = [f.as_dict() for f in ins.findings]
        if not ins.errors:
            findings.append(
                {
                    "code": "not-an-image",
                    "severity": "error",
                    "clause": None,
                    "details": {},
                    "message": "只有图片可以规范化为 JPG。",
                }
            )
        messages = [f["message"] for f in findings if f["severity"] == "error"]
        raise ProblemError(
            422,
            "normalise-refused",
            "无法规范化：" + "；".join(messages),
            title="Cannot normalise",
            findings=findings,
        )
    changes = prepared.normalised.changes if prepared.normalised else []
    return Response(
        prepared.stored,
        media_type="image/jpeg",
        headers={
            "X-Changes": ",".join(c["code"] for c in changes),
            "X-Received-SHA256": hashlib.sha256(up.data).hexdigest(),
            "X-Stored-SHA256": hashlib.sha256(prepared.stored).hexdigest(),
        },
    )
