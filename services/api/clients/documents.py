"""httpx client for the document service.

Uploads are streamed through: the gateway hands the incoming multipart body on chunk by
chunk (`request.stream()`), so it never holds a whole file. The document service caps
the size and answers 413 itself. The gateway's routes are in `services/api/documents/`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.responses import Response

from services.kit.clients import tls_context
from services.kit.logs import request_id_var
from services.kit.problem_kinds import Problem
from services.kit.problems import PROBLEM_MEDIA_TYPE, ProblemError
from services.kit.service_tokens import DOCUMENTS_AUDIENCE, ServiceAuth

log = logging.getLogger("zhicheng.api.documents")

RETRY_AFTER_SECONDS = "10"


def make_client(base_url: str, key: Ed25519PrivateKey, timeout: float = 30.0) -> httpx.AsyncClient:
    # Checks and normalisation of a large photo take a while: generous read timeout. Every
    # call carries a service token signed with SERVICE_TOKEN_PRIVATE_KEY (the gateway's).
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=2.0),
        auth=ServiceAuth(key, DOCUMENTS_AUDIENCE),
        verify=tls_context(),
    )


class DocumentsUnavailable(Problem):
    # The gateway's own answer when the document service cannot be reached.
    status = 503
    code = "documents-unavailable"
    title = "Document service unavailable"
    text = "材料服务暂不可用，本次上传未保存。请稍后重试。"


def unavailable() -> ProblemError:
    return DocumentsUnavailable(headers={"Retry-After": RETRY_AFTER_SECONDS})


def _relayed(status: int, code: str, title: str, text: str) -> ProblemError:
    return ProblemError(status, code, text, title=title)


# The document service's own answers that `relay` passes on as they are (its OpenAPI,
# openapi/documents.json, lists them): listed on the gateway routes that relay them.
_BY_SERVICE = (
    (400, "multipart-invalid", "Malformed multipart body", "上传表单格式不正确，请检查后重试。"),
    (409, "duplicate", "Duplicate document", "同一文件已作为本申报的材料上传过，无须重复上传。"),
    (
        413,
        "upload-too-large",
        "Upload too large",
        "上传内容超过上限，未予接收。扫描件应不大于 512 KB；请压缩或降低扫描分辨率后重新上传。",
    ),
    (
        415,
        "multipart-required",
        "Multipart form required",
        "请以 multipart/form-data 表单上传文件（字段 file）。",
    ),
    (
        422,
        "document-rejected",
        "Document rejected",
        "材料未通过检查：findings 列出全部问题，请逐项处理后重新上传。",
    ),
    (422, "file-missing", "File part missing", "表单中缺少文件（字段 file）。"),
    (
        422,
        "kind-unknown",
        "Unknown material kind",
        "材料类别不存在，请从 GET /v1/kinds 列出的类别中选择。",
    ),
    (422, "note-too-long", "Note too long", "备注超过字数上限，未予接收；请删减后重新上传。"),
    (
        503,
        "storage-unavailable",
        "Object storage unavailable",
        "文件存储暂时不可用，本次上传未保存任何内容。请稍后重新上传。",
    ),
)
RELAYED_UPLOAD = tuple(_relayed(*row) for row in _BY_SERVICE)
RELAYED_NOT_STORED = _relayed(
    409, "document-not-stored", "Nothing stored", "该材料未通过检查，没有保存文件，无法下载。"
)


def _headers(**extra: str | None) -> dict[str, str]:
    headers = {k: v for k, v in extra.items() if v is not None}
    if rid := request_id_var.get():
        headers["X-Request-ID"] = rid
    return headers


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    content: AsyncIterable[bytes] | bytes | None = None,
    params: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request to the document service; transport failures become a 503 problem.

    The document service's own 503 (object storage down) is passed on unchanged: it
    already carries Retry-After and a Chinese detail.
    """
    try:
        response = await client.request(
            method, path, content=content, params=params, headers={**_headers(), **(headers or {})}
        )
    except httpx.TransportError as exc:
        raise unavailable() from exc
    if response.status_code == 401:
        # The service refused the gateway's token: its SERVICE_TOKEN_PUBLIC_KEY is not the
        # half of the gateway's private key. Not the caller's fault, nor their sign-in.
        log.error("the document service refused the gateway's service token")
        raise unavailable()
    return without_storage(response)


