"""After the committee: the committee office's results pages (desktop) — 复核, the results
posting (二次公示), objections, 结果确认 and 批复 — and the public's pages, which need no
sign-in: the postings with their exports, and certificate verification.

The seeds these rest on: 004_… 五（二）“评审、复核与二次公示阶段”; 002_… 二、1 “公示期不能少于
5个工作日”; 004_… 五（三）“对公示无异议的进行确认结果，并按评审批复审核权限进行批复”. The
gateway checks each of them; the pages show its answer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.gateway import GatewayProblem
from services.web.pages import CHINA, checked_form, gateway, redirect, render, session_of
from services.web.uploads import download

router = APIRouter(include_in_schema=False)

VERDICTS = {
    "genuine": ("真实有效", "该证书由评委会所在职改办签发，持证人姓名相符，现为有效证书。"),
    "revoked": ("已撤销", "该证书曾经签发，但已被撤销，不再有效。"),
    "unknown": (
        "未查到此证书",
        "没有与该证书编号和持证人姓名相符的有效证书。请核对编号和姓名（须与证书上一致）。",
    ),
}
DECISIONS = {"upheld": "异议成立", "dismissed": "异议不成立"}
RECHECK_STATES = {"open": "复核中", "closed": "复核已结束"}
CHOICES = {"agree": "同意", "disagree": "不同意", "abstain": "弃权"}


def _today() -> str:
    """Today in China, as the date fields' default and lower bound."""
    return datetime.now(CHINA).date().isoformat()


def _keep(exc: GatewayProblem) -> None:
    """Problems a page cannot answer in place: no right to it, or nothing there."""
    if exc.status in (401, 403, 404):
        raise exc


# --- the committee office: sessions closed, 复核, the posting --------------------------


@router.get("/office/results")
async def sessions(request: Request) -> Response:
    items = await gateway(request).get("/v1/committee-sessions")
    closed = [s for s in items if s.get("status") == "closed"]
    return render(request, "results_sessions.html", sessions=closed)


async def _posting_of(gw, sid: str) -> dict | None:
    """The session's results posting, found in the public list (it names its session)."""
    listed = await gw.get("/v1/public/results-postings", auth=False)
    return next((p for p in listed if p["session_id"] == sid and p["kind"] == "posting"), None)


async def _session_page(request: Request, sid: str, status: int = 200, **extra) -> Response:
    gw = gateway(request)
    sitting, tallies, posting = await asyncio.gather(
        gw.get(f"/v1/committee-sessions/{sid}"),
        gw.get(f"/v1/committee-sessions/{sid}/tallies"),
        _posting_of(gw, sid),
    )
    ids = [t["declaration_id"] for t in tallies]
    reads = await asyncio.gather(*(gw.raw("GET", f"/v1/declarations/{did}") for did in ids))
    listed = await asyncio.gather(
        *(gw.raw("GET", f"/v1/declarations/{did}/rechecks") for did in ids)
    )
    names, rechecks = {}, {}
    for did, r, found_rechecks in zip(ids, reads, listed, strict=True):
        found = r.json() if r.status_code == 200 else {}
        basic = (found.get("sections") or {}).get("basic_info") or {}
        names[did] = basic.get("name") or did[:8]
        items = found_rechecks.json() if found_rechecks.status_code == 200 else []
        # Each 复核 by id with its state ("open" or "closed"), oldest first as before.
        rechecks[did] = {rc["id"]: rc["status"] for rc in reversed(items)}
    return render(
        request,
        "results_session.html",
        recheck_states=RECHECK_STATES,
        status=status,
        s=sitting,
        tallies=tallies,
        names=names,
        rechecks=rechecks,
        posting=posting,
        today=_today(),
        **extra,
    )


@router.get("/office/sessions/{sid}/results")
async def session_results(request: Request, sid: str) -> Response:
    return await _session_page(request, sid)


