"""Lookups: ask every registry, keep what was found, pre-fill the declaration from it."""

from __future__ import annotations

import asyncio
import copy
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import OFFICE_ROLES
from services.api.applicants.identity import applicant_identity
from services.api.clock import SHANGHAI
from services.api.config import ApiSettings
from services.api.declarations import service as declarations
from services.api.declarations.problems import DeclarationNotEditable
from services.api.declarations.sections import DeclarationSections
from services.api.http import check_if_match
from services.api.journals import consulting, duplicates, flags
from services.api.models import Declaration, RegistryLookup
from services.api.orgs import service as orgs
from services.api.registries import facts, risk
from services.api.registries.base import Connection, Outcome, Query, Registry
from services.api.registries.continuing_education import ContinuingEducationRegistry
from services.api.registries.education import EducationRegistry
from services.api.registries.problems import IdentityRequired, LookupStale
from services.api.registries.schemas import LookupsRead, RegistryResult, WarningsRead
from services.api.registries.social_insurance import SocialInsuranceRegistry
from services.api.registries.titles import TitlesRegistry
from services.kit.auth import Principal
from services.kit.pii import PiiCipher

ADAPTERS: tuple[type[Registry], ...] = (
    EducationRegistry,
    TitlesRegistry,
    ContinuingEducationRegistry,
    SocialInsuranceRegistry,
)
FACT_KEYS = ("education", "titles", "social_insurance_months")


def make_registries(settings: ApiSettings, *, redis, cipher: PiiCipher) -> dict[str, Registry]:
    out = {}
    for adapter in ADAPTERS:
        connection = Connection(
            base_url=getattr(settings, f"registry_{adapter.name}_url"),
            key=getattr(settings, f"registry_{adapter.name}_key"),
            timeout=settings.registry_timeout,
        )
        out[adapter.name] = adapter(
            connection,
            redis=redis,
            cipher=cipher,
            cache_ttl=settings.registry_cache_ttl,
            not_found_ttl=settings.registry_not_found_ttl,
        )
    return out


async def _rows(session: AsyncSession, declaration_id: uuid.UUID) -> dict[str, RegistryLookup]:
    rows = (
        await session.exec(
            select(RegistryLookup).where(RegistryLookup.declaration_id == declaration_id)
        )
    ).all()
    return {r.kind: r for r in rows}


def _result(adapter: type[Registry], row: RegistryLookup | None) -> RegistryResult:
    verified = row is not None and row.data is not None
    replaces = list(facts.waived(adapter.name, row.data if row else None))
    return RegistryResult(
        registry=adapter.name,
        title=adapter.title_zh,
        status=row.status if row else "not_checked",
        verified=verified,
        data=row.data if row else None,
        source=row.source if row else None,
        checked_at=row.checked_at if row else None,
        verified_at=row.verified_at if row else None,
        verified_source=row.verified_source if row else None,
        replaces=replaces,
        upload_required=None if replaces else facts.UPLOAD_ZH[adapter.name],
        warning=row.warning if row else None,
        clause=facts.CLAUSES[adapter.name],
    )


def _today(now) -> date:
    return now.astimezone(SHANGHAI).date()


def _store(row: RegistryLookup, outcome: Outcome, now) -> None:
    row.status = outcome.status
    row.source = outcome.source
    row.checked_at = now
    row.warning = outcome.warning
    if outcome.status == "found":
        row.data = outcome.data
        row.verified_at = now
        row.verified_source = outcome.source + (" (cache)" if outcome.cached else "")
    elif outcome.status == "not_found":
        row.data = row.verified_at = row.verified_source = None
    # unavailable: the last good answer stays


def reconcile(
    typed: dict[str, Any],
    sections: dict[str, Any],
    *,
    series: str,
    data: dict[str, dict[str, Any]],
    credit_code: str | None,
    today: date,
) -> tuple[dict[str, Any], dict[str, Any], list[str], set[str]]:
    """Sections and facts with what the registries found (`data`, by registry) put over
    them, the sections filled and the materials waived. Pure: the submission's evaluation
    is replayed from the same arguments."""
    sections = copy.deepcopy(sections)
    applicant = copy.deepcopy(typed)
    filled, waived = [], set()
    for adapter in ADAPTERS:
        found = data.get(adapter.name)
        if found is None:
            continue
        filled += facts.apply(
            registry=adapter.name,
            data=found,
            sections=sections,
            facts=applicant,
            series=series,
            credit_code=credit_code,
            today=today,
        )
        waived.update(facts.waived(adapter.name, found))
    return sections, applicant, filled, waived


def _found(rows: dict[str, RegistryLookup]) -> dict[str, dict[str, Any]]:
    return {kind: row.data for kind, row in rows.items() if row.data is not None}


def _derive(
    declaration: Declaration, rows: dict[str, RegistryLookup], credit_code: str | None, today: date
) -> tuple[dict[str, Any], dict[str, Any], list[str], set[str]]:
    return reconcile(
        declaration.applicant_facts,
        declaration.sections,
        series=declaration.series,
        data=_found(rows),
        credit_code=credit_code,
        today=today,
    )


async def prepare(
    session: AsyncSession, declaration: Declaration, *, cipher: PiiCipher
) -> tuple[Query, int]:
    """What the registries are asked, and the declaration's version it was read at."""
    _editable(declaration)
    return await _query(session, declaration, cipher), declaration.version


