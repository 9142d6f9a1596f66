"""The unit's posting list (名册) line by line, from plain rows: run in the export
processes (statistics/workers.py), which import this module: it imports nothing heavy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

LEVEL_ZH = {
    "technician": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}
HEADER = ["序号", "姓名", "申报级别", "申报专业", "工作经历", "主要业绩", "论文著作"]


def posting_lines(rows: Sequence[Any], first: int) -> list[list[Any]]:
    """A chunk of the list, from plain rows (run in an export process, statistics/workers.py)."""
    out = []
    for i, (text, level, specialty) in enumerate(rows, start=first):
        s = json.loads(text)
        history = "；".join(
            f"{e.get('start_on')}至{e.get('end_on') or '今'} {e.get('employer')} {e.get('work')}"
            for e in s.get("main_experience") or []
        )
        achievements = "；".join(a.get("name", "") for a in s.get("achievements") or [])
        papers = "；".join(
            f"《{p.get('title')}》（{p.get('journal')}，{p.get('published_on')}）"
            for p in s.get("papers") or []
        )
        name = (s.get("basic_info") or {}).get("name", "")
        out.append(
            [i, name, LEVEL_ZH.get(level, level), specialty or "", history, achievements, papers]
        )
    return out