@router.post("/office/sessions/{sid}/results-posting")
async def publish(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    body = {"starts_on": form.get("starts_on"), "ends_on": form.get("ends_on")}
    try:
        path = f"/v1/committee-sessions/{sid}/results-posting"
        r = await gateway(request).send("POST", path, body)
    except GatewayProblem as exc:
        _keep(exc)
        return await _session_page(request, sid, exc.status, problem=exc, form=form)
    return redirect(f"/office/results-postings/{r.json()['id']}")


@router.post("/office/sessions/{sid}/rechecks")
async def open_recheck(request: Request, sid: str) -> Response:
    """复核: the declaration re-voted, with a reason, at the version it was read at."""
    form = await checked_form(request)
    did = str(form.get("declaration_id", ""))
    gw = gateway(request)
    try:
        read = await gw.call("GET", f"/v1/declarations/{did}")
        r = await gw.send(
            "POST",
            f"/v1/declarations/{did}/rechecks",
            {"reason": str(form.get("reason", "")).strip()},
            headers={"If-Match": read.headers.get("etag", "")},
        )
    except GatewayProblem as exc:
        _keep(exc)
        return await _session_page(request, sid, exc.status, problem=exc)
    return redirect(f"/office/rechecks/{r.json()['id']}")


async def _recheck_page(request: Request, rid: str, status: int = 200, **extra) -> Response:
    if session_of(request).role == "expert":
        # An expert present re-votes blind: the 复核 itself is the office's to read.
        return render(
            request, "results_recheck_ballot.html", status=status, rid=rid, choices=CHOICES, **extra
        )
    recheck = await gateway(request).get(f"/v1/rechecks/{rid}")
    return render(
        request, "results_recheck.html", status=status, rc=recheck, states=RECHECK_STATES, **extra
    )


@router.post("/office/rechecks/{rid}/ballots")
async def recheck_ballot(request: Request, rid: str) -> Response:
    """The expert's sealed re-vote, once; the answer never says what was chosen."""
    form = await checked_form(request)
    try:
        await gateway(request).send(
            "POST", f"/v1/rechecks/{rid}/ballots", {"choice": form.get("choice")}
        )
    except GatewayProblem as exc:
        _keep(exc)
        return await _recheck_page(request, rid, exc.status, problem=exc)
    return await _recheck_page(request, rid, done="已投票（不记名）。", voted=True)


@router.get("/office/rechecks/{rid}")
async def recheck_page(request: Request, rid: str) -> Response:
    return await _recheck_page(request, rid)


@router.post("/office/rechecks/{rid}/closing")
async def close_recheck(request: Request, rid: str) -> Response:
    await checked_form(request)
    gw = gateway(request)
    try:
        read = await gw.call("GET", f"/v1/rechecks/{rid}")
        await gw.send(
            "POST",
            f"/v1/rechecks/{rid}/closing",
            headers={"If-Match": read.headers.get("etag", "")},
        )
    except GatewayProblem as exc:
        _keep(exc)
        return await _recheck_page(request, rid, exc.status, problem=exc)
    return await _recheck_page(request, rid, done="复核已闭会，重新表决的结果已替换原结果。")


async def _posting_page(request: Request, pid: str, status: int = 200, **extra) -> Response:
    gw = gateway(request)
    posting, objections = await asyncio.gather(
        gw.get(f"/v1/results-postings/{pid}"), gw.get(f"/v1/results-postings/{pid}/objections")
    )
    return render(
        request,
        "results_posting.html",
        status=status,
        p=posting,
        objections=objections,
        decisions=DECISIONS,
        today=_today(),
        **extra,
    )


@router.get("/office/results-postings/{pid}")
async def posting_page(request: Request, pid: str) -> Response:
    return await _posting_page(request, pid)


@router.post("/office/results-postings/{pid}/objections/{oid}/handling")
async def handle(request: Request, pid: str, oid: str) -> Response:
    form = await checked_form(request)
    body = {"decision": form.get("decision"), "handling": str(form.get("handling", "")).strip()}
    version = str(form.get("version", ""))
    try:
        await gateway(request).send(
            "POST",
            f"/v1/results-objections/{oid}/handling",
            body,
            headers={"If-Match": f'"{version}"'},
        )
    except GatewayProblem as exc:
        _keep(exc)
        return await _posting_page(request, pid, exc.status, problem=exc)
    return await _posting_page(request, pid, done="异议处理情况已记录。")


async def _decide(request: Request, pid: str, path: str, body: dict, done: str) -> Response:
    """结果确认 or 批复, at the posting's version as read now (If-Match)."""
    gw = gateway(request)
    try:
        read = await gw.call("GET", f"/v1/results-postings/{pid}")
        await gw.send(
            "POST",
            f"/v1/results-postings/{pid}/{path}",
            body,
            headers={"If-Match": read.headers.get("etag", "")},
        )
    except GatewayProblem as exc:
        _keep(exc)
        return await _posting_page(request, pid, exc.status, problem=exc)
    return await _posting_page(request, pid, done=done)


@router.post("/office/results-postings/{pid}/confirmation")
async def confirm(request: Request, pid: str) -> Response:
    form = await checked_form(request)
    number = str(form.get("document_number", "")).strip()
    body = {"document_number": number} if number else {}
    return await _decide(request, pid, "confirmation", body, "评审结果已确认。")


@router.post("/office/results-postings/{pid}/approval")
async def approve(request: Request, pid: str) -> Response:
    form = await checked_form(request)
    body = {
        "document_number": str(form.get("document_number", "")).strip(),
        "approved_on": form.get("approved_on") or None,
    }
    done = "已批复：证书已签发，申报人各收到一条短信，通过名单已主动公开。"
    return await _decide(request, pid, "approval", body, done)


# --- the public: postings, exports, certificate verification (no sign-in) --------------


@router.get("/public/results-postings")
async def public_postings(request: Request) -> Response:
    listed = await gateway(request).get("/v1/public/results-postings", auth=False)
    return render(request, "results_public_list.html", postings=listed)


async def _public_page(request: Request, pid: str, status: int = 200, **extra) -> Response:
    posting = await gateway(request).get(f"/v1/public/results-postings/{pid}", auth=False)
    extra.setdefault("form", {})
    return render(request, "results_public.html", status=status, p=posting, **extra)


@router.get("/public/results-postings/{pid}")
async def public_posting(request: Request, pid: str) -> Response:
    return await _public_page(request, pid)


@router.post("/public/results-postings/{pid}/objection-code")
async def objection_code(request: Request, pid: str) -> Response:
    """An objection is made under a name and a phone the objector proves with an SMS code
    (the form posts here first, keeping what was written)."""
    form = await checked_form(request)
    phone = str(form.get("phone", "")).strip()
    try:
        await gateway(request).call("POST", "/v1/auth/sms-codes", json={"phone": phone}, auth=False)
    except GatewayProblem as exc:
        return await _public_page(request, pid, exc.status, problem=exc, form=form)
    return await _public_page(request, pid, form=form, sent=True)


@router.post("/public/results-postings/{pid}/objections")
async def object_to(request: Request, pid: str) -> Response:
    form = await checked_form(request)
    no = str(form.get("no", ""))
    body = {
        "no": int(no) if no.isdigit() else 0,
        "content": str(form.get("content", "")).strip(),
        "contact_name": str(form.get("contact_name", "")).strip(),
        "phone": str(form.get("phone", "")).strip(),
        "code": str(form.get("code", "")).strip(),
    }
    try:
        r = await gateway(request).call(
            "POST", f"/v1/public/results-postings/{pid}/objections", json=body, auth=False
        )
    except GatewayProblem as exc:
        return await _public_page(request, pid, exc.status, problem=exc, form=form, sent=True)
    receipt = r.json()
    done = f"异议已受理，受理编号 {receipt['id']}。评委会所在职改办核查处理后，处理情况记录在案。"
    return await _public_page(request, pid, 201, done=done, receipt=receipt)


@router.get("/public/results-postings/{pid}/export.{kind}")
async def public_export(request: Request, pid: str, kind: str) -> Response:
    if kind not in ("pdf", "xlsx"):
        raise GatewayProblem(404, {"detail": "没有这种格式的公示文件。"})
    return await download(request, f"/v1/public/results-postings/{pid}/export.{kind}", auth=False)


def _certificate_id(text: str) -> str | None:
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


@router.get("/public/certificates/verification")
async def verify(request: Request) -> Response:
    """A read, so a GET form: the 证书编号 printed on the certificate and the holder's
    name; or the certificate's QR code links here with its id and signature
    (CERTIFICATE_VERIFY_URL), and the name is all that is asked."""
    q = request.query_params
    asked: dict[str, Any] = {"id": q.get("id", "").strip(), "name": q.get("name", "").strip()}
    sig = q.get("sig", "").strip()
    if not (asked["id"] and asked["name"]):
        return render(request, "results_verify.html", asked=asked, sig=sig, verdict=None)
    # The 证书编号 printed on the certificate, or the id its QR code carries.
    cid = _certificate_id(asked["id"])
    params = {"certificate_id": cid} if cid else {"number": asked["id"]}
    params["name"] = asked["name"]
    if sig:
        params["sig"] = sig
    try:
        answer = await gateway(request).get(
            "/v1/public/certificates/verification", params=params, auth=False
        )
    except GatewayProblem as exc:
        # A 429 (the public limits count each address) is shown as the gateway says it.
        return render(
            request,
            "results_verify.html",
            exc.status,
            asked=asked,
            sig=sig,
            verdict=None,
            problem=exc,
        )
    status = answer.get("status", "unknown")
    verdict = (status, *VERDICTS.get(status, VERDICTS["unknown"]))
    return render(request, "results_verify.html", asked=asked, sig=sig, verdict=verdict)
