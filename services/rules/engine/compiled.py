"""A pack compiled for evaluation: predicate objects, plain tuples and sets, and the
response fragments (policy, committee, materials) built once and shared."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.rules.engine import models as m
from services.rules.engine import predicates as p
from services.rules.engine import records as r
from services.rules.engine.exclusions import Exclusion, compile_exclusion

PRED_KINDS: dict[str, type[p.Pred]] = {
    "education": p.EducationPred,
    "years_since_title": p.YearsSinceTitlePred,
    "years_of_work": p.YearsOfWorkPred,
    "skill_grade_years": p.SkillGradeYearsPred,
    "fact_date": p.FactDatePred,
    "assessments_each_year": r.AssessmentsEachYearPred,
    "assessments_count": r.AssessmentsCountPred,
    "assessments_all_in_term": r.AssessmentsAllInTermPred,
    "assessment_latest": r.AssessmentLatestPred,
    "county_in": r.CountyInPred,
    "flag": r.FlagPred,
    "number_at_least": r.NumberAtLeastPred,
    "no_title": r.NoTitlePred,
    "other_series_title": r.OtherSeriesTitlePred,
    "title_held": r.TitleHeldPred,
    "manual_review": r.ManualReviewPred,
}


def region_prefix(code: str) -> str:
    """450000 → "45" (province), 450200 → "4502" (city), 450226 → "450226" (county)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class CompiledPath:
    __slots__ = (
        "common",
        "common_eval",
        "memo",
        "path",
        "plain",
        "row_evals",
        "rows",
        "with_row",
    )

    def __init__(self, path: str, common: tuple, rows: tuple) -> None:
        self.path = path
        self.common = common
        self.rows = rows  # alternatives: a tuple of predicate tuples
        # Bound `evaluate` methods, looked up once here rather than on every evaluation.
        self.common_eval = tuple(p.evaluate for p in common)
        self.row_evals = tuple(tuple(p.evaluate for p in row) for row in rows)
        self.with_row = tuple(common + row for row in rows)  # what is reported per row
        preds = common + tuple(p for row in rows for p in row)
        # Explanations of a path depend only on its results when every message does:
        # results -> (conditions, {earliest_on: the path's answer}) (see evaluator.evaluate).
        self.memo: dict | None = {} if all(p.memo is not None for p in preds) else None
        # (eligible, earliest_on) -> the path's answer without explanations.
        self.plain: dict[tuple, dict] = {}


class CompiledLevel:
    __slots__ = ("committees", "fee", "materials", "materials_cache", "paths")

    def __init__(self, paths: tuple, fee: int | None, committees: tuple, materials: tuple):
        self.materials_cache: dict[tuple, list] = {}
        self.paths = paths
        self.fee = fee
        self.committees = committees
        self.materials = materials


class CompiledPack:
    def __init__(self, model: m.Pack, source: str) -> None:
        self.model = model
        self.source = source
        self.id = model.id
        self.series = model.series
        self.prefixes = tuple(region_prefix(c) for c in model.regions)
        # The range of dates it answers for; the registry ends it where a later pack of
        # the same scope comes into force (`replaced_on`).
        self.valid_from = model.in_force_from.toordinal()
        self.valid_to = dt.date.max.toordinal()
        self.replaced_on: dt.date | None = None
        docs = {d.id: d for d in model.documents}
        self.refs = {
            key: f"{docs[c.document].number or docs[c.document].short} {c.point}"
            for key, c in model.clauses.items()
        }
        self.policy = {"id": model.id, "documents": [d.number or d.short for d in model.documents]}
        self.exclusions: tuple[Exclusion, ...] = tuple(
            compile_exclusion(e, self.refs) for e in model.exclusions
        )
        self.exclusion_guards = tuple({x.guard for x in self.exclusions if x.guard})
        self.exclusion_employers = frozenset(
            t for x in self.exclusions if not x.guard for t in x.types
        )
        cutoff = model.seniority_cutoff
        self.year_end = cutoff.rule == "year_end"
        cutoff_label = cutoff.label or ("计算至评审年度12月31日" if self.year_end else "")
        self.out_of_scope = tuple(
            (tuple(x.specialty_contains), x.label, self.refs[x.clause]) for x in model.out_of_scope
        )
        self.committee_cache: dict[tuple, dict | None] = {}
        self.levels: dict[str, CompiledLevel] = {}
        for level, spec in model.levels.items():
            ctx = p.Ctx(model.series, level, self.year_end, cutoff_label, self.refs)
            paths = tuple(self._path(x, ctx) for x in spec.paths)
            fee = model.fees[level].yuan if level in model.fees else None
            committees = tuple(self._committee(c) for c in model.committees if level in c.levels)
            materials = tuple(self._material(x) for x in model.materials if self._for(x, level))
            self.levels[level] = CompiledLevel(paths, fee, committees, materials)

    @staticmethod
    def _preds(conditions: list, ctx: p.Ctx) -> tuple:
        return tuple(PRED_KINDS[c.kind](c, ctx) for c in conditions)

    def _path(self, x: m.Path, ctx: p.Ctx) -> CompiledPath:
        rows = tuple(self._preds(row.conditions, ctx) for row in x.rows)
        return CompiledPath(x.path, self._preds(x.conditions, ctx), rows)

    def _committee(self, c: m.Committee) -> tuple:
        out = {"code": c.code, "name": c.name, "office": c.office}
        return (
            tuple(region_prefix(x) for x in c.regions),
            frozenset(c.counties),
            frozenset(c.industries),
            tuple(c.specialty_contains),
            out,
            self.refs[c.clause],
            c,
        )

    @staticmethod
    def _for(x: m.Material, level: str) -> bool:
        return not x.levels or level in x.levels

    def _material(self, x: m.Material) -> tuple:
        out = {
            "id": x.id,
            "name": x.name,
            "clause": self.refs[x.clause],
            "producer": x.producer,
        }
        return (
            frozenset(x.employer_types),
            frozenset(x.paths),
            tuple(x.facts),
            out,
        )

    def may_exclude(self, f: Any) -> bool:
        """False when no exclusion of the pack can fire for these facts."""
        if f.employer_type is None or f.employer_type in self.exclusion_employers:
            return True
        return any(getattr(f, g) for g in self.exclusion_guards)

    def covers(self, region: str, county: str | None, series: str, as_of_ord: int) -> bool:
        if series != self.series or not self.valid_from <= as_of_ord <= self.valid_to:
            return False
        return any(region.startswith(x) for x in self.prefixes)

    def out_of_scope_for(self, specialty: str | None) -> tuple | None:
        """(words, label, clause ref) of the scope rule that leaves this specialty out."""
        if not specialty:
            return None
        for rule in self.out_of_scope:
            if any(w in specialty for w in rule[0]):
                return rule
        return None

    def resolve_committee(self, level: str, f: Any) -> dict | None:
        rule = self.committee_rule(level, f)
        return None if rule is None else rule[4]

    def committee_rule(self, level: str, f: Any) -> tuple | None:
        """The first committee rule matching the facts (region, county, industry,
        specialty); a missing fact matches no rule that asks for it."""
        lvl = self.levels.get(level)
        if lvl is None:
            return None
        for rule in lvl.committees:
            regions, counties, industries, specialty = rule[:4]
            if regions and not any(f.region.startswith(x) for x in regions):
                continue
            if counties and f.county not in counties:
                continue
            if industries and f.industry not in industries:
                continue
            if specialty and not (f.specialty and any(s in f.specialty for s in specialty)):
                continue
            return rule
        return None
