"""The committee stage end to end on the real stack, through the public API only.

Issue #19's acceptance: an office builds a pool of 40 experts, creates a 副高 session for
柳州 declarations that reached the committee (walked the real chain and paid through the
signed provider callback), draws a panel of 25 with conflicts excluded, re-runs the draw
from the revealed seed, schedules defences (one SMS each), the experts vote, the session
closes, the tallies match, no endpoint shows a ballot, and every step is in the audit chain.

The seeds this rests on:
- `004_…` 三（三）: "评审专家由各评委会组建单位在核准批复的评委库中随机抽取产生，禁止任何
  单位或部门以任何形式指定评审专家" — the draw, from approved experts only.
- `004_…` 二（三）: "答辩时间和地点，在评委会组织答辩前，由会务组通过手机短信方式通知申报人
  本人" — the defence SMS.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from services.api.committee import draw as drawing
from services.api.main import build_app
from services.api.models import AuditEntry
from services.kit.outbox import Notification
from services.kit.sms_templates import by_day, daytime
from tests.api.factories import (
    OPS,
    Tree,
    auth,
    complete_unit_step,
    make_campaign,
    make_org,
    make_tree,
    new_draft,
    post,
    submit,
    token,
    verified_applicant,
)
from tests.api.test_payments import callback, db, pay, payment  # noqa: F401 (fixtures)
from tests.api.test_review_chain_e2e import UNIT_REVIEW

SEED_DRAW = (
    "评审专家由各评委会组建单位在核准批复的评委库中随机抽取产生，"
    "禁止任何单位或部门以任何形式指定评审专家"
)
SEED_SMS = "答辩时间和地点,在评委会组织答辩前,由会务组通过手机短信方式通知申报人本人"
PASSWORD = "Expert-pass-2022"
# Declarations before the session, each walked the full way (draft, uploads, unit review,
# four approvals, payment notice, signed callback): about 2 s each here, so all 30 of the
# issue's session fit in the test.
DECLARATIONS = 30
POOL = 40
PANEL = 25


# The policy seeds sit in shared/ beside the repository (or beside its worktrees' folder).
_HERE = Path(__file__).resolve()
SEED_004 = next(
    (
        p
        for up in _HERE.parents[3:5]
        if (p := up / "shared" / "seeds" / "004_45e6121143d927cc.txt").exists()
    ),
    _HERE,
)


CHAIN = ["unit_reviewer", "supervisor", "series_office", "committee_office"]


async def committee_tree(client, label: str) -> tuple[Tree, dict]:
    """(tree, campaign): a committee office, its series office, a supervising department
    and one unit under them, each with a token (`tree.tokens`, by role), and a campaign:
    what a declaration walked up CHAIN to the committee needs."""
    return await make_tree(client, label=label, county=False), await make_campaign(client)


async def chain_to_paid(client, tree: Tree, campaign: dict, chain: list[str]) -> str:
    """A declaration walked up its chain, noticed, and paid through the signed callback."""
    applicant, _phone = await verified_applicant(client)
    did = await new_draft(client, tree, campaign, applicant)
    await walk_to_paid(client, tree, did, applicant, chain)
    return did


async def walk_to_paid(client, tree: Tree, did: str, applicant: str, chain: list[str]) -> None:
    """A draft submitted, passed by its unit and each level of `chain`, noticed, and paid
    through the signed callback: it reaches the committee."""
    r = await submit(client, did, applicant)
    assert r.status_code == 200, r.text
    url = f"/v1/declarations/{did}"
    r = await client.put(
        url + "/unit-review", json=UNIT_REVIEW, headers=auth(tree.tokens["unit_reviewer"])
    )
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, tree.tokens["unit_reviewer"])
    for role in chain:
        r = await post(client, url + "/approvals", tree.tokens[role])
        assert r.status_code == 200, (role, r.text)
    assert r.json()["status"] == "accepted"
    r = await post(client, url + "/payment-notices", tree.tokens["committee_office"])
    assert r.status_code == 200, r.text
    order = (await client.get(url + "/payment-order", headers=auth(OPS))).json()
    r = await callback(client, payment(order))
    assert r.status_code == 200, r.text
    assert (await client.get(url, headers=auth(OPS))).json()["status"] == "paid"


async def closed_ballot_session(
    client, office_tok: str, campaign: dict, experts: dict[str, str], agree: dict[str, int]
) -> tuple[str, list[dict]]:
    """(session id, tallies): a 副高 session of `campaign` formed with a panel of every
    expert in `experts` (id → token), drawn, opened with all of them present, each
    declaration of `agree` voted (its first `agree[did]` experts agree, the rest disagree)
    and closed."""
    body = {"campaign_id": campaign["id"], "level": "deputy_senior", "panel_size": len(experts)}
    r = await post(client, "/v1/committee-sessions", office_tok, body)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    s = f"/v1/committee-sessions/{sid}"
    r = await post(client, s + "/draw", office_tok, **{"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    r = await post(client, s + "/opening", office_tok, **{"If-Match": r.headers["ETag"]})
    assert r.status_code == 200, r.text
    r = await client.put(
        s + "/attendance",
        json={"present": list(experts)},
        headers=auth(office_tok, **{"If-Match": r.headers["ETag"]}),
    )
    assert r.status_code == 200, r.text
    for did, yes in agree.items():
        for k, tok in enumerate(experts.values()):
            choice = "agree" if k < yes else "disagree"
            r = await post(client, s + "/ballots", tok, {"declaration_id": did, "choice": choice})
            assert r.status_code == 201, r.text
    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, s + "/closing", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    return sid, r.json()


async def make_expert(client, office: str, office_tok: str, **profile) -> tuple[str, str]:
    """(access token, expert id): an account the office opens, signed in, applied
    (`username`: the account's name, for a test that signs in as the expert later)."""
    username = profile.pop("username", None) or f"expert-{uuid.uuid4().hex[:10]}"
    body = {"username": username, "password": PASSWORD, "role": "expert", "org_id": office}
    r = await post(client, "/v1/staff-accounts", office_tok, body)
    assert r.status_code == 201, r.text
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    tok = r.json()["access_token"]
    application = {
        "name": profile.pop("name"),
        "series": "engineering",
        "specialties": ["机械工程"],
        "title": "正高级工程师",
        "region_code": "450200",
        **profile,
    }
    r = await post(client, "/v1/experts/applications", tok, application)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    return tok, r.json()["id"]


async def approved_experts(client, committee: str, office_tok: str, label: str, n: int):
    """`n` experts of other employers, applied and approved into the pool: id → token."""
    experts: dict[str, str] = {}
    for k in range(n):
        tok, expert_id = await make_expert(
            client, committee, office_tok, name=f"专家{k:02d}", employer_name=f"{label}外单位{k}"
        )
        experts[expert_id] = tok
        await decide(client, office_tok, expert_id, "approve")
    return experts


async def decide(client, office_tok: str, expert_id: str, decision: str) -> dict:
    r = await client.get(f"/v1/experts/{expert_id}", headers=auth(office_tok))
    version = r.json()["version"]
    r = await post(
        client,
        f"/v1/experts/{expert_id}/decisions",
        office_tok,
        {"decision": decision, "reason": f"职改办{decision}（测试）"},
        **{"If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_committee_session_end_to_end(pay, db) -> None:  # noqa: F811
    seed = SEED_004.read_text(encoding="utf-8")
    assert SEED_DRAW in seed and SEED_SMS in seed
    client = pay
    label = f"评审{uuid.uuid4().hex[:4]}"
    # One committee office and series office; two supervising departments with units.
    committee = await make_org(client, "committee_office", f"{label}评委会所在职改办", None)
    series = await make_org(client, "series_office", f"{label}系列职改办", committee)
    sup_a = await make_org(client, "supervisor", f"{label}主管部门甲", series)
    sup_b = await make_org(client, "supervisor", f"{label}主管部门乙", series)
    sup_c = await make_org(client, "supervisor", f"{label}主管部门丙", series)
    units = [
        await make_org(client, "unit", f"{label}申报单位{i}", sup, region="450206")
        for i, sup in enumerate((sup_a, sup_a, sup_b))
    ]
    neighbour = await make_org(client, "unit", f"{label}甲部门另一单位", sup_a, region="450206")
    elsewhere = await make_org(client, "unit", f"{label}丙部门单位", sup_c, region="450206")
    office_tok = token("committee_office", committee, sub=f"{label}-committee")
    campaign = await make_campaign(client)

    # Declarations that reached the committee: unit → supervisor → series → committee, paid.
    dids: list[str] = []
    for i in range(DECLARATIONS):
        unit = units[i % len(units)]
        sup = (sup_a, sup_a, sup_b)[i % len(units)]
        tree = Tree(committee, series, None, sup, unit)
        tree.tokens = {
            "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit-{i}"),
            "supervisor": token("supervisor", sup, sub=f"{label}-sup-{i}"),
            "series_office": token("series_office", series, sub=f"{label}-series"),
            "committee_office": office_tok,
        }
        chain = ["unit_reviewer", "supervisor", "series_office", "committee_office"]
        dids.append(await chain_to_paid(client, tree, campaign, chain))

    # The pool: 40 experts apply; conflicts of every kind, and some never in the pool.
    experts: dict[str, str] = {}  # id → token
    conflicted: dict[str, str] = {}  # id → why
    not_in_pool: set[str] = set()
    for n in range(POOL):
        profile: dict = {"name": f"专家{n:02d}", "employer_name": f"{label}外单位{n}"}
        why = None
        if n < 3:  # works for an applicant's employer
            profile.update(employer_org_id=units[n], employer_name=f"{label}申报单位{n}")
            why = "same employer"
        elif n == 3:  # the same employer, named only
            profile.update(employer_name=f"{label}申报单位2")
            why = "same employer (by name)"
        elif n in (4, 5):  # another unit of an applicant's supervising department
            profile.update(employer_org_id=neighbour, employer_name=f"{label}甲部门另一单位")
            why = "same supervisor"
        elif n == 6:  # declared conflict with an applicant's employer
            profile.update(employer_org_id=elsewhere, conflict_org_ids=[units[2]])
            why = "declared"
        elif n == 7:
            profile.update(employer_org_id=elsewhere)
        tok, expert_id = await make_expert(client, committee, office_tok, **profile)
        experts[expert_id] = tok
        if why:
            conflicted[expert_id] = why
        if n == 37:
            not_in_pool.add(expert_id)  # stays pending
            continue
        await decide(client, office_tok, expert_id, "approve")
        if n == 38:
            await decide(client, office_tok, expert_id, "suspend")
            not_in_pool.add(expert_id)
        if n == 39:
            await decide(client, office_tok, expert_id, "retire")
            not_in_pool.add(expert_id)
            retired = expert_id
    # A decision the status does not allow: named problem, in Chinese.
    r = await client.get(f"/v1/experts/{retired}", headers=auth(office_tok))
    version = r.json()["version"]
    r = await post(
        client,
        f"/v1/experts/{retired}/decisions",
        office_tok,
        {"decision": "reinstate", "reason": "测试"},
        **{"If-Match": f'"{version}"'},
    )
    assert r.status_code == 409 and r.json()["type"].endswith("expert-decision-not-allowed")
    assert "已退出" in r.json()["detail"]
    r = await client.get("/v1/experts?status=approved", headers=auth(office_tok))
    approved = {e["id"] for e in r.json()}
    assert approved == set(experts) - not_in_pool

    # The session: every paid declaration of the campaign and level at this office.
    r = await post(
        client,
        "/v1/committee-sessions",
        office_tok,
        {"campaign_id": campaign["id"], "level": "deputy_senior", "panel_size": 24},
    )
    assert r.status_code == 422 and r.json()["type"].endswith("panel-size-invalid"), r.text
    r = await post(
        client,
        "/v1/committee-sessions",
        office_tok,
        {"campaign_id": campaign["id"], "level": "deputy_senior", "panel_size": PANEL},
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert sorted(r.json()["declaration_ids"]) == sorted(dids)
    # 柳州's pack names no way of judging for this committee: the secret ballot.
    assert r.json()["judging"]["method"] == "vote"
    assert r.json()["rule"] == {
        "tier": "prefecture",
        "min_panel": 11,
        "quorum": [2, 3],
        "pass_mark": [2, 3],
    }
    etag = r.headers["ETag"]
    s = f"/v1/committee-sessions/{sid}"
    # Before the draw there is no panel to see, and no seed.
    r = await client.get(s + "/panel", headers=auth(office_tok))
    assert r.status_code == 200 and r.json() == []
    r = await client.get(s + "/draw", headers=auth(office_tok))
    assert r.status_code == 409
    # The draw: If-Match required; then commit, draw, reveal.
    r = await post(client, s + "/draw", office_tok)
    assert r.status_code == 428, r.text
    r = await post(client, s + "/draw", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    drawn = r.json()
    assert drawn["status"] == "drawn"
    assert drawn["seed_sha256"] == drawing.sha256(drawn["seed"])
    etag = r.headers["ETag"]
    r = await client.get(s + "/panel", headers=auth(office_tok))
    seats = r.json()
    panel = [seat["expert_id"] for seat in seats]
    assert len(panel) == PANEL == len(set(panel))
    assert not set(panel) & set(conflicted), "a conflicted expert was drawn"
    assert set(panel) <= approved
    # Re-run from the revealed seed: the same panel.
    r = await client.get(s + "/draw", headers=auth(OPS))
    check = r.json()
    assert check["same_as_recorded"] and check["seed_matches_commitment"]
    assert [e for _, e, _ in check["panel"]] == panel
    candidates = check["candidates"][drawing.ALL]
    assert set(candidates) == approved - set(conflicted)
    assert [e for _, e in drawing.draw(drawn["seed"], check["candidates"], {"*": PANEL})] == panel
    # Over 200 seeded draws no conflicted expert is ever drawn, and the draw is not fixed.
    ever = set()
    for i in range(200):
        chosen = {e for _, e in drawing.draw(f"seed-{i}", check["candidates"], {"*": PANEL})}
        assert not chosen & set(conflicted)
        ever |= chosen
    assert ever == set(candidates)
    # The commitment is in the audit chain before the draw's own row, which reveals it.
    rows = (
        await db.exec(
            select(AuditEntry)
            .where(AuditEntry.reason.contains(sid))
            .order_by(AuditEntry.seq)
            .execution_options(populate_existing=True)
        )
    ).all()
    actions = [row.action for row in rows]
    committed = actions.index("panel_draw_committed")
    assert actions.index("panel_drawn") == committed + 1
    assert drawn["seed_sha256"] in rows[committed].reason
    assert drawn["seed"] not in rows[committed].reason
    assert drawn["seed"] in rows[committed + 1].reason

    # An expert not drawn sees nothing; a drawn one nothing before the session opens.
    outsider = next(e for e in approved - set(panel))
    member = panel[0]
    for tok in (experts[outsider], experts[member]):
        r = await client.get(f"/v1/declarations/{dids[0]}", headers=auth(tok))
        assert r.status_code == 404
        r = await client.get(s, headers=auth(tok))
        assert r.status_code == 404

    # A recusal: the replacement comes from the seed, and the re-run still agrees.
    leaving = panel[-1]
    r = await post(client, s + "/recusals", experts[leaving], {"reason": "与申报人系近亲属"})
    assert r.status_code == 201, r.text
    replacement = r.json()["replacement_expert_id"]
    assert replacement in set(candidates) - set(panel)
    assert replacement == drawing.replacement(
        drawn["seed"], check["candidates"], drawing.ALL, 1, set(panel)
    )
    r = await client.get(s + "/draw", headers=auth(office_tok))
    assert r.json()["same_as_recorded"] and r.json()["recusals"] == [[1, leaving]]
    panel = [*panel[:-1], replacement]
    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]

    # Defence slots: one SMS each with time and place, and a reminder the day before.
    start = datetime.now(UTC) + timedelta(days=3)
    for wrong, says in (
        ({"starts_at": (start - timedelta(days=4)).isoformat(), "place": "答辩室"}, "将来"),
        ({"starts_at": start.isoformat()}, "地点或视频"),
        ({"starts_at": start.isoformat(), "place": "答辩室", "minutes": 200}, None),
    ):
        r = await post(
            client,
            s + "/defence-slots",
            office_tok,
            {"declaration_id": dids[0], **wrong},
            **{"If-Match": etag},
        )
        assert r.status_code == 422, r.text
        if says:
            assert r.json()["type"].endswith("defence-slot-invalid") and says in r.json()["detail"]
    r = await post(
        client,
        s + "/defence-slots",
        office_tok,
        {"declaration_id": dids[0], "starts_at": "2099-01-01T09:00:00", "place": "答辩室"},
        **{"If-Match": etag},
    )
    assert r.status_code == 422  # a time without its offset is refused, not guessed
    for i, did in enumerate(dids):
        body = {
            "declaration_id": did,
            "starts_at": (start + timedelta(minutes=30 * i)).isoformat(),
            "place": "柳州市人才大厦3楼答辩室",
        }
        r = await post(client, s + "/defence-slots", office_tok, body, **{"If-Match": etag})
        assert r.status_code == 201, r.text
        assert r.json()["minutes"] == 20
        etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, s + "/defence-slots", office_tok, body, **{"If-Match": etag})
    assert r.json()["type"].endswith("defence-already-scheduled")
    for i, did in enumerate(dids):
        sent = (
            await db.exec(
                select(Notification)
                .where(Notification.declaration_id == uuid.UUID(did))
                .where(Notification.event.like("declaration.committee_defence%"))
                .execution_options(populate_existing=True)
            )
        ).all()
        by_event = {n.event: n for n in sent}
        assert len(sent) == 2, [n.event for n in sent]
        notice = by_event["declaration.committee_defence_scheduled"]
        assert notice.template_code == "DEFENCE_SCHEDULED"
        assert notice.params["place"] == "柳州市人才大厦3楼答辩室"
        assert notice.send_after is None
        reminder = by_event["declaration.committee_defence_reminder"]
        slot_at = start + timedelta(minutes=30 * i)
        # The day before, never at night (issue #24: 08:00–21:00 Asia/Shanghai).
        assert reminder.template_code == "DEFENCE_REMINDER"
        assert reminder.send_after == by_day(slot_at - timedelta(days=1))
        assert daytime(reminder.send_after)

    # Open: the panel sees the session's declarations and slots, read only.
    r = await post(client, s + "/opening", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    etag = r.headers["ETag"]
    r = await client.get(f"/v1/declarations/{dids[0]}", headers=auth(experts[member]))
    assert r.status_code == 200
    r = await client.get(f"/v1/declarations/{dids[0]}/documents", headers=auth(experts[member]))
    assert r.status_code == 200 and r.json()
    document = r.json()[0]["id"]
    r = await client.get(
        f"/v1/declarations/{dids[0]}/documents/{document}/download",
        headers=auth(experts[member]),
    )
    assert r.status_code == 200 and r.json()["url"]
    r = await client.get(s + "/defence-slots", headers=auth(experts[member]))
    assert [slot["declaration_id"] for slot in r.json()] == dids
    r = await post(client, f"/v1/declarations/{dids[0]}/approvals", experts[member])
    assert r.status_code == 403
    outsider = next(e for e in sorted(approved) if e not in panel and e != leaving)
    for tok in (experts[outsider], experts[leaving]):
        r = await client.get(f"/v1/declarations/{dids[0]}", headers=auth(tok))
        assert r.status_code == 404
    # A voting session takes no 答辩 marks.
    mark = {"declaration_id": dids[0], "material": "80", "live": "90"}
    r = await post(client, s + "/marks", experts[member], mark)
    assert r.status_code == 409 and r.json()["type"].endswith("session-not-scored"), r.text
    # An expert not yet recorded present may not vote.
    r = await post(
        client, s + "/ballots", experts[member], {"declaration_id": dids[0], "choice": "agree"}
    )
    assert r.json()["type"].endswith("expert-not-present"), r.text

    # Attendance: 20 of the 25 present (quorum: 17).
    present = panel[:20]
    r = await client.put(
        s + "/attendance",
        json={"present": present},
        headers=auth(office_tok, **{"If-Match": etag}),
    )
    assert r.status_code == 200, r.text
    # Ballots: per declaration (agree, disagree, abstain) among the 20 present.
    kinds = [(14, 4, 2), (13, 7, 0), (14, 0, 0), (20, 0, 0), (0, 20, 0), (13, 0, 7)]
    passes = [True, False, True, True, False, False]  # 14 of the 20 present is the mark
    plans = [kinds[i % len(kinds)] for i in range(len(dids))]
    expected_pass = [passes[i % len(kinds)] for i in range(len(dids))]
    for did, (agree, disagree, abstain) in zip(dids, plans, strict=True):
        choices = ["agree"] * agree + ["disagree"] * disagree + ["abstain"] * abstain
        for expert_id, choice in zip(present, choices, strict=False):
            r = await post(
                client,
                s + "/ballots",
                experts[expert_id],
                {"declaration_id": did, "choice": choice},
            )
            assert r.status_code == 201, r.text
            assert choice not in r.text
    r = await post(
        client,
        s + "/ballots",
        experts[present[0]],
        {"declaration_id": dids[0], "choice": "disagree"},
    )
    assert r.json()["type"].endswith("already-voted")
    r = await client.get(s + "/tallies", headers=auth(office_tok))
    assert r.json()["type"].endswith("tallies-sealed")

    # No endpoint shows a ballot: every GET route, as ops, the office and a voter.
    await no_ballot_anywhere(client, sid, dids, list(experts), experts[present[0]], office_tok)

    # Close: tallies recorded, declarations evaluated.
    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, s + "/closing", office_tok, **{"If-Match": etag})
    assert r.status_code == 200, r.text
    tallies = {t["declaration_id"]: t["outcome"] for t in r.json()}
    for did, (agree, disagree, abstain), passed in zip(dids, plans, expected_pass, strict=True):
        got = tallies[did]
        assert (got["panel"], got["present"]) == (PANEL, 20)
        assert (got["agree"], got["disagree"], got["abstain"]) == (agree, disagree, abstain)
        assert got["passed"] is passed, (did, got)
        r = await client.get(f"/v1/declarations/{did}", headers=auth(OPS))
        assert r.json()["status"] == "evaluated"
    r = await client.get(s + "/tallies", headers=auth(OPS))
    assert {t["declaration_id"]: t["outcome"] for t in r.json()} == tallies
    # Afterwards nothing changes: no vote, no second close, no expert access.
    etag = (await client.get(s, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, s + "/closing", office_tok, **{"If-Match": etag})
    assert r.json()["type"].endswith("committee-session-status")
    r = await post(
        client, s + "/ballots", experts[present[19]], {"declaration_id": dids[1], "choice": "agree"}
    )
    assert r.status_code == 409
    r = await client.get(f"/v1/declarations/{dids[0]}", headers=auth(experts[member]))
    assert r.status_code == 404
    await no_ballot_anywhere(client, sid, dids, list(experts), experts[present[0]], office_tok)

    # Every step in the audit chain: per declaration, and the session's own rows.
    for did in dids:
        trail = (await client.get(f"/v1/declarations/{did}/audit", headers=auth(OPS))).json()
        actions = [row["action"] for row in trail]
        for step in (
            "paid",
            "committee_session_assigned",
            "committee_defence_scheduled",
            "ballot_cast",
            "committee_evaluated",
        ):
            assert step in actions, (did, step, actions)
        last = trail[-1]
        assert (last["from_status"], last["to_status"]) == ("paid", "evaluated")
    rows = (
        await db.exec(
            select(AuditEntry.action)
            .where(AuditEntry.reason.contains(sid))
            .execution_options(populate_existing=True)
        )
    ).all()
    for step in (
        "committee_session_created",
        "panel_draw_committed",
        "panel_drawn",
        "panel_recusal",
        "committee_session_opened",
        "committee_attendance",
        "committee_session_closed",
    ):
        assert step in rows, step
    # The pool's changes, each with who decided and why.
    pool_rows = (
        await db.exec(
            select(AuditEntry.action)
            .where(AuditEntry.reason.contains(retired))
            .order_by(AuditEntry.seq)
            .execution_options(populate_existing=True)
        )
    ).all()
    assert list(pool_rows) == ["expert_applied", "expert_approved", "expert_retired"]
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.status_code == 200 and r.json()["first_broken_seq"] is None, r.text


def get_urls(params: dict[str, str]) -> list[str]:
    """Every GET route of the gateway under /v1/ whose path parameters `params` fills."""
    urls = []
    for route in build_app().routes:
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()) or not path.startswith("/v1/"):
            continue
        try:
            urls.append(path.format(**params))
        except KeyError:
            continue
    return urls


async def no_ballot_anywhere(client, sid, dids, expert_ids, voter, office_tok) -> None:
    """Every GET route of the gateway, as ops, the office and a voter: no body carries a
    ballot's choice next to anyone (only the tallies' counts, after closing)."""
    params = {
        "session_id": sid,
        "declaration_id": dids[0],
        "expert_id": expert_ids[0],
        "committee_code": "lz-eng-deputy-senior",
    }
    for url in get_urls(params):
        for tok in (OPS, office_tok, voter):
            r = await client.get(url, headers=auth(tok))
            assert r.status_code < 500, (url, r.text)
            assert '"choice"' not in r.text, url
            for expert_id in expert_ids:
                if expert_id in r.text:
                    assert "agree" not in r.text, url
