"""Exports streamed off the event loop (province scale): one query of plain rows read in
chunks from a server-side cursor, each chunk shaped and encoded in a child process
(workers.py, encoder.py), the file sent as it is made.

Building the ORM objects of 17 000 declarations and the workbook inside the request's
coroutine held the event loop for seconds (a concurrent /healthz waited 2.6 s); in a
worker thread, the workbook still held the GIL (41–358 ms). Here the loop only awaits:
the cursor's next chunk, then the child that turns it into lines and cells. CSV goes out
chunk by chunk; an XLSX is a zip whose directory comes last, so the child deflates its
rows into a temporary file as they come (workbook.py) and finishes it there; this process
then sends it in pieces. Memory stays one chunk, not the whole table, at any
size. A child that dies mid-export is replaced and the work done again: a CSV chunk
once more, a workbook from its first row (nothing of it has been sent yet).

The rows are read on a session of their own: the request's session may be closed before
the body is sent, and an export only reads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, Literal

import anyio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import StreamingResponse

from services.api.statistics.cells import csv_text
from services.api.statistics.exports import XLSX, Export
from services.api.statistics.workers import ExportPool, WorkerLost

__all__ = ["csv_text", "response"]

CHUNK = 2_000  # rows per cursor fetch and per message to the encoder
PIECE = 256 * 1024  # bytes per body message of a finished XLSX
CSV = "text/csv; charset=utf-8"
ATTEMPTS = 2  # a workbook is built again once if its process dies


async def _chunks(
    maker: async_sessionmaker[AsyncSession], export: Export
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The export's rows, a chunk at a time, as plain tuples (what a pipe carries)."""
    async with maker() as session:
        result = await session.stream(export.query.execution_options(yield_per=CHUNK))
        async for rows in result.partitions():
            yield [tuple(row) for row in rows]


async def csv_body(
    maker: async_sessionmaker[AsyncSession], pool: ExportPool, export: Export
) -> AsyncIterator[bytes]:
    # BOM so that spreadsheet programs open the Chinese text as UTF-8.
    yield "\ufeff".encode() + csv_text([export.header], guarded=False)
    count = 0
    async with aclosing(_chunks(maker, export)) as chunks:
        async for rows in chunks:
            # Applicant text that begins like a formula is kept text (`csv_cell`).
            text, lines = await pool.run(("csv", export.shape, rows, count + 1))
            count += lines
            yield text
    yield csv_text(export.tail(count), guarded=False)


async def _build(
    maker: async_sessionmaker[AsyncSession], pool: ExportPool, export: Export, path: str
) -> None:
    """The whole workbook, saved at `path`."""
    head = [[export.title], export.header] if export.title else [export.header]
    async with pool.lease() as lease:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await lease.call(("open", export.sheet_name, head, path))
                count = 0
                async with aclosing(_chunks(maker, export)) as chunks:
                    async for rows in chunks:
                        count += await lease.call(("rows", export.shape, rows, count + 1))
                await lease.call(("save", export.tail(count)))
                return
            except WorkerLost:
                if attempt == ATTEMPTS:
                    raise


async def xlsx_body(
    maker: async_sessionmaker[AsyncSession], pool: ExportPool, export: Export
) -> AsyncIterator[bytes]:
    handle, path = tempfile.mkstemp(prefix="zhicheng-export-", suffix=".xlsx")
    os.close(handle)
    try:
        await _build(maker, pool, export, path)
        async with await anyio.open_file(path, "rb") as saved:
            while piece := await saved.read(PIECE):
                yield piece
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def response(
    maker: async_sessionmaker[AsyncSession],
    pool: ExportPool,
    export: Export,
    kind: Literal["csv", "xlsx"],
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    body = csv_body(maker, pool, export) if kind == "csv" else xlsx_body(maker, pool, export)
    return StreamingResponse(
        body,
        media_type=CSV if kind == "csv" else XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}.{kind}"',
            **(headers or {}),
        },
    )
