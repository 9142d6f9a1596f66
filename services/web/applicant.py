"""The applicant's pages (phone-first): sign-in with an SMS code, the eligibility
self-check, the declaration's sections step by step, uploads with each scan's findings,
submission with every missing item at once, progress, the return, payment, messages and
the certificate."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import sections
from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    session = session_of(request)
    if not session.signed_in:
        return redirect("/login")
    if session.staff:
        return redirect("/review")
    gw = gateway(request)
    page = await gw.get("/v1/declarations", params={"limit": 50})
    campaigns = await gw.get("/v1/campaigns")
    unread = (await gw.get("/v1/me/messages/unread-count")).get("unread", 0)
    return render(
        request, "home.html", declarations=page["items"], campaigns=campaigns, unread=unread
    )


# --- sign-in -------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", phone=session_of(request).phone)


@router.post("/login/code")
async def send_code(request: Request) -> Response:
    form = await checked_form(request)
    phone = str(form.get("phone", "")).strip()
    session = session_of(request)
    try:
        await gateway(request).call("POST", "/v1/auth/sms-codes", json={"phone": phone}, auth=False)
    except GatewayProblem as exc:
        return render(request, "login.html", status=exc.status, phone=phone, problem=exc)
    session.phone, session.changed = phone, True
    return render(request, "login.html", phone=phone, sent=True)


@router.post("/login")
async def sms_login(request: Request) -> Response:
    form = await checked_form(request)
    phone = str(form.get("phone", "")).strip()
    code = str(form.get("code", "")).strip()
    try:
        r = await gateway(request).call(
            "POST", "/v1/auth/sms-logins", json={"phone": phone, "code": code}, auth=False
        )
    except GatewayProblem as exc:
        return render(request, "login.html", status=exc.status, phone=phone, sent=True, problem=exc)
    session_of(request).sign_in(r.json(), "applicant", phone)
    return redirect("/")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    session = session_of(request)
    staff = session.staff
    if session.refresh:
        # Ends the session at the gateway too: a copy of the cookie stops working.
        await gateway(request).raw(
            "POST", "/v1/auth/logout", json={"refresh_token": session.refresh}, auth=False
        )
    session.sign_out()
    return redirect("/staff/login" if staff else "/login")


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


# --- documents -----------------------------------------------------------------------


async def _documents_page(request, did, status=200, **extra) -> Response:
    gw = gateway(request)
    declaration = await gw.get(f"/v1/declarations/{did}")
    documents = await gw.get(f"/v1/declarations/{did}/documents")
    wanted = await _materials(gw, declaration)
    return render(
        request,
        "documents.html",
        status=status,
        d=declaration,
        documents=documents,
        materials=wanted,
        **extra,
    )


async def _materials(gw, declaration: dict) -> list[dict]:
    """The materials the applicant uploads: those the last evaluation named, else (a draft
    not yet evaluated) those the campaign's policy pack lists for the level."""
    evaluated = (declaration.get("eligibility") or {}).get("materials")
    if evaluated:
        return [m for m in evaluated if m.get("producer", "applicant") == "applicant"]
    campaign = await gw.get(f"/v1/campaigns/{declaration['campaign_id']}")
    params = {
        "region": campaign["region_code"],
        "series": declaration["series"],
        "as_of": campaign["evaluate_on"],
    }
    packs = await gw.get("/v1/policies", params=params, auth=False)
    if not packs:
        return []
    policy = await gw.get(f"/v1/policies/{packs[0]['id']}", auth=False)
    level = declaration["level"]
    return [m for m in policy["materials"] if not m.get("levels") or level in m["levels"]]


@router.get("/declarations/{did}/documents")
async def documents(request: Request, did: str) -> Response:
    return await _documents_page(request, did, kind=request.query_params.get("kind"))


