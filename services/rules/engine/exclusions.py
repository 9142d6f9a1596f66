"""Exclusions: who may not apply at all. `check(facts)` returns None when the rule does not
apply, `(True, due, message)` for a blocker (`due` = the ordinal of the day it lifts, or
NEVER), or `(None, 0, message)` when the fact that decides it is missing: that becomes a
condition with `met: null` on every path, never a blocker."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kit.vocabulary import EMPLOYER_NAMES, SANCTION_NAMES
from services.rules.engine import models as m
from services.rules.engine.dates import NEVER, add_months

# (blocker?, due, message) or, for a judgement a person records (met null with
# `decided_by`), a fourth item: the response's `decided_by`.
Check = tuple[bool | None, int, str] | tuple[None, int, str, dict] | None


class Exclusion:
    """`guard` names a fact that must be truthy for the rule to fire (None: see
    `employer_types`, the employer types it looks at), so that an applicant none of the
    pack's exclusions can touch skips them all with a few attribute tests."""

    __slots__ = ("blocker", "clause", "label")
    guard: str | None = None

    def __init__(self, e: Any, refs: dict[str, str], label: str) -> None:
        self.blocker = e.blocker
        self.clause = refs[e.clause]
        self.label = e.label or label

    def check(self, f: Any) -> Check:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def pending_condition(self, message: str, decided_by: dict | None = None) -> dict:
        condition = {
            "id": self.blocker,
            "met": None,
            "clause": self.clause,
            "message": message,
            "required": None,
            "actual": None,
        }
        if decided_by is not None:
            condition["decided_by"] = decided_by
        return condition


def _unknown_employer(label: str) -> tuple[None, int, str]:
    return (None, 0, f"未提供单位性质（employer_type），无法判断：{label}，请补充")


class EmployerTypeEx(Exclusion):
    __slots__ = ("types",)

    def __init__(self, e: m.ExEmployerType, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "该类人员不得申报")
        self.types = frozenset(e.employer_types)

    def check(self, f: Any) -> Check:
        if f.employer_type is None:
            return _unknown_employer(self.label)
        if f.employer_type in self.types:
            return (True, NEVER, f"单位性质为{EMPLOYER_NAMES[f.employer_type]}：{self.label}")
        return None


class RetiredEx(Exclusion):
    __slots__ = ("allow_extended",)
    guard = "retired"

    def __init__(self, e: m.ExRetired, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "已办理离退休手续的人员不得申报")
        self.allow_extended = e.allow_extended

    def check(self, f: Any) -> Check:
        if not f.retired:
            return None
        if self.allow_extended and f.retirement_extended:
            return None
        return (True, NEVER, self.label)


class SanctionEx(Exclusion):
    __slots__ = ("kinds", "types")
    guard = "sanctions"

    def __init__(self, e: m.ExSanction, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "处分（审查）期间不得申报")
        self.kinds = frozenset(e.sanction_kinds)
        self.types = frozenset(e.employer_types)

    def check(self, f: Any) -> Check:
        hit = None
        for kind, until in f.sanctions:
            if kind not in self.kinds or (until is not None and until <= f.as_of):
                continue
            due = NEVER if until is None else until.toordinal()
            if hit is None or due > hit[1]:
                hit = (kind, due)
        if hit is None:
            return None
        if self.types and f.employer_type not in self.types:
            if f.employer_type is None:
                return _unknown_employer(self.label)
            return None
        kind, due = hit
        if due == NEVER:
            return (
                True,
                NEVER,
                f"{SANCTION_NAMES[kind]}，未提供期限，按仍在期内处理：{self.label}",
            )
        lifts = date.fromordinal(due).isoformat()
        return (True, due, f"{SANCTION_NAMES[kind]}，期限至{lifts}：{self.label}，{lifts} 起可申报")


class FlagEx(Exclusion):
    __slots__ = ("fact",)
    guard = "qualification_exam_specialty"

    def __init__(self, e: m.ExFlag, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "该类人员不得申报")
        self.fact = e.fact

    def check(self, f: Any) -> Check:
        return (True, NEVER, self.label) if getattr(f, self.fact) else None


class CountAtLeastEx(Exclusion):
    __slots__ = ("at_least",)
    guard = "same_level_applications"

    def __init__(self, e: m.ExCountAtLeast, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "同一年度只能申报一个同级别职称")
        self.at_least = e.at_least

    def check(self, f: Any) -> Check:
        n = f.same_level_applications
        if n >= self.at_least:
            return (True, NEVER, f"{self.label}，本年度已有{n}个同级别申报")
        return None


class ProfessionalPostEx(Exclusion):
    __slots__ = ("types",)

    def __init__(self, e: m.ExProfessionalPost, refs: dict[str, str]) -> None:
        super().__init__(e, refs, "事业单位申报人员须在本单位专业技术岗位聘用")
        self.types = frozenset(e.employer_types)

    def check(self, f: Any) -> Check:
        if f.employer_type not in self.types:
            return None
        if f.in_professional_post is None:
            return (None, 0, f"{self.label}，未说明是否在专业技术岗位聘用，请补充")
        if f.in_professional_post:
            return None
        return (True, NEVER, f"{self.label}，现未在专业技术岗位聘用")


class SocialInsuranceEx(Exclusion):
    """Seed 004 二（二）1（6）: “原则上应有在申报单位连续6个月以上…个人养老保险缴费记录；
    对于6个月内有工作单位变动的，应提供相关情况说明和证明材料”. With the explanation
    (`social_insurance_change_explained`) and a pack that says who weighs it (`explained`),
    short months are a judgement for that level, not a blocker."""

    __slots__ = ("explained", "min_months", "types")

    def __init__(self, e: m.ExSocialInsurance, refs: dict[str, str]) -> None:
        label = f"须有在申报单位连续{e.min_months}个月以上（不含申报当月）的个人社保缴费记录"
        super().__init__(e, refs, label)
        self.types = frozenset(e.employer_types)
        self.min_months = e.min_months
        self.explained = e.explained.response() if e.explained else None

    def check(self, f: Any) -> Check:
        if f.employer_type not in self.types:
            return None
        who = EMPLOYER_NAMES[f.employer_type]
        months = f.social_insurance_months
        if months is None:
            return (None, 0, f"{who}申报人员{self.label}，未提供缴费月数，请补充")
        if months >= self.min_months:
            return None
        if self.explained is not None and f.social_insurance_change_explained:
            return (
                None,
                0,
                f"{who}申报人员{self.label}，现{months}个月；已提供工作单位变动的情况说明和"
                "证明材料，由审核部门认定",
                self.explained,
            )
        due = add_months(f.as_of.replace(day=1), self.min_months - months)
        return (
            True,
            due.toordinal(),
            f"{who}申报人员{self.label}，现{months}个月，{due.isoformat()} 起满足"
            f"（{self.min_months}个月内有工作单位变动的，应提供情况说明和证明材料）",
        )


KINDS = {
    "employer_type": EmployerTypeEx,
    "retired": RetiredEx,
    "sanction": SanctionEx,
    "flag": FlagEx,
    "count_at_least": CountAtLeastEx,
    "professional_post": ProfessionalPostEx,
    "social_insurance": SocialInsuranceEx,
}


def compile_exclusion(e: Any, refs: dict[str, str]) -> Exclusion:
    return KINDS[e.kind](e, refs)
