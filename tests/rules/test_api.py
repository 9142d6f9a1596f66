"""The HTTP surface: problems for bad input, the batch endpoint, policies and committees."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.rules.judge import load_cases, request_json
from tests.support import EVALUATE_CASE

CASES = load_cases()
PROBLEM = "application/problem+json"
BASE = EVALUATE_CASE


def body(**changes) -> dict:
    out = json.loads(json.dumps(BASE))
    applicant = changes.pop("applicant", {})
    out.update(changes)
    out["applicant"].update(applicant)
    return out


def fields(r) -> set[str]:
    return {e["field"] for e in r.json()["errors"]}


async def test_evaluate_answers_the_contract_shape(client) -> None:
    r = await client.post("/v1/evaluate", json=BASE)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-request-id"]
    res = r.json()
    assert list(res) == [
        "eligible", "policy", "blockers", "paths", "earliest_on", "committee", "fee_yuan",
        "materials",
    ]  # fmt: skip
    assert res["policy"]["id"] == "guangxi-engineering-2022"
    assert "桂人社规〔2021〕11号" in res["policy"]["documents"]
    known = {
        "normal", "direct", "high_skill", "former_civil_servant", "engineering_master_early",
        "dual_directed", "series_transfer", "exceptional",
    }  # fmt: skip
    assert {p["path"] for p in res["paths"]} == known
    for p in res["paths"]:
        assert set(p) == {"path", "eligible", "earliest_on", "conditions"}
        for c in p["conditions"]:
            # The contract's fields, and the one added: who judges a condition a person must.
            assert set(c) - {"decided_by"} == {
                "id",
                "met",
                "clause",
                "message",
                "required",
                "actual",
            }
            assert c["clause"] and c["message"]
            if "decided_by" in c:
                assert c["met"] is None and set(c["decided_by"]) == {"level", "named", "basis"}
    normal = next(p for p in res["paths"] if p["path"] == "normal")
    seniority = next(c for c in normal["conditions"] if c["id"] == "seniority_after_lower_title")
    assert seniority["required"] == 4 and seniority["actual"] == 4.58
    assert seniority["message"] == "取得助理工程师后须满4年，现满4年7个月，已满足"
    assert set(res["committee"]) == {"code", "name", "office"}


async def test_no_policy_is_a_422_problem_in_chinese_and_english(client) -> None:
    r = await client.post("/v1/evaluate", json=body(region="430100"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    p = r.json()
    assert p["type"] == "urn:zhicheng:problem:no-policy"
    assert "没有适用的政策：湖南 工程系列 2022年" in p["detail"]
    assert p["detail_en"].startswith("no policy for 湖南 engineering 2022")
    assert {"region", "series", "as_of"} <= fields(r)


async def test_no_policy_for_a_year_the_packs_do_not_cover(client) -> None:
    r = await client.post("/v1/evaluate", json=body(series="arts_crafts"))
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:no-policy"


async def test_level_outside_the_pack_is_a_422_problem(client) -> None:
    r = await client.post("/v1/evaluate", json=body(region="140400", level="deputy_senior"))
    assert r.status_code == 422
    p = r.json()
    assert p["type"] == "urn:zhicheng:problem:level-not-in-policy"
    assert "不涵盖副高级" in p["detail"]
    assert fields(r) == {"level"}


async def test_as_of_defaults_to_today_in_china(client) -> None:
    # A pack stays in force until a later one of the same scope replaces it: today, years
    # after 2022, the 2022 广西 engineering rules still answer (no later pack exists).
    without = body()
    del without["as_of"]
    r = await client.post("/v1/evaluate", json=without)
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    assert today > date(2023, 12, 31)
    assert r.status_code == 200, r.text
    assert r.json()["policy"]["id"] == "guangxi-engineering-2022"
    # Before the pack came into force there is none: 2021 is refused.
    r = await client.post("/v1/evaluate", json=body(as_of="2021-12-31"))
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:no-policy"
    assert "2021年" in r.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field", "zh"),
    [
        ({"series": "economics"}, "series", "取值不在允许范围内"),
        ({"level": "professor"}, "level", "取值不在允许范围内"),
        ({"as_of": "2022/07/31"}, "as_of", "日期格式应为 YYYY-MM-DD"),
        ({"as_of": "2022-02-30"}, "as_of", "日期格式应为 YYYY-MM-DD"),
        ({"as_of": 1659225600}, "as_of", "日期格式应为 YYYY-MM-DD"),
        ({"region": "4502"}, "region", "格式不正确"),
        ({"county": "140421"}, "county", "不是 450200 下辖的县（区）"),
        ({"colour": "red"}, "colour", "不认识的字段"),
        ({"applicant": {"papers": -1}}, "applicant.papers", "数值不能小于下限"),
        ({"applicant": {"poverty_county_years": -0.5}}, "applicant.poverty_county_years", "下限"),
        (
            {"applicant": {"social_insurance_months": -3}},
            "applicant.social_insurance_months",
            "下限",
        ),
        ({"applicant": {"retired": "yes"}}, "applicant.retired", "应为 true 或 false"),
        ({"applicant": {"employer_type": "ngo"}}, "applicant.employer_type", "允许"),
        (
            {"applicant": {"education": [{"level": "phd"}]}},
            "applicant.education.0.level",
            "取值不在允许范围内",
        ),
        (
            {"applicant": {"titles": [{"series": "engineering", "level": "assistant"}]}},
            "applicant.titles.0.obtained_on",
            "缺少必填字段",
        ),
        (
            {"applicant": {"annual_assessments": [{"year": 2021, "grade": "qualified"}] * 2}},
            "applicant.annual_assessments",
            "年度考核年份重复：2021",
        ),
        (
            {"applicant": {"sanctions": [{"kind": "warning", "until": "2023-01-01"}]}},
            "applicant.sanctions.0.kind",
            "取值不在允许范围内",
        ),
    ],
)
async def test_bad_input_is_a_422_problem_naming_the_field(client, changes, field, zh) -> None:
    r = await client.post("/v1/evaluate", json=body(**changes))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    p = r.json()
    assert p["type"] == "urn:zhicheng:problem:validation-error"
    assert field in p["detail"] and field in p["detail_en"]
    item = next(e for e in p["errors"] if e["field"] == field)
    assert zh in item["message"], item
    assert item["message_en"]


async def test_batch_keeps_order_and_matches_single_evaluations(client) -> None:
    bodies = [json.loads(request_json(c)) for c in CASES]
    r = await client.post("/v1/evaluate/batch", json=bodies)
    assert r.status_code == 200
    results = r.json()
    assert len(results) == len(bodies)
    for case, res in zip(CASES[::7], results[::7], strict=True):
        single = (await client.post("/v1/evaluate", json=json.loads(request_json(case)))).json()
        for p in single["paths"]:
            del p["conditions"]
        assert res == single, case["id"]
    assert all("conditions" not in p for res in results for p in res["paths"])


async def test_batch_explain_includes_the_conditions(client) -> None:
    bodies = [json.loads(request_json(c)) for c in CASES[:20]]
    r = await client.post("/v1/evaluate/batch", params={"explain": "true"}, json=bodies)
    assert r.status_code == 200
    for case, res in zip(CASES[:20], r.json(), strict=True):
        single = (await client.post("/v1/evaluate", json=json.loads(request_json(case)))).json()
        assert res == single


async def test_batch_of_more_than_10000_is_refused(client) -> None:
    r = await client.post("/v1/evaluate/batch", json=[BASE] * 10_001)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith(PROBLEM)
    p = r.json()
    assert p["type"] == "urn:zhicheng:problem:batch-too-large"
    assert "10000" in p["detail"] and "10001" in p["detail"]


async def test_batch_of_exactly_10000_is_served(client) -> None:
    r = await client.post("/v1/evaluate/batch", json=[BASE] * 10_000)
    assert r.status_code == 200
    assert len(r.json()) == 10_000


async def test_batch_names_the_bad_item(client) -> None:
    items = [BASE, BASE, BASE, body(applicant={"papers": -1})]
    r = await client.post("/v1/evaluate/batch", json=items)
    assert r.status_code == 422
    assert fields(r) == {"3.applicant.papers"}
    r = await client.post("/v1/evaluate/batch", json=[BASE, body(region="430100")])
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:no-policy"
    assert "1.region" in fields(r)


@pytest.mark.parametrize("payload", [b"{}", b"[1, 2]", b"not json", b""])
async def test_batch_rejects_what_is_not_a_list_of_bodies(client, payload) -> None:
    r = await client.post(
        "/v1/evaluate/batch", content=payload, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_empty_batch_is_an_empty_list(client) -> None:
    r = await client.post("/v1/evaluate/batch", json=[])
    assert r.status_code == 200 and r.json() == []


async def test_policies_list_and_detail(client) -> None:
    r = await client.get("/v1/policies")
    assert r.status_code == 200
    listed = {p["id"]: p for p in r.json()}
    assert set(listed) == {
        "guangxi-engineering-2022",
        "changzhi-engineering-2022",
        "guangxi-arts-crafts-2023",
    }
    gx = listed["guangxi-engineering-2022"]
    assert gx["in_force_from"] == "2022-01-01" and gx["replaced_on"] is None
    assert gx["valid_to"] is None
    assert gx["in_force_basis"] == "柳州工程系列2022申报培训 一 研读通知"
    assert listed["guangxi-arts-crafts-2023"]["in_force_from"] == "2023-07-20"
    r = await client.get(
        "/v1/policies", params={"region": "450200", "series": "engineering", "as_of": "2026-03-01"}
    )
    assert [p["id"] for p in r.json()] == ["guangxi-engineering-2022"]
    r = await client.get(
        "/v1/policies", params={"region": "450000", "series": "arts_crafts", "as_of": "2023-07-19"}
    )
    assert r.json() == []
    assert listed["changzhi-engineering-2022"]["levels"] == [
        "intermediate",
        "assistant",
        "technician",
    ]
    r = await client.get("/v1/policies/guangxi-arts-crafts-2023")
    pack = r.json()
    assert pack["fees"]["deputy_senior"]["yuan"] == 380
    assert any("桂职办〔2022〕45号" in n for n in pack["notes"])
    clause = pack["clauses"]["a-fee"]
    assert clause["ref"] == "桂工信职办〔2023〕6号 六（一）"
    assert "正高级工艺美术师评审收费450元" in clause["text"]
    cz = (await client.get("/v1/policies/changzhi-engineering-2022")).json()
    assert cz["seniority_cutoff"]["rule"] == "year_end"
    assert "2018年12月31日前聘任助理级" in cz["clauses"]["cz-cutoff"]["text"]


async def test_unknown_policy_is_a_404_problem(client) -> None:
    r = await client.get("/v1/policies/hunan-engineering-2022")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["type"] == "urn:zhicheng:problem:policy-not-found"


async def test_committees_resolve_like_evaluate(client) -> None:
    r = await client.get("/v1/committees", params={"region": "450200", "series": "engineering"})
    assert r.status_code == 200
    by_level = {c["levels"][0]: c for c in r.json()}
    assert by_level["senior"]["name"] == "广西壮族自治区正高级工程师评审委员会"
    assert by_level["intermediate"]["name"] == "工程系列柳州市中级评委会"
    assert by_level["technician"]["name"] == "工程系列柳州市初级评委会"
    params = {
        "region": "450200",
        "series": "engineering",
        "level": "deputy_senior",
        "industry": "automotive",
        "specialty": "机械工程",
        "as_of": "2022-07-31",
    }
    [auto] = (await client.get("/v1/committees", params=params)).json()
    assert auto["name"] == "工程系列柳州汽车产业副高级评委会"
    assert auto["clause"].startswith("柳州工程系列2022申报培训")
    params = {"region": "450200", "series": "engineering", "level": "intermediate",
              "industry": "housing_construction"}  # fmt: skip
    [housing] = (await client.get("/v1/committees", params=params)).json()
    assert housing["name"] == "柳州市建设工程系列中级职称评委会"
    assert "2816758" in housing["office"]
    params = {"region": "450200", "county": "450223", "series": "engineering", "level": "assistant"}
    [luzhai] = (await client.get("/v1/committees", params=params)).json()
    assert luzhai["name"] == "鹿寨县工程系列初级职称评审委员会"
    [cz] = (
        await client.get(
            "/v1/committees",
            params={"region": "140400", "series": "engineering", "level": "assistant"},
        )
    ).json()
    assert cz["name"].startswith("长治市工程系列（非建筑、建材、环保专业）")
    arts = await client.get(
        "/v1/committees",
        params={"region": "450100", "series": "arts_crafts", "level": "intermediate"},
    )
    # 桂工信职办〔2023〕6号 二（一）1（2）: “其他具备工艺美术系列职称评审权限的评委会，具体请
    # 查阅评委会所在职改办印发的相关通知部署文件。” One committee stands for them; the seeds
    # name no office (the campaign's committee office in the org tree is the one).
    [other] = arts.json()
    assert other["code"] == "gx-arts-intermediate-and-below"
    assert other["office"] is None
    assert other["clause"].endswith("二（一）1（2）")


@pytest.mark.parametrize(
    "params",
    [
        {"region": "430100", "series": "engineering"},
        {"region": "450200", "series": "engineering", "level": "chief"},
        {"region": "45", "series": "engineering"},
        {"series": "engineering"},
    ],
)
async def test_committees_bad_query_is_a_422_problem(client, params) -> None:
    r = await client.get("/v1/committees", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
