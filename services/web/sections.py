"""The declaration's sections as step-by-step forms: the fields of each section, and the
conversion between a posted form and the section's JSON (DeclarationSections).

A list section shows its entries and one blank entry to add; an entry left entirely blank
is dropped, so clearing an entry's fields removes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.kit.vocabulary import EDUCATION_NAMES, EMPLOYER_NAMES, GRADE_NAMES, LEVEL_NAMES

SERIES = {"engineering": "工程系列", "arts_crafts": "工艺美术系列"}
AUTHORSHIP = {"sole": "独著", "first": "第一作者", "other": "其他"}
YES_NO = {"true": "是", "false": "否"}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | date | number | select | textarea | bool
    choices: dict[str, str] | None = None
    required: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    many: bool
    fields: tuple[Field, ...]


STEPS: tuple[Section, ...] = (
    Section(
        "basic_info",
        "个人基本信息",
        False,
        (
            Field("name", "姓名", required=True),
            Field("phone", "手机号码", required=True),
            Field("employer_type", "单位性质", "select", EMPLOYER_NAMES, required=True),
            Field("birth_on", "出生日期", "date"),
            Field("gender", "性别", "select", {"male": "男", "female": "女"}),
        ),
    ),
    Section(
        "education",
        "学历情况",
        True,
        (
            Field("level", "学历", "select", EDUCATION_NAMES, required=True),
            Field("school", "毕业院校", required=True),
            Field("major", "所学专业", required=True),
            Field("graduated_on", "毕业时间", "date", required=True),
            Field("related_major", "是否相近专业", "bool"),
        ),
    ),
    Section(
        "current_title",
        "现专业技术资格证书",
        False,
        (
            Field("title_name", "资格名称", required=True),
            Field("series", "系列", "select", SERIES),
            Field("level", "级别", "select", LEVEL_NAMES),
            Field("obtained_on", "取得时间", "date", required=True),
            Field("certificate_no", "证书编号"),
        ),
    ),
    Section(
        "continuing_education",
        "继续教育情况",
        False,
        (
            Field("public_course_year", "公需科目年度", "number", required=True),
            Field("public_course_passed", "公需科目是否合格", "bool", required=True),
            Field("industry_hours", "专业科目学时", "number"),
        ),
    ),
    Section(
        "main_experience",
        "主要经历",
        True,
        (
            Field("start_on", "起始时间", "date", required=True),
            Field("end_on", "截止时间", "date"),
            Field("employer", "工作单位", required=True),
            Field("work", "从事工作", required=True),
            Field("position", "职务"),
        ),
    ),
    Section(
        "professional_experience",
        "专业工作经历",
        True,
        (
            Field("name", "项目名称", required=True),
            Field("content", "工作内容", "textarea", required=True),
            Field("start_on", "起始时间", "date", required=True),
            Field("end_on", "截止时间", "date"),
        ),
    ),
    Section(
        "papers",
        "任现职以来论文、著作情况",
        True,
        (
            Field("title", "题目", required=True),
            Field("journal", "刊物名称", required=True),
            Field("published_on", "发表时间", "date", required=True),
            Field("authorship", "作者排序", "select", AUTHORSHIP),
            Field("issn_cn", "刊号（ISSN/CN）"),
        ),
    ),
    Section(
        "achievements",
        "工作业绩",
        True,
        (
            Field("name", "业绩名称", required=True),
            Field("content", "主要内容", "textarea", required=True),
            Field("role", "本人作用", required=True),
            Field("completed_on", "完成时间", "date"),
        ),
    ),
    Section(
        "annual_assessments",
        "近5年考核结果",
        True,
        (
            Field("year", "年度", "number", required=True),
            Field("grade", "考核等次", "select", GRADE_NAMES, required=True),
        ),
    ),
    Section(
        "self_evaluation", "自评", False, (Field("text", "自我评价", "textarea", required=True),)
    ),
)
BY_KEY = {s.key: s for s in STEPS}


def _value(f: Field, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if f.kind == "number":
        try:
            return int(raw)
        except ValueError:
            return raw  # the gateway names the field and says why
    if f.kind == "bool":
        return raw == "true"
    return raw


def _entry(section: Section, form: Any, prefix: str) -> dict[str, Any] | None:
    out = {}
    for f in section.fields:
        value = _value(f, str(form.get(f"{prefix}{f.key}", "")))
        if value is not None:
            out[f.key] = value
    return out or None


def from_form(section: Section, form: Any) -> Any:
    """The section's JSON from a posted form (entries `i-<field>` for a list section)."""
    if not section.many:
        return _entry(section, form, "")
    count = int(form.get("count", "0") or 0)
    entries = [_entry(section, form, f"{i}-") for i in range(min(count, 50))]
    return [e for e in entries if e]


def rows(section: Section, value: Any) -> list[dict[str, Any]]:
    """The entries the form shows: a list section's entries and one blank one."""
    if not section.many:
        return [value or {}]
    return [*(value or []), {}]


def form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def readable(values: dict[str, Any]) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The sections as a reviewer reads them: (title, entries of (label, value)), with the
    choices in Chinese; sections without a form here are shown by their key."""
    out = []
    for section in STEPS:
        value = values.get(section.key)
        if not value:
            continue
        entries = value if section.many else [value]
        shown = []
        for entry in entries:
            pairs = []
            for f in section.fields:
                v = entry.get(f.key)
                if v is None or v == "":
                    continue
                text = YES_NO[form_value(v)] if f.kind == "bool" else form_value(v)
                pairs.append((f.label, (f.choices or {}).get(text, text)))
            shown.append(pairs)
        out.append((section.title, shown))
    return out
