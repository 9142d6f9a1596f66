"""EXIF orientation: phones store the picture sideways and a tag saying how to turn it."""

from __future__ import annotations

from PIL import ImageOps

from services.documents.checks import CLAUSE_SCAN, Finding, Inspection

ORIENTATION_TAG = 0x0112


def check(ins: Inspection, *, normalising: bool) -> None:
    assert ins.image is not None
    orientation = ins.orientation
    if orientation == 1:
        return
    ins.image = ImageOps.exif_transpose(ins.image)
    ins.exif_rotated = True
    if not normalising:
        ins.add(
            Finding(
                "exif-rotated",
                "warning",
                "照片带有旋转标记，部分审核系统会显示为横躺或倒置。已按标记转正后检查；"
                "建议勾选自动规范化，系统会保存为转正后的图片。",
                CLAUSE_SCAN,
                {"orientation": orientation},
            )
        )