@router.post("/declarations/{did}/documents")
async def upload(request: Request, did: str) -> Response:
    form = await checked_form(request)
    upload = form.get("file")
    kind = str(form.get("kind", ""))
    if upload is None or isinstance(upload, str) or not upload.filename:
        problem = GatewayProblem(422, {"detail": "请先拍照或从相册选择一个文件。"})
        return await _documents_page(request, did, 422, problem=problem, kind=kind)
    params: dict[str, Any] = {}
    if form.get("normalize") == "true":
        params["normalize"] = "true"
    for key in ("item_section", "item_index"):
        if form.get(key):
            params[key] = str(form.get(key))
    content = await upload.read()
    files = {"file": (upload.filename, content, upload.content_type or "application/octet-stream")}
    try:
        r = await gateway(request).call(
            "POST",
            f"/v1/declarations/{did}/documents",
            params=params,
            data={"kind": kind},
            files=files,
        )
    except GatewayProblem as exc:
        findings = exc.body.get("findings") or []
        return await _documents_page(
            request, did, exc.status, problem=exc, findings=findings, kind=kind, retry=params
        )
    document = r.json()
    return await _documents_page(request, did, 201, uploaded=document, kind=kind)


@router.get("/declarations/{did}/documents/{doc_id}/file")
async def document_file(request: Request, did: str, doc_id: str) -> Response:
    return await _download(request, f"/v1/declarations/{did}/documents/{doc_id}/download")


async def _download(request: Request, path: str) -> Response:
    """A file the gateway serves, passed through; where it answers with a presigned link
    (documents: `{"url", "expires_at"}`), the file behind that link, so the page shows it
    from this origin."""
    gw = gateway(request)
    r = await gw.call("GET", path, follow_redirects=True)
    kind = r.headers.get("content-type", "application/octet-stream")
    if kind.startswith("application/json"):
        link = r.json().get("url")
        if link:
            try:
                r = await gw.client.get(link)
            except httpx.TransportError:
                r = None
            if r is None or r.status_code != 200:
                raise GatewayProblem(502, {"detail": "文件暂时无法读取，请稍后再试。"})
            kind = r.headers.get("content-type", "application/octet-stream")
    headers = {"Cache-Control": "private, no-store"}
    if "content-disposition" in r.headers:
        headers["Content-Disposition"] = r.headers["content-disposition"]
    return Response(r.content, media_type=kind, headers=headers)


# --- submit, progress, return, payment, result ---------------------------------------


@router.post("/declarations/{did}/submit")
async def submit(request: Request, did: str) -> Response:
    await checked_form(request)
    try:
        await gateway(request).send("POST", f"/v1/declarations/{did}/submissions")
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
    declaration = await gw.get(f"/v1/declarations/{did}")
    state = await gw.get(f"/v1/declarations/{did}/progress")
    order = certificate = None
    if declaration["status"] in ("payment_due", "paid", "evaluated", "approved", "rejected"):
        r = await gw.raw("GET", f"/v1/declarations/{did}/payment-order")
        order = r.json() if r.status_code == 200 else None
    if declaration["status"] == "approved":
        r = await gw.raw("GET", f"/v1/declarations/{did}/certificate")
        certificate = r.json() if r.status_code == 200 else None
    return render(
        request,
        "progress.html",
        d=declaration,
        p=state,
        order=order,
        certificate=certificate,
        events=sorted(state["events"], key=lambda e: e["seq"], reverse=True),
    )


@router.get("/declarations/{did}/certificate.pdf")
async def certificate_pdf(request: Request, did: str) -> Response:
    return await _download(request, f"/v1/declarations/{did}/certificate.pdf")


@router.get("/messages")
async def messages(request: Request) -> Response:
    page = await gateway(request).get("/v1/me/messages", params={"limit": 50})
    return render(request, "messages.html", page=page)


@router.post("/messages/{mid}/read")
async def read_message(request: Request, mid: str) -> Response:
    await checked_form(request)
    await gateway(request).send("POST", f"/v1/me/messages/{mid}/read")
    return redirect("/messages")
