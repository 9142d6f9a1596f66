"""Units found by name or credit code with their chain; a unit registers itself and its
parent office decides; a branch without legal personality is refused; only approved
units may be chosen for a draft; units and offices manage their own reviewer accounts."""

from __future__ import annotations

import uuid

from sqlmodel import select

from services.api.models import AuditEntry
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    credit_code,
    make_campaign,
    make_tree,
    post,
    token,
)

REG = "/v1/orgs/registrations"
PASSWORD = "Kaishi2026abc"


async def _audit(client, action: str) -> list[AuditEntry]:
    app = client._transport.app
    async with app.state.sessionmaker() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list((await session.exec(query)).all())


def _registration(parent: str, **extra) -> dict:
    seed = uuid.uuid4().int % 10**9
    return {
        "name": f"柳州自登记{seed}工艺厂",
        "credit_code": credit_code(seed),
        "region_code": "450206",
        "parent_id": parent,
        "contact_name": "覃联系",
        "independent_legal_person": True,
        **extra,
    }


async def _draft(client, campaign: dict, unit: str, applicant: str):
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
    }
    return await post(client, "/v1/declarations", applicant, body)


async def test_units_are_found_by_name_fragment_or_exact_credit_code_with_their_chain(
    client,
) -> None:
    label = f"搜{uuid.uuid4().hex[:6]}"
    tree = await make_tree(client, label=label)
    applicant = token("applicant")
    r = await client.get("/v1/orgs", params={"q": label}, headers=auth(applicant))
    assert r.status_code == 200, r.text
    hits = r.json()
    # Units only: the offices whose names hold the label too are not hits.
    assert [h["id"] for h in hits] == [tree.unit]
    assert [(c["kind"], c["id"]) for c in hits[0]["chain"]] == [
        ("supervisor", tree.supervisor),
        ("county_office", tree.county),
        ("series_office", tree.series),
        ("committee_office", tree.committee),
    ]
    code = hits[0]["credit_code"]
    r = await client.get("/v1/orgs", params={"q": code.lower()}, headers=auth(applicant))
    assert [h["id"] for h in r.json()] == [tree.unit]
    # A code one character off is no one's (and no name holds it).
    other = code[:-1] + ("0" if code[-1] != "0" else "1")
    r = await client.get("/v1/orgs", params={"q": other}, headers=auth(applicant))
    assert r.json() == []
    # A LIKE wildcard is a character to look for, not "anything".
    r = await client.get("/v1/orgs", params={"q": "%%"}, headers=auth(applicant))
    assert r.status_code == 200 and r.json() == []


