"""Committee pages (desktop): the committee office's sessions (create, the draw and its
public verification, the panel and attendance, the defence schedule, the 量化赋分 points
schedule, opening, 优/中/差 grades, closing, the tallies) and an expert's side (the secret
ballot, recusal, 答辩评分 marks, 量化赋分 points and their adjustments). What each person
may see or do is the gateway's answer to their token: the pages ask, the API decides.

The office's writes carry the session's version as it was shown (If-Match), so a form
posted over a session someone else changed meanwhile is refused with the gateway's reason
rather than applied to what the person did not see."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web import sections
from services.web.gateway import Gateway, GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of

router = APIRouter(include_in_schema=False)
CHOICES = {"agree": "同意", "disagree": "不同意", "abstain": "弃权"}
STATES = {"created": "待抽取专家", "drawn": "专家已抽取", "open": "评审中", "closed": "已结束"}
METHODS = {"vote": "不记名投票", "defence_and_points": "答辩评价与量化赋分"}
SCORED = "defence_and_points"
GRADES = {"excellent": "优", "medium": "中", "poor": "差"}
ROLES = {"expert": "评审专家", "committee_office": "评委会所在职改办", "ops": "运维"}
SEATS = {"active": "在席", "recused": "已回避"}
SECTION_TITLES = {s.key: s.title for s in sections.STEPS}
# Sources of 量化赋分 lines the applicant's steps do not name: sections an import may
# carry, and applicant facts.
FACT_NAMES = {
    "awards": "获奖情况",
    "qualifications": "职业资格",
    "facts.professional_work_since": "申报条件：参加专业技术工作时间",
    "facts.township_years": "申报条件：乡镇或艰苦岗位工作年限",
}
# Problems a page shows in place (its Chinese detail above the form); the others
# (signed out, not allowed, not found) become the problem page.
ELSEWHERE = (401, 403, 404)


def _if_match(form: FormData) -> dict[str, str]:
    """The session's version as the page showed it: the gateway refuses a stale one (412)
    and asks for one when missing (428), each in Chinese."""
    version = str(form.get("version", "")).strip()
    return {"If-Match": f'"{version}"'} if version.isdigit() else {}


def section_name(section: str | None) -> str:
    if not section:
        return "—"
    return SECTION_TITLES.get(section) or FACT_NAMES.get(section) or section


def percent(share: Any) -> str:
    """A share as the API writes it ("0.4") in percent ("40%")."""
    try:
        return f"{float(share) * 100:g}%"
    except (TypeError, ValueError):
        return str(share)


async def _read(gw: Gateway, path: str) -> Any:
    """A read this person may or may not be allowed (None when the gateway says no)."""
    r = await gw.raw("GET", path)
    return r.json() if r.status_code == 200 else None


async def _names(gw: Gateway, ids: list[str]) -> dict[str, str]:
    """Each declaration's applicant name, where this person may read the declaration."""

    async def one(did: str) -> tuple[str, str]:
        d = await _read(gw, f"/v1/declarations/{did}")
        basic = ((d or {}).get("sections") or {}).get("basic_info") or {}
        return did, str(basic.get("name") or f"申报 {did[:8]}")

    return dict(await asyncio.gather(*(one(d) for d in ids)))


def _context(item: dict) -> dict[str, Any]:
    judging = item.get("judging") or {}
    return {
        "s": item,
        "judging": judging,
        "scored": judging.get("method") == SCORED,
        "session_states": STATES,
        "methods": METHODS,
        "grade_names": GRADES,
        "percent": percent,
        "section_name": section_name,
    }


# ---- the list --------------------------------------------------------------------------


@router.get("/committee")
async def sessions(request: Request) -> Response:
    return await _sessions_page(request)


async def _sessions_page(request: Request, status: int = 200, **extra: Any) -> Response:
    gw = gateway(request)
    office = session_of(request).role == "committee_office"
    items = await gw.get("/v1/committee-sessions")
    campaigns = await gw.get("/v1/campaigns") if office else []
    return render(
        request,
        "committee.html",
        status=status,
        sessions=items,
        campaigns=campaigns,
        session_states=STATES,
        **extra,
    )


@router.post("/committee")
async def create(request: Request) -> Response:
    form = await checked_form(request)
    body = {
        "campaign_id": form.get("campaign_id"),
        "level": form.get("level"),
        "panel_size": str(form.get("panel_size", "")).strip(),
    }
    try:
        r = await gateway(request).send("POST", "/v1/committee-sessions", body)
    except GatewayProblem as exc:
        if exc.status in (401, 403):
            raise
        return await _sessions_page(request, exc.status, problem=exc)
    return redirect(f"/committee/{r.json()['id']}")


# ---- one session -----------------------------------------------------------------------


