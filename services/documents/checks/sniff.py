"""Real type, sniffed from the bytes: neither the file name nor the declared type counts."""

from __future__ import annotations

from pathlib import PurePosixPath

import filetype

from services.documents.checks import CLAUSE_SCAN, Finding, Inspection
from services.documents.kinds import KindRules

LABELS = {
    "image/jpeg": "JPG 图片",
    "image/png": "PNG 图片",
    "image/heic": "HEIC 照片（苹果手机格式）",
    "image/heif": "HEIF 照片",
    "image/webp": "WebP 图片",
    "image/gif": "GIF 图片",
    "image/bmp": "BMP 图片",
    "image/tiff": "TIFF 图片",
    "application/pdf": "PDF 文件",
}
# Image types we can decode and therefore normalise into a JPEG.
DECODABLE = {
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/gif",
}
_EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg", ".jpe"},
    "image/png": {".png"},
    "image/heic": {".heic", ".heif"},
    "image/heif": {".heic", ".heif"},
    "application/pdf": {".pdf"},
}


def sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is None:
        return None
    mime = kind.mime
    return "image/heic" if mime in ("image/heif", "image/avif") and b"heic" in head[:32] else mime


def label(mime: str | None) -> str:
    return LABELS.get(mime or "", mime or "无法识别的格式")


def check(ins: Inspection, kind: KindRules, filename: str | None, *, normalising: bool) -> None:
    allowed = "、".join(label(t) for t in kind.types)
    if ins.mime is None:
        ins.add(
            Finding(
                "type-unknown",
                "error",
                f"无法识别文件格式，「{kind.name}」只接受 {allowed}。请重新扫描或导出后上传。",
                CLAUSE_SCAN,
            )
        )
        return
    fixable = normalising and ins.mime in DECODABLE and "image/jpeg" in kind.types
    if ins.mime not in kind.types and not fixable:
        hint = "可勾选自动规范化转换为 JPG。" if ins.mime in DECODABLE else "请另存为 JPG 后上传。"
        ins.add(
            Finding(
                "type-not-allowed",
                "error",
                f"文件实际为{label(ins.mime)}，「{kind.name}」只接受 {allowed}。{hint}",
                CLAUSE_SCAN,
                {"mime": ins.mime, "allowed": list(kind.types)},
            )
        )
    suffix = PurePosixPath(filename or "").suffix.lower()
    known = _EXTENSIONS.get(ins.mime)
    if suffix and known is not None and suffix not in known:
        ins.add(
            Finding(
                "name-type-mismatch",
                "warning",
                f"文件名后缀为“{suffix}”，但内容实际为{label(ins.mime)}；已按实际格式检查。",
                None,
                {"suffix": suffix, "mime": ins.mime},
            )
        )
