"""Every material an eligibility answer (or a routing rule) can ask for has a document
kind to upload it as, and every kind's material is one some policy pack asks for (issue:
every material has a producer). The walk goes through the rules engine for each pack ×
level × path × employer type × fact, the way an evaluation picks materials, and through
each pack's routing rules; the HTTP answer is checked to carry the same materials with
their producer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import get_args

import httpx
import pytest

from services.documents.kinds import all_kinds
from services.kit.vocabulary import EmployerType
from services.rules.engine.evaluator import _materials
from services.rules.main import app, registry
from tests.support import AS_GATEWAY_TO_RULES

FACTS = ("exceptional", "dual_directed", "titles")


def _walk() -> dict[str, dict]:
    """material id → {producer, where: [(pack, level, path)]} over every combination."""
    found: dict[str, dict] = {}
    flag_sets = list(itertools.product((False, True), repeat=len(FACTS)))
    for pack in registry.packs:
        for (level_name, level), employer, flags in itertools.product(
            pack.levels.items(), get_args(EmployerType), flag_sets
        ):
            f = SimpleNamespace(employer_type=employer, **dict(zip(FACTS, flags, strict=True)))
            for path in level.paths:
                for m in _materials(level, f, [path.path]):
                    entry = found.setdefault(m["id"], {"producer": m["producer"], "where": []})
                    assert entry["producer"] == m["producer"], m["id"]
                    entry["where"].append((pack.id, level_name, path.path))
        # A routing rule's material (授权或委托函) is asked of the applicant at submission.
        for rule in pack.model.routing:
            if rule.material is not None:
                entry = found.setdefault(rule.material.id, {"producer": "applicant", "where": []})
                assert entry["producer"] == "applicant", rule.material.id
                entry["where"].append((pack.id, "routing", rule.id))
    return found


WALK = _walk()


def test_every_material_a_pack_can_return_has_a_kind() -> None:
    assert len(WALK) >= 25, "the walk found too few materials: has the engine changed?"
    covered = {k.material for k in all_kinds().values() if k.material}
    orphans = {mid: WALK[mid]["where"][0] for mid in WALK if mid not in covered}
    assert not orphans, f"materials without a document kind (first seen at): {orphans}"


def test_every_kind_belongs_to_a_material_some_pack_uses() -> None:
    unused = {
        code: k.material
        for code, k in all_kinds().items()
        if k.material is not None and k.material not in WALK
    }
    assert not unused, f"kinds whose material no pack asks for: {unused}"


def test_the_unit_produces_what_it_records_at_its_step() -> None:
    # 002 二「单位填写注意事项」: 公示情况、答辩情况、审议小组审议推荐建议、基层单位推荐意见 are
    # the unit's; 004 三（一）「用人单位……签署承诺书」.
    unit = {mid for mid, e in WALK.items() if e["producer"] == "unit"}
    assert unit == {
        "defence_record",
        "panel_recommendation",
        "public_posting",
        "unit_recommendation",
        "unit_pledge",
        "dossier",
    }
    # 002 一（二）14「申报正高级工程师的应将个人亲笔签名的承诺书原件扫描上传」: the applicant's own.
    assert WALK["signed_pledge"]["producer"] == "applicant"


@pytest.fixture(scope="module")
async def rules() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://rules.test", auth=AS_GATEWAY_TO_RULES
    ) as c:
        yield c


@pytest.mark.parametrize(
    ("region", "series", "level"),
    [
        ("450200", "engineering", "senior"),
        ("450200", "engineering", "deputy_senior"),
        ("450100", "arts_crafts", "intermediate"),
        ("140400", "engineering", "intermediate"),
    ],
)
async def test_the_eligibility_answer_names_each_materials_producer(
    rules: httpx.AsyncClient, region: str, series: str, level: str
) -> None:
    body = {
        "region": region,
        "series": series,
        "level": level,
        "as_of": "2023-07-31" if series == "arts_crafts" else "2022-07-31",
        "applicant": {
            "employer_type": "public_institution",
            "education": [
                {"level": "bachelor", "related_major": True, "graduated_on": "2005-06-30"}
            ],
            "titles": [],
            "professional_work_since": "2005-07-01",
        },
    }
    r = await rules.post("/v1/evaluate", json=body)
    assert r.status_code == 200, r.text
    materials = r.json()["materials"]
    assert materials
    for m in materials:
        assert m["id"] in WALK
        assert m["producer"] == WALK[m["id"]]["producer"]
        assert any(k.material == m["id"] for k in all_kinds().values())
