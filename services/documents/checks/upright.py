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

Framed pages (certificates: 职称证书, 学历证书, 获奖证书) have ink in every row and column, so
the profiles above see the frame, not the text. When the level page has ink without a break
down and across most of it, the frame is peeled off from all four sides (a thin or double
line, a band of ornaments, a guilloche band; each a narrow cluster of ink near the edge,
inked beside nearly every row of the middle of the page) and the page is judged on what lies
inside. There 90/270 is told by the gaps: text lines leave empty rows between them, while the
gaps between the characters of a line (CJK characters stand in columns) are narrow. A
certificate's text is centred, so the left edge says nothing about 180°: the title does. It
is a centred line in clearly larger type at the top of the text, with nothing as large at the
bottom; upside down it is the other way round. Lines far taller than the rest (a seal over
the date, a photo box) and lines with a wide gap inside (a signature on the left, a date on
the right) are no title. The left edge decides only where no title stands out. An empty
frame has no lines: no finding.
Unframed pages take the letter's path; where it abstains they are judged the same way, and
where a clear title contradicts the left edge (a right-aligned date block) the title wins.
On the generated corpus (5 frame styles and none, 3 layouts, portrait and landscape, skews
of 0, ±1…±5°, JPEG quality 35-89: 1456 certificate pages) every page is classed right, and
the letters above keep their verdicts.

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


