"""From registry answers to a declaration: pre-filled sections, eligibility facts, and the
upload materials a verified fact replaces (桂工信职办〔2023〕6号 二（二）1（3）–（6）)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kit.vocabulary import LEVELS

# The policy material ids (services/rules/policies/*.yaml) each registry stands in for.
REPLACES: dict[str, tuple[str, ...]] = {
    "education": ("education_proof", "chsi_education_check"),
    "titles": ("title_certificate",),
    "continuing_education": ("continuing_education",),
    "social_insurance": ("social_insurance_record",),
}
CLAUSES = {
    "education": "桂工信职办〔2023〕6号 二（二）1（3）：学历情况可通过数据共享方式获取",
    "titles": "桂工信职办〔2023〕6号 二（二）1（4）：下一级职称证书信息应能数据共享匹配",
    "continuing_education": "桂工信职办〔2023〕6号 二（二）1（5）：继续教育情况可通过数据共享获取",
    "social_insurance": "桂工信职办〔2023〕6号 二（二）1（6）：社保情况可通过数据共享方式获取",
}
UPLOAD_ZH = {
    "education": "学历证书、查档材料或学历认证材料（学信网查询结果截图）",
    "titles": "下一级职称证书及证书审验结果",
    "continuing_education": "公需科目学习考试完成情况证明",
    "social_insurance": "申报前连续6个月以上（不含申报当月）个人社保缴费清单",
}


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if m == 1 else f"{year:04d}-{m - 1:02d}"


def consecutive_months(records: list[dict[str, Any]], credit_code: str | None, today: date) -> int:
    """Consecutive paid months at the unit, counted back from the month before this one
    (不含申报当月)."""
    paid = {
        r["month"]
        for r in records
        if r.get("paid") and credit_code and r.get("unit_credit_code") == credit_code
    }
    months, month = 0, previous_month(month_of(today))
    while month in paid:
        months += 1
        month = previous_month(month)
    return months


def waived(registry: str, data: dict[str, Any] | None) -> tuple[str, ...]:
    """The materials a found record replaces. Continuing education only when the year's
    public-course exam is passed: otherwise the applicant may still prove it by upload."""
    if data is None:
        return ()
    if registry == "continuing_education" and not data.get("exam_passed"):
        return ()
    return REPLACES[registry]


def _current_title(certificates: list[dict[str, Any]], series: str) -> dict[str, Any] | None:
    ours = [c for c in certificates if c["series"] == series] or certificates
    if not ours:
        return None
    best = max(ours, key=lambda c: (LEVELS.index(c["level"]), c["obtained_on"]))
    section = {
        "title_name": best["title_name"],
        "obtained_on": best["obtained_on"],
        "certificate_no": best.get("certificate_no"),
        "level": best["level"],
    }
    if best["series"] in ("engineering", "arts_crafts"):
        section["series"] = best["series"]
    return section


def apply(
    *,
    registry: str,
    data: dict[str, Any],
    sections: dict[str, Any],
    facts: dict[str, Any],
    series: str,
    credit_code: str | None,
    today: date,
) -> list[str]:
    """Fill the declaration's sections and eligibility facts from one registry's data, in
    place; the names of the sections filled."""
    if registry == "education":
        kept = {e.get("level"): e for e in sections.get("education") or []}
        known = {e.get("level"): e for e in facts.get("education") or []}
        entries, items = [], []
        for d in data["degrees"]:
            related = kept.get(d["level"], {}).get("related_major", True)
            entries.append(
                {
                    "level": d["level"],
                    "school": d["school"],
                    "major": d["major"],
                    "graduated_on": d["graduated_on"],
                    "related_major": related,
                }
            )
            items.append(
                {
                    "level": d["level"],
                    "related_major": related,
                    "engineering_master_degree": bool(
                        known.get(d["level"], {}).get("engineering_master_degree", False)
                    ),
                    "graduated_on": d["graduated_on"],
                }
            )
        levels = {d["level"] for d in data["degrees"]}
        # What the applicant entered that the registry does not hold stays, unverified.
        entries += [e for lv, e in kept.items() if lv not in levels]
        items += [e for lv, e in known.items() if lv not in levels]
        sections["education"] = entries
        facts["education"] = items
        return ["education"]
    if registry == "titles":
        certs = data["certificates"]
        found = {(c["series"], c["level"]) for c in certs}
        items = [
            {"series": c["series"], "level": c["level"], "obtained_on": c["obtained_on"]}
            | ({"region": c["region"]} if c.get("region") else {})
            for c in certs
        ]
        items += [
            t for t in facts.get("titles") or [] if (t.get("series"), t.get("level")) not in found
        ]
        facts["titles"] = items
        current = _current_title(certs, series)
        if current is None:
            return []
        sections["current_title"] = current
        return ["current_title"]
    if registry == "continuing_education":
        sections["continuing_education"] = {
            "public_course_year": data["year"],
            "public_course_passed": data["exam_passed"],
            "industry_hours": data["professional_hours"],
        }
        return ["continuing_education"]
    if registry == "social_insurance":
        records = data["records"]
        months = consecutive_months(records, credit_code, today)
        paid = [r for r in records if r.get("paid")]
        latest = paid[-1] if paid else None
        previous = sections.get("social_insurance") or {}
        sections["social_insurance"] = {
            "months": months,
            "employer_matches": bool(latest and latest.get("unit_credit_code") == credit_code),
            "note": previous.get("note"),
        }
        facts["social_insurance_months"] = months
        return ["social_insurance"]
    raise ValueError(registry)
