"""Clarity: variance of the Laplacian of the downscaled grey page (low = blurred)."""

from __future__ import annotations

import numpy as np

from services.documents.checks import CLAUSE_SCAN, CheckConfig, Finding, Inspection


def laplacian_variance(g: np.ndarray) -> float:
    lap = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def check(ins: Inspection, g: np.ndarray, cfg: CheckConfig) -> None:
    score = laplacian_variance(g)
    ins.clarity = round(score, 1)
    if score < cfg.clarity_threshold:
        ins.add(
            Finding(
                "image-blurred",
                "error",
                "图片模糊，文字可能看不清。请将原件放平、对准焦距、在光线充足处重新扫描或拍摄。",
                CLAUSE_SCAN,
                {"laplacian_variance": round(score, 1), "threshold": cfg.clarity_threshold},
            )
        )
