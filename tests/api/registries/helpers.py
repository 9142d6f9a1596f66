"""Shared by the data-sharing tests: people in the fake registries, drafts, a gateway."""

from __future__ import annotations

import random
import uuid
from contextlib import asynccontextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.pii import id_check_character
from tests.api.factories import OPS, Tree, auth, make_campaign, make_tree, new_draft, post, token
from tests.api.registries.fake import FakeRegistries, Person
from tests.support import running

SHANGHAI = ZoneInfo("Asia/Shanghai")


def new_id_number() -> str:
    body = f"450203{random.randint(1970, 1995)}0{random.randint(1, 9)}1{random.randint(0, 9)}"
    body += f"{random.randint(0, 999):03d}"
    return body + id_check_character(body)


def months_before_now(n: int, *, skip: int = 0) -> list[str]:
    """The n months before the current one (oldest first), after skipping `skip` more."""
    today = datetime.now(SHANGHAI).date()
    year, month = today.year, today.month
    out = []
    for i in range(1 + skip, n + 1 + skip):
        m = month - i
        y = year + (m - 1) // 12
        m = (m - 1) % 12 + 1
        out.append(f"{y:04d}-{m:02d}")
    return sorted(out)


def current_month() -> str:
    today: date = datetime.now(SHANGHAI).date()
    return f"{today.year:04d}-{today.month:02d}"


def full_person(name: str, credit_code: str, unit_name: str, *, months: int = 24) -> Person:
    return Person(
        name=name,
        degrees=[
            {
                "level": "硕士研究生",
                "school": "广西大学",
                "major": "机械工程",
                "graduated_on": "2009-06-30",
                "certificate_no": "105931200902000123",
            }
        ],
        certificates=[
            {
                "series": "工程",
                "level": "assistant",
                "title_name": "助理工程师",
                "obtained_on": "2011-12-01",
                "issuer": "柳州市职称改革工作领导小组",
                "region": "450200",
            },
            {
                "series": "engineering",
                "level": "intermediate",
                "title_name": "工程师",
                "obtained_on": "2017-05-01",
                "issuer": "广西壮族自治区职称改革工作领导小组",
                "certificate_no": "GX2017-0001",
                "region": "450000",
            },
        ],
        hours={2022: {"public_hours": 30, "professional_hours": 64, "exam_passed": True}},
        records=[
            {"month": m, "unit_credit_code": credit_code, "unit_name": unit_name, "paid": True}
            for m in months_before_now(months)
        ],
    )


async def unit_of(client, unit_id: str) -> dict:
    r = await client.get(f"/v1/orgs/{unit_id}", headers=auth(OPS))
    assert r.status_code == 200, r.text
    return r.json()


async def register_identity(client, applicant: str, name: str, id_number: str) -> None:
    r = await client.put(
        "/v1/me/identity", json={"name": name, "id_number": id_number}, headers=auth(applicant)
    )
    assert r.status_code == 200, r.text


def private_sections(unit_name: str, **extra) -> dict:
    return {
        "basic_info": {"name": "覃工", "phone": "13800000002", "employer_type": "private"},
        "papers": [
            {"title": "减速器齿轮修形研究", "journal": "机械传动", "published_on": "2020-05-01"}
        ],
        "main_experience": [{"start_on": "2009-07-01", "employer": unit_name, "work": "机械设计"}],
        "achievements": [{"name": "某型减速器研制", "content": "主持设计", "role": "项目负责人"}],
        "professional_experience": [
            {"name": "减速器项目", "content": "结构设计与试验", "start_on": "2018-01-01"}
        ],
        "annual_assessments": [
            {"year": 2021, "grade": "excellent"},
            {"year": 2020, "grade": "qualified"},
        ],
        **extra,
    }


async def draft(client, applicant: str, tree, campaign: dict, sections: dict, facts: dict) -> str:
    return await new_draft(
        client, tree, campaign, applicant, sections=sections, applicant_facts=facts
    )


@asynccontextmanager
async def gateway(stack, urls: tuple[str, str], fake: FakeRegistries, **overrides):
    """The gateway on (eligibility, documents) service URLs, with the fake registries."""
    rules_url, documents_url = urls
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        **{**fake.settings(), **overrides},
    )
    async with running(build_app(settings)) as client:
        yield client


async def arts_crafts_2023(client) -> dict:
    """A 广西2023年度工艺美术系列高级 campaign (桂工信职办〔2023〕6号), open now."""
    windows = (await make_campaign(client))["windows"]
    body = {
        "code": f"test-gx-arts-2023-{uuid.uuid4().hex[:8]}",
        "name": "广西2023年度工艺美术系列高级职称评审（测试）",
        "year": 2023,
        "series": "arts_crafts",
        "region_code": "450000",
        "levels": ["deputy_senior"],
        "committee_code": "gx-arts-senior-deputy-senior",
        "committee_name": "广西工艺美术系列正、副高级评委会",
        "windows": windows,
        "evaluate_on": "2023-09-10",
    }
    r = await post(client, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


def arts_person(name: str, credit_code: str, unit_name: str) -> Person:
    """A 工艺美术师 of 2014 with a bachelor's degree, 2023 public course passed."""
    person = full_person(name, credit_code, unit_name)
    person.degrees[0].update(level="本科", graduated_on="2005-06-30", major="工艺美术")
    person.certificates = [
        {"series": "工艺美术", "level": "assistant", "title_name": "助理工艺美术师",
         "obtained_on": "2008-12-01", "issuer": "广西职改办"},
        {"series": "工艺美术", "level": "intermediate", "title_name": "工艺美术师",
         "obtained_on": "2014-05-01", "issuer": "广西职改办", "certificate_no": "GXGM-14"},
    ]  # fmt: skip
    person.hours = {2023: {"public_hours": 30, "professional_hours": 48, "exam_passed": True}}
    return person


def arts_sections(unit_name: str) -> dict:
    """A 三江 (双定向) applicant's sections: the one 工艺美术 高级 path evaluated here."""
    sections = private_sections(
        unit_name, self_evaluation={"text": "从事壮锦织造设计十八年，主持多项纹样复原。"}
    )
    sections["basic_info"] = {**sections["basic_info"], "dual_directed": True}
    return sections


ARTS_FACTS = {
    "employer_type": "private",
    "dual_directed": True,
    "professional_work_since": "2005-07-01",
}


async def private_unit(client, label: str) -> tuple[Tree, dict, dict]:
    """A 私营 unit straight under its series office (no supervisor, no county office), the
    unit as the gateway reads it, and an open campaign."""
    tree = await make_tree(client, label=label, supervisor=False, county=False)
    return tree, await unit_of(client, tree.unit), await make_campaign(client)


async def known_applicant(
    client, fake: FakeRegistries, person: Person, name: str = "覃工"
) -> tuple[str, str]:
    """An applicant whose real name `name` is verified, the registries knowing them as
    `person`: their token and 身份证号码."""
    applicant, number = token("applicant"), new_id_number()
    fake.people[number] = person
    await register_identity(client, applicant, name, number)
    return applicant, number
