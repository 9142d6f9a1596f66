"""Shared pixel work for the page checks: one downscaled grey page, computed once.

The grey levels come with their histogram (from Pillow, in C), so the paper level and
the share of dark pixels are read off 256 counts instead of scanning the page again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image


@dataclass
class Page:
    """A page's grey levels (0–255, uint8), their histogram and the paper's grey level."""

    g: np.ndarray
    hist: np.ndarray
    paper: float = field(init=False)

    def __post_init__(self) -> None:
        # The 90th percentile of the grey levels.
        self.paper = float(np.searchsorted(np.cumsum(self.hist), 0.9 * self.g.size))

    def share_below(self, level: float) -> float:
        """Share of pixels whose grey level is below `level` (exact: levels are integers)."""
        below = int(np.ceil(level))
        if below <= 0:
            return 0.0
        return float(self.hist[: min(below, 256)].sum() / self.g.size)

    def ink(self) -> np.ndarray:
        """Pixels clearly darker than the paper (below 60 % of its grey level)."""
        # Levels are integers: `< ceil(x)` is `< x`, without turning the page into floats.
        return self.g < int(np.ceil(self.paper * 0.6))


# A scanned page is looked at with its longest side within this share below `page_side`.
PAGE_SLACK = 0.9


def page_draft(width: int, height: int, side: int) -> tuple[int, int] | None:
    """The size to ask libjpeg's DCT scaling (`Image.draft`) for, so a page decodes
    straight to 1/2, 1/4 or 1/8 of its size with its longest side still at least
    PAGE_SLACK × `side`: an A4 scan at 150 dpi (1754 px) decodes at 1/2, one at 300 dpi
    at 1/4, both to 877 px, and `page` then has nothing left to scale (it used to scale
    them to 800 px, a third of the time of the checks' pixel work). None: full size."""
    longest = max(width, height)
    for reduction in (8, 4, 2):
        if longest >= PAGE_SLACK * side * reduction:
            return max(1, width // reduction), max(1, height // reduction)
    return None


def page(image: Image.Image, side: int) -> Page:
    """The image in grey, scaled so its longest side is ≤ `side`."""
    small = image.convert("L")
    if max(small.size) > side:
        scale = side / max(small.size)
        size = (max(1, round(small.width * scale)), max(1, round(small.height * scale)))
        small = small.resize(size, Image.Resampling.BOX)
    return Page(np.asarray(small), np.asarray(small.histogram(), np.int64))