# Where the document service keeps a file: nothing a caller of the gateway may see.
STORAGE_FIELDS = frozenset(("bucket", "object_key", "version_id"))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in STORAGE_FIELDS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def without_storage(response: httpx.Response) -> httpx.Response:
    """The document service's JSON answer (a record, a list, a problem naming a record)
    with the storage fields taken out at any depth: every answer the gateway reads or
    relays passes here, so none can reach a caller."""
    media = response.headers.get("content-type", "").split(";", 1)[0].strip()
    if media not in ("application/json", PROBLEM_MEDIA_TYPE) or not response.content:
        return response
    body = _strip(response.json())
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-encoding")
    }
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=json.dumps(body, ensure_ascii=False).encode(),
        request=response.request,
    )


async def upload_stream(
    client: httpx.AsyncClient,
    declaration_id: str,
    body: AsyncIterable[bytes] | bytes,
    *,
    content_type: str,
    content_length: str | None = None,
    uploader_id: str | None = None,
    normalize: bool = False,
    kind: str | None = None,
) -> httpx.Response:
    """Forward a multipart upload (fields file, kind, note) without buffering it.

    `kind` is used when the form gives none (a replacement keeps the replaced one's).
    Whether the declaration may take it, and what it replaces, is the gateway's record.
    """
    headers = {"Content-Type": content_type}
    if content_length is not None:
        headers["Content-Length"] = content_length
    params = {"normalize": "true" if normalize else "false"}
    if uploader_id:
        params["uploader"] = uploader_id
    if kind:
        params["kind"] = kind
    path = f"/v1/declarations/{declaration_id}/documents"
    return await call(client, "POST", path, content=body, headers=headers, params=params)


async def upload_generated(
    client: httpx.AsyncClient,
    declaration_id: str,
    *,
    kind: str,
    filename: str,
    content: bytes,
    media_type: str,
    note: str,
    uploader_id: str,
) -> httpx.Response:
    """Upload a small file the gateway made itself (built in memory, then sent)."""
    built = httpx.Request(
        "POST",
        "/",
        data={"kind": kind, "note": note},
        files={"file": (filename, content, media_type)},
    )
    return await upload_stream(
        client,
        declaration_id,
        built.read(),
        content_type=built.headers["content-type"],
        uploader_id=uploader_id,
    )


async def list_documents(
    client: httpx.AsyncClient, declaration_id: str, *, include_inactive: bool = False
) -> httpx.Response:
    return await call(
        client,
        "GET",
        f"/v1/declarations/{declaration_id}/documents",
        params={"include_inactive": "true" if include_inactive else "false"},
    )


async def download_link(
    client: httpx.AsyncClient, document_id: str, *, expires_in: int = 900
) -> httpx.Response:
    return await call(
        client, "GET", f"/v1/documents/{document_id}/download", params={"expires_in": expires_in}
    )


async def kinds(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The material kinds and their upload limits (the document service's catalogue)."""
    response = await call(client, "GET", "/v1/kinds")
    if response.status_code != 200:
        raise unavailable()
    return response.json()


async def delete_document(client: httpx.AsyncClient, document_id: str) -> httpx.Response:
    return await call(client, "DELETE", f"/v1/documents/{document_id}")


def relay(response: httpx.Response) -> Response:
    """Pass the document service's answer (JSON or problem+json) to the caller as is."""
    keep = {
        k: v for k, v in response.headers.items() if k.lower() in ("content-type", "retry-after")
    }
    return Response(response.content, status_code=response.status_code, headers=keep)