async def _session_page(request: Request, sid: str, status: int = 200, **extra) -> Response:
    gw = gateway(request)
    base = f"/v1/committee-sessions/{sid}"
    item = await gw.get(base)
    office = session_of(request).role == "committee_office"
    panel, slots, tallies, grades, names = await asyncio.gather(
        _read(gw, base + "/panel"),
        _read(gw, base + "/defence-slots"),
        _read(gw, base + "/tallies"),
        _read(gw, base + "/grades") if office else asyncio.sleep(0),
        _names(gw, item["declaration_ids"]),
    )
    return render(
        request,
        "committee_session.html",
        status=status,
        office=office,
        choices=CHOICES,
        seat_states=SEATS,
        panel=panel,
        slots=slots,
        tallies=tallies,
        grades={g["declaration_id"]: g for g in grades or []},
        names=names,
        **_context(item),
        **extra,
    )


@router.get("/committee/{sid}")
async def session_page(request: Request, sid: str) -> Response:
    return await _session_page(request, sid)


async def _act(
    request: Request,
    sid: str,
    method: str,
    path: str,
    body: Any,
    done: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """One action on the session; its problem (in Chinese) shown on the session's page."""
    try:
        await gateway(request).send(
            method, f"/v1/committee-sessions/{sid}/{path}", body, headers=headers
        )
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        return await _session_page(request, sid, exc.status, problem=exc)
    return await _session_page(request, sid, done=done)


@router.post("/committee/{sid}/draw")
async def draw(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    done = "评审专家已随机抽取：种子的摘要先记入审计链，抽取后公开种子，可在“抽取复核”中核对。"
    return await _act(request, sid, "POST", "draw", None, done, _if_match(form))


@router.post("/committee/{sid}/opening")
async def opening(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    done = "评审会已开始：参加的专家可查看本会的申报书和答辩安排。"
    return await _act(request, sid, "POST", "opening", None, done, _if_match(form))


@router.post("/committee/{sid}/closing")
async def closing(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    done = "评审会已结束，结果已统计。"
    return await _act(request, sid, "POST", "closing", None, done, _if_match(form))


@router.post("/committee/{sid}/defence-slots")
async def schedule(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    body = {
        "declaration_id": form.get("declaration_id"),
        "starts_at": f"{form.get('starts_at')}:00+08:00" if form.get("starts_at") else None,
        "place": str(form.get("place", "")).strip() or None,
    }
    done = "答辩时间已安排，并通知申报人。"
    return await _act(request, sid, "POST", "defence-slots", body, done, _if_match(form))


@router.post("/committee/{sid}/attendance")
async def attendance(request: Request, sid: str) -> Response:
    """签到: the seated experts ticked as present (the quorum is counted on them)."""
    form = await checked_form(request)
    body = {"present": [str(x) for x in form.getlist("present")]}
    done = f"到会专家已登记（{len(body['present'])} 人）。"
    return await _act(request, sid, "PUT", "attendance", body, done, _if_match(form))


@router.post("/committee/{sid}/ballots")
async def ballot(request: Request, sid: str) -> Response:
    form = await checked_form(request)
    body = {"declaration_id": form.get("declaration_id"), "choice": form.get("choice")}
    return await _act(request, sid, "POST", "ballots", body, "已投票（不记名）。")


@router.post("/committee/{sid}/recusals")
async def recusal(request: Request, sid: str) -> Response:
    """An expert steps down with a reason; the replacement is drawn from the same seed. The
    session is theirs no more, so the list is shown."""
    form = await checked_form(request)
    body = {"reason": str(form.get("reason", "")).strip()}
    try:
        await gateway(request).send("POST", f"/v1/committee-sessions/{sid}/recusals", body)
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        return await _session_page(request, sid, exc.status, problem=exc)
    done = "已申请回避并记录理由；已按同一随机种子补抽一位专家。"
    return await _sessions_page(request, done=done)


# ---- the draw's public verification ----------------------------------------------------


@router.get("/committee/{sid}/draw")
async def verification(request: Request, sid: str) -> Response:
    """The panel re-drawn from the published seed over the recorded candidates and
    recusals, and whether it is the panel on record."""
    gw = gateway(request)
    base = f"/v1/committee-sessions/{sid}"
    item = await gw.get(base)
    problem = None
    try:
        check = await gw.get(base + "/draw")
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        check, problem = None, exc
    panel = await _read(gw, base + "/panel") or []
    return render(
        request,
        "committee_draw.html",
        status=problem.status if problem else 200,
        problem=problem,
        check=check,
        experts={seat["expert_id"]: seat["name"] for seat in panel},
        **_context(item),
    )


# ---- 量化赋分 points schedule ----------------------------------------------------------


async def _schedule_page(request: Request, sid: str, status: int = 200, **extra) -> Response:
    item = await gateway(request).get(f"/v1/committee-sessions/{sid}")
    return render(request, "committee_schedule.html", status=status, **_context(item), **extra)


@router.get("/committee/{sid}/points-schedule")
async def schedule_page(request: Request, sid: str) -> Response:
    return await _schedule_page(request, sid)


@router.post("/committee/{sid}/points-schedule")
async def put_schedule(request: Request, sid: str) -> Response:
    """The points per item the committee sets (the notice names the items, gives none):
    an item's rule as the session holds it, with the per-entry points and the cap as
    entered; items left as they were are not sent."""
    form = await checked_form(request)
    gw = gateway(request)
    item = await gw.get(f"/v1/committee-sessions/{sid}")
    points: dict[str, dict[str, Any]] = {}
    for x in (item.get("judging") or {}).get("items") or []:
        rule = dict(x.get("rule") or {})
        each = str(form.get(f"each-{x['id']}", "")).strip() or None
        cap = str(form.get(f"cap-{x['id']}", "")).strip() or None
        if (each, cap) == (rule.get("each"), rule.get("cap")):
            continue
        points[x["id"]] = {**rule, "each": each, "cap": cap}
    body = {"points": points, "source": str(form.get("source", "")).strip()}
    try:
        url = f"/v1/committee-sessions/{sid}/points-schedule"
        await gw.call("PUT", url, json=body, headers=_if_match(form))
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        return await _schedule_page(request, sid, exc.status, problem=exc)
    return await _schedule_page(request, sid, done="量化赋分分值已设定，各申报书按此预填。")


# ---- 优/中/差 grades -------------------------------------------------------------------


async def _grades_page(request: Request, sid: str, status: int = 200, **extra) -> Response:
    gw = gateway(request)
    base = f"/v1/committee-sessions/{sid}"
    item = await gw.get(base)
    grades, names = await asyncio.gather(
        _read(gw, base + "/grades"), _names(gw, item["declaration_ids"])
    )
    return render(
        request,
        "committee_grades.html",
        status=status,
        grades={g["declaration_id"]: g for g in grades or []},
        names=names,
        **_context(item),
        **extra,
    )


@router.get("/committee/{sid}/grades")
async def grades_page(request: Request, sid: str) -> Response:
    return await _grades_page(request, sid)


@router.post("/committee/{sid}/grades")
async def put_grades(request: Request, sid: str) -> Response:
    """By rank of the 答辩成绩, or as entered per declaration (3:6:1 held by the gateway,
    which says by how much a distribution misses it)."""
    form = await checked_form(request)
    if form.get("by_rank") == "true":
        body: dict[str, Any] = {"by_rank": True}
    else:
        body = {
            "grades": {
                str(k)[len("grade-") :]: str(v)
                for k, v in form.items()
                if str(k).startswith("grade-") and v
            }
        }
    try:
        await gateway(request).call(
            "PUT", f"/v1/committee-sessions/{sid}/grades", json=body, headers=_if_match(form)
        )
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        return await _grades_page(request, sid, exc.status, problem=exc)
    return await _grades_page(request, sid, done="答辩成绩等次已确定。")


# ---- one declaration in a scored session: marks, points, adjustments --------------------


async def _declaration_page(
    request: Request, sid: str, did: str, status: int = 200, **extra
) -> Response:
    gw = gateway(request)
    base = f"/v1/committee-sessions/{sid}"
    item = await gw.get(base)
    points, names, slots = await asyncio.gather(
        gw.get(f"{base}/declarations/{did}/points"),
        _names(gw, [did]),
        _read(gw, base + "/defence-slots"),
    )
    slot = next((x for x in slots or [] if x["declaration_id"] == did), None)
    return render(
        request,
        "committee_declaration.html",
        status=status,
        did=did,
        applicant=names[did],
        points=points,
        slot=slot,
        roles=ROLES,
        expert=session_of(request).role == "expert",
        **_context(item),
        **extra,
    )


@router.get("/committee/{sid}/declarations/{did}")
async def declaration_page(request: Request, sid: str, did: str) -> Response:
    return await _declaration_page(request, sid, did)


async def _on_declaration(
    request: Request, sid: str, did: str, path: str, body: dict, done: str
) -> Response:
    try:
        await gateway(request).send("POST", f"/v1/committee-sessions/{sid}/{path}", body)
    except GatewayProblem as exc:
        if exc.status in ELSEWHERE:
            raise
        return await _declaration_page(request, sid, did, exc.status, problem=exc)
    return await _declaration_page(request, sid, did, done=done)


@router.post("/committee/{sid}/declarations/{did}/marks")
async def marks(request: Request, sid: str, did: str) -> Response:
    """An expert's two 答辩 marks, once; the answer (and this page) never shows them."""
    form = await checked_form(request)
    body = {
        "declaration_id": did,
        "material": str(form.get("material", "")).strip(),
        "live": str(form.get("live", "")).strip(),
    }
    done = "答辩评分已记录（不记名，分数不再显示，提交后不能更改）。"
    return await _on_declaration(request, sid, did, "marks", body, done)


@router.post("/committee/{sid}/declarations/{did}/adjustments")
async def adjust(request: Request, sid: str, did: str) -> Response:
    form = await checked_form(request)
    body = {
        "item": str(form.get("item", "")),
        "points": str(form.get("points", "")).strip().replace("＋", "+").lstrip("+"),
        "reason": str(form.get("reason", "")).strip(),
    }
    done = "量化赋分调整已记录，理由记录在案。"
    return await _on_declaration(request, sid, did, f"declarations/{did}/adjustments", body, done)
