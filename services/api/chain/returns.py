"""退回补正, item by item: each item of the one complete list may be tied to a section or a
material of the declaration; the resubmission answers each; reviewers see what changed.

桂工信职办〔2023〕6号 三（三）: “实行一次性告知制度，明确补正材料的内容和时限要求。逾期未补充的，
视为放弃申报。” The list names what is to be corrected; the resubmission is checked against it.

An item with a `target` is tracked. What it names is compared between the snapshot of the
submission the return was issued against (`baseline_n`) and the declaration as resubmitted:
- a section is changed when its value (`sections[key]`, compared as stored JSON) differs;
- a material is changed when the set of documents attached for it (attachments whose
  `kind` or `document_kind` is the material) differs: a replacement, an addition or a
  removal all change it.
An item is untouched while anything it names is unchanged (an item naming a section and a
material needs both changed). An untouched item needs the applicant's note saying why
(`addressed[].note`), marked or not; without one the resubmission is refused, naming the
items. Items without a target (plain lines, or the bare `section` label) cannot be
compared: they may be marked and noted, never refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.chain.problems import (
    ReturnAnswerInvalid,
    ReturnItemsUntouched,
    ReturnNotFound,
    ReturnNotResubmitted,
    ReturnTargetUnknown,
)
from services.api.declarations.schemas import ItemAnswer, ReturnItem
from services.api.declarations.sections import SECTION_TITLES
from services.api.models import (
    Declaration,
    DeclarationDocument,
    DeclarationReturn,
    DeclarationSnapshot,
    UnitMaterial,
)


def _serves(attachment: dict[str, Any], material: str) -> bool:
    return material in (attachment.get("kind"), attachment.get("document_kind"))


def _documents_for(attachments: list[dict[str, Any]], material: str) -> set[str]:
    return {str(a["document_id"]) for a in attachments if _serves(a, material)}


def section_zh(key: str) -> str:
    return f"“{SECTION_TITLES[key]}”" if key in SECTION_TITLES else f"“{key}”"


async def items_of(
    session: AsyncSession, declaration: Declaration, items: list[ReturnItem | str]
) -> list[dict[str, Any]]:
    """The items as stored: plain lines become `{"message": …}`; targets are checked
    against the declaration under review (its sections, the materials it attaches, not
    the unit's own, which the applicant cannot replace)."""
    filed = select(UnitMaterial.document_id).where(UnitMaterial.declaration_id == declaration.id)
    unit_docs = {str(d) for d in (await session.exec(filed)).all()}
    stored: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            stored.append({"message": item})
            continue
        entry = item.model_dump(mode="json", exclude={"target"})
        target = item.target
        if target is not None:
            field = f"items.{i}.target"
            if target.section is None and target.material is None:
                errors.append({"field": field, "message": "须指明所涉申报内容或材料"})
            has = declaration.sections.get(target.section) is not None
            if target.section is not None and not has:
                errors.append(
                    {
                        "field": f"{field}.section",
                        "message": f"该申报没有申报内容{section_zh(target.section)}",
                    }
                )
            if target.material is not None:
                docs = _documents_for(declaration.attachments, target.material)
                if not docs:
                    errors.append(
                        {
                            "field": f"{field}.material",
                            "message": f"该申报没有材料“{target.material}”",
                        }
                    )
                elif docs <= unit_docs:
                    errors.append(
                        {
                            "field": f"{field}.material",
                            "message": f"材料“{target.material}”由单位提交，申报人不能更换",
                        }
                    )
            entry["target"] = target.model_dump(mode="json", exclude_none=True)
        stored.append(entry)
    if errors:
        raise ReturnTargetUnknown(
            "补正事项所指的内容与该申报不符："
            + "；".join(f"{e['field']}：{e['message']}" for e in errors)
            + "。",
            errors=errors,
        )
    return stored


async def _snapshot(
    session: AsyncSession, declaration_id: uuid.UUID, n: int | None
) -> DeclarationSnapshot | None:
    if n is None:
        return None
    query = select(DeclarationSnapshot).where(
        DeclarationSnapshot.declaration_id == declaration_id, DeclarationSnapshot.n == n
    )
    return (await session.exec(query)).first()


def unchanged_targets(
    target: dict[str, Any] | None, before: dict[str, Any], declaration: Declaration
) -> list[str]:
    """What the item names that is the same now as in the baseline snapshot."""
    if not target:
        return []
    same = []
    section = target.get("section")
    was = (before.get("sections") or {}).get(section)
    if section is not None and was == declaration.sections.get(section):
        same.append(f"section:{section}")
    material = target.get("material")
    if material is not None:
        was = _documents_for(before.get("attachments") or [], material)
        if was == _documents_for(declaration.attachments, material):
            same.append(f"material:{material}")
    return same


def _unchanged_zh(labels: list[str]) -> str:
    parts = []
    for label in labels:
        kind, _, name = label.partition(":")
        parts.append(
            f"申报内容{section_zh(name)}未修改" if kind == "section" else f"材料“{name}”未更换"
        )
    return "、".join(parts)


async def answered(
    session: AsyncSession,
    declaration: Declaration,
    open_return: DeclarationReturn,
    answers: list[ItemAnswer],
) -> list[dict[str, Any]]:
    """The answer to each item of the open return, or the refusal naming the untouched
    items that carry no note (module docstring)."""
    items = open_return.items
    errors: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, answer in enumerate(answers):
        if answer.item >= len(items):
            errors.append(
                {
                    "field": f"addressed.{i}.item",
                    "message": f"补正通知只有{len(items)}项（从0起编号）",
                }
            )
        elif answer.item in seen:
            errors.append({"field": f"addressed.{i}.item", "message": "同一事项只能答复一次"})
        seen.add(answer.item)
    if errors:
        raise ReturnAnswerInvalid(
            "补正事项的答复有误："
            + "；".join(f"{e['field']}：{e['message']}" for e in errors)
            + "。",
            errors=errors,
        )
    baseline = await _snapshot(session, declaration.id, open_return.baseline_n)
    before = baseline.content if baseline is not None else {}
    # A note of blanks says nothing.
    notes = {a.item: (a.note or "").strip() or None for a in answers}
    result: list[dict[str, Any]] = []
    untouched: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        same = unchanged_targets(item.get("target"), before, declaration) if baseline else []
        note = notes.get(index)
        if same and not note:
            untouched.append(
                {
                    "field": "addressed",
                    "item": index,
                    "unchanged": same,
                    "message": f"第{index + 1}项“{item['message']}”：{_unchanged_zh(same)}",
                }
            )
        result.append({"item": index, "addressed": index in notes, "note": note, "unchanged": same})
    if untouched:
        raise ReturnItemsUntouched(
            f"补正通知中有{len(untouched)}项所指内容未见修改，也未说明理由："
            + "；".join(u["message"] for u in untouched)
            + "。请修改，或在 addressed 中为该项写明未修改的理由"
            "（桂工信职办〔2023〕6号 三（三）一次性告知）。",
            errors=untouched,
        )
    return result


def _leaf_changes(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs between two JSON values, with its path inside the section."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            out += _leaf_changes(before.get(key), after.get(key), sub)
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            b = before[i] if i < len(before) else None
            a = after[i] if i < len(after) else None
            out += _leaf_changes(b, a, f"{path}[{i}]")
        return out
    return [{"field": path or "(整项)", "before": before, "after": after}]


def _ref(attachment: dict[str, Any], row: DeclarationDocument | None) -> dict[str, Any]:
    return {
        "document_id": attachment["document_id"],
        "material": attachment.get("kind") or (row.material if row else None),
        "document_kind": attachment.get("document_kind") or (row.document_kind if row else None),
        "filename": None,
    }


async def changes(
    session: AsyncSession, declaration: Declaration, return_id: uuid.UUID
) -> dict[str, Any]:
    """What changed between the submission the return was issued against and the
    resubmission that answered it: the sections that differ, field by field, and the
    documents replaced (old → new, following the replacement chain), added or removed."""
    returned = await session.get(DeclarationReturn, return_id)
    if returned is None or returned.declaration_id != declaration.id:
        raise ReturnNotFound()
    before = await _snapshot(session, declaration.id, returned.baseline_n)
    after = await _snapshot(
        session, declaration.id, returned.baseline_n + 1 if returned.baseline_n else None
    )
    if before is None or after is None or returned.resolved_at is None:
        raise ReturnNotResubmitted()
    b, a = before.content, after.content
    sections = []
    for key in sorted(set(b["sections"]) | set(a["sections"])):
        fields = _leaf_changes(b["sections"].get(key), a["sections"].get(key))
        if fields:
            sections.append({"section": key, "fields": fields})
    old = {str(x["document_id"]): x for x in b["attachments"]}
    new = {str(x["document_id"]): x for x in a["attachments"]}
    rows = {
        str(r.document_id): r
        for r in (
            await session.exec(
                select(DeclarationDocument).where(
                    DeclarationDocument.declaration_id == declaration.id
                )
            )
        ).all()
    }
    replaced, added = [], []
    taken: set[str] = set()
    for doc_id in [d for d in new if d not in old]:
        origin, row = None, rows.get(doc_id)
        # Replaced twice while returned: the chain leads back to the document submitted.
        while row is not None and row.replaces_id is not None:
            previous = str(row.replaces_id)
            if previous in old:
                origin = previous
                break
            row = rows.get(previous)
        if origin is not None and origin not in new and origin not in taken:
            taken.add(origin)
            replaced.append(
                {
                    "old": _ref(old[origin], rows.get(origin)),
                    "new": _ref(new[doc_id], rows.get(doc_id)),
                }
            )
        else:
            added.append(_ref(new[doc_id], rows.get(doc_id)))
    removed = [_ref(old[d], rows.get(d)) for d in old if d not in new and d not in taken]
    return {
        "return_id": returned.id,
        "n": returned.n,
        "before_submission": before.n,
        "after_submission": after.n,
        "before_sha256": before.sha256,
        "after_sha256": after.sha256,
        "sections": sections,
        "replaced_documents": replaced,
        "added_documents": added,
        "removed_documents": removed,
        "answers": returned.answers,
    }
