"""Routing rules (the chain each declaration takes) as the eligibility service answers
them at POST /v1/route: each rule's clause is the seed's sentence, and each applies to
the declarations its sentence names and to no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.kit.specialties import catalogue
from services.rules.engine.packs import POLICY_DIR, Registry, build_pack
from services.rules.main import registry
from services.rules.schemas import RouteRequest
from services.rules.service import EligibilityService
from tests.conftest import ROOT

# The seeds sit beside the checkout (shared/seeds/), or one level further up.
SEED_DIRS = [ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds"]


def _flat(text: str) -> str:
    """The words only: no whitespace, and a link's text without its target ([函](#))."""
    return re.sub(r"\s+", "", re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text))


def seed_text(seed: str) -> str | None:
    for folder in SEED_DIRS:
        for path in Path(folder).glob(f"{seed}_*.txt"):
            return _flat(path.read_text(encoding="utf-8"))
    return None


def routing_clauses() -> list[tuple[str, str, str]]:
    """(pack, clause key, seed) of every clause a routing rule or routing basis cites."""
    out = []
    for pack in registry.packs:
        m = pack.model
        keys = {r.clause for r in m.routing} | ({m.routing_basis} if m.routing_basis else set())
        docs = {d.id: d.seed for d in m.documents}
        out += [(pack.id, k, docs[m.clauses[k].document]) for k in sorted(keys)]
    return out


@pytest.mark.parametrize(("pack_id", "key", "seed"), routing_clauses())
def test_each_routing_clause_quotes_its_seed(pack_id: str, key: str, seed: str) -> None:
    text = seed_text(seed)
    if text is None:
        pytest.skip("the seeds are not beside this checkout")
    clause = registry.by_id[pack_id].model.clauses[key].text
    assert _flat(clause) in text, (pack_id, key)


@pytest.mark.parametrize(
    ("series", "code"), [(s, x.code) for s, xs in catalogue().items() for x in xs]
)
def test_each_catalogue_entry_quotes_its_seed(series: str, code: str) -> None:
    entry = next(x for x in catalogue()[series] if x.code == code)  # type: ignore[index]
    text = seed_text(entry.source.seed)
    if text is None:
        pytest.skip("the seeds are not beside this checkout")
    assert _flat(entry.source.text) in text
    assert entry.name in entry.source.text


LZ = {"region": "450200", "series": "engineering", "as_of": "2022-07-31"}
GX_ARTS = {"region": "450100", "series": "arts_crafts", "as_of": "2023-07-31"}


async def _route(client, **body) -> dict:
    r = await client.post("/v1/route", json=body)
    assert r.status_code == 200, r.text
    return r.json()


# 002 二★: “三江县、融水县申报人选择“双定向”申报的，还必须经过县工信部门（县科工贸局）。”
async def test_dual_directed_in_sanjiang_passes_the_county_industry_office(client) -> None:
    got = await _route(client, **LZ, county="450226", level="intermediate", path="dual_directed")
    [step] = got["steps"]
    assert (step["kind"], step["duty"], step["action"]) == ("county_office", "industry", "审核")
    assert "还必须经过县工信部门（县科工贸局）" in step["clause"]["text"]
    # Not on the normal path, and not in a county the sentence does not name.
    assert (await _route(client, **LZ, county="450226", level="intermediate"))["steps"] == []
    other = await _route(client, **LZ, county="450206", level="intermediate", path="dual_directed")
    assert other["steps"] == []


# 000 三（三）: “申报工程系列住建行业、自然资源行业所列专业中、初级职称……相应选择柳州市建设工程
# 系列中级职称评委会”; the other industries go to the 经济 series office.
async def test_liuzhou_series_office_follows_the_industry(client) -> None:
    housing = await _route(client, **LZ, level="intermediate", industry="housing_construction")
    assert housing["committee"]["code"] == "lz-construction-intermediate"
    assert housing["series_office"]["duty"] == "construction"
    assert "住建行业、自然资源行业" in housing["series_office"]["clause"]["text"]
    auto = await _route(client, **LZ, level="intermediate", industry="automotive")
    assert auto["committee"]["code"] == "lz-eng-intermediate"
    assert auto["series_office"]["duty"] == "economic"


