"""长治's notice covers only 工程系列 "非建筑、建材、环保专业": a 建筑、建材 or 环保 specialty in
长治 gets neither its committee nor its conditions, but a problem saying so.

003 (长工信〔2022〕139号) 一: "2022年度全市工程系列（非建筑、建材、环保专业）中、初级专业技术职务
评审工作，在市人力资源和社会保障局的管理和指导下，由长治市工程系列（非建筑、建材、环保专业）中、
初级专业技术职务评审委员会具体组织实施。"
"""

from __future__ import annotations

import json

import pytest

from services.rules.main import registry

PROBLEM = "application/problem+json"
TYPE = "urn:zhicheng:problem:specialty-not-in-policy"
CLAUSE = "长工信〔2022〕139号 一"
OUTSIDE = ["建筑工程", "建筑材料", "建材", "环保工程", "环境保护工程", "建筑电气"]

BODY = {
    "region": "140400",
    "series": "engineering",
    "level": "intermediate",
    "as_of": "2022-08-25",
    "applicant": {
        "employer_type": "state_owned",
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2012-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2017-06-01"}],
        "professional_work_since": "2012-07-01",
        "papers": 2,
        "achievements": 1,
        "annual_assessments": [
            {"year": y, "grade": "qualified"} for y in (2018, 2019, 2020, 2021, 2022)
        ],
    },
}


def _assert_out_of_scope(r, specialty: str, field: str = "specialty") -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["type"] == TYPE
    assert f"“{specialty}”" in problem["detail"]
    assert "建筑、建材、环保专业" in problem["detail"]
    assert CLAUSE in problem["detail"]
    assert "未配置" in problem["detail"] and "评委会" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == [field]


@pytest.mark.parametrize("specialty", OUTSIDE)
async def test_changzhi_committee_refuses_building_specialties(client, specialty: str) -> None:
    params = {"region": "140400", "series": "engineering", "specialty": specialty}
    _assert_out_of_scope(await client.get("/v1/committees", params=params), specialty)
    params["level"] = "assistant"
    _assert_out_of_scope(await client.get("/v1/committees", params=params), specialty)


@pytest.mark.parametrize("specialty", OUTSIDE)
async def test_changzhi_evaluation_refuses_building_specialties(client, specialty: str) -> None:
    r = await client.post("/v1/evaluate", json={**BODY, "specialty": specialty})
    _assert_out_of_scope(r, specialty)


async def test_batch_names_the_item_with_the_building_specialty(client) -> None:
    bodies = [{**BODY, "specialty": "机械工程"}, {**BODY, "specialty": "建筑工程"}]
    r = await client.post(
        "/v1/evaluate/batch",
        content=json.dumps(bodies, ensure_ascii=False),
        headers={"content-type": "application/json"},
    )
    _assert_out_of_scope(r, "建筑工程", field="1.specialty")


async def test_other_specialties_keep_the_changzhi_committee(client) -> None:
    for specialty in ("机械工程", "电气工程", None):
        body = {**BODY, "specialty": specialty}
        r = await client.post("/v1/evaluate", json=body)
        assert r.status_code == 200, r.text
        res = r.json()
        assert res["eligible"] is True
        assert res["committee"]["name"] == (
            "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会"
        )
        params = {"region": "140400", "series": "engineering", "level": "intermediate"}
        if specialty:
            params["specialty"] = specialty
        [cz] = (await client.get("/v1/committees", params=params)).json()
        assert cz["code"] == "cz-eng-intermediate-initial"


async def test_liuzhou_building_specialty_is_not_affected(client) -> None:
    params = {
        "region": "450200",
        "series": "engineering",
        "level": "intermediate",
        "industry": "housing_construction",
        "specialty": "建筑工程",
    }
    r = await client.get("/v1/committees", params=params)
    assert r.status_code == 200
    assert [c["name"] for c in r.json()] == ["柳州市建设工程系列中级职称评委会"]


def test_every_out_of_scope_rule_is_the_one_tested_here() -> None:
    """Clause coverage leaves `out_of_scope` to this file: every such rule is checked above."""
    rules = {
        (pack.id, tuple(x.specialty_contains), pack.refs[x.clause])
        for pack in registry.packs
        for x in pack.model.out_of_scope
    }
    assert rules == {("changzhi-engineering-2022", ("建筑", "建材", "环保", "环境保护"), CLAUSE)}
