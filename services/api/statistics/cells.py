"""The one place a value becomes a spreadsheet cell or a CSV field.

Every cell that holds text is written as text: a value beginning with = + - @, a tab or
a carriage return (what a spreadsheet reads as a formula or a DDE call) is stored as an
inline string with the quote prefix set, so opening, editing or re-saving the sheet never
turns an applicant's input into a formula. Characters XML cannot carry are dropped. In a
CSV, such a value gets a leading apostrophe. Imported by the export processes: nothing
heavy here.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    """Append `rows` to a write-only sheet (an empty row stays blank); text is always text
    (see the module's note). The one place a value becomes an XLSX cell.

    openpyxl takes plain values: only text that would not stay text gets a cell of its own
    (`xlsx_cell`), and empty text is left out as `None` is (a blank cell, no element)."""
    for values in rows:
        sheet.append([xlsx_cell(sheet, v) if isinstance(v, str) else v for v in values])


def xlsx_cell(sheet: Any, value: str) -> Any:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value:
        return None
    if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
        return value  # openpyxl stores any other text as text: no cell of its own needed
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def csv_cell(value: Any) -> Any:
    """A CSV field a spreadsheet opens as text: a value beginning like a formula gets a
    leading apostrophe (OWASP, CSV injection), the only mark a CSV can carry."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[list[Any]], *, guarded: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(v) for v in row] if guarded else row for row in rows)
    return buffer.getvalue().encode()
