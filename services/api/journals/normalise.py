"""ISSN, CN and journal names in one comparable form."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ISSN = re.compile(r"(?<![0-9])([0-9]{4})\s*[-－‐]?\s*([0-9]{3}[0-9Xx])(?![0-9])")
_CN = re.compile(r"CN\s*[:：]?\s*([0-9]{2})\s*[-－‐]\s*([0-9]{4})", re.IGNORECASE)
_NAME_DROP = re.compile(r"[\s《》<>〈〉\"'“”‘’「」『』()（）\[\]【】·.,，、:：;；!！?？\-－—_/]+")


def issn_check(first7: str) -> str:
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def parse_issn(text: str | None) -> str | None:
    """The first well-formed ISSN (check digit verified) in the text, as `1234-5678`."""
    for m in _ISSN.finditer(unicodedata.normalize("NFKC", text or "")):
        digits = (m.group(1) + m.group(2)).upper()
        if issn_check(digits[:7]) == digits[7]:
            return f"{digits[:4]}-{digits[4:]}"
    return None


def parse_cn(text: str | None) -> str | None:
    """The 国内统一连续出版物号 core `11-1234` (the /class suffix is not compared)."""
    m = _CN.search(unicodedata.normalize("NFKC", text or ""))
    return f"{m.group(1)}-{m.group(2)}" if m else None


def name_key(name: str | None) -> str:
    """Full-width to half-width, case and punctuation folded: 《机械 工程学报》 = 机械工程学报."""
    return _NAME_DROP.sub("", unicodedata.normalize("NFKC", name or "")).lower()


def fingerprint(*parts: str | None) -> str:
    return hashlib.sha256("\x00".join(name_key(p) for p in parts).encode()).hexdigest()
