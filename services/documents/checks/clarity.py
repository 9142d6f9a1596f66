"""Clarity: variance of the Laplacian of the downscaled grey page (low = blurred)."""

from __future__ import annotations

import numpy as np

from services.documents.checks import CLAUSE_PHOTO, CLAUSE_SCAN, CheckConfig, Finding, Inspection
from services.documents.kinds import KindRules


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of 8-bit grey levels.

    Summed in int16 (|value| ≤ 4 × 255), in place: a quarter of the memory traffic of
    float temporaries. The values are exact integers, so their float32 variance is the
    same as if the page had been converted to floats first.
    """
    g = grey.astype(np.int16)
    lap = g[:-2, 1:-1] + g[2:, 1:-1]
    lap += g[1:-1, :-2]
    lap += g[1:-1, 2:]
    lap -= 4 * g[1:-1, 1:-1]
    return float(lap.astype(np.float32).var())


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
