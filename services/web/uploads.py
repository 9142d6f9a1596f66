"""The applicant's uploads (from the phone's camera or album), each scan's findings shown at
once with the fix offered (normalise and retry), and files passed through from the gateway."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, render

router = APIRouter(include_in_schema=False)


async def _documents_page(request, did, status=200, **extra) -> Response:
    gw = gateway(request)
    declaration, documents = await asyncio.gather(
        gw.get(f"/v1/declarations/{did}"), gw.get(f"/v1/declarations/{did}/documents")
    )
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
    return await download(request, f"/v1/declarations/{did}/documents/{doc_id}/download")


async def download(request: Request, path: str, *, auth: bool = True) -> Response:
    """A file the gateway serves, passed through; where it answers with a presigned link
    (documents: `{"url", "expires_at"}`), the file behind that link, so the page shows it
    from this origin."""
    gw = gateway(request)
    r = await gw.call("GET", path, auth=auth, follow_redirects=True)
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
