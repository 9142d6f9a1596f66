"""The specialty catalogue (职称评审专业目录), per series, and the check a declaration's
specialty code passes."""

from __future__ import annotations

from services.api.specialties.problems import SpecialtyUnknown
from services.api.specialties.schemas import SeriesCatalogueRead
from services.kit.specialties import catalogue, find
from services.kit.vocabulary import SERIES_NAMES


def list_catalogue(*, series: str | None) -> list[SeriesCatalogueRead]:
    return [
        SeriesCatalogueRead(
            series=name,
            series_name=SERIES_NAMES[name],
            specialties=[s.model_dump() for s in entries],  # type: ignore[misc]
        )
        for name, entries in catalogue().items()
        if series is None or name == series
    ]


def check(series: str, code: str | None) -> None:
    """A specialty must be a code of the series' catalogue (none given: not yet chosen)."""
    if code is None or find(series, code) is not None:
        return
    listed = catalogue().get(series, [])  # type: ignore[call-overload]
    known = "、".join(f"{s.code}（{s.name}）" for s in listed) or "无（种子文件未列出该系列的专业）"
    raise SpecialtyUnknown(
        f"拟评专业代码“{code[:40]}”不在{SERIES_NAMES.get(series, series)}的职称评审专业目录中，"
        f"请按目录选择（GET /v1/specialties）；目录现有：{known}。"
        "依据柳州工程系列2022申报培训 二（一）：“申报人应根据自己所从事的专业技术工作按照"
        "职称评审专业目录正确选择拟评专业。”",
        series=series,
    )


def name_of(series: str, code: str | None) -> str | None:
    """The Chinese name of a catalogue code (what the eligibility contract's `specialty`
    carries); a code the catalogue no longer lists passes through unchanged."""
    if code is None:
        return None
    found = find(series, code)
    return found.name if found else code
