"""Reading an upload: the body is capped while it streams in, parts spool to disk.

The cap applies to the raw request stream, before any multipart parsing: a declared
Content-Length above it is refused at once, and bytes are counted as they arrive for
bodies that lie about their length or send none (chunked). File parts go to a
SpooledTemporaryFile (memory first, disk beyond 1 MB), never wholly into memory
while the request is still arriving.

Once the body is in, `watch_caller` keeps listening on the connection, so an upload whose
caller hung up while it was being checked and stored is not committed (see there).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import Request
from starlette import formparsers
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from services.documents.problems import (
    FileMissing,
    MultipartInvalid,
    MultipartRequired,
    NoteTooLong,
)
from services.kit.limits import storable
from services.kit.openapi import NOTE_MAX_CHARS
from services.kit.problems import ProblemError, unstorable_text, validation_problem
from services.kit.text import BIDI_CONTROLS, invisible_control

# The file part's name, as the errors of a form name it (`file.filename`).
FILENAME_FIELD = "file.filename"
# Free text over several lines: a note may break lines and indent; nothing else invisible.
_NOTE_ALLOWS = frozenset("\t\n\r")


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

    @property
    def note(self) -> str | None:
        return self.fields.get("note") or None


class _StrictParser(MultiPartParser):
    """Starlette's parser, noting the parts whose text is not in the form's charset
    (UTF-8 unless the Content-Type says otherwise): it would decode those bytes as
    Latin-1 (`\\xff` as `ÿ`, an encoded lone surrogate as three letters) and the garbled
    text would be stored as if it had been sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.undecodable: list[str] = []

    def _decodes(self, raw: bytes | bytearray) -> bool:
        try:
            bytes(raw).decode(self._charset)
        except (UnicodeDecodeError, LookupError):
            return False
        return True

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        part = self._current_part
        _, options = formparsers.parse_options_header(part.content_disposition)
        if not self._decodes(options.get(b"name", b"")):
            self.undecodable.append(part.field_name.encode("latin-1").decode("utf-8", "replace"))
        elif b"filename" in options and not self._decodes(options[b"filename"]):
            self.undecodable.append(
                FILENAME_FIELD if part.field_name == "file" else part.field_name
            )

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None and not self._decodes(part.data):
            self.undecodable.append(part.field_name)
        super().on_part_end()


def _control(field: str, value: str) -> str | None:
    """The first invisible character a field may not hold, as U+XXXX: a control (a tab
    or line break is allowed in the note only) or a bidirectional control (a filename
    `说明\u202efdp.exe` shows as `说明exe.pdf`)."""
    for ch in value:
        if field == "note" and ch in _NOTE_ALLOWS:
            continue
        if ord(ch) in BIDI_CONTROLS or invisible_control(ch):
            return f"U+{ord(ch):04X}"
    return None


def _check_fields(fields: dict[str, str], filename: str | None, undecodable: list[str]) -> None:
    """Refuse, before anything is checked or stored, text the form cannot carry, naming
    each field (the file's name as `file.filename`): bytes not in the form's charset or
    an encoded lone surrogate, a NUL (the database holds none) (422 invalid-character);
    a control or bidirectional control character (422 validation-error); a note over its
    limit (no silent cut)."""
    texts = {**fields, **({FILENAME_FIELD: filename} if filename is not None else {})}
    bad = [*undecodable, *(k for k, v in texts.items() if not storable(v) or not storable(k))]
    if bad:
        raise unstorable_text(*dict.fromkeys(bad))
    errors = [
        {
            "loc": ("body", field),
            "type": "value_error",
            "msg": f"Value error, contains the control character {found}",
            "ctx": {"error": f"不能含控制字符或文字方向控制符（{found}），请删去后重新填写"},
        }
        for field, value in texts.items()
        if (found := _control(field, value))
    ]
    if errors:
        raise validation_problem(errors)
    note = fields.get("note") or ""
    if len(note) > NOTE_MAX_CHARS:
        raise NoteTooLong(limit=NOTE_MAX_CHARS, length=len(note))


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
        raise MultipartRequired()
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        raise too_large(cap)
    parser = _StrictParser(
        request.headers, _capped(request, cap), max_files=1, max_fields=10, max_part_size=64 * 1024
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise MultipartInvalid(detail_en=str(exc)) from exc
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise FileMissing()
        data = await upload.read()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        _check_fields(fields, upload.filename, parser.undecodable)
        return Upload(data, upload.filename, upload.content_type, fields)
    finally:
        await form.close()


def interrupted() -> ProblemError:
    return ProblemError(
        400,
        "upload-interrupted",
        "上传方已断开连接，本次上传未保存任何内容，请重新上传。",
        title="Upload interrupted",
    )


class CallerWatch:
    """Notices that the caller hung up after sending the whole body."""

    def __init__(self, request: Request) -> None:
        # Waiting on receive() also resumes reading the socket (the server pauses it
        # while a large body is buffered), so the hang-up is seen when it happens.
        self._task = asyncio.create_task(self._listen(request))

    @staticmethod
    async def _listen(request: Request) -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    @property
    def gone(self) -> bool:
        return self._task.done() and not self._task.cancelled()

    def refuse_if_gone(self) -> None:
        """Raise, so the request's transaction rolls the new row back, if the caller left.

        The gateway stops waiting after its timeout (S3 hanging, say) and tells the
        applicant nothing was saved; a row committed after that would be a document its
        declaration does not list, and would refuse the applicant's retry as a duplicate.
        The object, if it was written, then has no row and is removed by the sweeper.
        """
        if self.gone:
            raise interrupted()

    def close(self) -> None:
        self._task.cancel()


@asynccontextmanager
async def watch_caller(request: Request) -> AsyncIterator[CallerWatch]:
    watch = CallerWatch(request)
    try:
        yield watch
    finally:
        watch.close()
