"""The image decodes completely (`load()`, not only `verify()`), under a pixel cap.

When the full-size pixels are not needed (no normalisation), a JPEG is decoded in
libjpeg's DCT-scaling mode (`draft`) straight to the analysis size: every coefficient is
still read, so a truncated file fails exactly as in a full decode, at a fraction of the
cost. Width and height recorded are always those of the full image.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pillow_heif
from PIL import Image

from services.documents.checks import CLAUSE_SCAN, CheckConfig, Finding, Inspection
from services.documents.checks.analysis import page_draft
from services.documents.checks.exif import ORIENTATION_TAG

pillow_heif.register_heif_opener()


def check(
    ins: Inspection, data: bytes, cfg: CheckConfig, *, full: Callable[[int], bool], mode: str
) -> None:
    """`full(orientation)` says whether the caller needs full-size pixels; `mode` is the
    colour mode the checks need ("L" for pages, at `cfg.page_side`; "RGB" for photos, at
    `cfg.analysis_side`)."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        ins.add(_too_many_pixels(None, cfg))
        return
    except Exception:
        ins.add(_corrupt())
        return
    width, height = image.size
    if width * height > cfg.max_image_pixels:
        # Refused from the header alone: decoding would allocate gigabytes.
        ins.add(_too_many_pixels((width, height), cfg))
        return
    try:
        orientation = int(image.getexif().get(ORIENTATION_TAG, 1) or 1)
    except Exception:
        orientation = 1
    try:
        if not full(orientation) and image.format == "JPEG":
            if mode == "L":
                image.draft(mode, page_draft(width, height, cfg.page_side))
            else:
                scale = cfg.analysis_side / max(width, height)
                if scale < 1:
                    image.draft(mode, (int(width * scale) + 1, int(height * scale) + 1))
        image.load()
    except Exception:
        ins.add(_corrupt())
        return
    ins.image = image
    ins.orientation = orientation
    ins.width, ins.height = (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _corrupt() -> Finding:
    return Finding(
        "image-corrupt",
        "error",
        "图片无法完整打开（文件可能不完整或已损坏）。请重新扫描或重新导出后上传。",
        CLAUSE_SCAN,
    )


def _too_many_pixels(size: tuple[int, int] | None, cfg: CheckConfig) -> Finding:
    shown = f"（{size[0]}×{size[1]} 像素）" if size else ""
    return Finding(
        "image-too-many-pixels",
        "error",
        f"图片像素过多{shown}，超过 {cfg.max_image_pixels // 1_000_000} 百万像素的处理上限。"
        "请将扫描分辨率调到 150–300 dpi 后重新上传。",
        CLAUSE_SCAN,
        {"width": size[0], "height": size[1]} if size else {},
    )
