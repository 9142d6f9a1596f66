"""The image decodes completely (`load()`, not only `verify()`), under a pixel cap."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

from services.documents.checks import CLAUSE_SCAN, CheckConfig, Finding, Inspection

pillow_heif.register_heif_opener()


def check(ins: Inspection, data: bytes, cfg: CheckConfig) -> None:
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
        image.load()
    except Exception:
        ins.add(_corrupt())
        return
    ins.image = image
    ins.width, ins.height = width, height


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
