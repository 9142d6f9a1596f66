"""The results posting as files for the office's website: XLSX and PDF, each printing the
posting's content hash (SHA-256 of its canonical rows), rendered once at publication and
kept byte for byte, so that a copy can be checked against the original.

XLSX cells are written as text, always: a name or unit beginning with `=`, `+`, `-` or
`@` stays text and can never become a formula (CSV/formula injection).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from openpyxl import Workbook

from services.api.statistics.cells import write_rows

HEADERS = ("序号", "姓名", "工作单位", "职称系列", "级别", "专业", "评审结果")
KEYS = ("no", "name", "unit", "series", "level", "specialty", "result")
FONT_NAME = "cjk"


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def _period(starts_on: date, ends_on: date) -> str:
    return (
        f"公示期：{starts_on.year}年{starts_on.month}月{starts_on.day}日至"
        f"{ends_on.year}年{ends_on.month}月{ends_on.day}日"
    )


def xlsx(
    *, title: str, starts_on: date, ends_on: date, rows: list[dict], digest: str, at: datetime
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "评审结果公示"
    lines: list[tuple[Any, ...]] = [
        (title,),
        (_period(starts_on, ends_on),),
        (f"内容校验码（SHA-256）：{digest}",),
        HEADERS,
        *[tuple(row[k] for k in KEYS) for row in rows],
    ]
    # Every cell text, never a formula (quote prefix on a formula-like start), and what
    # XML cannot carry dropped rather than failing the export (statistics/exports.py).
    write_rows(sheet, [[str(value) for value in line] for line in lines])
    book.properties.creator = "zhicheng"
    book.properties.created = at.replace(tzinfo=None)
    book.properties.modified = at.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(
    *,
    title: str,
    starts_on: date,
    ends_on: date,
    rows: list[dict],
    digest: str,
    font_path: str,
    font_index: int = 0,
) -> bytes:
    if not Path(font_path).is_file():
        raise RuntimeError(f"font {font_path} is missing (see CERTIFICATE_FONT_PATH)")
    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.set_creation_date(datetime.combine(starts_on, time(0), tzinfo=UTC))
    doc.set_title(title)
    doc.set_keywords(digest)
    doc.set_creator("zhicheng")
    doc.set_producer("zhicheng")
    doc.add_font(FONT_NAME, "", font_path, collection_font_number=font_index)
    doc.add_page()
    doc.set_font(FONT_NAME, size=16)
    doc.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT_NAME, size=10)
    doc.cell(0, 7, _period(starts_on, ends_on), new_x="LMARGIN", new_y="NEXT")
    # Each cell wraps (by character: Chinese has no spaces) and is never cut: a unit's
    # name is printed whole however long it is.
    widths = (14, 26, 70, 32, 22, 60, 30)
    with doc.table(
        col_widths=widths,
        width=sum(widths),
        line_height=6,
        wrapmode=WrapMode.CHAR,
        headings_style=FontFace(emphasis=None),  # the one CJK face has no bold
    ) as table:
        for line in (HEADERS, *[tuple(str(row[k]) for k in KEYS) for row in rows]):
            cells = table.row()
            for value in line:
                cells.cell(value)
    doc.ln(4)
    doc.set_font(FONT_NAME, size=8)
    doc.multi_cell(0, 5, f"内容校验码（SHA-256）：{digest}", new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(
        0, 5, "公示期内对公示结果有异议的，可通过网上异议渠道实名反映（须短信验证手机号）。"
    )
    return bytes(doc.output())