# 003 四（三）: “各县、区申报中级的，经市级人社部门备案后报送中级评委会。市直单位申报中级的，经市级
# 人社部门审核后报中级评委会”.
async def test_changzhi_intermediate_goes_through_the_city_hrss(client) -> None:
    cz = {"region": "140400", "series": "engineering", "as_of": "2022-07-31"}
    county = await _route(client, **cz, county="140423", level="intermediate")
    assert (county["series_office"]["duty"], county["series_office"]["action"]) == ("hrss", "备案")
    assert "经市级人社部门备案后报送中级评委会" in county["series_office"]["clause"]["text"]
    assert [s["duty"] for s in county["steps"]] == ["industry"]
    city = await _route(client, **cz, level="intermediate")
    assert (city["series_office"]["duty"], city["series_office"]["action"]) == ("hrss", "审核")
    assert city["steps"] == []
    # 初级: 由主管单位人事部门审核后报初级评委会 — no city hrss step.
    assert (await _route(client, **cz, county="140423", level="assistant"))["series_office"] is None


# 000 三（四）: “中直驻柳单位或外市单位驻柳分支机构……需出具授权或委托函报送柳州市职改办。”
# 004 二（一）4: “中直驻桂单位或外省单位驻桂分支机构……出具授权或委托函”.
@pytest.mark.parametrize(
    ("where", "affiliation", "wanted"),
    [
        (LZ, "central", True),
        (LZ, "out_of_city", True),
        (LZ, None, False),
        (GX_ARTS, "central", True),
        (GX_ARTS, "out_of_city", False),
    ],
)
async def test_an_external_unit_needs_a_letter(client, where, affiliation, wanted) -> None:
    got = await _route(client, **where, level="deputy_senior", affiliation=affiliation)
    ids = [m["id"] for m in got["materials"]]
    assert ids == (["authorization_letter"] if wanted else [])
    if wanted:
        assert "授权或委托函" in got["materials"][0]["clause"]["text"]


# 000 三（四）: “如选择自治区民营企业相关评委会评审的，需经柳州市职改办审核推荐。” The seeds name
# no such committee (name, levels, office), so the shipped pack configures none; the rule's
# shape is checked on a pack given one, as an office configuring it would.
PRIVATE = "民营企业申报同系列职称人员需统一申报途径，一般在劳动关系所在企业注册地参加职称评审。如选择自治区民营企业相关评委会评审的，需经柳州市职改办审核推荐。"  # noqa: E501


def test_a_private_employer_to_the_regions_private_committee_is_recommended_by_the_city() -> None:
    if (text := seed_text("000")) is not None:
        assert _flat(PRIVATE) in text
    path = POLICY_DIR / "guangxi-engineering-2022.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["clauses"]["r-private"] = {
        "document": "lz-training-2022",
        "point": "三（四）申报途径·民营企业",
        "text": PRIVATE,
    }
    committee = {
        "code": "gx-private-configured",
        "name": "自治区民营企业相关评委会（由职改办配置）",
        "clause": "r-private",
        "levels": ["deputy_senior"],
        "regions": ["450200"],
        "industries": ["other"],
        "office": None,
    }
    raw["committees"] = [committee, *raw["committees"]]
    raw["routing"].append(
        {
            "id": "private-city-recommendation",
            "label": "民营企业选择自治区民营企业相关评委会的，须经柳州市职改办审核推荐",
            "clause": "r-private",
            "employer_types": ["private"],
            "committees": ["gx-private-configured"],
            "step": {
                "kind": "series_office",
                "duty": "city_title_office",
                "name": "柳州市职改办",
                "action": "审核推荐",
            },
        }
    )
    others = [p for p in registry.packs if p.id != raw["id"]]
    service = EligibilityService(Registry([build_pack(raw, path.name), *others]))
    ask = {**LZ, "level": "deputy_senior", "industry": "other"}
    private = service.route(RouteRequest(**ask, employer_type="private"))
    assert private["committee"]["code"] == "gx-private-configured"
    office = private["series_office"]
    assert (office["duty"], office["action"]) == ("city_title_office", "审核推荐")
    assert "需经柳州市职改办审核推荐" in office["clause"]["text"]
    state = service.route(RouteRequest(**ask, employer_type="state_owned"))
    assert state["series_office"] is None
