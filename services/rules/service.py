"""The eligibility service's one entry point: select the pack, build the facts, evaluate."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from services.kit.problems import ProblemError
from services.kit.vocabulary import LEVEL_NAMES, SERIES_NAMES
from services.rules.engine.compiled import CompiledPack
from services.rules.engine.evaluator import evaluate
from services.rules.engine.facts import facts_from_dict, facts_from_request
from services.rules.engine.packs import Registry
from services.rules.engine.routing import route
from services.rules.regions import region_name
from services.rules.schemas import BatchAdapter, FastBatchValidator

_CST = timedelta(hours=8)


def today_cst() -> date:
    return (datetime.now(UTC) + _CST).date()


def no_policy(region: str, series: str, as_of: date, prefix: str = "") -> ProblemError:
    name = region_name(region)
    return ProblemError(
        422,
        "no-policy",
        f"没有适用的政策：{name} {SERIES_NAMES[series]} {as_of.year}年（地区 {region}，评估日期 "
        f"{as_of.isoformat()}）。请核对地区、系列与评估日期，可用 GET /v1/policies 查看已有政策。",
        title="No policy for this request",
        detail_en=f"no policy for {name} {series} {as_of.year} "
        f"(region {region}, as_of {as_of.isoformat()})",
        errors=[
            {
                "field": f"{prefix}{field}",
                "message": "没有适用的政策",
                "message_en": "no policy pack covers this region, series and date",
            }
            for field in ("region", "series", "as_of")
        ],
    )


def no_level(pack: CompiledPack, level: str, prefix: str = "") -> ProblemError:
    have = "、".join(LEVEL_NAMES[x] for x in pack.levels)
    return ProblemError(
        422,
        "level-not-in-policy",
        f"政策 {pack.id} 不涵盖{LEVEL_NAMES[level]}职称（只涵盖：{have}）。",
        title="Level not covered by the policy",
        detail_en=f"policy {pack.id} does not cover level {level} "
        f"(covers: {', '.join(pack.levels)})",
        errors=[
            {
                "field": f"{prefix}level",
                "message": f"该政策不涵盖{LEVEL_NAMES[level]}",
                "message_en": "level not covered by the selected policy",
            }
        ],
    )


def specialty_out_of_scope(
    pack: CompiledPack, specialty: str, rule: tuple, prefix: str = ""
) -> ProblemError:
    shown = specialty[:60]
    committees = "、".join(dict.fromkeys(c.name for c in pack.model.committees))
    return ProblemError(
        422,
        "specialty-not-in-policy",
        f"专业“{shown}”属于{rule[1]}，不在{committees or pack.model.title}的受理范围内"
        f"（{rule[2]}）；本服务未配置受理该专业的评委会和申报条件（政策 {pack.id}）。",
        title="Specialty not covered by the policy",
        detail_en=f"specialty {shown!r} is outside policy {pack.id} ({rule[2]}); "
        "no committee is configured for it",
        errors=[
            {
                "field": f"{prefix}specialty",
                "message": f"{rule[1]}不在该政策范围内，未配置评委会",
                "message_en": "specialty outside the policy's scope; no committee configured",
            }
        ],
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds many short-lived objects.

    Evaluation makes no reference cycles (plain dicts, lists and tuples), so reference
    counting frees everything; without the pause, collections triggered by the allocation
    rate scan every live object again and again and dominate the time of a large batch."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class EligibilityService:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def pack_for(self, req: Any, as_of: date, prefix: str = "") -> CompiledPack:
        pack = self.registry.select(req.region, req.series, as_of)
        if pack is None:
            raise no_policy(req.region, req.series, as_of, prefix)
        if req.level not in pack.levels:
            raise no_level(pack, req.level, prefix)
        if pack.out_of_scope and (rule := pack.out_of_scope_for(req.specialty)):
            raise specialty_out_of_scope(pack, req.specialty, rule, prefix)
        return pack

    def evaluate(self, req: Any, explain: bool = True, prefix: str = "") -> dict:
        as_of = req.as_of or today_cst()
        pack = self.pack_for(req, as_of, prefix)
        return evaluate(pack, facts_from_request(req, as_of), explain)

    def route(self, req: Any) -> dict:
        as_of = req.as_of or today_cst()
        return route(self.pack_for(req, as_of), req)

    def evaluate_many(self, reqs: list, explain: bool) -> list[dict]:
        with gc_paused():
            return self._evaluate_many(reqs, explain)

    def _evaluate_many(self, reqs: list, explain: bool) -> list[dict]:
        select = self.registry.select
        out = []
        default_day = None
        for i, req in enumerate(reqs):
            as_of = req.as_of
            if as_of is None:
                as_of = default_day = default_day or today_cst()
            pack = select(req.region, req.series, as_of)
            if (
                pack is None
                or req.level not in pack.levels
                or (pack.out_of_scope and pack.out_of_scope_for(req.specialty))
            ):
                self.pack_for(req, as_of, prefix=f"{i}.")  # raises the right problem
            out.append(evaluate(pack, facts_from_request(req, as_of), explain))
        return out

    def evaluate_json(self, raw: bytes | str, explain: bool) -> list[dict]:
        """A batch body (a JSON array of evaluation requests) → its answers: what
        `evaluate_many(BatchAdapter.validate_json(raw), explain)` answers, or raises.

        Validated into dicts first (a third of the cost of models); a body that breaks a
        rule checked in Python, or that no pack answers, sends the whole batch through the
        models, whose errors and problems are the contract's."""
        with gc_paused():
            try:
                items = FastBatchValidator.validate_json(raw)
            except ValidationError:
                items = None
            if items is not None:
                out = self._evaluate_dicts(items, explain)
                if out is not None:
                    return out
            return self._evaluate_many(BatchAdapter.validate_json(raw), explain)

    def _evaluate_dicts(self, items: list[dict], explain: bool) -> list[dict] | None:
        select = self.registry.select
        out = []
        default_day = None
        # Each body is let go once its facts are built, so that the answers reuse memory
        # still in the cache rather than fresh memory.
        items.reverse()
        pop = items.pop
        while items:
            req = pop()
            as_of = req["as_of"]
            if as_of is None:
                as_of = default_day = default_day or today_cst()
            pack = select(req["region"], req["series"], as_of)
            if (
                pack is None
                or req["level"] not in pack.levels
                or (pack.out_of_scope and pack.out_of_scope_for(req["specialty"]))
            ):
                return None
            f = facts_from_dict(req, as_of)
            if f is None:
                return None
            out.append(evaluate(pack, f, explain))
        return out
