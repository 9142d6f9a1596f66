"""The applicant's pages (phone-first): the eligibility self-check, a new declaration,
申报条件 and the sections step by step, submission with every missing item at once,
progress, the return, the fee notice, messages and the certificate (sign-in: signin.py;
uploads: uploads.py)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import sections
from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of, staff_home
from services.web.uploads import download

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    session = session_of(request)
    if not session.signed_in:
        return redirect("/login")
    if session.staff:
        return redirect(staff_home(session.role))
    gw = gateway(request)
    page, campaigns, count = await asyncio.gather(
        gw.get("/v1/declarations", params={"limit": 50}),
        gw.get("/v1/campaigns"),
        gw.get("/v1/me/messages/unread-count"),
    )
    unread = count.get("unread", 0)
    return render(
        request, "home.html", declarations=page["items"], campaigns=campaigns, unread=unread
    )


# --- eligibility self-check ----------------------------------------------------------


def _facts(form: Any) -> dict[str, Any]:
    """The applicant facts the self-check form asks for, as the engine reads them."""
    facts: dict[str, Any] = {"employer_type": form.get("employer_type") or None}
    if form.get("education_level"):
        facts["education"] = [
            {
                "level": form.get("education_level"),
                "related_major": form.get("related_major") == "true",
                "graduated_on": form.get("graduated_on") or None,
            }
        ]
    if form.get("title_level") and form.get("title_on"):
        facts["titles"] = [
            {
                "series": form.get("series"),
                "level": form.get("title_level"),
                "obtained_on": form.get("title_on"),
            }
        ]
    if form.get("work_since"):
        facts["professional_work_since"] = form.get("work_since")
    return {k: v for k, v in facts.items() if v is not None}


@router.get("/self-check")
async def self_check_page(request: Request) -> Response:
    return render(request, "self_check.html", form={}, result=None)


@router.post("/self-check")
async def self_check(request: Request) -> Response:
    form = await checked_form(request)
    body = {
        "region": form.get("region") or "450200",
        "series": form.get("series") or "engineering",
        "level": form.get("level") or "intermediate",
        "as_of": form.get("as_of") or date.today().isoformat(),
        "applicant": _facts(form),
    }
    try:
        r = await gateway(request).send("POST", "/v1/eligibility/evaluate", body)
    except GatewayProblem as exc:
        return render(
            request, "self_check.html", status=exc.status, form=form, result=None, problem=exc
        )
    return render(request, "self_check.html", form=form, result=r.json())


# --- a new declaration ---------------------------------------------------------------


@router.get("/declarations/new")
async def new_page(request: Request) -> Response:
    gw = gateway(request)
    q = request.query_params.get("q", "").strip()
    units = await gw.get("/v1/orgs", params={"q": q}) if q else []
    campaigns = await gw.get("/v1/campaigns")
    return render(request, "new.html", campaigns=campaigns, units=units, q=q)


@router.post("/declarations")
async def create(request: Request) -> Response:
    form = await checked_form(request)
    body = {
        "campaign_id": form.get("campaign_id"),
        "unit_org_id": form.get("unit_org_id"),
        "level": form.get("level"),
    }
    r = await gateway(request).send("POST", "/v1/declarations", body)
    return redirect(f"/declarations/{r.json()['id']}/facts")


# --- the declaration -----------------------------------------------------------------


async def _declaration(request: Request, did: str) -> tuple[dict, str]:
    r = await gateway(request).call("GET", f"/v1/declarations/{did}")
    return r.json(), r.headers.get("etag", "")


@router.get("/declarations/{did}")
async def overview(request: Request, did: str) -> Response:
    declaration, _ = await _declaration(request, did)
    return render(request, "declaration.html", d=declaration, steps=sections.STEPS)


@router.get("/declarations/{did}/facts")
async def facts_page(request: Request, did: str) -> Response:
    declaration, _ = await _declaration(request, did)
    return _facts_page(request, declaration, declaration.get("applicant_facts") or {})


def _facts_page(request, declaration, facts, status=200, problem=None) -> Response:
    titles = facts.get("titles") or []
    return render(
        request,
        "facts.html",
        status=status,
        d=declaration,
        f=facts,
        education=(facts.get("education") or [{}])[0],
        current=titles[-1] if titles else {},
        previous=titles[-2] if len(titles) > 1 else {},
        steps=sections.STEPS,
        problem=problem,
    )


@router.post("/declarations/{did}/facts")
async def save_facts(request: Request, did: str) -> Response:
    """申报条件: what the engine cannot read from the sections (education, titles held,
    years in the profession), kept as the declaration's applicant facts."""
    form = await checked_form(request)
    declaration, etag = await _declaration(request, did)
    facts = _facts(form)
    second = {
        "series": form.get("series2") or form.get("series"),
        "level": form.get("title_level2"),
        "obtained_on": form.get("title_on2"),
    }
    if second["level"] and second["obtained_on"]:
        facts.setdefault("titles", []).insert(0, second)
    try:
        await gateway(request).call(
            "PATCH",
            f"/v1/declarations/{did}",
            json={"applicant_facts": facts},
            headers={"If-Match": etag},
        )
    except GatewayProblem as exc:
        return _facts_page(request, declaration, facts, exc.status, exc)
    return redirect(f"/declarations/{did}/sections/{sections.STEPS[0].key}")


