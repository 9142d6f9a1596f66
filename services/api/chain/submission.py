"""Submission (eligibility, completeness, the chain, a frozen snapshot) and withdrawal."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.applicants import identity
from services.api.audit import service as audit
from services.api.campaigns import service as campaigns
from services.api.chain import evaluation, judgements, receipts, returns
from services.api.chain.problems import (
    DeclarationAbandoned,
    DeclarationIncomplete,
    DeclarationNotSubmittable,
    DeclarationNotWithdrawable,
    ReturnAnswerInvalid,
)
from services.api.clients import rules as rules_client
from services.api.declarations import attachments
from services.api.declarations.completeness import missing_items
from services.api.declarations.schemas import DeclarationRead, ItemAnswer
from services.api.declarations.service import (
    EDITABLE,
    FINAL,
    STEP_STATUS,
    current_return,
    editable_until,
    same_level_twice,
    steps,
    touch,
    transition,
)
from services.api.declarations.shapes import read
from services.api.http import etag
from services.api.integrity import service as integrity
from services.api.journals import duplicates, flags
from services.api.messages import digests
from services.api.models import (
    Campaign,
    Declaration,
    DeclarationSnapshot,
    Org,
    ReviewStep,
)
from services.api.models.declaration import GIVEN_UP
from services.api.notices import cancel_reminders, notify, title_of
from services.api.orgs import service as orgs
from services.api.problems import VersionMismatch
from services.api.registries import service as registries
from services.api.routing import service as routing
from services.api.statistics import followups
from services.kit.auth import Principal
from services.kit.pii import PiiCipher
from services.kit.problems import ProblemError


async def _count_others(session, declaration: Declaration, **where: Any) -> int:
    query = (
        select(func.count())
        .select_from(Declaration)
        .where(
            Declaration.applicant_sub == declaration.applicant_sub,
            Declaration.id != declaration.id,
            Declaration.status.not_in(GIVEN_UP),
            *(getattr(Declaration, k) == v for k, v in where.items()),
        )
    )
    return (await session.exec(query)).one()


async def _evaluate(
    session,
    client: httpx.AsyncClient,
    declaration: Declaration,
    unit: Org,
    campaign: Campaign,
    register: integrity.RegisterView,
    *,
    typed: dict[str, Any],
    verified: registries.Verified,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The evaluation and what it was built from (stored with the snapshot): the facts
    derived from the sections and the registries (chain/evaluation.py)."""
    others = await _count_others(
        session, declaration, year=declaration.year, level=declaration.level
    )
    if others:
        raise same_level_twice(declaration.year)
    early = await _count_others(
        session, declaration, series=declaration.series, path="engineering_master_early"
    )
    inputs = evaluation.inputs_of(
        declaration,
        typed=typed,
        verified=verified,
        register=register,
        region_code=unit.region_code,
        as_of=campaign.evaluate_on,
        others=others,
        early_used_before=early,
    )
    body, derived, declared = evaluation.build(
        inputs,
        sections=declaration.sections,
        series=declaration.series,
        level=declaration.level,
        year=declaration.year,
        specialty=declaration.specialty,
        path=declaration.path,
    )
    inputs["request"] = body
    eligibility = await rules_client.evaluate(client, body)
    eligibility = await integrity.annotate(client, eligibility, register, declared)
    eligibility["facts_source"] = derived.source()
    return eligibility, inputs


