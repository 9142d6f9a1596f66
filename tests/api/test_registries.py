"""Data sharing (桂工信职办〔2023〕6号 二（二）1（3）–（6）): the declaration is filled from
the registries, verified facts replace uploads and drive eligibility; a registry that is
slow, failing or unreachable leaves the upload required and loses nothing."""

from __future__ import annotations

import asyncio
import socket
import uuid

import asyncpg
import pytest
from redis.asyncio import Redis

from tests.api.factories import (
    answer_incomplete,
    as_read,
    auth,
    post,
    submission,
    token,
)
from tests.api.registries.fake import SLOW_SECONDS, FakeRegistries, Person
from tests.api.registries.helpers import (
    ARTS_FACTS,
    arts_crafts_2023,
    arts_person,
    arts_sections,
    draft,
    full_person,
    gateway,
    known_applicant,
    new_id_number,
    private_sections,
    private_unit,
    register_identity,
    unit_of,
)
from tests.conftest import Stack

REPLACED = {"chsi_education_check", "title_certificate", "social_insurance_record"}
# What the applicant typed: a wrong date for the intermediate title (too recent for 副高).
TYPED_FACTS = {
    "employer_type": "private",
    "titles": [{"series": "engineering", "level": "intermediate", "obtained_on": "2021-05-01"}],
    "professional_work_since": "2009-07-01",
}


@pytest.fixture(scope="module")
def fake():
    registries = FakeRegistries().start()
    yield registries
    registries.stop()


@pytest.fixture(autouse=True)
def _reset(fake: FakeRegistries):
    fake.reset()


async def _errors(client, url: str, applicant: str) -> list[dict]:
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 422, r.text
    return r.json()["errors"]


async def _attach_and_submit(client, url: str, applicant: str, errors: list[dict]):
    """Upload what the submission still asks for (materials, each entry's evidence),
    then submit."""
    did = url.rsplit("/", 1)[-1]
    await answer_incomplete(client, did, applicant, errors)
    return await submission(client, url + "/submissions", applicant)


