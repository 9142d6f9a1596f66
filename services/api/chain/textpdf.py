"""A plain text PDF in Chinese, written by hand: A4 pages of wrapped lines.

The text is set in STSong-Light, one of the standard Chinese fonts every PDF reader
provides (Adobe-GB1), so no font file is shipped or embedded; the characters are
written as UCS-2 codes (UniGB-UCS2-H). No images, scripts or attachments: the document
service's PDF checks accept it as a text document.
"""

from __future__ import annotations

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 56
SIZE = 11
LEADING = 18
PER_LINE = (PAGE_W - 2 * MARGIN) // SIZE  # every glyph is one em wide
PER_PAGE = (PAGE_H - 2 * MARGIN) // LEADING


def _wrap(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        text = paragraph or " "
        while text:
            lines.append(text[:PER_LINE])
            text = text[PER_LINE:]
    return lines


def _hex(text: str) -> str:
    # UCS-2: characters beyond the basic plane cannot be set in this encoding.
    return "".join(f"{ord(c) if ord(c) < 0x10000 else 0x3000:04X}" for c in text)


def _page(lines: list[str], title: str | None) -> str:
    ops = ["BT", f"{LEADING} TL", f"{MARGIN} {PAGE_H - MARGIN} Td"]
    if title:
        ops += [f"/F1 {SIZE + 5} Tf", f"<{_hex(title)}> Tj", "T*", "T*"]
    ops.append(f"/F1 {SIZE} Tf")
    ops += [f"<{_hex(line)}> Tj T*" for line in lines]
    ops.append("ET")
    return "\n".join(ops)


FONT = [
    "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light"
    " /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
    "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
    " /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
    " /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
    "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6"
    " /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120"
    " /CapHeight 880 /StemV 93 >>",
]


def text_pdf(title: str, paragraphs: list[str]) -> bytes:
    lines = _wrap(paragraphs)
    first = PER_PAGE - 2
    pages = [lines[:first]] + [lines[i : i + PER_PAGE] for i in range(first, len(lines), PER_PAGE)]
    # Objects 1 and 2 are the catalog and the page tree, 3-5 the font; pages follow.
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", *FONT]
    kids = []
    for n, page_lines in enumerate(pages):
        content = _page(page_lines, title if n == 0 else None)
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(len(objects))
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    table = "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += (
        f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n{table}"
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
