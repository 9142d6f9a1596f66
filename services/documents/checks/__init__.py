"""Checks on an uploaded file, one module per check, run in order by `pipeline.inspect`.

Every check adds findings with a stable `code`, a severity (`error` blocks, `warning`
informs) and a Chinese message the applicant can act on, citing the rule it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from PIL import Image

Severity = Literal["error", "warning"]

# 柳州市职称申报注意事项「证明材料」
CLAUSE_SCAN = (
    "原件扫描件，图片为jpg、jpeg格式且不大于512K，必须正面向上、清晰可见"
    "（职称申报注意事项·证明材料）"
)
# 2023 年工艺美术系列职称申报通知「个人信息」(1)
CLAUSE_PHOTO = "本人近期免冠正面彩色证件照，以清晰为准，照片人物不能扭曲变形（申报通知·个人信息）"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    clause: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "clause": self.clause,
            "details": self.details,
        }


@dataclass(frozen=True)
class CheckConfig:
    max_image_pixels: int = 60_000_000
    # Variance of the Laplacian of a scanned page at `page_side` below which it is blurred
    # (photos: their kind's `clarity_min`, at `analysis_side`).
    clarity_threshold: float = 112.0
    analysis_side: int = 800
    page_side: int = 880


@dataclass
class Inspection:
    """What the checks learned about one file."""

    size: int
    mime: str | None = None
    findings: list[Finding] = field(default_factory=list)
    image: Image.Image | None = None  # decoded, EXIF orientation applied
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    orientation: int = 1
    exif_rotated: bool = False
    upright_method: str | None = None
    clarity: float | None = None

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"
