"""Exports streamed off the event loop (province scale): one query of plain rows read in
chunks from a server-side cursor, each chunk shaped and written in a worker thread, the
file sent as it is made.

Building the ORM objects of 17 000 declarations and the workbook inside the request's
coroutine held the event loop for seconds (a concurrent /healthz waited 2.6 s). Here the
loop only awaits: the cursor's next chunk, then the thread that turns it into lines and
cells. CSV goes out chunk by chunk; an XLSX is a zip whose directory comes last, so the
write-only workbook spools its rows to a temporary file and the finished file is sent in
pieces. Memory stays one chunk, not the whole table, at any size.

The rows are read on a session of their own: the request's session may be closed before
the body is sent, and an export only reads.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator
from functools import partial
from typing import Any, Literal

from anyio import to_thread
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import StreamingResponse

from services.api.statistics.exports import XLSX, Export, csv_cell, write_rows

CHUNK = 2_000  # rows per cursor fetch and per trip to the worker thread
PIECE = 256 * 1024  # bytes per body message of a finished XLSX
CSV = "text/csv; charset=utf-8"


async def _lines(
    maker: async_sessionmaker[AsyncSession], export: Export
) -> AsyncIterator[list[list[Any]]]:
    """The export's lines, a chunk at a time, shaped in a worker thread."""
    async with maker() as session:
        result = await session.stream(export.query.execution_options(yield_per=CHUNK))
        number = 1
        async for rows in result.partitions():
            lines = await to_thread.run_sync(export.shape, rows, number)
            number += len(lines)
            yield lines


def csv_text(rows: list[list[Any]], *, guarded: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(v) for v in row] if guarded else row for row in rows)
    return buffer.getvalue().encode()


async def csv_body(maker: async_sessionmaker[AsyncSession], export: Export) -> AsyncIterator[bytes]:
    # BOM so that spreadsheet programs open the Chinese text as UTF-8.
    yield "\ufeff".encode() + csv_text([export.header], guarded=False)
    count = 0
    async for lines in _lines(maker, export):
        count += len(lines)
        # Applicant text that begins like a formula is kept text (`csv_cell`).
        yield await to_thread.run_sync(partial(csv_text, lines, guarded=True))
    yield csv_text(export.tail(count), guarded=False)


async def xlsx_body(
    maker: async_sessionmaker[AsyncSession], export: Export
) -> AsyncIterator[bytes]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(export.sheet_name)
    saved = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after the last piece
    try:
        head = [[export.title], export.header] if export.title else [export.header]
        await to_thread.run_sync(write_rows, sheet, head)
        count = 0
        async for lines in _lines(maker, export):
            count += len(lines)
            await to_thread.run_sync(write_rows, sheet, lines)
        await to_thread.run_sync(write_rows, sheet, export.tail(count))
        await to_thread.run_sync(book.save, saved)
        saved.seek(0)
        while piece := await to_thread.run_sync(saved.read, PIECE):
            yield piece
    finally:
        saved.close()
        _discard(sheet)


def _discard(sheet: Any) -> None:
    """The sheet's spooled rows when the workbook was never saved (the client left)."""
    writer = getattr(sheet, "_writer", None)
    if writer is not None and os.path.exists(writer.out):
        writer.close()
        writer.cleanup()


def response(
    maker: async_sessionmaker[AsyncSession],
    export: Export,
    kind: Literal["csv", "xlsx"],
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    body = csv_body(maker, export) if kind == "csv" else xlsx_body(maker, export)
    return StreamingResponse(
        body,
        media_type=CSV if kind == "csv" else XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}.{kind}"',
            **(headers or {}),
        },
    )
