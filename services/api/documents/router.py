"""HTTP for a declaration's documents: upload, replace, delete, list, download links.

Uploads stream straight through to the document service (`request.stream()`), never
held in memory here; the choreography lives in uploads.py.
"""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import PrincipalDep
from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.clients import documents as client
from services.api.clients.documents import DocumentsUnavailable
from services.api.declarations.deps import role_gate
from services.api.declarations.problems import (
    CorrectionDeadlinePassed,
    DeclarationNotEditable,
    DeclarationNotFound,
    UnitMaterialLocked,
)
from services.api.documents import uploads
from services.api.documents.deps import DeclarationUploader, DocumentReplacer
from services.api.documents.problems import (
    DocumentItemInvalid,
    DocumentNotActive,
    DocumentNotFound,
    NotAtUnitStep,
    UnitMaterialKindOnly,
    UploadInterrupted,
)
from services.api.documents.schemas import DocumentRead, DownloadLink, KindRead
from services.api.documents.uploaders import Uploader
from services.api.http import CACHED, IfNoneMatch, cacheable, sends
from services.api.problems import Forbidden
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.openapi import scan_upload
from services.kit.problem_kinds import documented, merged
from services.kit.problems import PROBLEM_MEDIA_TYPE


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = app.state.settings
    app.state.documents = client.make_client(
        settings.documents_url, settings.service_token_key(), settings.documents_timeout
    )
    try:
        yield
    finally:
        await app.state.documents.aclose()


router = APIRouter(prefix="/v1/declarations", tags=["documents"], lifespan=lifespan)
# Public reference data about uploads (no sign-in), served from the document service.
kinds_router = APIRouter(prefix="/v1", tags=["documents"])

_MULTIPART = scan_upload("材料类别（GET /v1/kinds）")
# The statuses the document routes were published with, described in words (their
# problem types are in docs/problems.md); the statuses added since list their types.
_PROBLEM = {"content": {PROBLEM_MEDIA_TYPE: {}}}
_DESCRIBED = {
    404: {"description": "申报不存在或无权查看", **_PROBLEM},
    409: {"description": "申报已提交，不能再改动材料", **_PROBLEM},
    413: {"description": "上传内容超过上限", **_PROBLEM},
    422: {"description": "材料未通过检查：findings 列出全部问题", **_PROBLEM},
    503: {"description": "材料服务或文件存储不可用（带 Retry-After），申报未改动", **_PROBLEM},
}


def _responses(*statuses: int, new: dict) -> dict:
    return {**{k: _DESCRIBED[k] for k in statuses}, **new}


# What every write on the documents answers besides: the declaration not found, not (or
# no longer) editable, its window closed; the document service down.
_EDIT = (
    DeclarationNotFound,
    DeclarationNotEditable,
    CorrectionDeadlinePassed,
    WindowNotOpen,
    DeadlinePassed,
    DocumentsUnavailable,
)
# Replace and delete are the applicant's, upload also the unit's reviewer at its step
# (404 before 403 for everyone else).
_APPLICANTS = [role_gate("applicant")]
_UPLOADERS = [role_gate("applicant", "unit_reviewer")]
# 422 keeps its published words and shows the entry problem as an example.
_UPLOAD_RESPONSES = _responses(
    404,
    409,
    413,
    503,
    new=documented(
        UploadInterrupted,
        Forbidden,
        DocumentItemInvalid,
        *_EDIT,
        *client.RELAYED_UPLOAD,
        keep={s: _DESCRIBED[s]["description"] for s in (404, 409, 413, 422, 503)},
    ),
)
# The unit's own materials, uploaded at its step, can also answer these.
_UNIT_UPLOAD_RESPONSES = merged(
    _UPLOAD_RESPONSES,
    documented(
        NotAtUnitStep,
        UnitMaterialKindOnly,
        keep={s: _DESCRIBED[s]["description"] for s in (409, 422)},
    ),
)
# The applicant's replacing or deleting: never one of the unit's own materials.
_LOCKED = documented(UnitMaterialLocked, keep={409: _DESCRIBED[409]["description"]})
# Replacing or deleting one: it must be in force and of this declaration.
_LOCKED_OR_GONE = documented(
    UnitMaterialLocked,
    DocumentNotActive,
    DocumentNotFound,
    *_EDIT,
    Forbidden,
    keep={s: _DESCRIBED[s]["description"] for s in (404, 409, 503)},
)
# Upload and replace: a multipart form in, the stored document (201) out, with the
# declaration's new ETag and the document's Location (uploads.py). The route's own
# `responses` are merged in, never in place of these (a keyword given twice to a partial
# is replaced whole: the headers were lost that way once).
_CREATED = sends("ETag", "Location", status=201)


