"""Exports streamed off the event loop (province scale): one query's rows read as
PostgreSQL sends them (COPY, a JSON array a line), each block of them handed as bytes to a
child process that reads, shapes and encodes it (workers.py, encoder.py), the file sent as
it is made.

Building the ORM objects of 17 000 declarations and the workbook inside the request's
coroutine held the event loop for seconds (a concurrent /healthz waited 2.6 s); in a
worker thread, the workbook still held the GIL (41–358 ms). Reading the rows through a
server-side cursor still made a driver record, a row and a tuple of each on the loop, and
pickled them to the child (the gateway's CPU beside a 75 000-row roster, /healthz polls
included: 1.3–1.5 s, now 0.8–0.9 s), and the objects, kept alive while the child worked,
brought on full garbage collections of 30–130 ms. Here the loop only awaits: the next
block of COPY text, then the child that turns it into lines and cells. CSV goes out
block by block; an XLSX is a zip whose directory comes last, so the child's write-only
workbook (openpyxl) spools its rows to a temporary file and saves the finished workbook
into this process's file, which this process then sends in pieces. Memory stays one
block, not the whole table, at any size. A child that dies mid-export is replaced and the
work done again: a CSV block once more, a workbook from its first row (nothing of it has
been sent yet).

The rows are read on a session of their own: the request's session may be closed before
the body is sent, and an export only reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, Literal

import anyio
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import StreamingResponse

from services.api.statistics.cells import csv_text
from services.api.statistics.exports import XLSX, Export
from services.api.statistics.workers import ExportPool, WorkerLost

__all__ = ["csv_text", "response"]

CHUNK = 2_000  # rows (at least) per message to the encoder
COPY_TIMEOUT = 600  # seconds an export may read for (its one COPY statement)
PIECE = 256 * 1024  # bytes per body message of a finished XLSX
CSV = "text/csv; charset=utf-8"
ATTEMPTS = 2  # a workbook is built again once if its process dies


def _copy_sql(query: Any, dialect: Any) -> str:
    """The export's query with each row as one JSON array (its columns in order), its
    parameters written in (COPY takes none)."""
    rows = query.with_only_columns(func.json_build_array(*query.selected_columns))
    return str(rows.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def _blocks(maker: async_sessionmaker[AsyncSession], export: Export) -> AsyncIterator[bytes]:
    """The export's rows, about CHUNK at a time, as PostgreSQL sends them: COPY text, a
    JSON array a line (encoder.rows_of reads them in the export process). No row becomes
    an object here; the bytes are handed on as they came."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=1)

    async def copy() -> None:
        pending = bytearray()

        async def sink(data: bytes) -> None:
            # COPY's text format escapes a newline inside a value: each line is a row.
            pending.extend(data)
            if pending.count(b"\n") >= CHUNK:
                cut = pending.rindex(b"\n") + 1
                await queue.put(bytes(pending[:cut]))
                del pending[:cut]

        try:
            async with maker() as session:
                connection = await session.connection()
                raw = (await connection.get_raw_connection()).driver_connection
                sql = _copy_sql(export.query, connection.dialect)
                # One statement for the whole export, paced by the encoder: the gateway's
                # 5 s statement timeout (services/kit/db.py) would cut it short.
                async with raw.transaction(readonly=True):
                    await raw.execute(f"SET LOCAL statement_timeout = {COPY_TIMEOUT * 1000}")
                    await raw.copy_from_query(
                        sql, output=sink, format="text", timeout=COPY_TIMEOUT + 1
                    )
            if pending:
                await queue.put(bytes(pending))
        except asyncio.CancelledError:
            raise  # the reader is gone
        except BaseException:
            await queue.put(None)  # the reader then finds the error in the task
            raise
        await queue.put(None)

    task = asyncio.create_task(copy())
    try:
        while (block := await queue.get()) is not None:
            yield block
        await task  # its error, if it ended with one
    finally:
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def csv_body(
    maker: async_sessionmaker[AsyncSession], pool: ExportPool, export: Export
) -> AsyncIterator[bytes]:
    # BOM so that spreadsheet programs open the Chinese text as UTF-8.
    yield "\ufeff".encode() + csv_text([export.header], guarded=False)
    count = 0
    async with aclosing(_blocks(maker, export)) as blocks:
        async for block in blocks:
            # Applicant text that begins like a formula is kept text (`csv_cell`).
            text, lines = await pool.run(("csv", export.shape, block, count + 1))
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
                await lease.call(("open", export.sheet_name, head))
                count = 0
                async with aclosing(_blocks(maker, export)) as blocks:
                    async for block in blocks:
                        count += await lease.call(("rows", export.shape, block, count + 1))
                await lease.call(("save", export.tail(count), path))
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
