"""Blank page: (almost) no ink on the paper."""

from __future__ import annotations

from services.documents.checks import CLAUSE_SCAN, Finding, Inspection
from services.documents.checks.analysis import Page

# Share of pixels that must carry ink; a page with a signature alone has more than this.
MIN_INK_SHARE = 0.0015


def check(ins: Inspection, page: Page) -> bool:
    """True when the page is blank (later page checks are then pointless)."""
    # Anything clearly darker than the paper counts, even faint or blurred marks.
    share = page.share_below(page.paper - 50)
    if share < MIN_INK_SHARE:
        ins.add(
            Finding(
                "page-blank",
                "error",
                "页面几乎空白，看不到内容。请确认扫描的是正确的一面、原件放置正确后重新上传。",
                CLAUSE_SCAN,
                {"ink_share": round(share, 5)},
            )
        )
        return True
    return False
