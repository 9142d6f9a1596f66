"""The certificate as a PDF: one A4 landscape page, its Chinese text set in a TrueType
CJK font of which only the glyphs used are embedded (a subset, so any reader shows it
without fonts of its own), and a QR code drawn as vector squares.

The QR code carries the certificate id and the signature (`qr_payload`): the office's
verification address with both as query parameters where one is configured, otherwise
``ZCCERT1:<certificate id>:<signature>``. The same text is kept in the PDF's keywords,
so a reader (or a test) can take it from the file without decoding the image.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import segno
from fpdf import FPDF

from services.api.certificates.model import CertificateData

QR_PREFIX = "ZCCERT1"
FONT_NAME = "cjk"


class FontMissing(RuntimeError):
    """The configured certificate font is not on this machine."""


def qr_payload(certificate_id: uuid.UUID, signature: str, verify_url: str = "") -> str:
    if verify_url:
        sep = "&" if urlsplit(verify_url).query else "?"
        return f"{verify_url}{sep}{urlencode({'id': str(certificate_id), 'sig': signature})}"
    return f"{QR_PREFIX}:{certificate_id}:{signature}"


def parse_qr_payload(text: str) -> tuple[uuid.UUID, str]:
    """(certificate id, signature) from a QR payload; ValueError when it is none."""
    if text.startswith(f"{QR_PREFIX}:"):
        _, ident, signature = text.split(":", 2)
    else:
        query = parse_qs(urlsplit(text).query)
        if len(query.get("id", [])) != 1 or len(query.get("sig", [])) != 1:
            raise ValueError("not a certificate QR payload")
        ident, signature = query["id"][0], query["sig"][0]
    return uuid.UUID(ident), signature


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _lines(data: CertificateData) -> list[tuple[str, str]]:
    rows = [
        ("姓　　名", data.holder_name),
        ("身份证号", data.holder_id_masked),
        ("职称系列", data.series_name),
        ("资格名称", f"{data.title}（{data.level_name}）"),
        ("专　　业", data.specialty),
        ("评审机构", data.committee_name),
        ("批准文号", data.approval_number),
        (
            "批准日期",
            f"{data.approved_on.year}年{data.approved_on.month}月{data.approved_on.day}日",
        ),
        ("证书编号", data.number),
    ]
    if data.directed_use is not None:
        rows.append(("使用范围", data.directed_use.statement))
    return rows


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    qr = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


def render(
    data: CertificateData,
    signature: str,
    *,
    font_path: str,
    font_index: int = 0,
    verify_url: str = "",
) -> bytes:
    """The certificate's PDF bytes. The same data, signature and font give the same bytes."""
    if not Path(font_path).is_file():
        raise FontMissing(
            f"certificate font {font_path} is missing (install Debian's fonts-wqy-microhei "
            "or set CERTIFICATE_FONT_PATH to a TrueType CJK font)"
        )
    payload = qr_payload(data.certificate_id, signature, verify_url)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(datetime.combine(data.approved_on, time(0), tzinfo=UTC))
    pdf.set_title(f"职称电子证书 {data.number}")
    pdf.set_subject("职称电子证书")
    pdf.set_keywords(payload)
    pdf.set_creator("zhicheng")
    pdf.set_producer("zhicheng")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT_NAME, "", font_path, collection_font_number=font_index)
    pdf.add_page()

    pdf.set_draw_color(150, 20, 20)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)

    pdf.set_font(FONT_NAME, size=30)
    pdf.set_xy(10, 24)
    pdf.cell(277, 16, "专业技术资格证书", align="C")
    pdf.set_font(FONT_NAME, size=12)
    pdf.set_xy(10, 40)
    pdf.cell(277, 8, "职称电子证书", align="C")

    pdf.set_font(FONT_NAME, size=14)
    y = 58.0
    for label, value in _lines(data):
        pdf.set_xy(32, y)
        pdf.cell(32, 10, label)
        pdf.set_xy(66, y)
        pdf.multi_cell(140, 10, value)
        y = max(y + 12, pdf.get_y() + 2)

    _draw_qr(pdf, payload, x=222, y=60, size=48)
    pdf.set_font(FONT_NAME, size=9)
    pdf.set_xy(212, 112)
    pdf.multi_cell(68, 5, "扫码或凭证书编号、姓名核验真伪", align="C")
    pdf.set_xy(32, 184)
    pdf.set_font(FONT_NAME, size=8)
    pdf.cell(240, 5, f"签名：{signature}")
    return bytes(pdf.output())
