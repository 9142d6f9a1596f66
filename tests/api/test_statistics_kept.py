"""The counts kept for the statistics and the problem-rate reports (migration api_0033)
against the declarations themselves, on the real stack through the public API.

Declarations are walked through submission, the unit's step, returns by the unit and by a
higher level, approvals up to the committee office and withdrawal; then ops move the unit
to another tree, so that its old offices see what reached them from outside their subtree
and its new ones what is below them. After each stage, for every reviewer role, ops, a
portal and an applicant, the kept counts behind the caller's jurisdiction equal the query
the reports ran before (`before_counts`, below: every visible declaration read), and the
three report endpoints answer what that query answers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, literal_column
from sqlalchemy import select as sa_select

from services.api.declarations.service import visible
from services.api.models import Declaration, DeclarationReturn, ReviewStep
from services.api.statistics import counts
from services.kit.auth import Principal
from services.kit.db import make_engine, make_sessionmaker
from tests.api.factories import (
    OPS,
    as_read,
    auth,
    make_campaign,
    make_tree,
    new_draft,
    post,
    return_for_correction,
    submit,
    token,
)
from tests.api.test_statistics import recommended
from tests.conftest import Stack

DIMENSIONS = ("unit_org_id", "status", "level", "specialty", "path", "passed", "returned_above")


async def before_counts(session, principal: Principal, campaign_id: str) -> Counter:
    """The reports' query before api_0033 (the oracle): the campaign's declarations
    `visible(principal)` admits, read one by one, counted by every column they group or
    filter by."""
    passed = (
        exists()
        .where(
            ReviewStep.declaration_id == Declaration.id,
            ReviewStep.position == 0,
            ReviewStep.completed_at.is_not(None),
        )
        .correlate(Declaration)
    )
    returned_above = (
        exists()
        .where(DeclarationReturn.declaration_id == Declaration.id, DeclarationReturn.position > 0)
        .correlate(Declaration)
    )
    keys = (
        Declaration.unit_org_id,
        Declaration.status,
        Declaration.level,
        Declaration.specialty,
        Declaration.path,
        passed,
        returned_above,
    )
    query = (
        sa_select(*keys, func.count())
        .where(Declaration.campaign_id == uuid.UUID(campaign_id), visible(principal))
        .group_by(*(literal_column(str(k)) for k in range(1, len(keys) + 1)))
    )
    return Counter({tuple(row[:-1]): row[-1] for row in (await session.exec(query)).all()})


async def kept_counts(session, principal: Principal, campaign_id: str) -> Counter:
    source = counts.visible_in(principal, uuid.UUID(campaign_id))
    keys = [source.c[name] for name in DIMENSIONS]
    query = sa_select(*keys, func.sum(source.c.n)).group_by(*keys).having(func.sum(source.c.n) > 0)
    return Counter({tuple(row[:-1]): int(row[-1]) for row in (await session.exec(query)).all()})


def principal(role: str, org: str | None = None, **extra) -> Principal:
    return Principal(sub=f"kept-{role}", role=role, org_id=org, **extra)


async def check(client, stack: Stack, campaign_id: str, callers: dict[str, tuple]) -> None:
    """For each caller (principal, token or None): kept counts == the old query; and the
    reports, for those who may call them, == what the old query answers."""
    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            for name, (who, tok) in callers.items():
                before = await before_counts(session, who, campaign_id)
                assert await kept_counts(session, who, campaign_id) == before, name
                if tok is not None:
                    await reports_match(client, campaign_id, tok, before, name)
    finally:
        await engine.dispose()


async def reports_match(client, cid: str, tok: str, before: Counter, name: str) -> None:
    def total(**where) -> dict:
        out: Counter = Counter()
        for key, n in before.items():
            row = dict(zip(DIMENSIONS, key, strict=True))
            if all(row[k] == v for k, v in where.items()):
                out[str(row["unit_org_id"])] += n
        return dict(out)

    recommended = total(passed=True)
    problems = total(passed=True, returned_above=True)
    expected = {u: (n, problems.get(u, 0)) for u, n in recommended.items()}
    for report in ("unit-quality", "problem-rates"):
        r = await client.get(f"/v1/campaigns/{cid}/{report}", headers=auth(tok))
        assert r.status_code == 200, r.text
        got = {q["unit_org_id"]: (q["recommended"], q["with_problems"]) for q in r.json()}
        assert got == expected, (name, report)
    r = await client.get(f"/v1/campaigns/{cid}/statistics", headers=auth(tok))
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["total"] == sum(before.values()), name
    by_status: Counter = Counter()
    for key, n in before.items():
        by_status[key[1]] += n
    assert {b["key"]: b["count"] for b in stats["by_status"]} == dict(by_status), name
    assert {b["key"]: b["count"] for b in stats["by_unit"]} == total(), name
    by_level: Counter = Counter()
    for key, n in before.items():
        by_level[key[2]] += n
    assert {b["key"]: b["count"] for b in stats["by_level"]} == dict(by_level), name


async def test_kept_counts_equal_the_declarations_through_a_campaign(client, stack: Stack) -> None:
    a = await make_tree(client, label="计数甲")
    b = await make_tree(client, label="计数乙", committee=a.committee)
    campaign = await make_campaign(client)
    cid = campaign["id"]
    t, u = a.tokens, b.tokens
    portal = Principal(sub="kept-portal", role="portal", jurisdiction=["450200"])

    def callers() -> dict[str, tuple]:
        out: dict[str, tuple] = {
            "ops": (principal("ops"), OPS),
            "portal": (portal, None),
            "applicant": (Principal(sub="kept-waiting", role="applicant"), None),
        }
        for label, tree, tokens in (("甲", a, t), ("乙", b, u)):
            orgs = {
                "unit_reviewer": tree.unit,
                "supervisor": tree.supervisor,
                "county_office": tree.county,
                "series_office": tree.series,
                "committee_office": tree.committee,
            }
            for role, org in orgs.items():
                office = role.endswith("_office")
                out[f"{role} {label}"] = (principal(role, org), tokens[role] if office else None)
        return out

    async def at_unit(tree, sub: str) -> tuple[str, str]:
        applicant = token("applicant", sub=sub)
        did = await new_draft(client, tree, campaign, applicant)
        r = await submit(client, did, applicant)
        assert r.status_code == 200, r.text
        return did, applicant

    await new_draft(
        client, a, campaign, token("applicant")
    )  # a draft: ops count it, offices do not
    waiting, _ = await at_unit(a, "kept-waiting")
    withdrawn, withdrawn_applicant = await at_unit(a, "kept-withdrawn")
    passed_up = await asyncio.gather(
        *(recommended(client, a, campaign, f"计数{i}") for i in range(4))
    )
    other = await recommended(client, b, campaign, "计数乙一")
    await check(client, stack, cid, callers())

    # The unit returns one (not a problem above it); the supervisor returns another (one).
    r = await return_for_correction(client, a, waiting, within=timedelta(days=3))
    assert r.status_code == 201, r.text
    soon = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{passed_up[0]}/returns",
        t["supervisor"],
        {"items": [{"message": "论文期刊目录页缺失"}], "deadline_at": soon},
    )
    assert r.status_code == 201, r.text
    r = await as_read(client, f"/v1/declarations/{withdrawn}/withdrawals", withdrawn_applicant, {})
    assert r.status_code == 200, r.text
    # One up to the committee office's acceptance, one to the series office.
    for role, status in (
        ("supervisor", "county_review"),
        ("county_office", "series_office_review"),
        ("series_office", "committee_office_review"),
        ("committee_office", "accepted"),
    ):
        r = await post(client, f"/v1/declarations/{passed_up[1]}/approvals", t[role])
        assert r.status_code == 200 and r.json()["status"] == status, r.text
        if status != "accepted":
            r = await post(client, f"/v1/declarations/{passed_up[2]}/approvals", t[role])
            assert r.status_code == 200 and r.json()["status"] == status, r.text
    r = await post(client, f"/v1/declarations/{other}/approvals", u["supervisor"])
    assert r.status_code == 200, r.text
    await check(client, stack, cid, callers())

    # Ops move 甲's unit under 乙's supervisor: 甲's offices keep what reached them (from
    # outside their subtree now), 乙's see the unit's filed declarations below them.
    r = await client.post(
        f"/v1/orgs/{a.unit}/edits", json={"parent_id": b.supervisor}, headers=auth(OPS)
    )
    assert r.status_code == 200, r.text
    await check(client, stack, cid, callers())
    # Filed after the move: its chain is 乙's, its unit 甲's.
    await at_unit(a, "kept-after")
    await check(client, stack, cid, callers())
