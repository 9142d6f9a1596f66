"""Every spreadsheet export writes text as text: a cell beginning with = + - @, a tab or a
carriage return never becomes a formula (OWASP CSV injection), and a character XML
cannot carry (U+000B, a vertical tab pasted from Word) never fails an export.

The writers are checked directly with text the API itself would refuse (names and titles
refuse control characters, tests/api/test_careless_inputs.py), since rows written before
that rule, or by another road, reach the same writers. The routes that serve each export
are walked with hostile names in tests/api/test_statistics.py (推荐名册, 材料汇总表, the
unit's 公示名册 as XLSX and CSV) and tests/api/test_results_e2e.py (评审结果公示 XLSX).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from services.api.chain.reports import HEADER
from services.api.config import DEFAULT_CERTIFICATE_FONT
from services.api.results.exports import KEYS
from services.api.results.exports import pdf as results_pdf
from services.api.results.exports import xlsx as results_xlsx
from services.api.statistics.exports import book
from services.api.statistics.streams import csv_text

FORMULAS = ['=HYPERLINK("http://evil.example","点击")', "+SUM(1,1)", "-2+3", "@SUM(A1)"]
CONTROLS = ["\tcmd", "\rcmd"]
UNHOLDABLE = "韦\x0b三\x1f"  # vertical tab, unit separator: no XML 1.0 character


def _posting_row(text: str) -> list:
    return [1, text, "中级", "eng-mechanical", text, text, text][: len(HEADER)]


def _results_rows(text: str) -> list[dict]:
    return [dict.fromkeys(KEYS, text) | {"no": 1}]


WRITERS = {
    "statistics": lambda t: book("标题", "表", ["值"], [[t]], "页脚"),
    # The streamed exports (posting list, roster, summary) write their cells as `book` does:
    # through statistics.cells.write_rows, the one place a value becomes a cell.
    "posting-list.xlsx": lambda t: book("公示名册", "公示名册", HEADER, [_posting_row(t)], "页脚"),
    "results.xlsx": lambda t: results_xlsx(
        title="评审结果公示",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 1, 8),
        rows=_results_rows(t),
        digest="0" * 64,
        at=datetime(2024, 1, 1, tzinfo=UTC),
    ),
}


def _cells(content: bytes, text: str) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [c for row in sheet.iter_rows() for c in row if c.value == text]


@pytest.mark.parametrize("export", sorted(WRITERS))
def test_text_that_looks_like_a_formula_stays_text(export: str) -> None:
    for text in FORMULAS + CONTROLS:
        content = WRITERS[export](text)
        xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml and "<f " not in xml, (export, text)
        # XML reads a stored carriage return back as a line feed.
        cells = _cells(content, text.replace("\r", "\n"))
        assert cells, (export, text)
        assert all(c.data_type == "s" and c.quotePrefix for c in cells), (export, text)


@pytest.mark.parametrize("export", sorted(WRITERS))
def test_a_character_excel_cannot_hold_never_fails_an_export(export: str) -> None:
    content = WRITERS[export](UNHOLDABLE)
    # Dropped, the rest kept (an export that fails would leave the office with nothing).
    assert _cells(content, "韦三"), export


@pytest.mark.parametrize("export", sorted(WRITERS))
def test_text_that_reads_like_an_error_value_stays_text(export: str) -> None:
    # openpyxl would store "#N/A" given as a plain value as an error value, not as text.
    for text in ["#N/A", "#DIV/0!"]:
        content = WRITERS[export](text)
        cells = _cells(content, text)
        assert cells and all(c.data_type == "s" for c in cells), (export, text)
        xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
        assert 't="e"' not in xml, (export, text)


def test_the_csv_marks_formula_text_with_an_apostrophe() -> None:
    for text in FORMULAS + CONTROLS + [UNHOLDABLE]:
        content = csv_text([_posting_row(text)], guarded=True)
        fields = [f for row in csv.reader(io.StringIO(content.decode())) for f in row]
        assert not [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]
        expected = text if text == UNHOLDABLE else "'" + text
        assert expected in fields, (text, fields)


def test_the_results_pdf_prints_a_long_unit_name_whole() -> None:
    """The PDF beside the XLSX: a cell wraps instead of cutting the text (it kept the
    first 40 characters of a unit's name)."""
    unit = "广西壮族自治区柳州市" + "某" * 30 + "机械制造有限责任公司第三分公司技术研发中心"
    rows = [dict.fromkeys(KEYS, "中级") | {"no": 1, "name": "=韦工", "unit": unit}]
    content = results_pdf(
        title="评审结果公示",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 1, 8),
        rows=rows,
        digest="0" * 64,
        font_path=DEFAULT_CERTIFICATE_FONT,
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert len(unit) > 40 and unit in text.replace("\n", "")
    assert "=韦工" in text