async def test_a_unit_registers_itself_and_only_once_approved_may_be_chosen(client) -> None:
    tree = await make_tree(client, label=f"登{uuid.uuid4().hex[:6]}")
    campaign = await make_campaign(client)
    contact = token("applicant")
    body = _registration(tree.supervisor)
    r = await post(client, REG, contact, body)
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["status"] == "pending" and reg["parent_id"] == tree.supervisor
    # Pending: not found, and not a declaring unit.
    found = await client.get("/v1/orgs", params={"q": body["name"]}, headers=auth(contact))
    assert found.json() == []
    r = await _draft(client, campaign, reg["id"], contact)
    assert r.status_code == 422 and r.json()["type"].endswith(":unit-not-approved"), r.text
    # The same credit code twice is one unit.
    r = await post(client, REG, token("applicant"), {**body, "name": "另一个名字"})
    assert r.status_code == 409 and r.json()["type"].endswith(":org-exists"), r.text

    # No reviewer account before the parent office approves.
    first = f"{REG}/{reg['id']}/first-account"
    account = {"username": f"first-{uuid.uuid4().hex[:8]}", "password": PASSWORD}
    r = await post(client, first, contact, account)
    assert r.status_code == 422 and r.json()["type"].endswith(":unit-not-approved"), r.text
    # Waiting in the parent office's list, not in another office's.
    r = await client.get(REG, headers=auth(tree.tokens["supervisor"]))
    assert reg["id"] in [x["id"] for x in r.json()]
    r = await client.get(REG, headers=auth(tree.tokens["series_office"]))
    assert reg["id"] not in [x["id"] for x in r.json()]
    # Only the parent office decides: the series office above it, an applicant, cannot.
    decide = f"{REG}/{reg['id']}/decisions"
    r = await post(client, decide, tree.tokens["series_office"], {"approve": True})
    assert r.status_code == 404, r.text
    r = await post(client, decide, contact, {"approve": True})
    assert r.status_code == 403, r.text
    # A rejection needs its reason.
    r = await post(client, decide, tree.tokens["supervisor"], {"approve": False})
    assert r.status_code == 422 and r.json()["type"].endswith(":org-registration-reason")
    r = await post(client, decide, tree.tokens["supervisor"], {"approve": True})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    r = await post(client, decide, tree.tokens["supervisor"], {"approve": False, "reason": "x"})
    assert r.status_code == 409 and r.json()["type"].endswith(":org-registration-decided")

    found = await client.get("/v1/orgs", params={"q": body["credit_code"]}, headers=auth(contact))
    [hit] = found.json()
    assert [c["kind"] for c in hit["chain"]] == [
        "supervisor",
        "county_office",
        "series_office",
        "committee_office",
    ]
    r = await _draft(client, campaign, reg["id"], contact)
    assert r.status_code == 201, r.text
    # Approved: the contact who registered it (and no one else) opens its first reviewer
    # account, once; that account then manages the unit's other accounts.
    r = await post(client, first, token("applicant"), account)
    assert r.status_code == 404, r.text
    r = await post(client, first, contact, account)
    assert r.status_code == 201, r.text
    assert (r.json()["role"], r.json()["org_id"]) == ("unit_reviewer", reg["id"])
    r = await post(client, first, contact, {**account, "username": account["username"] + "2"})
    assert r.status_code == 409 and r.json()["type"].endswith(":first-account-exists")
    signed = await _login(client, account["username"])
    assert signed.status_code == 200, signed.text
    colleague = {
        "username": f"colleague-{uuid.uuid4().hex[:8]}",
        "password": PASSWORD,
        "role": "unit_reviewer",
        "org_id": reg["id"],
    }
    r = await post(client, "/v1/staff-accounts", signed.json()["access_token"], colleague)
    assert r.status_code == 201, r.text
    registered = [e for e in await _audit(client, "org_registered") if reg["id"] in e.reason]
    assert registered and registered[0].actor_role == "applicant"
    approved = [
        e for e in await _audit(client, "org_registration_approved") if reg["id"] in e.reason
    ]
    assert approved and approved[0].actor_role == "supervisor"


async def test_a_rejected_registration_keeps_its_reason_and_stays_unchosen(client) -> None:
    tree = await make_tree(client, label=f"驳{uuid.uuid4().hex[:6]}", supervisor=False)
    campaign = await make_campaign(client)
    contact = token("applicant")
    r = await post(client, REG, contact, _registration(tree.county))
    reg = r.json()
    reason = "统一社会信用代码与营业执照不符"
    r = await post(
        client,
        f"{REG}/{reg['id']}/decisions",
        tree.tokens["county_office"],
        {"approve": False, "reason": reason},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decision_reason"]) == ("rejected", reason)
    r = await _draft(client, campaign, reg["id"], contact)
    assert r.status_code == 422 and r.json()["type"].endswith(":unit-not-approved")
    rejected = [
        e for e in await _audit(client, "org_registration_rejected") if reg["id"] in e.reason
    ]
    assert rejected and reason in rejected[0].reason


async def test_a_branch_without_legal_personality_cannot_register_as_declaring_unit(
    client,
) -> None:
    # 桂工信职办〔2023〕6号 二（一）2 (seed 004):
    sentence = (
        "除银行、保险公司等法律法规明确规定具有独立承担民事责任能力的分支机构外，"
        "申报人不得选择不具有独立法人资格的分支机构作为申报单位参评。"
    )
    tree = await make_tree(client, label=f"支{uuid.uuid4().hex[:6]}")
    contact = token("applicant")
    branch = _registration(tree.supervisor, independent_legal_person=False)
    r = await post(client, REG, contact, branch)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith(":branch-not-declaring-unit")
    assert sentence in problem["detail"]
    # A bank's or insurer's branch the law makes liable on its own may register.
    liable = _registration(tree.supervisor, independent_legal_person=False, liable_branch=True)
    r = await post(client, REG, contact, liable)
    assert r.status_code == 201, r.text
    # A credit code with a wrong check character (GB 32100-2015) is refused.
    good = _registration(tree.supervisor)
    wrong = good["credit_code"][:-1] + ("0" if good["credit_code"][-1] != "0" else "1")
    r = await post(client, REG, contact, {**good, "credit_code": wrong})
    assert r.status_code == 422, r.text
    # Under another unit, or an office that does not exist: refused by name.
    for parent in (tree.unit, str(uuid.uuid4())):
        r = await post(client, REG, contact, _registration(parent))
        assert r.status_code == 422 and r.json()["type"].endswith(":org-registration-parent")


async def _login(client, username: str, password: str = PASSWORD):
    return await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": password}
    )


