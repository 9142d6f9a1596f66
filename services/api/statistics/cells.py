"""The one place a value becomes a spreadsheet cell or a CSV field.

Every cell that holds text is written as text: a value beginning with = + - @, a tab or
a carriage return (what a spreadsheet reads as a formula or a DDE call) is stored as an
inline string with the quote prefix set, so opening, editing or re-saving the sheet never
turns an applicant's input into a formula. Characters XML cannot carry are dropped. In a
CSV, such a value gets a leading apostrophe. Imported by the export processes: nothing
heavy here.

The streamed exports write their sheet's XML from plain rows (`xlsx_row`, workbook.py);
an openpyxl sheet (the results posting's workbook) gets its cells from `write_rows`. Both
store text the same way: an inline string, style 1 (the quote prefix) when it begins like
a formula.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = [get_column_letter(i) for i in range(1, 16_385)]  # A … XFD, a sheet's width
_WHITESPACE = (" ", "\t", "\n", "\r")


def write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    """Append `rows` to a write-only sheet (an empty row stays blank); text is always text
    (see the module's note). The one place a value becomes an XLSX cell."""
    for values in rows:
        sheet.append([xlsx_cell(sheet, value) for value in values])


def xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
        return value  # openpyxl stores any other text as text: no cell of its own needed
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def xlsx_row(values: list[Any], number: int) -> str:
    """Row `number` of a sheet as XML (workbook.py): numbers as numbers, booleans as
    booleans, anything else as text, an inline string (see the module's note); `None` and
    empty text leave the cell blank."""
    if not values:
        return f'<row r="{number}"/>'
    cells = []
    for column, value in enumerate(values):
        if value is None:
            continue
        ref = f"{_COLUMNS[column]}{number}"
        if value is True or value is False:
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            continue
        if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            continue
        text = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
        if not text:
            continue
        style = ' s="1"' if text.startswith(FORMULA_STARTS) else ""
        space = (
            ' xml:space="preserve"'
            if text.startswith(_WHITESPACE) or text.endswith(_WHITESPACE)
            else ""
        )
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cells.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


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
