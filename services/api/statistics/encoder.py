"""Where an export's rows become bytes: chunks of plain rows shaped into lines, then CSV
text or the rows of a write-only workbook. It runs in a child process of the gateway
(workers.py), out of the serving process's GIL, or in a worker thread when
EXPORT_PROCESSES is 0; the bytes are the same either way.

An `Encoder` holds one export's state (the workbook being written) and answers messages
`(operation, *arguments)`: `csv`, `open`, `rows`, `save`, `drop`. `serve` is a child's
loop: a message in, `("ok", result)` or `("error", traceback)` out, on one pipe.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook

from services.api.statistics.cells import csv_text, write_rows

Shape = Callable[[Sequence[Any], int], list[list[Any]]]
NICENESS = 10  # added to the child's (any process may lower its own priority)


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

    def csv(self, shape: Shape, rows: Sequence[Any], first: int) -> tuple[bytes, int]:
        """A chunk of rows as CSV lines; applicant text that begins like a formula is kept
        text (`csv_cell`). With the number of lines."""
        lines = shape(rows, first)
        return csv_text(lines, guarded=True), len(lines)

    def open(self, sheet_name: str, head: list[list[Any]]) -> None:
        self.drop()
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet_name)
        write_rows(self.sheet, head)

    def rows(self, shape: Shape, rows: Sequence[Any], first: int) -> int:
        lines = shape(rows, first)
        write_rows(self.sheet, lines)
        return len(lines)

    def save(self, tail: list[list[Any]], path: str) -> None:
        """The tail rows, then the finished workbook written to `path`."""
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
