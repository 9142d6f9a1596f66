"""The applicant's receipt of a submission: an SMS through the outbox and its message.

Each submission (the first, and each resubmission after a return) gets its own receipt,
naming what was filed and who acts next, with the clause that sends it there: “申报人通过
网络申报系统提交申报材料，经所在单位审核推荐，单位主管部门、县区职改办、系列职改办、市职改办
逐级审核”（柳州工程系列2022申报培训 三（四））and the other seeds' like clauses: each
policy's routing basis, or the step's own clause (routing/service.py). The same text asks
the applicant to watch for what follows: “申报人需随时关注短信和系统审核反馈消息”.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.models import Declaration, ReviewStep
from services.api.notices import notify, title_of
from services.api.routing.service import BASE_ACTION, Route


async def send(
    session: AsyncSession,
    declaration: Declaration,
    step: ReviewStep,
    route: Route,
    *,
    resubmission: bool,
) -> None:
    """Write the receipt of the submission just recorded (declaration.submission_count);
    a repeat of the same submission (same count) writes none."""
    # The chain is fixed at the first submission; the route of now names the same offices
    # unless the organisation tree changed since, and then only the basis is cited.
    same = [s for s in route.steps if s.org.id == step.org_id]
    action = same[0].action if same else BASE_ACTION[step.kind]
    clause = (same[0].clause if same else None) or route.answer.get("basis")
    params = {
        "title": title_of(declaration),
        "what": "补正材料" if resubmission else "申报",
        "unit": step.org_name,
        "step": action,
    }
    template = "DECLARATION_SUBMITTED_PLAIN"
    if clause:
        template, params["clause"] = "DECLARATION_SUBMITTED", clause["ref"]
    await notify(
        session,
        declaration,
        event="resubmitted" if resubmission else "submitted",
        template=template,
        params=params,
        key=f"submitted:{declaration.submission_count}",
    )
