"""The journal register: CSV import by ops, and matching a declaration's papers against it.

CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it), header row required:
`issn,cn,name,status,source,listed_on`. status: legitimate / suspected_illegal / ceased
(or 正常 / 涉嫌非法出版物 / 停刊); listed_on: the date the source lists it (for `ceased`,
the date it ceased). A row is matched to an entry by ISSN, then CN, then normalised name;
a file with any bad row is refused whole, with every bad line listed.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.journals.normalise import name_key, parse_cn, parse_issn
from services.api.journals.problems import (
    JournalCsvEmpty,
    JournalCsvEncoding,
    JournalCsvHeader,
    JournalCsvInvalid,
    JournalCsvTooLong,
    JournalCsvUnreadable,
)
from services.api.journals.schemas import JournalImportRead, JournalRead, PaperCheck
from services.api.models import Journal
from services.kit.db import xact_lock

HEADER = ("issn", "cn", "name", "status", "source", "listed_on")
STATUS = {
    "legitimate": "legitimate",
    "正常": "legitimate",
    "合法": "legitimate",
    "suspected_illegal": "suspected_illegal",
    "涉嫌非法出版物": "suspected_illegal",
    "疑似非法出版物": "suspected_illegal",
    "非法出版物": "suspected_illegal",
    "ceased": "ceased",
    "停刊": "ceased",
    "已停刊": "ceased",
}
MAX_ROWS = 100_000
LEVEL_ORDER = {"risk": 0, "notice": 1, "none": 2}  # sort order: flagged first
CLAUSE = "桂工信职办〔2023〕6号 二（二）2（3）：申报系统已设置学术风险预警功能"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise JournalCsvEncoding() from exc


def parse_csv(raw: bytes) -> list[dict[str, Any]]:
    text = _decode(raw)
    if "\x00" in text:  # Postgres text cannot hold it; no real register contains one
        raise JournalCsvUnreadable("期刊名录含有空字符，请检查后重新上传。")
    try:
        return _parse(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a field beyond the csv module's size limit
        raise JournalCsvUnreadable(
            f"期刊名录不是有效的 CSV 文件（{exc}），请检查后重新上传。",
        ) from exc


def _parse(reader) -> list[dict[str, Any]]:
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != HEADER:
        raise JournalCsvHeader(
            f"期刊名录首行须为：{','.join(HEADER)}（当前为：{','.join(header) or '空'}）。",
        )
    rows, errors = [], []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADER):
            errors.append({"line": line, "message": f"应有{len(HEADER)}列，实有{len(cells)}列。"})
            continue
        issn_raw, cn_raw, name, status, source, listed = (c.strip() for c in cells)
        problems = []
        issn = parse_issn(issn_raw) if issn_raw else None
        if issn_raw and issn is None:
            problems.append(f"ISSN“{issn_raw}”格式或校验位不正确")
        cn = (
            parse_cn(cn_raw if cn_raw.upper().startswith("CN") else f"CN {cn_raw}")
            if cn_raw
            else None
        )
        if cn_raw and cn is None:
            problems.append(f"CN号“{cn_raw}”格式不正确（应如 CN 11-1234/TH）")
        if not name:
            problems.append("刊名不能为空")
        if status not in STATUS:
            problems.append(f"状态“{status}”无效（legitimate/suspected_illegal/ceased）")
        if not source:
            problems.append("来源不能为空")
        try:
            listed_on = date.fromisoformat(listed)
        except ValueError:
            problems.append(f"日期“{listed}”应写作 YYYY-MM-DD")
            listed_on = None
        for key in (("issn", issn), ("cn", cn)) if (issn or cn) else (("name", name_key(name)),):
            if key[1] and key in seen:
                problems.append(f"与第{seen[key]}行重复")
            elif key[1]:
                seen[key] = line
        if problems:
            errors.append({"line": line, "message": "；".join(problems) + "。"})
            continue
        rows.append(
            {
                "line": line,
                "issn": issn,
                "cn": cn,
                "name": name,
                "name_key": name_key(name),
                "status": STATUS[status],
                "source": source,
                "listed_on": listed_on,
            }
        )
        if len(rows) > MAX_ROWS:
            raise JournalCsvTooLong(f"一次最多导入{MAX_ROWS}行。")
    if errors:
        raise JournalCsvInvalid(
            f"期刊名录有{len(errors)}行不正确，整份文件未导入，请修改后重新上传。",
            errors=errors[:200],
        )
    return rows


async def import_csv(session: AsyncSession, raw: bytes) -> JournalImportRead:
    """The whole register file: all of it is imported, or none (a problem says why)."""
    if not raw.strip():
        raise JournalCsvEmpty()
    return await import_rows(session, parse_csv(raw))


async def import_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> JournalImportRead:
    # One import at a time: a second file sent at once waits, then matches the titles the
    # first added instead of adding them again and failing on their ISSN or CN key.
    await xact_lock(session, "api.journal.import")
    existing = list((await session.exec(select(Journal))).all())
    by_issn = {j.issn: j for j in existing if j.issn}
    by_cn = {j.cn: j for j in existing if j.cn}
    by_name = {j.name_key: j for j in existing if not j.issn and not j.cn}
    created: list[dict[str, Any]] = []
    updated = unchanged = 0
    conflicts = []
    for row in rows:
        line = row.pop("line")
        a = by_issn.get(row["issn"]) if row["issn"] else None
        b = by_cn.get(row["cn"]) if row["cn"] else None
        if a is not None and b is not None and a is not b:
            conflicts.append(
                {
                    "line": line,
                    "message": f"ISSN属于《{a.name}》，CN号属于《{b.name}》，不能合并为同一刊物。",
                }
            )
            continue
        journal = a or b
        if journal is None and not row["issn"] and not row["cn"]:
            journal = by_name.get(row["name_key"])
        if journal is None:
            created.append({"id": uuid.uuid4(), **row})
        elif all(getattr(journal, k) == v for k, v in row.items()):
            unchanged += 1
        else:
            for k, v in row.items():
                setattr(journal, k, v)
            journal.updated_at = func.now()
            session.add(journal)
            updated += 1
    if conflicts:
        raise JournalCsvInvalid(
            f"期刊名录有{len(conflicts)}行与已有刊物冲突，整份文件未导入，请修改后重新上传。",
            errors=conflicts[:200],
        )
    await session.flush()
    # New entries in one statement per batch: a register of 100 000 titles loads in seconds.
    for start in range(0, len(created), 5000):
        await session.exec(insert(Journal), params=created[start : start + 5000])
    return JournalImportRead(created=len(created), updated=updated, unchanged=unchanged)


def read(journal: Journal) -> JournalRead:
    return JournalRead.model_validate(journal, from_attributes=True)


def _same_name(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a in b or b in a)


def _check(
    index: int, paper: dict[str, Any], journal: Journal | None, by: str | None
) -> PaperCheck:
    base = {
        "index": index,
        "title": paper.get("title", ""),
        "journal": paper.get("journal", ""),
        "issn_cn": paper.get("issn_cn"),
        "matched_by": by,
        "entry": read(journal) if journal else None,
    }
    if journal is None:
        return PaperCheck(**base, flagged=False, level="none", message=None)
    name = f"《{journal.name}》"
    if journal.status == "suspected_illegal":
        message = (
            f"刊物{name}列入涉嫌非法出版物数据库（来源：{journal.source}，"
            f"{journal.listed_on.isoformat()}），请自行核验该刊物的合法性及论文的真实性（{CLAUSE}）。"
        )
        return PaperCheck(**base, flagged=True, level="risk", message=message)
    if journal.status == "ceased":
        published = paper.get("published_on")
        after = bool(published) and str(published) > journal.listed_on.isoformat()
        message = (
            f"刊物{name}已于{journal.listed_on.isoformat()}停刊（来源：{journal.source}）"
            + ("，论文发表时间在停刊之后" if after else "")
            + f"，请自行核验（{CLAUSE}）。"
        )
        return PaperCheck(
            **base, flagged=after, level="risk" if after else "notice", message=message
        )
    if by in ("issn", "cn") and not _same_name(name_key(paper.get("journal")), journal.name_key):
        message = (
            f"所填刊号属于{name}，与所填刊名“{paper.get('journal')}”不一致，可能为假冒刊号，"
            f"请自行核验（{CLAUSE}）。"
        )
        return PaperCheck(**base, flagged=True, level="risk", message=message)
    return PaperCheck(**base, flagged=False, level="none", message=None)


def _keys(paper: dict[str, Any]) -> tuple[str | None, str | None, str]:
    return (
        parse_issn(paper.get("issn_cn")),
        parse_cn(paper.get("issn_cn")),
        name_key(paper.get("journal")),
    )


async def check_many(
    session: AsyncSession, paper_lists: list[list[dict[str, Any]]]
) -> list[list[PaperCheck]]:
    """Each paper of each list against today's register (ISSN/CN first, then the
    normalised name), flagged papers first; one query for all of them."""
    keys = [[_keys(p) for p in papers] for papers in paper_lists]
    flat = [k for ks in keys for k in ks]
    issns = {k[0] for k in flat if k[0]}
    cns = {k[1] for k in flat if k[1]}
    names = {k[2] for k in flat if k[2]}
    journals: list[Journal] = []
    if flat:
        journals = list(
            (
                await session.exec(
                    select(Journal).where(
                        or_(
                            Journal.issn.in_(issns),
                            Journal.cn.in_(cns),
                            Journal.name_key.in_(names),
                        )
                    )
                )
            ).all()
        )
    by_issn = {j.issn: j for j in journals if j.issn}
    by_cn = {j.cn: j for j in journals if j.cn}
    by_name: dict[str, Journal] = {}
    # A name listed as suspect wins over a legitimate namesake (a fake imitating it).
    for j in sorted(journals, key=lambda j: j.status != "suspected_illegal", reverse=True):
        by_name[j.name_key] = j
    out = []
    for papers, paper_keys in zip(paper_lists, keys, strict=True):
        checks = []
        for index, (paper, (issn, cn, key)) in enumerate(zip(papers, paper_keys, strict=True)):
            if issn and issn in by_issn:
                checks.append(_check(index, paper, by_issn[issn], "issn"))
            elif cn and cn in by_cn:
                checks.append(_check(index, paper, by_cn[cn], "cn"))
            elif key in by_name:
                checks.append(_check(index, paper, by_name[key], "name"))
            else:
                checks.append(_check(index, paper, None, None))
        out.append(sorted(checks, key=lambda c: (LEVEL_ORDER[c.level], c.index)))
    return out


async def check_papers(session: AsyncSession, papers: list[dict[str, Any]]) -> list[PaperCheck]:
    """One declaration's papers against today's register, flagged papers first."""
    [checks] = await check_many(session, [papers])
    return checks


async def search(session: AsyncSession, *, q: str | None, status: str | None, limit: int):
    query = select(Journal)
    if status:
        query = query.where(Journal.status == status)
    if q:
        issn, cn = parse_issn(q), parse_cn(q)
        if issn:
            query = query.where(Journal.issn == issn)
        elif cn:
            query = query.where(Journal.cn == cn)
        else:
            query = query.where(Journal.name_key.contains(name_key(q)))
    query = query.order_by(Journal.name_key, Journal.id).limit(limit)
    return [read(j) for j in (await session.exec(query)).all()]
