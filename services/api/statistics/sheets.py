"""推荐名册 and 材料汇总表 line by line: how a chunk of plain rows becomes lines. Run in
the export processes (workers.py), which import this module: it imports nothing heavy.
The rows come as JSON arrays (encoder.rows_of): a time is its ISO text there."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.api.clock import shanghai
from services.api.statistics.names import LEVEL_ZH, PATH_ZH, STATUS_ZH


def _name(sections: dict[str, Any]) -> str:
    return (sections.get("basic_info") or {}).get("name", "")


ROSTER = [
    "序号",
    "姓名",
    "用人单位",
    "申报级别",
    "申报专业",
    "申报途径",
    "现职称",
    "单位推荐时间",
    "当前状态",
]
SUMMARY = [
    "序号",
    "姓名",
    "用人单位",
    "申报级别",
    "申报专业",
    "论文",
    "业绩成果",
    "获奖",
    "在用材料份数",
    "材料类别",
]


def roster_lines(rows: Sequence[Any], first: int) -> list[list[Any]]:
    out = []
    for i, (text, unit, at, level, specialty, path, status) in enumerate(rows, start=first):
        s = json.loads(text)
        out.append(
            [
                i,
                _name(s),
                unit,
                LEVEL_ZH.get(level, level),
                specialty or "",
                PATH_ZH.get(path, path),
                (s.get("current_title") or {}).get("title_name", ""),
                shanghai(datetime.fromisoformat(at)),
                STATUS_ZH.get(status, status),
            ]
        )
    return out


def summary_lines(rows: Sequence[Any], first: int) -> list[list[Any]]:
    out = []
    for i, (text, unit, _at, level, specialty, kinds) in enumerate(rows, start=first):
        s = json.loads(text)
        kinds = kinds or []
        out.append(
            [
                i,
                _name(s),
                unit,
                LEVEL_ZH.get(level, level),
                specialty or "",
                "；".join(p.get("title", "") for p in s.get("papers") or []),
                "；".join(a.get("name", "") for a in s.get("achievements") or []),
                "；".join(a.get("name", "") for a in s.get("awards") or []),
                len(kinds),
                "、".join(sorted(set(kinds))),
            ]
        )
    return out
