"""The eligibility service's one entry point: select the pack, build the facts, evaluate."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
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
from services.rules.schemas import MAX_BATCH, BatchAdapter, FastBatchValidator

_CST = timedelta(hours=8)

# Where one body of a batch may end and the next begin: `}` `,` `{` with JSON whitespace.
_BETWEEN_BODIES = re.compile(rb"\}[ \t\n\r]*,[ \t\n\r]*\{")
# About a hundred bodies: the parsed chunk stays in the processor's cache (see json_chunks).
CHUNK_BYTES = 64 * 1024


def json_chunks(raw: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes] | None:
    """A batch body (a JSON array) cut into JSON arrays of about `size` bytes, whose items
    in order are the batch's, or None when `raw` does not look like an array.

    Parsing a whole batch at once (pydantic-core first builds the parsed tree of all of it,
    then the dicts) walks memory far larger than the cache: validated chunk by chunk, each
    chunk's memory is reused by the next, which saves about a third of the validation.

    A cut is made at a `},{` where the braces since the chunk's start balance, which is
    between two bodies unless a string holds a brace. A wrong cut (inside a string or a
    nested array) leaves a chunk that is not valid JSON: its validation fails and the batch
    goes the models' way whole. When every chunk is valid, the cuts were between bodies,
    and the chunks' items are those of the whole array."""
    body = raw.strip(b" \t\n\r")  # JSON's whitespace only (bytes.strip takes more)
    if body[:1] != b"[" or body[-1:] != b"]":
        return None
    return _cut(body, size)


def _cut(body: bytes, size: int) -> Iterator[bytes]:
    end = len(body) - 1
    start = 1
    search = _BETWEEN_BODIES.search
    while start + size < end:
        depth = 0
        pos = start
        m = search(body, start + size)
        while m is not None:
            cut = m.start() + 1
            part = body[pos:cut]
            depth += part.count(b"{") - part.count(b"}")
            if depth == 0:
                break
            pos = cut
            m = search(body, m.end() - 1)
        if m is None:
            break
        yield b"[" + body[start:cut] + b"]"
        start = m.end() - 1
    yield b"[" + body[start:end] + b"]"


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


class gc_paused:  # lower case: called like the function it was, `with gc_paused():`
    """Pause the cyclic garbage collector while a batch builds many short-lived objects.

    Evaluation makes no reference cycles (plain dicts, lists and tuples), so reference
    counting frees everything; without the pause, collections triggered by the allocation
    rate scan every live object again and again and dominate the time of a large batch.

    A class rather than a generator: leaving a generator's `with` allocates (its
    StopIteration) right after the collector is back on, which starts a collection over
    every answer of the batch still alive (10 to 20 ms for 10 000 answers). Here nothing
    is allocated after `gc.enable()`: the collection comes at the next allocation, by
    when the caller has usually serialised and dropped the answers."""

    __slots__ = ("enabled",)

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
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

        Validated into dicts first (a third of the cost of models), chunk by chunk
        (`json_chunks`); a chunk that does not validate, a body that breaks a rule checked
        in Python, or one that no pack answers, sends the whole batch through the models,
        whose errors and problems are the contract's."""
        with gc_paused():
            out = self._evaluate_chunks(raw, explain)
            if out is not None:
                return out
            return self._evaluate_many(BatchAdapter.validate_json(raw), explain)

    def _evaluate_chunks(
        self, raw: bytes | str, explain: bool, size: int = CHUNK_BYTES
    ) -> list[dict] | None:
        """The fast path's answers, chunk by chunk (`json_chunks`), or None."""
        chunks = (raw,) if isinstance(raw, str) else json_chunks(raw, size)
        if chunks is None:
            return None
        out: list[dict] = []
        today = today_cst()  # one day for the whole batch, as on the models' way
        for chunk in chunks:
            try:
                items = FastBatchValidator.validate_json(chunk)
            except ValidationError:
                return None
            if self._evaluate_dicts(items, explain, out, today) is None or len(out) > MAX_BATCH:
                return None
        return out

    def _evaluate_dicts(
        self,
        items: list[dict],
        explain: bool,
        out: list[dict] | None = None,
        today: date | None = None,
    ) -> list[dict] | None:
        """The answers to bodies validated into dicts, appended to `out` (`today` for a
        body without `as_of`); None when one of them needs the models (see
        `facts_from_dict`) or no pack answers it."""
        select = self.registry.select
        if out is None:
            out = []
        default_day = today
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
