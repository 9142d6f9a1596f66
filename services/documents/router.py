"""HTTP surface of the document service (also what the gateway forwards to)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.documents import intake, service, storage
from services.documents import metrics as doc_metrics
from services.documents.config import DocumentsSettings
from services.documents.kinds import KindRules, all_kinds, get_kind
from services.documents.problems import (
    DocumentNotFound,
    DocumentNotStored,
    DocumentRejected,
    Duplicate,
    FileMissing,
    KindUnknown,
    MultipartInvalid,
    MultipartRequired,
    NormaliseRefused,
    NoteTooLong,
)
from services.documents.schemas import DeclarationId, DocumentRead, DownloadLink, KindRead
from services.kit.db import SessionDep
from services.kit.openapi import scan_upload
from services.kit.problem_kinds import documented
from services.kit.problems import PROBLEM_MEDIA_TYPE, problem_response

router = APIRouter(prefix="/v1", tags=["documents"])

_MULTIPART = scan_upload("材料类别，见 GET /v1/kinds")
_PROBLEM = {"content": {PROBLEM_MEDIA_TYPE: {}}}
# The published words of the upload's statuses; the types each carries are listed.
_UPLOAD_WORDS = {
    413: "上传内容超过上限",
    422: "材料未通过检查：problem+json，findings 列出全部问题，document 为被拒记录",
    503: "文件存储不可用（带 Retry-After），未保存任何内容",
}
# What reading a multipart form answers (intake.read_upload), on every route that takes one.
_FORM_PROBLEMS = (
    MultipartRequired,
    MultipartInvalid,
    intake.too_large(DocumentsSettings.model_fields["max_upload_bytes"].default),
    FileMissing,
    NoteTooLong,
    KindUnknown,
)
_UPLOAD_RESPONSES = documented(
    *_FORM_PROBLEMS,
    intake.interrupted(),
    DocumentRejected,
    Duplicate,
    storage.unavailable(),
    keep=_UPLOAD_WORDS,
)

Normalize = Annotated[
    bool, Query(description="true：把 HEIC/PNG/过大/带旋转标记的图片转为 512 KB 以内的正向 JPG")
]
# A query parameter, not a header: a principal's id may be any Unicode text, and header
# values are ASCII.
Uploader = Annotated[
    str | None,
    Query(alias="uploader", max_length=64, description="上传人（调用方的用户编号，由网关填写）"),
]
KindFallback = Annotated[
    str | None,
    Query(
        alias="kind",
        description="材料类别，表单未给出 kind 字段时使用（网关替换材料时传入原材料的类别）",
    ),
]


def _runtime(request: Request) -> service.Runtime:
    return request.app.state.runtime


def _kind(code: str | None) -> KindRules:
    kind = get_kind(code or "")
    if kind is None:
        raise KindUnknown(
            f"材料类别“{code or ''}”不存在，请从 GET /v1/kinds 列出的类别中选择。",
            known=sorted(all_kinds()),
        )
    return kind


def _answer(request: Request, doc, status: int = 201) -> Response:
    doc_metrics.record(request.app, doc)
    body = DocumentRead.model_validate(doc)
    if doc.status != "rejected":
        return JSONResponse(body.model_dump(mode="json"), status_code=status)
    errors = [f["message"] for f in doc.findings if f["severity"] == "error"]
    problem = DocumentRejected(
        f"材料未通过检查，共 {len(errors)} 个问题需要处理：" + "；".join(errors),
        findings=body.model_dump(mode="json")["findings"],
        document=body.model_dump(mode="json"),
    )
    # Returned, not raised: the rejected record is committed with the answer.
    return problem_response(problem)


@router.get(
    "/kinds",
    response_model=list[KindRead],
    summary="材料类别及其上传要求",
    description=(
        "列出全部材料类别及其上传要求：允许的文件类型、大小上限、"
        "最小宽高、宽高比、是否须彩色、PDF 页数和大小上限，"
        "以及对应的申报材料（柳州市职称申报注意事项「证明材料」："
        "原件扫描件，图片为 jpg、jpeg 格式且不大于512K，"
        "必须正面向上、清晰可见）。内部接口："
        "只由网关调用（申报人和审核人员经网关的同名接口访问）。"
    ),
)
async def list_kinds() -> list[KindRead]:
    return [KindRead(**{**k.__dict__, "types": list(k.types)}) for k in all_kinds().values()]


@router.post(
    "/declarations/{declaration_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=_UPLOAD_RESPONSES,
    openapi_extra=_MULTIPART,
    summary="上传一份材料：检查、（可选）规范化、保存",
    description=(
        "以 multipart/form-data 接收一份材料（file、kind、note），"
        "按其类别检查文件类型、大小、宽高、清晰度、方向、"
        "空白页和 PDF 安全性；normalize 为 true 时先把 HEIC、PNG、"
        "过大或带旋转标记的图片转为 512 KB 以内的正向 JPG。"
        "通过的保存到对象存储，未通过的记为 rejected 并列出问题。"
        "内部接口：只由网关调用（申报人和审核人员经网关的同名接口访问"
        "）。"
    ),
)
async def upload(
    declaration_id: DeclarationId,
    request: Request,
    session: SessionDep,
    normalize: Normalize = False,
    uploader: Uploader = None,
    kind_fallback: KindFallback = None,
) -> Response:
    cap = request.app.state.settings.max_upload_bytes
    up = await intake.read_upload(request, cap=cap)
    kind = _kind(up.fields.get("kind") or kind_fallback)
    async with intake.watch_caller(request) as caller:
        doc = await service.upload(
            session,
            _runtime(request),
            declaration_id=declaration_id,
            kind=kind,
            data=up.data,
            filename=up.filename,
            uploader_id=uploader,
            note=up.note,
            normalize=normalize,
        )
        caller.refuse_if_gone()
    return _answer(request, doc)


@router.get(
    "/declarations/{declaration_id}/documents",
    response_model=list[DocumentRead],
    summary="申报的材料列表",
    description=(
        "列出一份申报书的材料及检查结果；"
        "include_inactive 为 true 时也列出未通过检查的。内部接口："
        "只由网关调用（申报人和审核人员经网关的同名接口访问）。"
    ),
)
async def list_documents(
    declaration_id: DeclarationId, session: SessionDep, include_inactive: bool = False
) -> list[DocumentRead]:
    docs = await service.list_for_declaration(
        session, declaration_id, include_inactive=include_inactive
    )
    return [DocumentRead.model_validate(d) for d in docs]


@router.get(
    "/documents/{document_id}",
    response_model=DocumentRead,
    summary="材料详情",
    responses=documented(DocumentNotFound),
    description=(
        "读取一份材料的记录：类别、状态、收到和保存的文件信息、"
        "检查发现的问题和规范化时的改动。内部接口："
        "只由网关调用（申报人和审核人员经网关的同名接口访问）。"
    ),
)
async def get_document(document_id: uuid.UUID, session: SessionDep) -> DocumentRead:
    return DocumentRead.model_validate(await service.get(session, document_id))


@router.get(
    "/documents/{document_id}/download",
    response_model=DownloadLink,
    summary="限时下载链接（不超过 15 分钟）",
    responses=documented(DocumentNotFound, DocumentNotStored),
    description=(
        "答复对象存储中该材料文件的预签名下载链接，"
        "有效期由 expires_in 指定，不超过15分钟。内部接口："
        "只由网关调用（申报人和审核人员经网关的同名接口访问）。"
    ),
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
    summary="删除材料（网关判断申报能否改动；这里只删除文件）",
    responses=documented(DocumentNotFound),
    description=(
        "删除一份材料的记录和文件；申报书此时能否改动由网关判断。"
        "内部接口：只由网关调用（申报人和审核人员经网关的同名接口访问"
        "）。"
    ),
)
async def delete(document_id: uuid.UUID, session: SessionDep) -> Response:
    await service.delete(session, await service.get(session, document_id))
    return Response(status_code=204)


@router.post(
    "/normalise",
    response_class=Response,
    openapi_extra=_MULTIPART,
    responses={
        200: {
            "description": "规范化后的 JPG；X-Changes 列出改动代码",
            "content": {"image/jpeg": {}},
        },
        **documented(
            *_FORM_PROBLEMS,
            NormaliseRefused,
            keep={413: _UPLOAD_WORDS[413], 422: "无法规范化：problem+json 带 findings"},
        ),
    },
    summary="只做规范化，不保存：返回正向、512 KB 以内的 JPG",
    description=(
        "把上传的图片转为正向、512 KB 以内的 JPG 并直接答复图片，"
        "不保存、不记录，供前端在上传前预览。内部接口："
        "只由网关调用（申报人和审核人员经网关的同名接口访问）。"
    ),
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
        raise NormaliseRefused(
            "无法规范化：" + "；".join(messages),
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
