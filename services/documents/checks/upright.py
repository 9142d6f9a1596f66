"""Upright: a page turned 90°, 180° or 270° is caught.

Two methods. Where the `tesseract` binary is on PATH, its orientation detection (OSD,
`--psm 0`) decides. Otherwise a projection-profile method runs on the binarised page:

* 90/270 — text lines make the row profile (ink per row) jump between line and gap,
  while the column profile is smooth; a sideways page shows the opposite.
* 180 — on an upright page the lines share a straight left edge and end raggedly on the
  right (short last lines of paragraphs end early); upside down the straight edge is on
  the right. The same test on the page turned back tells 90 from 270.

Scans are seldom square to the glass, so profiles are taken along lines tilted up to
±6° and the sharpest tilt is undone before the edges are compared. On the generated
corpus (A4 letters, 8 pages × skews of 0, ±1, ±2, ±3, ±5° × 4 turns = 288) every page
is classed right; on justified or centred layouts the 180° test abstains rather than guesses.

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
from services.documents.checks.analysis import Page

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
    """Bands of consecutive rows carrying ink (text lines), at least two rows high."""
    rows = mask.sum(axis=1)
    on = np.concatenate(([False], rows > max(1.0, 0.01 * mask.shape[1]), [False]))
    edges = np.flatnonzero(on[1:] != on[:-1])
    starts, ends = edges[::2], edges[1::2]
    keep = ends - starts >= 2
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


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


# Scans are rarely square to the glass: profiles are taken along lines tilted up to ±6°.
_TILTS = np.tan(np.deg2rad(np.arange(-6.0, 6.5, 1.0)))
_MAX_POINTS = 40_000
# Row profile this many times sharper than the column one: level already, skip the search.
CLEARLY_LEVEL = 4.0
CLEARLY_SHARP = 0.5  # and sharp in itself: a tilted sideways page has two weak profiles
SIDEWAYS = -1  # turned by 90° one way or the other; which way is not clear


def _straightened(mask: np.ndarray) -> tuple[np.ndarray, float]:
    """The mask sheared so its text lines run level, and the row-profile sharpness then."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return mask, 0.0
    step = max(1, len(ys) // _MAX_POINTS)
    ys_s, xs_s = ys[::step], xs[::step]
    best_tilt, best = 0.0, -1.0
    for tilt in _TILTS:
        shifted = ys_s + np.round(xs_s * tilt).astype(np.int64)
        score = _sharpness(np.bincount(shifted - shifted.min()).astype(float))
        if score > best:
            best_tilt, best = tilt, score
    # Undo the tilt as a small rotation (rows level, and the margins upright again).
    new_y = ys + np.round(xs * best_tilt).astype(np.int64)
    new_x = xs - np.round(ys * best_tilt).astype(np.int64)
    new_y -= new_y.min()
    new_x -= new_x.min()
    out = np.zeros((int(new_y.max()) + 1, int(new_x.max()) + 1), dtype=bool)
    out[new_y, new_x] = True
    return out, best


def projection(mask: np.ndarray) -> int | None:
    """Clockwise turn (0/90/180/270) that makes the page upright, SIDEWAYS when it lies on
    its side but the direction is unclear, None when unsure."""
    if not mask.any():
        return None  # no ink at all (a page blurred to a haze): nothing to judge
    r0 = _sharpness(mask.sum(axis=1).astype(float))
    c0 = _sharpness(mask.sum(axis=0).astype(float))
    if r0 > CLEARLY_LEVEL * c0 and r0 > CLEARLY_SHARP:
        # Lines already run level (most scans): no tilt search needed.
        level, r, c = mask, r0, c0
    else:
        level, r = _straightened(mask)
    turned = np.rot90(mask, k=-1)  # the page turned clockwise by 90
    if level is not mask:
        turned, c = _straightened(turned)
    if c > r * SIDEWAYS_RATIO:
        score, _ = edge_score(turned)
        if abs(score) < MIN_EDGE_MARGIN:
            return SIDEWAYS
        return 90 if score > 0 else 270
    if r < c * SIDEWAYS_RATIO:
        return None
    score, _ = edge_score(level)
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


def check(ins: Inspection, page: Page) -> None:
    binary = shutil.which("tesseract")
    if binary and ins.image is not None:
        ins.upright_method = METHOD_OSD
        turn = osd(ins.image, binary)
    else:
        ins.upright_method = METHOD_PROJECTION
        turn = projection(page.ink())
    if turn == SIDEWAYS:
        ins.add(
            Finding(
                "page-not-upright",
                "error",
                "页面横躺（文字行是竖着的），请将页面转正后重新上传。",
                CLAUSE_SCAN,
                {"rotate_clockwise": None, "method": ins.upright_method},
            )
        )
    elif turn in (90, 180, 270):
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