async def _query(session: AsyncSession, declaration: Declaration, cipher: PiiCipher) -> Query:
    identity = await applicant_identity(session, cipher, declaration.applicant_sub)
    if identity is None:
        raise IdentityRequired()
    unit = await orgs.get(session, declaration.unit_org_id)
    return Query(
        id_number=identity.id_number,
        name=identity.name,
        unit_credit_code=unit.credit_code,
        year=declaration.year,
    )


async def ask(registries: dict[str, Registry], query: Query) -> list[Outcome]:
    """Every registry at once, each within its own timeout; never raises."""
    return list(await asyncio.gather(*(registries[a.name].lookup(query) for a in ADAPTERS)))


async def store(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    query: Query,
    outcomes: list[Outcome],
    cipher: PiiCipher,
    if_match: str | None,
) -> LookupsRead:
    """Under the declaration's lock: still editable, still the same version (when the
    caller said which), still the same person and unit; then keep the answers and pre-fill."""
    declaration = await declarations.load(session, principal, declaration_id, lock=True)
    _editable(declaration)
    check_if_match(if_match, declaration.version, required=False)
    if await _query(session, declaration, cipher) != query:
        raise LookupStale()
    unit = await orgs.get(session, declaration.unit_org_id)
    now = await clock.db_now(session)
    rows = await _rows(session, declaration.id)
    for adapter, outcome in zip(ADAPTERS, outcomes, strict=True):
        row = rows.get(adapter.name) or RegistryLookup(
            declaration_id=declaration.id, kind=adapter.name, status=outcome.status, source=""
        )
        _store(row, outcome, now)
        rows[adapter.name] = row
        session.add(row)
    sections, applicant, filled, waived = _derive(declaration, rows, unit.credit_code, _today(now))
    # Only well-formed sections are ever stored (the same model a PATCH goes through).
    prefill = DeclarationSections.model_validate({k: sections[k] for k in filled}).model_dump(
        mode="json", exclude_none=True
    )
    sections = {**declaration.sections, **prefill}
    if sections != declaration.sections or applicant != declaration.applicant_facts:
        declaration.sections = sections
        declaration.applicant_facts = applicant
        declarations.touch(declaration, now)
        session.add(declaration)
    await session.flush()
    results = [_result(a, rows.get(a.name)) for a in ADAPTERS]
    warnings = [o.warning for o in outcomes if o.warning]
    warnings += [
        f"{a.title_zh}未在共享数据中查到，请上传{facts.UPLOAD_ZH[a.name]}。"
        for a, o in zip(ADAPTERS, outcomes, strict=True)
        if o.status == "not_found"
    ]
    return LookupsRead(
        declaration_id=declaration.id,
        version=declaration.version,
        registries=results,
        prefilled=filled,
        facts={k: applicant[k] for k in FACT_KEYS if k in applicant},
        waived_materials=sorted(waived),
        warnings=warnings,
    )


def _editable(declaration: Declaration) -> None:
    if declaration.status not in declarations.EDITABLE:
        raise DeclarationNotEditable(status_now=declaration.status)


async def stored(session: AsyncSession, declaration: Declaration) -> list[RegistryResult]:
    rows = await _rows(session, declaration.id)
    return [_result(a, rows.get(a.name)) for a in ADAPTERS]


@dataclass(frozen=True)
class Verified:
    """What the registries held at a submission: enough to evaluate it again."""

    data: dict[str, dict[str, Any]]
    credit_code: str | None
    today: date
    waived: set[str]


async def verified(session: AsyncSession, declaration: Declaration) -> Verified:
    """At submission: put the verified facts over the applicant's (recounting the social
    insurance months as of today) and give the materials they replace, with the registry
    answers they came from."""
    rows = await _rows(session, declaration.id)
    unit = await orgs.get(session, declaration.unit_org_id)
    today = _today(await clock.db_now(session))
    data = _found(rows)
    if not data:
        return Verified({}, unit.credit_code, today, set())
    _, applicant, _, waived = _derive(declaration, rows, unit.credit_code, today)
    declaration.applicant_facts = {
        **declaration.applicant_facts,
        **{k: applicant[k] for k in FACT_KEYS if k in applicant},
    }
    return Verified(data, unit.credit_code, today, waived)


async def warnings(
    session: AsyncSession, principal: Principal, declaration: Declaration
) -> WarningsRead:
    s = declaration.sections
    papers = await flags.papers(session, declaration)
    conversions = consulting.convert(s.get("decision_consulting") or [])
    registry_results = await stored(session, declaration)
    found_consistency = found_duplicates = None
    if principal.role != "applicant":  # reviewers' warnings name other people's records
        found_consistency = (await risk.consistency_many(session, [declaration]))[declaration.id]
        found_duplicates = await duplicates.find(
            session, declaration, show_ids=principal.role in (*OFFICE_ROLES, "ops")
        )
    summary = risk.summary(papers, found_consistency)
    return WarningsRead(
        declaration_id=declaration.id,
        flagged_papers=summary.flagged_papers,
        new_flagged_papers=summary.new_flagged_papers,
        papers=papers,
        decision_consulting=conversions,
        decision_consulting_totals=consulting.totals(conversions),
        consistency=found_consistency,
        duplicates=found_duplicates,
        registries=registry_results,
        facts_source=(declaration.eligibility or {}).get("facts_source"),
    )
