"""Reading an upload: the body is capped while it streams in, parts spool to disk.

The cap applies to the raw request stream, before any multipart parsing: a declared
Content-Length above it is refused at once, and bytes are counted as they arrive for
bodies that lie about their length or send none (chunked). File parts go to a
SpooledTemporaryFile (memory first, disk beyond 1 MB), never wholly into memory
while the request is still arriving.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from services.kit.problems import ProblemError


def too_large(cap: int) -> ProblemError:
    return ProblemError(
        413,
        "upload-too-large",
        f"上传内容超过 {cap // (1024 * 1024)} MB 的上限，未予接收。扫描件应不大于 512 KB；"
        "请压缩或降低扫描分辨率后重新上传。",
        title="Upload too large",
        limit=cap,
    )


@dataclass
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None
    fields: dict[str, str]


async def _capped(request: Request, cap: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > cap:
            raise too_large(cap)
        yield chunk


async def read_upload(request: Request, *, cap: int, field: str = "file") -> Upload:
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise ProblemError(
            415,
            "multipart-required",
            "请以 multipart/form-data 表单上传文件（字段 file）。",
            title="Multipart form required",
        )
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        raise too_large(cap)
    parser = MultiPartParser(
        request.headers, _capped(request, cap), max_files=1, max_fields=10, max_part_size=64 * 1024
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ProblemError(
            400,
            "multipart-invalid",
            "上传表单格式不正确，请检查后重试。",
            title="Malformed multipart body",
            detail_en=str(exc),
        ) from exc
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise ProblemError(
                422, "file-missing", "表单中缺少文件（字段 file）。", title="File part missing"
            )
        data = await upload.read()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return Upload(data, upload.filename, upload.content_type, fields)
    finally:
        await form.close()
