"""Load, validate and index the policy packs (`services/rules/policies/*.yaml`).

A broken pack raises `PackError` naming the file and the key, so the service refuses to
start rather than run without a rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.rules.engine.compiled import CompiledPack, region_prefix
from services.rules.engine.models import Pack

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"


class PackError(Exception):
    """A policy pack that cannot be used; the message names the file and the key."""


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in loc) or "(top level)"


def _walk_clauses(node: Any, loc: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "clause" and isinstance(value, str):
                yield (*loc, key), value
            elif key != "clauses":
                yield from _walk_clauses(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_clauses(value, (*loc, i))


def build_pack(raw: Any, source: str) -> CompiledPack:
    """Validate one pack's parsed YAML and compile it; `source` names it in errors."""
    if not isinstance(raw, dict):
        raise PackError(f"{source}: the file must hold a mapping (policy pack), not {raw!r:.40}")
    try:
        model = Pack.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{source}: {_dotted(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise PackError("invalid policy pack\n" + "\n".join(lines)) from None
    problems = []
    stem = Path(source).stem
    if model.id != stem and source.endswith(".yaml"):
        problems.append(f"{source}: id: '{model.id}' must equal the file name '{stem}'")
    if model.in_force_clause not in model.clauses:
        problems.append(f"{source}: in_force_clause: unknown clause '{model.in_force_clause}'")
    docs = {d.id for d in model.documents}
    for key, clause in model.clauses.items():
        if clause.document not in docs:
            problems.append(
                f"{source}: clauses.{key}.document: unknown document '{clause.document}'"
            )
    for loc, key in _walk_clauses(raw, ()):
        if key not in model.clauses:
            problems.append(f"{source}: {_dotted(loc)}: unknown clause '{key}'")
    for level, spec in model.levels.items():
        seen = set()
        for i, path in enumerate(spec.paths):
            if path.path in seen:
                problems.append(f"{source}: levels.{level}.paths.{i}.path: '{path.path}' twice")
            seen.add(path.path)
    problems += _judging_problems(model, source)
    if problems:
        raise PackError("invalid policy pack\n" + "\n".join(problems))
    return CompiledPack(model, source)


def _judging_problems(model: Pack, source: str) -> list[str]:
    """A `judging` entry names committees of this pack, levels they judge, each committee
    and level once, and each 量化赋分 item once."""
    problems = []
    committees = {c.code: set(c.levels) for c in model.committees}
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(model.judging):
        where = f"{source}: judging.{i}"
        for code in entry.committees:
            if code not in committees:
                problems.append(f"{where}.committees: unknown committee '{code}'")
                continue
            for level in entry.levels:
                if level not in committees[code]:
                    problems.append(f"{where}.levels: committee '{code}' does not judge {level}")
                if (code, level) in seen:
                    problems.append(f"{where}: committee '{code}' {level} judged twice")
                seen.add((code, level))
        ids = [x.id for x in entry.quantified.items] if entry.quantified else []
        if len(ids) != len(set(ids)):
            problems.append(f"{where}.quantified.items: an item id twice")
    return problems


def load_pack_file(path: Path) -> CompiledPack:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(f"{path.name}: not valid YAML: {exc}") from None
    return build_pack(raw, path.name)


def _overlap(a: CompiledPack, b: CompiledPack) -> bool:
    if a.series != b.series or a.valid_to < b.valid_from or b.valid_to < a.valid_from:
        return False
    return any(x.startswith(y) or y.startswith(x) for x in a.prefixes for y in b.prefixes)


def _scope(pack: CompiledPack) -> tuple:
    return pack.series, frozenset(pack.prefixes)


def _replacements(packs: list[CompiledPack]) -> None:
    """Each pack is in force from its `in_force_from` until the next pack of the same
    scope (series and regions) comes into force: set `replaced_on` and the ordinal range."""
    for pack in packs:
        later = [
            x.model.in_force_from
            for x in packs
            if _scope(x) == _scope(pack) and x.model.in_force_from > pack.model.in_force_from
        ]
        pack.replaced_on = min(later, default=None)
        pack.valid_from = pack.model.in_force_from.toordinal()
        pack.valid_to = (
            pack.replaced_on.toordinal() - 1 if pack.replaced_on else date.max.toordinal()
        )


class Registry:
    """All packs of a directory; selection gives at most one pack per request."""

    def __init__(self, packs: list[CompiledPack]) -> None:
        self.packs = sorted(packs, key=lambda x: x.id)
        self.by_id = {x.id: x for x in self.packs}
        _replacements(self.packs)
        problems = []
        for i, a in enumerate(self.packs):
            for b in self.packs[i + 1 :]:
                if a.id == b.id:
                    problems.append(f"{a.source}, {b.source}: id: both are '{a.id}'")
                elif _overlap(a, b):
                    problems.append(
                        f"{a.source}, {b.source}: regions/in_force_from: both are in force for "
                        f"the same region, series and dates; a request must select exactly one "
                        f"pack (a pack replaces another only for the same series and regions)"
                    )
        if problems:
            raise PackError("conflicting policy packs\n" + "\n".join(problems))
        self._cache: dict[tuple, CompiledPack | None] = {}

    @classmethod
    def load(cls, directory: Path = POLICY_DIR) -> Registry:
        files = sorted(Path(directory).glob("*.yaml"))
        if not files:
            raise PackError(f"{directory}: no policy packs (*.yaml) found")
        return cls([load_pack_file(f) for f in files])

    def select(self, region: str, series: str, as_of: date) -> CompiledPack | None:
        key = (region, series, as_of)
        try:
            return self._cache[key]
        except KeyError:
            pass
        ordinal = as_of.toordinal()
        found = [x for x in self.packs if x.covers(region, None, series, ordinal)]
        pack = found[0] if found else None
        if len(self._cache) < 100_000:
            self._cache[key] = pack
        return pack

    def latest(self, region: str, series: str) -> CompiledPack | None:
        found = [
            x
            for x in self.packs
            if x.series == series and any(region.startswith(p) for p in x.prefixes)
        ]
        return max(found, key=lambda x: x.valid_from, default=None)


__all__ = ["POLICY_DIR", "PackError", "Registry", "build_pack", "load_pack_file", "region_prefix"]