async def test_units_and_offices_manage_their_own_reviewer_accounts_only(client) -> None:
    tree = await make_tree(client, label=f"账{uuid.uuid4().hex[:6]}")
    other = await make_tree(client, label=f"他{uuid.uuid4().hex[:6]}")
    unit = tree.tokens["unit_reviewer"]
    username = f"unit-{uuid.uuid4().hex[:8]}"
    new = {"username": username, "password": PASSWORD, "role": "unit_reviewer"}
    r = await post(client, "/v1/staff-accounts", unit, {**new, "org_id": tree.unit})
    assert r.status_code == 201, r.text
    account = r.json()
    assert (await _login(client, username)).status_code == 200
    # Never in another org, never another or a higher role.
    for body in (
        {**new, "username": username + "x", "org_id": other.unit},
        {**new, "username": username + "y", "org_id": tree.unit, "role": "ops"},
        {**new, "username": username + "z", "org_id": tree.supervisor, "role": "supervisor"},
    ):
        r = await post(client, "/v1/staff-accounts", unit, body)
        assert r.status_code == 403 and r.json()["type"].endswith(":staff-outside-org"), r.text
    url = f"/v1/staff-accounts/{account['id']}"
    # Another org's reviewer, or the office above, does not see the account at all.
    for outsider in (other.tokens["unit_reviewer"], tree.tokens["supervisor"]):
        r = await client.patch(url, json={"status": "disabled"}, headers=auth(outsider))
        assert r.status_code == 404, r.text
        assert (await client.get(url, headers=auth(outsider))).status_code == 404
    # Its own unit may not move it up, nor elsewhere.
    r = await client.patch(url, json={"role": "ops"}, headers=auth(unit))
    assert r.status_code == 403 and r.json()["type"].endswith(":staff-outside-org")
    r = await client.patch(url, json={"org_id": other.unit}, headers=auth(unit))
    assert r.status_code == 403
    # Its own unit disables it: the account can no longer sign in.
    r = await client.patch(url, json={"status": "disabled"}, headers=auth(unit))
    assert r.status_code == 200 and r.json()["status"] == "disabled", r.text
    r = await _login(client, username)
    assert r.status_code == 403 and r.json()["type"].endswith(":account-disabled"), r.text
    created = [e for e in await _audit(client, "staff_account_created") if username in e.reason]
    changed = [e for e in await _audit(client, "staff_account_changed") if username in e.reason]
    assert created[0].actor_role == "unit_reviewer" and changed[0].actor_role == "unit_reviewer"
    # An office manages its own reviewers the same way; ops still manage everyone's.
    office = {**new, "username": f"series-{uuid.uuid4().hex[:8]}", "role": "series_office"}
    office["org_id"] = tree.series
    r = await post(client, "/v1/staff-accounts", tree.tokens["series_office"], office)
    assert r.status_code == 201, r.text
    r = await client.patch(url, json={"status": "active"}, headers=auth(OPS))
    assert r.status_code == 200, r.text
