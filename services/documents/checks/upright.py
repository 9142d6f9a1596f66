"""Upright: a page turned 90°, 180° or 270° is caught.

Two methods. Where the `tesseract` binary is on PATH, its orientation detection (OSD,
`--psm 0`) decides. Otherwise a projection-profile method runs on the binarised page:

* 90/270 — text lines make the row profile (ink per row) jump between line and gap,
  while the column profile is smooth; a sideways page shows the opposite.
* 180 — on an upright page the lines share a straight left edge and end raggedly on the
  right (short last lines of paragraphs end early); upside down the straight edge is on
  the right. The same test on the page turned back tells 90 from 270.

The method that ran is reported with every result. The projection method abstains
(no finding) when the page is too sparse or the edges give no clear answer.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import numpy as np
from PIL import Image

from services.documents.checks import CLAUSE_SCAN, Finding, Inspection
from services.documents.checks.analysis import ink

METHOD_OSD = "tesseract-osd"
METHOD_PROJECTION = "projection-profile"
# Row profile must be this much sharper than the column one (or the reverse) to decide.
SIDEWAYS_RATIO = 1.6
MIN_LINES = 4
MIN_EDGE_MARGIN = 0.25


def _sharpness(profile: np.ndarray) -> float:
    d = np.diff(profile)
    return float((d * d).mean() / (profile.mean() ** 2 + 1e-9))


def _lines(mask: np.ndarray) -> list[tuple[int, int]]:
    rows = mask.sum(axis=1)
    on = rows > max(1.0, 0.01 * mask.shape[1])
    bands, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= 2:
                bands.append((start, i))
            start = None
    if start is not None and len(on) - start >= 2:
        bands.append((start, len(on)))
    return bands


def edge_score(mask: np.ndarray) -> tuple[float, int]:
    """> 0: straight left edge (upright); < 0: straight right edge (upside down)."""
    bands = _lines(mask)
    if len(bands) < MIN_LINES:
        return 0.0, len(bands)
    width = mask.shape[1]
    lefts, rights = [], []
    for top, bottom in bands:
        cols = np.flatnonzero(mask[top:bottom].any(axis=0))
        lefts.append(cols[0])
        rights.append(width - 1 - cols[-1])
    tol = max(2, round(0.012 * width))

    def aligned(edges: list[int]) -> float:
        edges_a = np.asarray(edges)
        mode = np.bincount(edges_a).argmax()
        return float((np.abs(edges_a - mode) <= tol).mean())

    return aligned(lefts) - aligned(rights), len(bands)


def projection(mask: np.ndarray) -> int | None:
    """Clockwise turn (0/90/180/270) that makes the page upright; None when unsure."""
    rows, cols = mask.sum(axis=1).astype(float), mask.sum(axis=0).astype(float)
    r, c = _sharpness(rows), _sharpness(cols)
    if c > r * SIDEWAYS_RATIO:
        turned = np.rot90(mask, k=-1)  # clockwise by 90
        score, _ = edge_score(turned)
        if abs(score) < MIN_EDGE_MARGIN:
            return 90  # sideways for sure; which way is a guess the message does not need
        return 90 if score > 0 else 270
    if r < c * SIDEWAYS_RATIO:
        return None
    score, _ = edge_score(mask)
    if abs(score) < MIN_EDGE_MARGIN:
        return None
    return 0 if score > 0 else 180


def osd(image: Image.Image, binary: str) -> int | None:
    buf = io.BytesIO()
    image.convert("L").save(buf, "PNG")
    out = subprocess.run(
        [binary, "stdin", "stdout", "--psm", "0"],
        input=buf.getvalue(),
        capture_output=True,
        timeout=30,
        check=False,
    )
    match = re.search(rb"Rotate:\s*(\d+)", out.stdout)
    return int(match.group(1)) % 360 if match else None


def check(ins: Inspection, g: np.ndarray) -> None:
    binary = shutil.which("tesseract")
    if binary and ins.image is not None:
        ins.upright_method = METHOD_OSD
        turn = osd(ins.image, binary)
    else:
        ins.upright_method = METHOD_PROJECTION
        turn = projection(ink(g))
    if turn in (90, 180, 270):
        how = "倒置" if turn == 180 else "横躺"
        ins.add(
            Finding(
                "page-not-upright",
                "error",
                f"页面方向不正（{how}），需顺时针旋转 {turn}° 才能正常阅读。"
                "请将页面转正后重新上传。",
                CLAUSE_SCAN,
                {"rotate_clockwise": turn, "method": ins.upright_method},
            )
        )
