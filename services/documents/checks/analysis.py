"""Shared pixel work for the page checks: a downscaled grey image and its ink mask."""

from __future__ import annotations

import numpy as np
from PIL import Image


def grey(image: Image.Image, side: int) -> np.ndarray:
    """Grey levels (0–255, float32) of the image scaled so its longest side is ≤ `side`."""
    g = image.convert("L")
    if max(g.size) > side:
        scale = side / max(g.size)
        g = g.resize(
            (max(1, round(g.width * scale)), max(1, round(g.height * scale))), Image.Resampling.BOX
        )
    return np.asarray(g, dtype=np.float32)


def paper_level(g: np.ndarray) -> float:
    """Grey level of the paper: the 90th percentile, from a histogram (no sorting)."""
    counts = np.bincount(np.clip(g, 0, 255).astype(np.uint8).ravel(), minlength=256)
    return float(np.searchsorted(np.cumsum(counts), 0.9 * g.size))


def ink(g: np.ndarray) -> np.ndarray:
    """Pixels clearly darker than the paper."""
    return g < paper_level(g) * 0.6
