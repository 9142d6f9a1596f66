"""Run the checks in the order the applicant should fix things; all findings at once.

Synchronous and CPU-bound: callers run it in a worker thread, never on the event loop.
"""

from __future__ import annotations

from services.documents.checks import (
    CheckConfig,
    Inspection,
    analysis,
    blank,
    clarity,
    decode,
    exif,
    pdf,
    photo,
    resolution,
    size,
    sniff,
    upright,
)
from services.documents.kinds import KindRules


def needed(mime: str | None, size: int, limit: int, exif_rotated: bool) -> bool:
    """Whether the upload must be re-encoded: not a JPEG, over the cap, or EXIF-rotated."""
    return mime != "image/jpeg" or size > limit or exif_rotated


def inspect(
    data: bytes,
    kind: KindRules,
    *,
    filename: str | None,
    cfg: CheckConfig,
    normalising: bool = False,
) -> Inspection:
    ins = Inspection(size=len(data), mime=sniff.sniff(data[:8192]))
    fixable_size = normalising and ins.mime in sniff.DECODABLE and "image/jpeg" in kind.types
    if not fixable_size:
        size.check(ins, kind)
    sniff.check(ins, kind, filename, normalising=normalising)
    if ins.mime == "application/pdf":
        if kind.allows_pdf:
            pdf.check(ins, data, kind, cfg)
        return ins
    if ins.mime not in sniff.DECODABLE:
        return ins

    def full(orientation: int) -> bool:
        # Normalisation re-encodes the full picture; checks alone need far fewer pixels.
        return normalising and needed(ins.mime, ins.size, kind.max_bytes, orientation != 1)

    decode.check(ins, data, cfg, full=full, mode="L" if kind.scan else "RGB")
    if ins.image is None:
        return ins
    exif.check(ins, normalising=normalising)
    resolution.check(ins, kind)
    if kind.scan:
        grey = analysis.page(ins.image, cfg.page_side)
        if not blank.check(ins, grey):
            clarity.check(ins, grey.g, cfg, kind)
            upright.check(ins, grey)
    else:
        clarity.check(ins, analysis.page(ins.image, cfg.analysis_side).g, cfg, kind)
        photo.check(ins, kind)
    return ins
