"""Where an export's rows become bytes: blocks of rows read, shaped into lines, then CSV
text or the rows of openpyxl's write-only workbook. It runs in a child process of the
gateway (workers.py), out of the serving process's GIL, or in a worker thread when
EXPORT_PROCESSES is 0; the bytes are the same either way.

An `Encoder` holds one export's state (the workbook being written: openpyxl spools the
sheet's rows to a temporary file, then saves the workbook into the parent's file) and
answers messages `(operation, *arguments)`: `csv`, `open`, `rows`, `save`, `drop`. The
rows come as PostgreSQL sent them (COPY text, `rows_of`). `serve` is a child's loop: a
message in, `("ok", result)` or `("error", traceback)` out, on one pipe.
"""

from __future__ import annotations

import json
import os
import tempfile
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook

from services.api.statistics.cells import csv_text, write_rows

Shape = Callable[[Sequence[Any], int], list[list[Any]]]
NICENESS = 10  # added to the child's (any process may lower its own priority)


def rows_of(block: bytes) -> list[list[Any]]:
    """Rows from PostgreSQL's COPY text (streams.py), a JSON array a line. The text format
    escapes a backslash, and control characters, with a backslash; JSON text holds no raw
    control character, so a doubled backslash is the only escape in it. (Split on line
    feeds alone: `splitlines` would also split on U+2028, which JSON may hold raw.)"""
    lines = block.decode().split("\n")
    return [json.loads(line.replace("\\\\", "\\")) for line in lines if line]


class Encoder:
    """One export at a time: `open`, `rows`… then `save` (or `drop`) for a workbook;
    `csv` keeps nothing between chunks."""

    def __init__(self) -> None:
        self.book: Any = None
        self.sheet: Any = None

    def handle(self, message: tuple) -> Any:
        operation, *arguments = message
        if operation not in ("csv", "open", "rows", "save", "drop", "ping"):
            raise ValueError(f"unknown operation {operation!r}")
        return getattr(self, operation)(*arguments)

    def ping(self) -> int:
        return os.getpid()

    def csv(self, shape: Shape, block: bytes, first: int) -> tuple[bytes, int]:
        """A block of rows as CSV lines; applicant text that begins like a formula is kept
        text (`csv_cell`). With the number of lines."""
        lines = shape(rows_of(block), first)
        return csv_text(lines, guarded=True), len(lines)

    def open(self, sheet_name: str, head: list[list[Any]]) -> None:
        self.drop()
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet_name)
        write_rows(self.sheet, head)

    def rows(self, shape: Shape, block: bytes, first: int) -> int:
        if self.book is None:
            raise RuntimeError("no workbook is open")
        lines = shape(rows_of(block), first)
        write_rows(self.sheet, lines)
        return len(lines)

    def save(self, tail: list[list[Any]], path: str) -> None:
        """The tail rows, then the finished workbook written to `path` (the parent's file)."""
        if self.book is None:
            raise RuntimeError("no workbook is open")
        write_rows(self.sheet, tail)
        self.book.save(path)
        self.book = self.sheet = None

    def drop(self) -> None:
        """The sheet's spooled rows when the workbook was never saved (the client left)."""
        writer = getattr(self.sheet, "_writer", None)
        if writer is not None and not self.sheet.closed and os.path.exists(writer.out):
            self.sheet.close()  # ends the rows and the file as a save would
            writer.cleanup()
        self.book = self.sheet = None


def serve(connection: Any, scratch: str) -> None:
    """A child's loop, until the pipe closes. Its temporary files (the sheet's spooled
    rows) go under `scratch`, a directory the parent removes when the child ends, however
    it ends. It runs at a lower priority than the serving process: on a busy machine, the
    CPU goes to the requests first and the export takes longer."""
    os.nice(NICENESS)
    tempfile.tempdir = scratch
    encoder = Encoder()
    while True:
        try:
            message = connection.recv()
        except EOFError:
            encoder.drop()
            return
        try:
            answer: tuple = ("ok", encoder.handle(message))
        except Exception:  # told to the parent, which fails the export
            encoder.drop()
            answer = ("error", traceback.format_exc())
        connection.send(answer)
