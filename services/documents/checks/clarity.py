"""Clarity: variance of the Laplacian of the downscaled grey page (low = blurred)."""

from __future__ import annotations

import numpy as np

from services.documents.checks import CLAUSE_PHOTO, CLAUSE_SCAN, CheckConfig, Finding, Inspection
from services.documents.kinds import KindRules


def laplacian_variance(g: np.ndarray) -> float:
    lap = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def check(ins: Inspection, g: np.ndarray, cfg: CheckConfig, kind: KindRules) -> None:
    # Pages are full of sharp strokes; a face photo is smooth even when in focus.
    threshold = kind.clarity_min if kind.clarity_min is not None else cfg.clarity_threshold
    score = laplacian_variance(g)
    ins.clarity = round(score, 1)
    if score < threshold:
        ins.add(
            Finding(
                "image-blurred",
                "error",
                "图片模糊，内容可能看不清。请将原件放平、对准焦距、在光线充足处重新扫描或拍摄。",
                CLAUSE_SCAN if kind.scan else CLAUSE_PHOTO,
                {"laplacian_variance": round(score, 1), "threshold": threshold},
            )
        )