def _upload_route(path: str, *, responses: dict, **route):
    return router.post(
        path,
        status_code=201,
        response_model=DocumentRead,
        responses=merged(responses, _CREATED),
        openapi_extra=_MULTIPART,
        **route,
    )


Normalize = Annotated[
    bool, Query(description="true：把 HEIC/PNG/过大/带旋转标记的图片转为 512 KB 以内的正向 JPG")
]
ItemSection = Annotated[
    str | None,
    Query(
        max_length=64,
        description="该材料证明的条目所在栏目，"
        "如 papers（论文）、achievements（业绩）、awards（奖励）",
    ),
]
ItemIndex = Annotated[int | None, Query(ge=0, le=199, description="条目在该栏目中的序号，从 0 起")]


def _http(request: Request) -> httpx.AsyncClient:
    return request.app.state.documents


@dataclass(frozen=True, slots=True)
class _Upload:
    """An upload's request with its query options, handed on to uploads.py."""

    request: Request
    session: AsyncSession
    principal: Principal
    normalize: bool
    item: tuple[str | None, int | None]

    async def send(
        self, declaration_id: uuid.UUID, uploader: Uploader, *, replaces: uuid.UUID | None = None
    ) -> Response:
        return await uploads.upload(
            self.session,
            self.principal,
            declaration_id,
            uploader,
            self.request.stream(),
            headers=dict(self.request.headers),
            http=_http(self.request),
            normalize=self.normalize,
            item=self.item,
            replaces=replaces,
        )


async def _item(
    item_section: ItemSection = None, item_index: ItemIndex = None
) -> tuple[str | None, int | None]:
    """The item of the declaration the material proves (both unset: none in particular).
    `async` though it awaits nothing: FastAPI runs a plain `def` dependency in a worker
    thread, a hand-off to the pool and back on every upload for two query parameters."""
    return item_section, item_index


async def _upload_form(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    normalize: Normalize = False,
    item: tuple[str | None, int | None] = Depends(_item),
) -> _Upload:
    return _Upload(request, session, principal, normalize, item)


UploadForm = Annotated[_Upload, Depends(_upload_form)]


@_upload_route(
    "/{declaration_id}/documents",
    summary=(
        "上传材料：申请人（草稿或退回补正时）；"
        "单位审核人（申报在本单位审核环节时，仅单位出具的材料）。"
        "检查通过后记入申报的附件"
    ),
    dependencies=_UPLOADERS,
    responses=_UNIT_UPLOAD_RESPONSES,
    description=(
        "以 multipart/form-data 上传一份材料（扫描件或照片、"
        "材料类别、说明），由材料服务检查格式、清晰度、方向、"
        "页数和大小，通过的记入申报书的附件，"
        "可用 item_section 和 item_index 指明它证明的是哪个栏目的哪一"
        "条。normalize 为 true 时把 HEIC、PNG、"
        "过大或带旋转标记的图片转为 512 KB 以内的正向 JPG。"
        "申报人在草稿或退回补正时可上传；"
        "用人单位审核人员在申报书处于本单位审核时可上传单位出具的材料"
        "。"
    ),
)
async def upload(
    declaration_id: uuid.UUID, uploader: DeclarationUploader, form: UploadForm
) -> Response:
    return await form.send(declaration_id, uploader)