def _lines(mask: np.ndarray, rows: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Bands of consecutive rows carrying ink (text lines), at least two rows high.
    `rows`: the mask's ink per row, when already counted."""
    rows = mask.sum(axis=1) if rows is None else rows
    on = np.concatenate(([False], rows > max(1.0, 0.01 * mask.shape[1]), [False]))
    edges = np.flatnonzero(on[1:] != on[:-1])
    starts, ends = edges[::2], edges[1::2]
    keep = ends - starts >= 2
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


def edge_score(mask: np.ndarray, rows: np.ndarray | None = None) -> tuple[float, int]:
    """> 0: straight left edge (upright); < 0: straight right edge (upside down)."""
    bands = _lines(mask, rows)
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

# Framed pages (certificates). Shares of the page's size unless said otherwise.
BRIDGE = 0.005  # gaps between a border's marks up to twice this share are bridged
BORDER_RUN = 0.6  # rows and columns inked without a break over this share: maybe framed
SPECK = 0.02  # a column inked in fewer rows than this share is empty (scanner specks)
GAP_SHARE = 0.008  # a gap this wide ends a frame side
EDGE_ZONE = 0.2  # a frame side starts this close to the edge
MAX_BAND = 0.08  # and is at most this wide (an ornamental band included)
FRAME_COVER = 0.9  # and carries ink in this share of the rows beside it
GLYPH_GAP = 0.003  # gaps this narrow (share of the page) are within a line
LINE_GAP_MARGIN = 0.08  # this much more empty rows than empty columns: lines run level
TITLE_CAP = 4.0  # lines taller than this many median lines are no type (seal, photo)
TITLE_RATIO = 1.5  # the title is at least this many median lines tall
TITLE_UNIQUE = 0.8  # and large type at the other end at most this share of it
TITLE_CENTRED = 0.1  # and is centred on the text to this share of its width
TITLE_GAP = 2.0  # with no gap wider than this many times its height
RULE_HEIGHT = 0.005  # bands thinner than this share of the page are ruled lines
TITLE_ZONE = 0.35  # and sits in the top (or, upside down, the bottom) share of the text


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
    rows, cols = mask.sum(axis=1), mask.sum(axis=0)
    r0 = _sharpness(rows.astype(float))
    c0 = _sharpness(cols.astype(float))
    if r0 > CLEARLY_LEVEL * c0 and r0 > CLEARLY_SHARP:
        # Lines already run level (most scans): no tilt search needed.
        level, r, c = mask, r0, c0
    else:
        level, r = _straightened(mask)
    if level is not mask:
        rows, cols = level.sum(axis=1), level.sum(axis=0)
    if _bordered(rows > 0, cols > 0):
        inner = inside_frame(level)
        if inner is not None:
            return content_turn(inner)
    turned = np.rot90(mask, k=-1)  # the page turned clockwise by 90
    if level is not mask:
        turned, c = _straightened(turned)
    turn = _letter_turn(level, turned, r, c, rows)
    if turn is None:
        # No clear lines or edges by the letter's measures: an unframed certificate has
        # centred lines of CJK characters standing in columns. Judge it like the inside
        # of a frame; a page with no text lines still gets no answer.
        turn = content_turn(level)
    if turn in (SIDEWAYS, 90, 270):
        # Which way it lies, judged on the page straightened as it lies on its side: by a
        # clear title first (a centred certificate's date block is right-aligned, so its
        # edges mislead), then by the left edge.
        sideways = _level_turn(turned)
        return turn if sideways is None else 90 if sideways == 0 else 270
    if turn == 0 or turn == 180:
        # The same for a level page: where the left edge and a clear title disagree,
        # the title is right.
        title = title_score(level, rows)
        return turn if title is None else title
    return None


def _letter_turn(
    level: np.ndarray, turned: np.ndarray, r: float, c: float, rows: np.ndarray
) -> int | None:
    """The turn by row/column sharpness and the straight left edge of left-aligned text."""
    if c > r * SIDEWAYS_RATIO:
        score, _ = edge_score(turned)
        if abs(score) < MIN_EDGE_MARGIN:
            return SIDEWAYS
        return 90 if score > 0 else 270
    if r < c * SIDEWAYS_RATIO:
        return None
    score, _ = edge_score(level, rows)
    if abs(score) < MIN_EDGE_MARGIN:
        return None
    return 0 if score > 0 else 180


def _longest_run(on: np.ndarray) -> int:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


def _bordered(inked_rows: np.ndarray, inked_cols: np.ndarray) -> bool:
    """Ink in (nearly) every row and every column over most of the page: something runs
    round it (a printed frame), or it is no text page at all (a photo). Text pages have
    empty rows between their lines. Read off the row and column sums already taken."""
    h, w = len(inked_rows), len(inked_cols)
    k = _bridge((h, w))
    return (
        _longest_run(_spread(inked_rows, k)) >= BORDER_RUN * h
        and _longest_run(_spread(inked_cols, k)) >= BORDER_RUN * w
    )


def _bridge(shape: tuple[int, int]) -> int:
    """Gaps up to twice this many pixels between the marks of an ornamental border are
    bridged."""
    return max(2, round(BRIDGE * max(shape)))


def _spread(on: np.ndarray, k: int) -> np.ndarray:
    """True within `k` places of a True."""
    return np.convolve(on.astype(np.int32), np.ones(2 * k + 1, np.int32), "same") > 0


def _border_strip(presence: np.ndarray, gap: int) -> tuple[int, int] | None:
    """From the outside in: the first cluster of inked columns (gaps narrower than `gap`
    bridged), as (start, end); None when the page has no ink there."""
    inked = np.flatnonzero(presence > SPECK)
    if len(inked) == 0:
        return None
    breaks = np.flatnonzero(np.diff(inked) > gap)
    end = inked[breaks[0]] + 1 if len(breaks) else inked[-1] + 1
    return int(inked[0]), int(end)


def _strip_side(mask: np.ndarray) -> int:
    """Columns to cut off the left of `mask` to drop a frame side running down it (0: none).

    A frame side is a narrow cluster of ink near the edge, with a clear gap after it, that
    carries ink in almost every row of the middle of the page; a line of text, a photo or a
    seal is either wider, or inked in far fewer rows."""
    h, w = mask.shape
    middle = mask[round(h * 0.2) : round(h * 0.8)]
    if middle.shape[0] < 10:
        return 0
    gap = max(3, round(GAP_SHARE * max(h, w)))
    zone = round(EDGE_ZONE * w)
    strip = _border_strip(middle[:, : zone + round(MAX_BAND * max(h, w))].mean(axis=0), gap)
    if strip is None:
        return 0
    start, end = strip
    if start > zone or end - start > MAX_BAND * max(h, w) or end >= w:
        return 0
    rows = _spread(middle[:, start:end].any(axis=1), _bridge(mask.shape))
    if rows.mean() < FRAME_COVER:
        return 0
    # A little more: a frame still tilted by a fraction of a degree reaches further in
    # towards its corners than beside the middle of the page.
    return min(end + gap, w)


def inside_frame(mask: np.ndarray) -> np.ndarray | None:
    """What lies inside the printed frame(s) of a level page, None if it has no frame.

    Frame sides are peeled off one at a time, outside in (a double line or a frame inside
    an ornamental band takes several rounds); a frame has all four."""
    top, bottom, left, right = 0, mask.shape[0], 0, mask.shape[1]
    peeled: set[int] = set()
    for _ in range(4):
        changed = False
        for k in range(4):
            view = np.rot90(mask[top:bottom, left:right], k=-k)
            cut = _strip_side(view)
            if not cut:
                continue
            changed = True
            peeled.add(k)
            # rot90 by -k turns the page clockwise: k=0 left, 1 bottom, 2 right, 3 top.
            if k == 0:
                left += cut
            elif k == 1:
                bottom -= cut
            elif k == 2:
                right -= cut
            else:
                top += cut
            if bottom - top < 10 or right - left < 10:
                return np.zeros((0, 0), dtype=bool)
        if not changed:
            break
    # A frame runs round the page: a sideways text line near one edge is no frame.
    return mask[top:bottom, left:right] if len(peeled) == 4 else None


def title_score(mask: np.ndarray, rows: np.ndarray | None = None) -> int | None:
    """0 when the page's largest type (a certificate's title) sits at the top of its text,
    180 when it sits at the bottom, None when no line stands out or it sits in the middle.

    The title is a centred line; lines taller than TITLE_CAP times the median line are not
    type (a photo box beside the fields), and off-centre ones are no title either (a seal
    stamped over the date at the bottom right)."""
    bands = _lines(mask, rows)
    if len(bands) < MIN_LINES:
        return None
    heights = np.array([b - t for t, b in bands], dtype=float)
    text = heights >= max(3, RULE_HEIGHT * max(mask.shape))  # ruled lines are no text
    if text.sum() < MIN_LINES:
        return None
    med = float(np.median(heights[text]))
    cols = np.flatnonzero(mask.any(axis=0))
    middle, width = (cols[0] + cols[-1]) / 2, cols[-1] - cols[0] + 1
    one_line = np.zeros(len(bands), dtype=bool)
    # Only lines that could be the title need a closer look.
    tall = TITLE_RATIO * med
    for i, (t, b) in enumerate(bands):
        if not text[i] or not tall <= heights[i] <= TITLE_CAP * med:
            continue
        inked = np.flatnonzero(mask[t:b].any(axis=0))
        # Centred, and one line: not a signature on the left and a date on the right.
        one_line[i] = (
            abs((inked[0] + inked[-1]) / 2 - middle) <= TITLE_CENTRED * width
            and np.diff(inked).max(initial=0) <= TITLE_GAP * heights[i]
        )
    top, bottom = bands[0][0], bands[-1][1]
    tops, bottoms = [0.0], [0.0]
    for i in np.flatnonzero(one_line & (heights >= TITLE_RATIO * med)):
        where = ((bands[i][0] + bands[i][1]) / 2 - top) / max(1, bottom - top)
        if where < TITLE_ZONE:
            tops.append(heights[i])
        elif where > 1 - TITLE_ZONE:
            bottoms.append(heights[i])
    # Large type at one end only, or clearly larger there (a photo box beside the first
    # lines of the body is as tall as the title, and on the same end).
    if max(bottoms) < TITLE_UNIQUE * max(tops):
        return 0
    if max(tops) < TITLE_UNIQUE * max(bottoms):
        return 180
    return None


def _level_turn(mask: np.ndarray) -> int | None:
    """0 or 180 for a page whose lines run level: its title first, then its left edge."""
    turn = title_score(mask)
    if turn is not None:
        return turn
    score, _ = edge_score(mask)
    if abs(score) < MIN_EDGE_MARGIN:
        return None
    return 0 if score > 0 else 180


def _empty_share(on: np.ndarray, k: int) -> float:
    """Share of the places between the first and last inked one with no ink within `k`."""
    inked = np.flatnonzero(on)
    if len(inked) < 2:
        return 0.0
    span = _spread(on[inked[0] : inked[-1] + 1], k)
    return float(1.0 - span.mean())


def content_turn(inner: np.ndarray) -> int | None:
    """The turn of a level page judged as a certificate (for a framed page: what lies
    inside the frame)."""
    if not inner.any() or len(_lines(inner)) + len(_lines(inner.T)) < MIN_LINES:
        return None  # an empty frame, a photo: no text lines to judge by
    # Between text lines lie empty rows; between the characters of a line, only narrow
    # gaps, bridged here (CJK characters stand in columns, so the column profile of a
    # level page is as sharp as its row profile: sharpness alone cannot tell them apart).
    k = max(1, round(GLYPH_GAP * max(inner.shape)))
    er = _empty_share(inner.any(axis=1), k)
    ec = _empty_share(inner.any(axis=0), k)
    if er > ec + LINE_GAP_MARGIN:
        return _level_turn(inner)
    if ec > er + LINE_GAP_MARGIN:
        turn = _level_turn(np.rot90(inner, k=-1))
        return SIDEWAYS if turn is None else (90 if turn == 0 else 270)
    r = _sharpness(inner.sum(axis=1).astype(float))
    c = _sharpness(inner.sum(axis=0).astype(float))
    if c > r * SIDEWAYS_RATIO:
        turn = _level_turn(np.rot90(inner, k=-1))
        return SIDEWAYS if turn is None else (90 if turn == 0 else 270)
    if r < c * SIDEWAYS_RATIO:
        return None
    return _level_turn(inner)


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
