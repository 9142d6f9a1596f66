"""HTTP endpoints of the eligibility service (`/v1`)."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from services.kit.problem_kinds import documented
from services.kit.problems import ProblemError, validation_problem
from services.kit.vocabulary import Industry, Level, Series
from services.rules import examples
from services.rules.engine.facts import effective_county
from services.rules.schemas import (
    MAX_BATCH,
    CommitteeListItem,
    EvaluateRequest,
    EvaluateResponse,
    IsoDate,
    PolicySummary,
    RegionCode,
    RouteRequest,
    RouteResponse,
)
from services.rules.service import (
    EligibilityService,
    gc_paused,
    no_policy,
    specialty_out_of_scope,
    today_cst,
)


def _listed(status: int, code: str, title: str, text: str) -> ProblemError:
    return ProblemError(status, code, text, title=title)


# What an evaluation, a route or a committee query answers when no policy pack covers the
# request (service.py's no_policy, no_level, specialty_out_of_scope), as listed in OpenAPI.
PROBLEMS: dict[int | str, dict[str, Any]] = documented(
    no_policy("450200", "engineering", date(2022, 7, 31)),
    _listed(422, "level-not-in-policy", "Level not covered by the policy", "政策不涵盖所选级别。"),
    _listed(
        422,
        "specialty-not-in-policy",
        "Specialty not covered by the policy",
        "所选专业不在该政策的受理范围内，本服务未配置受理该专业的评委会和申报条件。",
    ),
    keep={422: "Invalid request (problem+json)"},
)
_POLICY_NOT_FOUND = _listed(
    404, "policy-not-found", "Policy not found", "没有该编号的政策包，可用 GET /v1/policies 查看。"
)


def dump(obj: Any) -> Response:
    return Response(to_json(obj), media_type="application/json")


def _batch_problem(exc: ValidationError) -> ProblemError:
    errors = exc.errors(include_url=False, include_input=False)
    for err in errors:
        if err["type"] == "too_long" and not err["loc"]:
            n = (err.get("ctx") or {}).get("actual_length", "?")
            return ProblemError(
                413,
                "batch-too-large",
                f"一次最多评估 {MAX_BATCH} 条，本次 {n} 条，请分批提交。",
                title="Batch too large",
                detail_en=f"at most {MAX_BATCH} request bodies per batch, got {n}",
            )
    return validation_problem([dict(e) for e in errors[:200]])


def build_router(service: EligibilityService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["eligibility"])
    registry = service.registry

    @router.post(
        "/evaluate",
        summary="评估一名申报人是否可以申报、按哪条途径、何时可以申报",
        response_model=EvaluateResponse,
        responses=PROBLEMS,
        description=(
            "按申报人的学历、职称、资历、考核、论文业绩、处分等事实，"
            "在所适用的政策包下评估某地区、某系列、某级别能否申报："
            "各申报途径的每一条件是否满足及所依据的条款、不得申报的情形、"
            "最早可申报日期、受理的评委会、评审费和需提交的材料。"
            "条件结论为 null 的由审核人员认定（decided_by 说明由哪一级认"
            "定）。内部接口：只由网关调用（网关以同样的请求和答复对外提供"
            "资格评估、评委会查询和政策包）。"
        ),
    )
    async def evaluate(body: EvaluateRequest) -> Response:
        return dump(service.evaluate(body, explain=True))

    @router.post(
        "/route",
        summary="解析一份申报的评委会与上报链路（各环节的职改办、所需函件及所依据的条款）",
        response_model=RouteResponse,
        responses=PROBLEMS,
        description=(
            "按申报单位所在地区、系列、级别、途径、行业、单位类型和归属，"
            "答复受理的评委会、逐级上报经过的县区和系列职改办（每一级做什"
            "么、依据哪条规则和条款），以及链路要求的材料（如授权或委托函"
            "）。内部接口：只由网关调用（网关以同样的请求和答复对外提供资"
            "格评估、评委会查询和政策包）。"
        ),
    )
    async def route(body: RouteRequest) -> Response:
        return dump(service.route(body))

    @router.post(
        "/evaluate/batch",
        summary=f"批量评估（JSON 数组，最多 {MAX_BATCH} 条，结果顺序与请求一致）",
        response_model=list[EvaluateResponse],
        responses={
            **PROBLEMS,
            **documented(
                _listed(413, "batch-too-large", "Batch too large", "一次评估的条数超过上限。"),
                keep={413: "More than 10 000 bodies"},
            ),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "maxItems": MAX_BATCH,
                            "items": {"$ref": "#/components/schemas/EvaluateRequest"},
                        },
                        "example": [examples.EVALUATE_REQUEST],
                    }
                },
            }
        },
        description=(
            "一次评估多名申报人，请求体为评估请求的数组（最多10000条），"
            "答复按请求顺序排列；explain 为 true 时才带每一条件的说明。"
            "内部接口：只由网关调用（网关以同样的请求和答复对外提供资格评"
            "估、评委会查询和政策包）。"
        ),
    )
    async def evaluate_batch(
        request: Request,
        explain: Annotated[bool, Query(description="true：逐项附上每个条件的判断说明")] = False,
    ) -> Response:
        raw = await request.body()

        def work() -> bytes:
            with gc_paused():
                try:
                    answers = service.evaluate_json(raw, explain)
                except ValidationError as exc:
                    raise _batch_problem(exc) from None
                body = to_json(answers)
                # Freed while the collector is paused, so that none of its collections
                # scans them (see gc_paused).
                del answers
            return body

        return Response(await run_in_threadpool(work), media_type="application/json")

    @router.get(
        "/policies",
        summary="已加载的政策包（可按地区、系列和日期筛选出当日施行的政策包）",
        response_model=list[PolicySummary],
        description=(
            "列出已加载的政策包：名称、系列、地区、施行日期及其依据、"
            "被替代日期、级别和文件。同时给出 region、"
            "series 和 as_of 时只答复当日施行的那一个。内部接口："
            "只由网关调用（网关以同样的请求和答复对外提供资格评估、"
            "评委会查询和政策包）。"
        ),
    )
    async def policies(
        region: Annotated[RegionCode | None, Query()] = None,
        series: Annotated[Series | None, Query()] = None,
        as_of: Annotated[
            IsoDate | None, Query(description="只列出该日期（YYYY-MM-DD）施行的政策包")
        ] = None,
    ) -> Response:
        packs = registry.packs
        if region is not None and series is not None and as_of is not None:
            found = registry.select(region, series, as_of)
            packs = [found] if found else []
        else:
            packs = [
                p
                for p in packs
                if (series is None or p.series == series)
                and (region is None or any(region.startswith(x) for x in p.prefixes))
                and (as_of is None or p.valid_from <= as_of.toordinal() <= p.valid_to)
            ]
        return dump([_summary(p) for p in packs])

    @router.get(
        "/policies/{policy_id}",
        summary="政策包全文（含条款原文）",
        responses={
            200: {"content": {"application/json": {"example": examples.POLICY}}},
            **documented(_POLICY_NOT_FOUND, keep={404: "Unknown policy"}),
        },
        description=(
            "答复一个政策包的全文：文件、不得申报的情形、"
            "各级别各途径的条件、材料、评委会、申报时限、"
            "收费和全部条款原文（每条带“文号 条款”），"
            "以及种子文件未写明之处的取舍说明。内部接口："
            "只由网关调用（网关以同样的请求和答复对外提供资格评估、"
            "评委会查询和政策包）。"
        ),
    )
    async def policy(policy_id: str) -> Response:
        pack = registry.by_id.get(policy_id)
        if pack is None:
            raise ProblemError(
                404,
                "policy-not-found",
                f"没有编号为 {policy_id[:80]} 的政策包，可用 GET /v1/policies 查看已有政策。",
                title="Policy not found",
                detail_en=f"no policy pack with id {policy_id[:80]!r}",
            )
        body = pack.model.model_dump(mode="json")
        for key, clause in body["clauses"].items():
            clause["ref"] = pack.refs[key]
        body.update(_in_force(pack))
        return dump(body)

    @router.get(
        "/committees",
        summary="按地区、系列、级别、行业解析评委会及材料报送的职改办",
        response_model=list[CommitteeListItem],
        responses=PROBLEMS,
        description=(
            "按地区、系列，以及可选的级别、行业、县区、专业和日期，"
            "答复受理评审的评委会、接收材料的职改办及所依据的条款。"
            "专业不在政策包范围内的答复 422。内部接口："
            "只由网关调用（网关以同样的请求和答复对外提供资格评估、"
            "评委会查询和政策包）。"
        ),
    )
    async def committees(
        region: Annotated[RegionCode, Query()],
        series: Annotated[Series, Query()],
        level: Annotated[Level | None, Query()] = None,
        industry: Annotated[Industry | None, Query()] = None,
        county: Annotated[RegionCode | None, Query()] = None,
        specialty: Annotated[str | None, Query(max_length=60)] = None,
        as_of: Annotated[IsoDate | None, Query()] = None,
    ) -> Response:
        pack = (
            registry.select(region, series, as_of)
            if as_of is not None
            else registry.latest(region, series)
        )
        if pack is None:
            raise no_policy(region, series, as_of or today_cst())
        if rule := pack.out_of_scope_for(specialty):
            raise specialty_out_of_scope(pack, specialty, rule)
        facts = SimpleNamespace(
            region=region,
            county=effective_county(region, county),
            industry=industry,
            specialty=specialty,
        )
        out = []
        for lvl in [level] if level else list(pack.levels):
            rule = pack.committee_rule(lvl, facts)
            if rule is not None:
                out.append({**rule[4], "levels": [lvl], "clause": rule[5], "policy": pack.id})
        return dump(out)

    return router


def _in_force(pack: Any) -> dict:
    """When the pack is in force: from `in_force_from` until a later pack of the same scope
    (`replaced_on`, null while none); `valid_from`/`valid_to` say the same as dates it
    answers for (`valid_to` null: open-ended)."""
    m = pack.model
    replaced = pack.replaced_on
    return {
        "in_force_from": m.in_force_from.isoformat(),
        "in_force_basis": pack.refs[m.in_force_clause],
        "replaced_on": replaced.isoformat() if replaced else None,
        "valid_from": m.in_force_from.isoformat(),
        "valid_to": (replaced - timedelta(days=1)).isoformat() if replaced else None,
    }


def _summary(pack: Any) -> dict:
    m = pack.model
    return {
        "id": m.id,
        "title": m.title,
        "series": m.series,
        "regions": m.regions,
        **_in_force(pack),
        "levels": list(m.levels),
        "documents": pack.policy["documents"],
    }
