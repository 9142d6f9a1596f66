"""证件照: a colour photo with the proportions of a 1-inch / 2-inch ID photo."""

from __future__ import annotations

import numpy as np

from services.documents.checks import CLAUSE_PHOTO, Finding, Inspection
from services.documents.kinds import KindRules

# Mean chroma (max − min channel) below which a photo counts as black-and-white.
MIN_CHROMA = 6.0


def check(ins: Inspection, kind: KindRules) -> None:
    assert ins.image is not None and ins.width and ins.height
    if kind.colour:
        small = ins.image.convert("RGB")
        small.thumbnail((256, 256))
        rgb = np.asarray(small, dtype=np.int16)
        chroma = float((rgb.max(axis=2) - rgb.min(axis=2)).mean())
        if chroma < MIN_CHROMA:
            ins.add(
                Finding(
                    "photo-not-colour",
                    "error",
                    "证件照须为彩色照片，这张是黑白（灰度）照片。请上传近期彩色免冠证件照。",
                    CLAUSE_PHOTO,
                    {"mean_chroma": round(chroma, 1)},
                )
            )
    if kind.aspect_min is not None and kind.aspect_max is not None:
        ratio = ins.width / ins.height
        if not kind.aspect_min <= ratio <= kind.aspect_max:
            ins.add(
                Finding(
                    "photo-aspect",
                    "error",
                    f"证件照宽高比为 {ratio:.2f}，应为竖版约 5:7 或 3:4"
                    f"（{kind.aspect_min}–{kind.aspect_max}）。"
                    "请上传原始证件照，不要拉伸或横向裁剪，以免人物变形。",
                    CLAUSE_PHOTO,
                    {"ratio": round(ratio, 3), "min": kind.aspect_min, "max": kind.aspect_max},
                )
            )