def _snapshot_content(
    declaration: Declaration, chain: list[ReviewStep], inputs: dict[str, Any]
) -> dict[str, Any]:
    return {
        "declaration_id": str(declaration.id),
        "n": declaration.submission_count,
        "campaign_id": str(declaration.campaign_id),
        "unit_org_id": str(declaration.unit_org_id),
        "year": declaration.year,
        "series": declaration.series,
        "level": declaration.level,
        "specialty": declaration.specialty,
        "path": declaration.path,
        "committee_code": declaration.committee_code,
        "sections": declaration.sections,
        "attachments": declaration.attachments,
        "applicant_facts": declaration.applicant_facts,
        "eligibility": declaration.eligibility,
        "chain": [{"position": s.position, "kind": s.kind, "org_id": str(s.org_id)} for s in chain],
        # What the evaluation was built from besides the sections: replayed by
        # GET …/evaluation/replay (chain/evaluation.py).
        "evaluation_inputs": inputs,
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def submit(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    rules: httpx.AsyncClient,
    cipher: PiiCipher,
    addressed: Sequence[ItemAnswer] = (),
) -> DeclarationRead:
    """File the declaration; the answer lists the papers the journal register flags.
    `addressed`: on a resubmission, the applicant's answer to the return's items."""
    declaration = await _file(
        session, principal, declaration, rules=rules, cipher=cipher, addressed=list(addressed)
    )
    body = read(declaration)
    checks = await flags.papers(session, declaration)
    body.academic_risk = [c.model_dump(mode="json") for c in checks if c.flagged]
    return body


async def _lock_unchanged(session: AsyncSession, declaration: Declaration) -> None:
    """Lock the row and re-read it; refuse if it changed while eligibility was evaluated
    (the answer was for the content read then), as the registries' lookups do."""
    version = declaration.version
    query = (
        select(Declaration)
        .where(Declaration.id == declaration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    await session.exec(query)
    if declaration.status not in EDITABLE:
        raise _not_submittable(declaration)
    if declaration.version != version:
        raise VersionMismatch(current_etag=etag(declaration.version))


def _not_submittable(declaration: Declaration) -> ProblemError:
    return DeclarationNotSubmittable(
        "该申报当前状态不能提交。",
        status_now=declaration.status,
    )


async def _file(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    rules: httpx.AsyncClient,
    cipher: PiiCipher,
    addressed: list[ItemAnswer],
) -> Declaration:
    """Assess without a lock (status, windows, chain, eligibility over HTTP, completeness),
    then lock, check nothing changed meanwhile, and record the submission."""
    if declaration.status == "abandoned":
        raise DeclarationAbandoned()
    if declaration.status not in EDITABLE:
        raise _not_submittable(declaration)
    campaign = await campaigns.get(session, declaration.campaign_id)
    now = await clock.db_now(session)
    resubmission = declaration.status == "returned"
    answers: list[dict[str, Any]] | None = None
    if resubmission:
        await editable_until(session, declaration, campaign, now, "提交补正材料")
        # Each item of the one complete list changed, or the applicant says why not.
        open_return = await current_return(session, declaration.id)
        answers = await returns.answered(session, declaration, open_return, addressed)
    else:
        if addressed:
            raise ReturnAnswerInvalid("该申报没有待补正的通知，无需答复补正事项。")
        campaigns.check_window(campaign, "submission", now, "提交申报")
        # A unit whose recommendations the committee's office suspended for this year
        # recommends no one in it (2023年度广西工艺美术系列通知 三（一））.
        await followups.refuse_if_suspended(session, declaration.unit_org_id, campaign)
    unit = await orgs.get(session, declaration.unit_org_id)
    chain = await steps(session, declaration.id)
    # The route: the committee and the offices this declaration climbs (fixed at the first
    # submission), and what the route asks of the applicant (授权或委托函).
    route = await routing.for_declaration(session, rules, declaration, unit, campaign)
    new_chain = [] if chain else route.chain
    # Facts verified by the registries win over what was typed; their materials are waived.
    typed = copy.deepcopy(declaration.applicant_facts)
    verified = await registries.verified(session, declaration)
    waived = verified.waived
    register = await integrity.at_submission(session, declaration.applicant_sub, now)
    eligibility, inputs = await _evaluate(
        session, rules, declaration, unit, campaign, register, typed=typed, verified=verified
    )
    known = {m["id"] for m in eligibility.get("materials", [])}
    added = [m for m in route.materials if m["id"] not in known]
    eligibility["materials"] = [*eligibility.get("materials", []), *added]
    # The route's materials are the gateway's, not the eligibility service's (replay).
    inputs["route_materials"] = [m["id"] for m in added]
    # Only attachments naming this declaration's documents in force count, never the
    # draft's word for them; those that may not stand are listed too.
    records = await attachments.recorded(session, declaration.id)
    standing = attachments.standing(declaration.attachments, records)
    missing = missing_items(declaration, eligibility, standing=standing, waived=waived)
    # The seeds' date rules on the sections' items (declarations/facts.py), each with its clause.
    missing += [
        {"kind": "date_rule", **f}
        for f in eligibility["facts_source"]["findings"]
        if f["severity"] == "refuse"
    ]
    missing += [
        {"kind": "attachment", "section": None, "message": p.detail, **p.extra}
        for p in attachments.standing_problems(declaration.attachments, records)
    ]
    if missing:
        raise DeclarationIncomplete(
            f"申报不能提交，共有{len(missing)}项需要补充或不符合条件，请一次性对照修改："
            + "；".join(m["message"].rstrip("。") for m in missing)
            + "。",
            errors=missing,
            eligibility=eligibility,
        )
    # Everything above only read; now the row lock, held from here to the commit only.
    await _lock_unchanged(session, declaration)
    # Uploads record under this lock and bump the version: checked again all the same.
    attachments.check(declaration.attachments, await attachments.recorded(session, declaration.id))
    for position, org in enumerate(new_chain):
        step = ReviewStep(
            declaration_id=declaration.id,
            position=position,
            org_id=org.id,
            org_name=org.name,
            kind=org.kind,
        )
        session.add(step)
        chain.append(step)
    declaration.eligibility = eligibility
    declaration.fee_yuan = eligibility.get("fee_yuan")
    # Notices from here on go to the phone the account proved, not the one in the form.
    sub = declaration.applicant_sub
    declaration.applicant_phone = await identity.verified_phone(session, cipher, sub)
    declaration.submission_count += 1
    from_status = declaration.status
    if resubmission:
        open_return = await current_return(session, declaration.id)
        open_return.resolved_at = now
        open_return.answers = answers
        session.add(open_return)
        await cancel_reminders(session, declaration, "correction_reminder")
    else:
        declaration.current_position = 0
        # The applicant acted: a submission reminder not yet sent goes no further.
        await cancel_reminders(session, declaration, "submission_reminder")
    step = chain[declaration.current_position]
    step.reached_at = now
    step.completed_at = None
    session.add(step)
    declaration.status = STEP_STATUS[step.kind]
    touch(declaration, now)
    session.add(declaration)
    year = declaration.year  # the object is unusable once a flush failed
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent submission of the same level won the race
        raise same_level_twice(year) from exc
    await digests.queue_reached(session, step, now)
    content = _snapshot_content(declaration, chain, inputs)
    session.add(
        DeclarationSnapshot(
            declaration_id=declaration.id,
            n=declaration.submission_count,
            content=content,
            sha256=content_hash(content),
        )
    )
    await duplicates.record(session, declaration)
    # What each paper was checked against now stays with this submission for every level.
    await flags.record(session, declaration, now=now)
    if resubmission:
        await audit.record(
            session,
            principal=principal,
            action="resubmitted",
            declaration_id=declaration.id,
            from_status=from_status,
            to_status=declaration.status,
            reason=f"补正后重新提交，回到{step.org_name}" + _answers_zh(answers),
        )
    else:
        await audit.record(
            session,
            principal=principal,
            action="submitted",
            declaration_id=declaration.id,
            from_status="draft",
            to_status="submitted",
            reason="首次提交，资格评估通过，材料齐全",
        )
        await audit.record(
            session,
            principal=principal,
            action="entered_review",
            declaration_id=declaration.id,
            from_status="submitted",
            to_status=declaration.status,
            reason=f"进入{step.org_name}审核",
        )
    # Conditions left to a reviewer travel with it to the level that decides them.
    await judgements.carry(session, principal, declaration, chain, eligibility=eligibility)
    await receipts.send(session, declaration, step, route, resubmission=resubmission)
    await session.flush()
    return declaration


def _answers_zh(answers: list[dict[str, Any]] | None) -> str:
    """The resubmission's answer to the return's items, as the audit row says it."""
    if not answers:
        return ""
    noted = [a["item"] + 1 for a in answers if a["unchanged"]]
    text = f"；补正事项{len(answers)}项"
    if noted:
        text += "，其中第" + "、".join(map(str, noted)) + "项未修改，已说明理由"
    return text


async def withdraw(
    session: AsyncSession, principal: Principal, declaration: Declaration, *, reason: str | None
) -> Declaration:
    if declaration.status in FINAL or declaration.status in ("paid", "evaluated"):
        raise DeclarationNotWithdrawable(
            "该申报当前状态不能撤回。",
            status_now=declaration.status,
        )
    now = await clock.db_now(session)
    open_return = await current_return(session, declaration.id)
    if open_return is not None:
        open_return.resolved_at = now
        session.add(open_return)
    from_status = declaration.status
    await transition(
        session,
        principal,
        declaration,
        to_status="withdrawn",
        action="withdrawn",
        reason=reason or "申报人撤回",
        now=now,
    )
    await cancel_reminders(
        session, declaration, "correction_reminder", "payment_reminder", "submission_reminder"
    )
    if from_status != "draft":
        await notify(
            session,
            declaration,
            event="withdrawn",
            template="DECLARATION_WITHDRAWN",
            key="withdrawn",
            params={"title": title_of(declaration)},
        )
    return declaration