@router.get("/declarations/{did}/sections/{key}")
async def section_page(request: Request, did: str, key: str) -> Response:
    section = sections.BY_KEY.get(key)
    if section is None:
        return redirect(f"/declarations/{did}")
    declaration, _ = await _declaration(request, did)
    return _section(request, declaration, section, declaration["sections"].get(key))


def _section(request, declaration, section, value, status=200, problem=None, saved=False):
    index = sections.STEPS.index(section)
    following = sections.STEPS[index + 1] if index + 1 < len(sections.STEPS) else None
    return render(
        request,
        "section.html",
        status=status,
        d=declaration,
        section=section,
        rows=sections.rows(section, value),
        value_of=sections.form_value,
        steps=sections.STEPS,
        following=following,
        problem=problem,
        saved=saved,
    )


@router.post("/declarations/{did}/sections/{key}")
async def save_section(request: Request, did: str, key: str) -> Response:
    section = sections.BY_KEY.get(key)
    form = await checked_form(request)
    if section is None:
        return redirect(f"/declarations/{did}")
    declaration, etag = await _declaration(request, did)
    value = sections.from_form(section, form)
    body = {"sections": {**declaration["sections"], key: value}}
    try:
        await gateway(request).call(
            "PATCH", f"/v1/declarations/{did}", json=body, headers={"If-Match": etag}
        )
    except GatewayProblem as exc:
        return _section(request, declaration, section, value, exc.status, exc)
    following = str(form.get("next") or "")
    if following.startswith(f"/declarations/{did}/"):  # only within this declaration
        return redirect(following)
    declaration, _ = await _declaration(request, did)
    return _section(request, declaration, section, value, saved=True)


# --- submit, progress, return, payment, result ---------------------------------------


@router.post("/declarations/{did}/submit")
async def submit(request: Request, did: str) -> Response:
    await checked_form(request)
    # Like every write, a submission names the version it was read at (If-Match).
    _, etag = await _declaration(request, did)
    try:
        await gateway(request).send(
            "POST", f"/v1/declarations/{did}/submissions", headers={"If-Match": etag}
        )
    except GatewayProblem as exc:
        if exc.status != 422:
            raise
        declaration, _ = await _declaration(request, did)
        return render(
            request,
            "incomplete.html",
            status=422,
            d=declaration,
            problem=exc,
            errors=exc.body.get("errors") or [],
            listed_below=True,
        )
    return redirect(f"/declarations/{did}/progress")


@router.get("/declarations/{did}/progress")
async def progress(request: Request, did: str) -> Response:
    gw = gateway(request)
    declaration, state = await asyncio.gather(
        gw.get(f"/v1/declarations/{did}"), gw.get(f"/v1/declarations/{did}/progress")
    )
    order = result = None
    if declaration["status"] in ("payment_due", "paid", "evaluated", "approved", "rejected"):
        r = await gw.raw("GET", f"/v1/declarations/{did}/payment-order")
        order = r.json() if r.status_code == 200 else None
    if declaration["status"] in ("approved", "rejected"):
        # The 批复 as recorded: its 文号, date and the certificate issued with it.
        r = await gw.raw("GET", f"/v1/declarations/{did}/result")
        result = r.json() if r.status_code == 200 else None
    events = sorted(state["events"], key=lambda e: e["seq"], reverse=True)
    return render(
        request,
        "progress.html",
        d=declaration,
        p=state,
        order=order,
        certificate=result["certificate"] if result else None,
        approval_number=result["document_number"] if result else None,
        events=events,
    )


@router.get("/declarations/{did}/certificate.pdf")
async def certificate_pdf(request: Request, did: str) -> Response:
    return await download(request, f"/v1/declarations/{did}/certificate.pdf")


@router.get("/messages")
async def messages(request: Request) -> Response:
    page = await gateway(request).get("/v1/me/messages", params={"limit": 50})
    return render(request, "messages.html", page=page)


@router.post("/messages/{mid}/read")
async def read_message(request: Request, mid: str) -> Response:
    await checked_form(request)
    await gateway(request).send("POST", f"/v1/me/messages/{mid}/read")
    return redirect("/messages")