@_upload_route(
    "/{declaration_id}/documents/{document_id}/replace",
    summary="替换材料：新文件通过检查后，旧材料标记为已替换，附件随之更新",
    dependencies=_APPLICANTS,
    responses=merged(_UPLOAD_RESPONSES, _LOCKED_OR_GONE),
    description=(
        "上传一份新文件替换已有材料：新文件通过检查后，"
        "旧材料标为已替换（superseded），申报书的附件改指新材料；"
        "未通过检查的不替换。仅申报人本人可调用，"
        "且申报书须在草稿或退回补正状态。"
    ),
)
async def replace(
    declaration_id: uuid.UUID, document_id: uuid.UUID, uploader: DocumentReplacer, form: UploadForm
) -> Response:
    return await form.send(declaration_id, uploader, replaces=document_id)


@router.delete(
    "/{declaration_id}/documents/{document_id}",
    status_code=204,
    dependencies=_APPLICANTS,
    responses=merged(_LOCKED_OR_GONE, sends("ETag", status=204)),
    summary="删除材料（申请人，申报提交前）",
    description=("申报人在申报书提交前删除自己上传的一份材料，附件随之更新。仅申报人本人可调用。"),
)
async def delete(
    declaration_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    return await uploads.delete(
        session, principal, declaration_id, document_id, http=_http(request)
    )


@router.get(
    "/{declaration_id}/documents",
    response_model=list[DocumentRead],
    summary="申报的材料（有权查看申报的人）",
    responses=documented(DeclarationNotFound, DocumentsUnavailable),
    description=(
        "列出申报书的材料及其检查结果；include_inactive 为 true 时也"
        "列出已替换和未通过检查的。申报人本人、用人单位审核人员、"
        "审核链上的职改办、评委会办公室和运维人员可调用。"
    ),
)
async def list_documents(
    declaration_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    include_inactive: bool = False,
) -> Response:
    return await uploads.listing(
        session, principal, declaration_id, http=_http(request), include_inactive=include_inactive
    )


@router.get(
    "/{declaration_id}/documents/{document_id}/download",
    response_model=DownloadLink,
    responses=documented(
        DeclarationNotFound,
        DocumentNotFound,
        DocumentsUnavailable,
        client.RELAYED_NOT_STORED,
        keep={s: _DESCRIBED[s]["description"] for s in (404, 503)},
    ),
    summary=("限时下载链接（不超过 15 分钟；申请人、审核链已到达的审核人、上级职改办）"),
    description=(
        "答复一份材料的限时下载链接，有效期由 expires_in 指定，"
        "不超过15分钟。申报人本人、审核链已到达的审核人员、"
        "审核链上的职改办、评委会办公室和运维人员可调用。"
    ),
)
async def download(
    declaration_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    expires_in: Annotated[int, Query(ge=1, le=900)] = 900,
) -> Response:
    return await uploads.download_link(
        session, principal, declaration_id, document_id, http=_http(request), expires_in=expires_in
    )


@kinds_router.get(
    "/kinds",
    response_model=list[KindRead],
    summary="材料类别及其上传要求：文件类型、大小、尺寸、页数（公开，可缓存）",
    description=(
        "材料服务现行的材料类别目录：上传时可填写的每一种 kind、它对应的政策材料，以及上传"
        "时据以检查的限制（文件类型、大小、最小尺寸、页数、彩色、长宽比）。前端据此提示和"
        "检查，不必写死。公开读取，无须登录。"
    ),
    responses={**CACHED, **documented(DocumentsUnavailable)},
)
async def list_kinds(request: Request, if_none_match: IfNoneMatch = None) -> Response:
    return cacheable(await client.kinds(_http(request)), if_none_match)