async def test_found_everywhere_needs_no_upload_and_eligibility_uses_verified_facts(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    async with gateway(stack, urls, fake) as client:
        tree, unit, campaign = await private_unit(client, "共享甲")
        applicant, number = await known_applicant(
            client, fake, full_person("覃工", unit["credit_code"], unit["name"])
        )
        did = await draft(
            client, applicant, tree, campaign, private_sections(unit["name"]), TYPED_FACTS
        )
        url = f"/v1/declarations/{did}"

        # Before the lookup, the typed facts make it ineligible and every upload is asked for.
        errors = await _errors(client, url, applicant)
        asked = {e.get("material_id") for e in errors}
        assert {"chsi_education_check", "social_insurance_record"} <= asked
        assert any(e["kind"] == "eligibility" for e in errors)

        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        out = r.json()
        assert {x["registry"]: x["status"] for x in out["registries"]} == {
            "education": "found",
            "titles": "found",
            "continuing_education": "found",
            "social_insurance": "found",
        }
        assert all(x["verified"] and x["upload_required"] is None for x in out["registries"])
        assert set(out["prefilled"]) == {
            "education",
            "current_title",
            "continuing_education",
            "social_insurance",
        }
        assert REPLACED | {"education_proof", "continuing_education"} == set(
            out["waived_materials"]
        )
        assert out["facts"]["social_insurance_months"] == 24
        assert {"series": "engineering", "level": "intermediate", "obtained_on": "2017-05-01",
                "region": "450000"} in out["facts"]["titles"]  # fmt: skip
        assert out["facts"]["education"][0]["level"] == "master"
        assert out["warnings"] == []

        got = (await client.get(url, headers=auth(applicant))).json()
        assert got["version"] == out["version"] == 2
        assert got["sections"]["current_title"] == {
            "series": "engineering",
            "level": "intermediate",
            "title_name": "工程师",
            "obtained_on": "2017-05-01",
            "certificate_no": "GX2017-0001",
        }
        assert got["sections"]["continuing_education"] == {
            "public_course_year": 2022,
            "public_course_passed": True,
            "industry_hours": 64,
        }
        assert got["sections"]["social_insurance"] == {"months": 24, "employer_matches": True}
        assert got["sections"]["education"][0]["school"] == "广西大学"

        # The applicant types the wrong date again: the verified one still decides.
        bad = {"applicant_facts": TYPED_FACTS}
        r = await client.patch(url, json=bad, headers=auth(applicant, **{"If-Match": '"2"'}))
        assert r.status_code == 200, r.text
        errors = await _errors(client, url, applicant)
        asked = {e.get("material_id") for e in errors}
        assert not (REPLACED & asked), asked
        assert not [e for e in errors if e["kind"] in ("eligibility", "section")], errors
        r = await _attach_and_submit(client, url, applicant, errors)
        assert r.status_code == 200, r.text
        submitted = r.json()
        assert submitted["status"] == "unit_review"
        assert submitted["eligibility"]["eligible"] is True
        assert submitted["applicant_facts"]["social_insurance_months"] == 24
        assert {"series": "engineering", "level": "intermediate", "obtained_on": "2017-05-01",
                "region": "450000"} in submitted["applicant_facts"]["titles"]  # fmt: skip
        assert not REPLACED & {a["kind"] for a in submitted["attachments"]}

        # Stored: source and time of each answer, never the ID number in clear.
        conn = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            rows = await conn.fetch(
                "SELECT * FROM api.registry_lookup WHERE declaration_id = $1", uuid.UUID(did)
            )
        finally:
            await conn.close()
        assert len(rows) == 4
        assert all(r["verified_at"] and r["source"].endswith("@127.0.0.1") for r in rows)
        assert all(number not in str(dict(r)) for r in rows)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_registries_down_the_declaration_goes_ahead_on_uploads_with_warnings(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}/social_insurance"
    async with gateway(stack, urls, fake, registry_social_insurance_url=dead) as client:
        tree, unit, campaign = await private_unit(client, "共享乙")
        applicant, _ = await known_applicant(
            client, fake, full_person("覃工", unit["credit_code"], unit["name"])
        )
        typed = private_sections(
            unit["name"],
            education=[{"level": "master", "school": "广西大学", "major": "机械工程",
                        "graduated_on": "2009-06-30"}],
            current_title={"series": "engineering", "level": "intermediate",
                           "title_name": "工程师", "obtained_on": "2017-05-01"},
            continuing_education={"public_course_year": 2022, "public_course_passed": True},
            social_insurance={"months": 24},
        )  # fmt: skip
        facts = {
            **TYPED_FACTS,
            "education": [{"level": "master", "related_major": True, "graduated_on": "2009-06-30"}],
            "titles": [{"series": "engineering", "level": "intermediate",
                        "obtained_on": "2017-05-01"}],
            "social_insurance_months": 24,
        }  # fmt: skip
        did = await draft(client, applicant, tree, campaign, typed, facts)
        url = f"/v1/declarations/{did}"
        before = (await client.get(url, headers=auth(applicant))).json()

        fake.modes.update(education="slow", titles="error", continuing_education="garbage")
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        out = r.json()
        assert {x["status"] for x in out["registries"]} == {"unavailable"}
        assert out["waived_materials"] == [] and out["prefilled"] == []
        assert len(out["warnings"]) == 4
        assert any("查询超时" in w for w in out["warnings"])
        assert any("无法连接" in w for w in out["warnings"])
        assert all("请上传" in x["warning"] for x in out["registries"])
        # Nothing the applicant typed was touched.
        after = (await client.get(url, headers=auth(applicant))).json()
        assert after["sections"] == before["sections"]
        assert after["applicant_facts"] == before["applicant_facts"]
        assert after["version"] == before["version"]

        errors = await _errors(client, url, applicant)
        assert {e.get("material_id") for e in errors} >= REPLACED
        r = await _attach_and_submit(client, url, applicant, errors)
        assert r.status_code == 200, r.text
        assert r.json()["eligibility"]["eligible"] is True
        assert {a["kind"] for a in r.json()["attachments"]} >= REPLACED


async def test_a_failed_refresh_keeps_what_was_verified_and_answers_come_from_the_cache(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    async with gateway(stack, urls, fake) as client:
        tree, unit, campaign = await private_unit(client, "共享丙")
        applicant, number = await known_applicant(
            client, fake, full_person("覃工", unit["credit_code"], unit["name"], months=8)
        )
        did = await draft(
            client, applicant, tree, campaign, private_sections(unit["name"]), TYPED_FACTS
        )
        url = f"/v1/declarations/{did}"
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200 and r.json()["facts"]["social_insurance_months"] == 8
        assert fake.count("titles") == 1

        # Again: every answer from the cache, no registry asked; the keys hide the number.
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200
        assert len(fake.calls) == 4
        assert all(x["verified_source"].endswith("(cache)") for x in r.json()["registries"])
        redis = Redis.from_url(stack.redis_url)
        try:
            keys = [k.decode() async for k in redis.scan_iter("registry:*")]
            assert len(keys) >= 4 and not any(number in k for k in keys)
            # The registries go down and the cache expires: the last good answer stays.
            await redis.delete(*keys)
        finally:
            await redis.aclose()
        fake.modes.update({n: "error" for n in ("education", "titles", "social_insurance")})
        fake.modes["continuing_education"] = "slow"
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        out = r.json()
        assert {x["status"] for x in out["registries"]} == {"unavailable"}
        assert all(x["verified"] and x["data"] for x in out["registries"])
        assert set(out["waived_materials"]) >= REPLACED
        assert out["facts"]["social_insurance_months"] == 8
        got = (await client.get(url, headers=auth(applicant))).json()
        assert got["sections"]["current_title"]["obtained_on"] == "2017-05-01"
        listed = (await client.get(url + "/lookups", headers=auth(applicant))).json()
        assert [x["status"] for x in listed] == ["unavailable"] * 4
        assert all(x["verified_at"] for x in listed)


async def test_not_found_leaves_the_uploads_required(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    async with gateway(stack, urls, fake, registry_titles_key="wrong") as client:
        tree, unit, campaign = await private_unit(client, "共享丁")
        # Known to social insurance only; 学信网 wants the name too, and it differs.
        applicant, _ = await known_applicant(
            client,
            fake,
            Person(
                name="别人",
                degrees=full_person("别人", "", "").degrees,
                records=full_person("", unit["credit_code"], unit["name"], months=7).records,
            ),
        )
        typed = {
            **TYPED_FACTS,
            "education": [{"level": "master", "related_major": True, "graduated_on": "2009-06-30"}],
            "titles": [{"series": "engineering", "level": "intermediate",
                        "obtained_on": "2017-05-01"}],
        }  # fmt: skip
        did = await draft(client, applicant, tree, campaign, private_sections(unit["name"]), typed)
        url = f"/v1/declarations/{did}"
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        by = {x["registry"]: x for x in r.json()["registries"]}
        assert by["education"]["status"] == "not_found"
        assert "学历证书" in by["education"]["upload_required"]
        assert by["continuing_education"]["status"] == "not_found"
        assert by["titles"]["status"] == "unavailable"  # our key refused
        assert "接口认证失败" in by["titles"]["warning"]
        assert by["social_insurance"]["status"] == "found"
        assert r.json()["facts"]["social_insurance_months"] == 7
        assert any("未在共享数据中查到" in w for w in r.json()["warnings"])
        errors = await _errors(client, url, applicant)
        asked = {e.get("material_id") for e in errors}
        assert {"chsi_education_check", "title_certificate"} <= asked
        assert "social_insurance_record" not in asked


async def test_lookups_need_the_owner_a_real_name_and_an_editable_draft(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    async with gateway(stack, urls, fake) as client:
        tree, unit, campaign = await private_unit(client, "共享戊")
        applicant = token("applicant")
        did = await draft(
            client, applicant, tree, campaign, private_sections(unit["name"]), TYPED_FACTS
        )
        url = f"/v1/declarations/{did}/lookups"
        r = await post(client, url, applicant)
        assert r.status_code == 409
        assert r.json()["type"] == "urn:zhicheng:problem:identity-required"
        assert fake.calls == []
        r = await post(client, url, token("applicant"))
        assert r.status_code == 404
        r = await post(client, url, tree.tokens["unit_reviewer"])
        assert r.status_code == 404  # a draft is invisible to the unit
        r = await client.get(url, headers=auth(applicant))
        assert r.status_code == 200 and {x["status"] for x in r.json()} == {"not_checked"}


def test_social_insurance_months_count_back_from_last_month_and_stop_at_a_gap() -> None:
    from datetime import date

    from services.api.registries.facts import consecutive_months

    unit, other = "91450200MA5K000001", "91450200MA5K000002"
    records = [
        {"month": m, "unit_credit_code": unit, "paid": True}
        for m in ("2023-01", "2023-02", "2023-04", "2023-05", "2023-06", "2023-07")
    ] + [
        {"month": "2023-08", "unit_credit_code": unit, "paid": True},  # this month: not counted
        {"month": "2023-03", "unit_credit_code": other, "paid": True},
    ]
    assert consecutive_months(records, unit, date(2023, 8, 15)) == 4  # 2023-04 … 2023-07
    assert consecutive_months(records, unit, date(2024, 1, 1)) == 0  # 2023-12 unpaid
    assert consecutive_months(records, other, date(2023, 4, 1)) == 1
    unpaid = [{**r, "paid": False} for r in records]
    assert consecutive_months(unpaid, unit, date(2023, 8, 15)) == 0


def test_consistency_warnings_cite_the_rule_and_an_explanation_silences_the_unit_change() -> None:
    from datetime import date

    from services.api.registries.consistency import check

    unit, other = "91450200MA5K000001", "91450200MA5K000002"
    records = [
        {"month": f"2023-{m:02d}", "unit_credit_code": other, "unit_name": "柳州某科技公司",
         "paid": True} for m in range(1, 5)
    ] + [
        {"month": f"2023-{m:02d}", "unit_credit_code": unit, "unit_name": "柳州某机械厂",
         "paid": True} for m in range(5, 8)
    ]  # fmt: skip
    history = [{"start_on": "2015-07-01", "employer": "柳州某机械厂", "work": "设计"}]
    sections = {"basic_info": {"employer_type": "private"}, "main_experience": history}
    args = {"credit_code": unit, "unit_name": "柳州某机械厂", "today": date(2023, 8, 10)}
    found = check(records=records, sections=sections, attachments=[], **args)
    assert [w.id for w in found] == ["work_history_mismatch", "unit_change_unexplained"]
    assert "2023-01至2023-04" in found[0].message and "柳州某科技公司" in found[0].message
    assert "社保缴费记录一致" in found[0].clause and "6个月内" in found[1].clause
    explained = {**sections, "social_insurance": {"months": 3, "note": "2023年5月调入"}}
    found = check(records=records, sections=explained, attachments=[], **args)
    assert [w.id for w in found] == ["work_history_mismatch"]
    attached = [{"kind": "unit_change_explanation"}]  # only the material is read here
    found = check(records=records, sections=sections, attachments=attached, **args)
    assert [w.id for w in found] == ["work_history_mismatch"]

    freelancer = {"basic_info": {"employer_type": "freelancer"}, "main_experience": []}
    found = check(records=records, sections=freelancer, attachments=[], **args)
    assert [w.id for w in found] == ["freelancer_paid_by_unit"]
    assert "2023-03至2023-07" in found[0].message  # 申报当月起往前6个月: 2023-03 … 2023-08
    old = [r for r in records if r["month"] < "2023-02"]
    assert check(records=old, sections=freelancer, attachments=[], **args) == []


async def test_reviewers_see_where_work_history_and_social_insurance_disagree(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    from tests.api.registries.helpers import months_before_now

    async with gateway(stack, urls, fake) as client:
        tree, unit, campaign = await private_unit(client, "共享己")
        person = full_person("覃工", unit["credit_code"], unit["name"], months=3)
        person.records[:0] = [
            {"month": m, "unit_credit_code": "91450200MA5KXXXX0X", "unit_name": "柳州另一公司"}
            for m in months_before_now(9, skip=3)
        ]
        applicant, _ = await known_applicant(client, fake, person)
        sections = private_sections(unit["name"])
        sections["basic_info"] = {**sections["basic_info"], "employer_type": "state_owned"}
        facts = {**TYPED_FACTS, "employer_type": "state_owned"}
        did = await draft(client, applicant, tree, campaign, sections, facts)
        url = f"/v1/declarations/{did}"
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200 and r.json()["facts"]["social_insurance_months"] == 3
        errors = await _errors(client, url, applicant)
        r = await _attach_and_submit(client, url, applicant, errors)
        assert r.status_code == 200, r.text

        r = await client.get(url + "/warnings", headers=auth(tree.tokens["unit_reviewer"]))
        assert r.status_code == 200, r.text
        ids = [w["id"] for w in r.json()["consistency"]]
        assert ids == ["work_history_mismatch", "unit_change_unexplained"]
        assert "柳州另一公司" in r.json()["consistency"][0]["message"]
        assert "共9个月" in r.json()["consistency"][0]["message"]
        mine = await client.get(url + "/warnings", headers=auth(applicant))
        assert mine.json()["consistency"] is None
        assert [x["status"] for x in mine.json()["registries"]] == ["found"] * 4


async def test_arts_crafts_found_everywhere_needs_none_of_the_four_uploads(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    """广西工艺美术 2023 (桂工信职办〔2023〕6号) asks for all four proofs; the registries
    stand in for 学历, 下一级职称, 继续教育 and 社保."""
    from tests.api.factories import Tree, make_org

    four = {"education_proof", "title_certificate", "continuing_education",
            "social_insurance_record"}  # fmt: skip
    async with gateway(stack, urls, fake) as client:
        committee = await make_org(client, "committee_office", "工艺美术评委会所在职改办", None)
        series = await make_org(client, "series_office", "工艺美术系列职改办", committee, "450000")
        # 三江 (双定向): the one 工艺美术 高级 path the eligibility service evaluates itself.
        unit_id = await make_org(client, "unit", "三江某壮锦公司", series, region="450226")
        tree = Tree(committee, series, None, None, unit_id)
        unit = await unit_of(client, unit_id)
        campaign = await arts_crafts_2023(client)
        number = new_id_number()
        fake.people[number] = arts_person("黄师傅", unit["credit_code"], unit["name"])
        sections = arts_sections(unit["name"])
        facts = ARTS_FACTS

        applicant = token("applicant")
        await register_identity(client, applicant, "黄师傅", number)
        did = await draft(client, applicant, tree, campaign, sections, facts)
        url = f"/v1/declarations/{did}"
        r = await post(client, url + "/lookups", applicant)
        assert r.status_code == 200, r.text
        assert set(r.json()["waived_materials"]) >= four
        got = (await client.get(url, headers=auth(applicant))).json()
        assert got["sections"]["current_title"]["series"] == "arts_crafts"
        assert got["sections"]["continuing_education"]["public_course_year"] == 2023
        errors = await _errors(client, url, applicant)
        assert not four & {e.get("material_id") for e in errors}, errors
        assert not [e for e in errors if e["kind"] not in ("material", "evidence")], errors
        r = await _attach_and_submit(client, url, applicant, errors)
        assert r.status_code == 200, r.text
        assert r.json()["eligibility"]["eligible"] is True

        # The same declaration typed by hand, registries not asked: all four are uploads.
        typed = {
            **sections,
            "education": got["sections"]["education"],
            "current_title": got["sections"]["current_title"],
            "continuing_education": got["sections"]["continuing_education"],
            "social_insurance": {"months": 24},
        }
        other = token("applicant")
        did = await draft(client, other, tree, campaign, typed, got["applicant_facts"])
        errors = await _errors(client, f"/v1/declarations/{did}", other)
        assert four <= {e.get("material_id") for e in errors}, errors


async def _until_asked(fake: FakeRegistries, name: str, times: int = 1) -> None:
    for _ in range(500):
        if fake.count(name) >= times:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name} was never asked")


async def test_a_slow_registry_holds_neither_the_declaration_nor_a_connection(
    stack: Stack, urls: tuple[str, str], fake: FakeRegistries
) -> None:
    """One database connection in all: while the education registry takes its time, the
    applicant still edits and withdraws; the lookup then stores over the edit, or, when the
    declaration is no longer a draft (or not the version named), stores nothing."""
    slow = {"db_pool_size": 1, "db_max_overflow": 0, "registry_timeout": 3 * SLOW_SECONDS}
    async with gateway(stack, urls, fake, **slow) as client:
        tree, unit, campaign = await private_unit(client, "共享庚")

        async def person_and_draft() -> tuple[str, str]:
            person = full_person("覃工", unit["credit_code"], unit["name"])
            applicant, _ = await known_applicant(client, fake, person)
            sections = private_sections(unit["name"])
            did = await draft(client, applicant, tree, campaign, sections, TYPED_FACTS)
            return applicant, f"/v1/declarations/{did}"

        fake.modes["education"] = "slow"
        # An edit while the registry is slow completes at once; the lookup keeps it.
        applicant, url = await person_and_draft()
        lookup = asyncio.create_task(post(client, url + "/lookups", applicant))
        await _until_asked(fake, "education")
        edit = {"specialty": "eng-mechanical"}
        r = await client.patch(url, json=edit, headers=auth(applicant, **{"If-Match": '"1"'}))
        assert r.status_code == 200, r.text
        assert not lookup.done()  # the edit did not wait for the registry
        r = await lookup
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 3
        assert {x["status"] for x in r.json()["registries"]} == {"found"}
        got = (await client.get(url, headers=auth(applicant))).json()
        assert got["specialty"] == "eng-mechanical"
        assert got["sections"]["current_title"]["obtained_on"] == "2017-05-01"

        # Withdrawn while the registry is slow: the answers are not stored.
        applicant, url = await person_and_draft()
        lookup = asyncio.create_task(post(client, url + "/lookups", applicant))
        await _until_asked(fake, "education", 2)
        r = await as_read(client, url + "/withdrawals", applicant, {"reason": "暂不申报"})
        assert r.status_code == 200, r.text
        assert not lookup.done()
        r = await lookup
        assert r.status_code == 409, r.text
        assert r.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
        assert r.headers["content-type"].startswith("application/problem+json")
        stored = (await client.get(url + "/lookups", headers=auth(applicant))).json()
        assert {x["status"] for x in stored} == {"not_checked"}

        # Asked at a version that an edit then replaces: 412, nothing stored.
        applicant, url = await person_and_draft()
        lookup = asyncio.create_task(
            post(client, url + "/lookups", applicant, **{"If-Match": '"1"'})
        )
        await _until_asked(fake, "education", 3)
        r = await client.patch(url, json=edit, headers=auth(applicant, **{"If-Match": '"1"'}))
        assert r.status_code == 200, r.text
        r = await lookup
        assert r.status_code == 412, r.text
        assert "版本不一致" in r.json()["detail"]
        stored = (await client.get(url + "/lookups", headers=auth(applicant))).json()
        assert {x["status"] for x in stored} == {"not_checked"}
        # A new attempt stores; its retry is answered from the record, no registry asked.
        r = await post(client, url + "/lookups", applicant, key="again")
        assert r.status_code == 200 and r.json()["version"] == 3
        asked = len(fake.calls)
        replay = await post(client, url + "/lookups", applicant, key="again")
        assert replay.headers.get("idempotent-replayed") == "true"
        assert replay.json() == r.json() and len(fake.calls) == asked

        # The applicant corrects their name while the registries answer: nothing stored.
        applicant, url = await person_and_draft()
        seen = fake.count("education")
        lookup = asyncio.create_task(post(client, url + "/lookups", applicant))
        await _until_asked(fake, "education", seen + 1)
        r = await client.put(
            "/v1/me/identity",
            json={"name": "覃某", "id_number": fake.calls[-1][1]["id_number"]},
            headers=auth(applicant),
        )
        assert r.status_code == 200, r.text
        r = await lookup
        assert r.status_code == 409 and r.json()["type"].endswith(":lookup-stale"), r.text
        assert "重新获取" in r.json()["detail"]
        stored = (await client.get(url + "/lookups", headers=auth(applicant))).json()
        assert {x["status"] for x in stored} == {"not_checked"}
