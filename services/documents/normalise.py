"""Normalisation: any decodable photo or scan becomes an upright JPEG under the size cap.

Quality is found by binary search (highest quality that fits); when even the lowest
acceptable quality is too large, the picture is scaled down step by step and searched
again. The answer lists what changed, in codes and in Chinese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

from services.documents.checks import kb
from services.documents.checks.sniff import label

MIN_QUALITY = 40
MAX_QUALITY = 92
SCALE_STEP = 0.8
# Beyond A4 at 300 dpi a scan only adds bytes, not legibility.
MAX_SIDE = 3508


@dataclass
class Normalised:
    data: bytes
    width: int
    height: int
    quality: int
    changes: list[dict[str, str]] = field(default_factory=list)

    def change(self, code: str, message: str) -> None:
        self.changes.append({"code": code, "message": message})


class NormaliseError(Exception):
    """The picture cannot be brought under the cap without going below the minimum size."""


def _encode(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def _fit(image: Image.Image, limit: int) -> tuple[bytes, int] | None:
    lo, hi, best = MIN_QUALITY, MAX_QUALITY, None
    while lo <= hi:
        mid = (lo + hi) // 2
        data = _encode(image, mid)
        if len(data) <= limit:
            best, lo = (data, mid), mid + 1
        else:
            hi = mid - 1
    return best


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if image.mode in ("L", "RGB"):
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def normalise(
    image: Image.Image,
    *,
    mime: str | None,
    size: int,
    limit: int,
    exif_rotated: bool,
    min_side: int,
) -> Normalised:
    """`image` is decoded with EXIF orientation already applied (see checks.exif)."""
    work = _flatten(image)
    original = work.size
    if max(work.size) > MAX_SIDE:
        scale = MAX_SIDE / max(work.size)
        work = work.resize(
            (round(work.width * scale), round(work.height * scale)), Image.Resampling.LANCZOS
        )
    fitted = _fit(work, limit)
    while fitted is None:
        next_size = (round(work.width * SCALE_STEP), round(work.height * SCALE_STEP))
        if min(next_size) < min_side:
            raise NormaliseError
        work = (
            image.resize(next_size, Image.Resampling.LANCZOS)
            if image.mode in ("L", "RGB")
            else _flatten(image).resize(next_size, Image.Resampling.LANCZOS)
        )
        fitted = _fit(work, limit)
    data, quality = fitted
    out = Normalised(data=data, width=work.width, height=work.height, quality=quality)
    if mime != "image/jpeg":
        out.change("converted", f"已将{label(mime)}转换为 JPG 格式。")
    if exif_rotated:
        out.change("exif-applied", "已按照片的旋转标记将图片转正，并去掉旋转标记。")
    if work.size != original:
        out.change(
            "downscaled",
            f"已将图片从 {original[0]}×{original[1]} 缩小到 {work.width}×{work.height} 像素。",
        )
    out.change(
        "recompressed",
        f"已重新压缩（质量 {quality}），文件由 {kb(size)} 变为 {kb(len(data))}，"
        f"不超过 {kb(limit)}。",
    )
    return out
