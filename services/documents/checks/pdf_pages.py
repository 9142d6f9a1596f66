"""Scanned PDF pages: the page checks (blank, clarity, upright) on each page's scan.

A scanner's PDF holds one JPEG per page. Only JPEG (DCTDecode) page images are looked
at: their bytes are passed to the same decoder as an uploaded JPEG, under the same pixel
cap, without pypdf decompressing anything. Pages made of text and vector graphics carry
no scan to judge and are skipped.
"""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PageObject
from pypdf.generic import ArrayObject, NameObject

from services.documents.checks import (
    CheckConfig,
    Finding,
    Inspection,
    analysis,
    blank,
    clarity,
    upright,
)
from services.documents.kinds import KindRules


def _page_scan(page: PageObject, cfg: CheckConfig) -> Image.Image | None:
    """The largest JPEG image drawn on the page, decoded at analysis size; None if none."""
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return None
    best, best_pixels = None, 0
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") != "/Image":
            continue
        filters = obj.get("/Filter")
        names = list(filters) if isinstance(filters, ArrayObject) else [filters]
        if names != [NameObject("/DCTDecode")]:
            continue
        pixels = int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
        if 0 < pixels <= cfg.max_image_pixels and pixels > best_pixels:
            best, best_pixels = obj, pixels
    if best is None:
        return None
    image = Image.open(io.BytesIO(best.get_data()))
    if image.width * image.height > cfg.max_image_pixels:
        # The JPEG's own header is what the decoder trusts, not the PDF's /Width.
        raise ValueError("page image over the pixel cap")
    image.draft("L", analysis.page_draft(image.width, image.height, cfg.page_side))
    image.load()
    return image


def check(ins: Inspection, pages: list[PageObject], kind: KindRules, cfg: CheckConfig) -> None:
    for number, page in enumerate(pages, start=1):
        try:
            image = _page_scan(page, cfg)
        except Exception:
            ins.add(
                Finding(
                    "pdf-page-unreadable",
                    "error",
                    f"PDF 第 {number} 页的扫描图像无法完整打开，请重新扫描或导出后上传。",
                    None,
                    {"page": number},
                )
            )
            continue
        if image is None:
            continue
        sub = Inspection(size=0, image=image)
        grey = analysis.page(image, cfg.page_side)
        if not blank.check(sub, grey):
            clarity.check(sub, grey.g, cfg, kind)
            upright.check(sub, grey)
        ins.upright_method = ins.upright_method or sub.upright_method
        for f in sub.findings:
            ins.add(
                Finding(
                    f.code,
                    f.severity,
                    f"PDF 第 {number} 页：{f.message}",
                    f.clause,
                    {**f.details, "page": number},
                )
            )
