"""Text types for what people read back: names and titles hold no invisible controls.

A name or title is one line of printable text. Control characters (Unicode category Cc,
tab, CR and LF included) and the bidirectional embedding, override and isolate controls
(U+202A–U+202E, U+2066–U+2069) are refused, never stripped: a right-to-left override
makes a stored name read differently on the screen, in a list and in an export than the
characters it holds. Lone surrogates (Cs) cannot be stored; the body check
(kit/limits.py) refuses them in any JSON string, and this type refuses them wherever a
name arrives by another road.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

BIDI_CONTROLS = frozenset((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def invisible_control(value: str) -> str | None:
    """The first control, bidi control or lone surrogate in `value`, as U+XXXX."""
    for ch in value:
        code = ord(ch)
        if code in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            return f"U+{code:04X}"
    return None


def _one_plain_line(value: str) -> str:
    found = invisible_control(value)
    if found:
        raise ValueError(f"不能含控制字符或文字方向控制符（{found}），请删去后重新填写")
    return value


# `name: PlainLine = Field(min_length=1, max_length=50)`: the length limits as before.
PlainLine = Annotated[str, AfterValidator(_one_plain_line)]


def utc_instant(value: datetime) -> str:
    """An aware instant as the API prints every one: UTC with `Z` (2022-07-31T15:59:00Z).

    Pydantic prints a UTC value (what the database returns) this way; an instant that
    kept the zone it was sent in (`+08:00`) is printed in the same form.
    """
    if value.tzinfo is None:
        return value.isoformat()
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# A datetime field answered as `utc_instant` prints it (documented as a date-time still).
UtcInstant = Annotated[
    datetime,
    PlainSerializer(utc_instant, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
