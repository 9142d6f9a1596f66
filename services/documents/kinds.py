"""Material kinds and their upload rules, read from `kinds.yaml` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

_FILE = Path(__file__).with_name("kinds.yaml")


@dataclass(frozen=True)
class KindRules:
    code: str
    name: str
    material: str | None
    types: tuple[str, ...]
    max_bytes: int
    min_width: int
    min_height: int
    scan: bool
    max_pages: int
    max_pdf_bytes: int
    colour: bool
    aspect_min: float | None
    aspect_max: float | None
    clarity_min: float | None

    @property
    def allows_pdf(self) -> bool:
        return "application/pdf" in self.types and self.max_pages > 0


@lru_cache
def all_kinds() -> dict[str, KindRules]:
    raw = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    defaults = raw["defaults"]
    kinds: dict[str, KindRules] = {}
    for code, spec in raw["kinds"].items():
        merged = {**defaults, **spec}
        kinds[code] = KindRules(
            code=code,
            name=merged["name"],
            material=merged.get("material"),
            types=tuple(merged["types"]),
            max_bytes=int(merged["max_bytes"]),
            min_width=int(merged["min_width"]),
            min_height=int(merged["min_height"]),
            scan=bool(merged["scan"]),
            max_pages=int(merged["max_pages"]),
            max_pdf_bytes=int(merged.get("max_pdf_bytes", merged["max_bytes"])),
            colour=bool(merged.get("colour", False)),
            aspect_min=merged.get("aspect_min"),
            aspect_max=merged.get("aspect_max"),
            clarity_min=merged.get("clarity_min"),
        )
    return kinds


def get_kind(code: str) -> KindRules | None:
    return all_kinds().get(code)
