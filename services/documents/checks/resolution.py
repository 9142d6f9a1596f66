"""Minimum resolution: enough pixels to read the page (or see the face)."""

from __future__ import annotations

from services.documents.checks import CLAUSE_PHOTO, CLAUSE_SCAN, Finding, Inspection
from services.documents.kinds import KindRules


def check(ins: Inspection, kind: KindRules) -> None:
    assert ins.width is not None and ins.height is not None
    if kind.scan:
        # A page may be portrait or landscape: compare short with short, long with long.
        short, long_ = sorted((ins.width, ins.height))
        need_short, need_long = sorted((kind.min_width, kind.min_height))
        ok = short >= need_short and long_ >= need_long
    else:
        ok = ins.width >= kind.min_width and ins.height >= kind.min_height
    if not ok:
        ins.add(
            Finding(
                "resolution-too-low",
                "error",
                f"图片分辨率为 {ins.width}×{ins.height} 像素，「{kind.name}」至少需要 "
                f"{kind.min_width}×{kind.min_height} 像素，内容可能看不清。"
                "请用更高分辨率重新扫描或拍摄。",
                CLAUSE_SCAN if kind.scan else CLAUSE_PHOTO,
                {
                    "width": ins.width,
                    "height": ins.height,
                    "min_width": kind.min_width,
                    "min_height": kind.min_height,
                },
            )
        )
