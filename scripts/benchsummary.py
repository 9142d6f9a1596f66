"""Figures a benchmark reports for the one table `scripts/bench.py` prints.

A benchmark calls `record(...)` beside its own printout; when run through `bench.py`
(which sets ZHICHENG_BENCH_SUMMARY to a file) the figure is appended there as a JSON line.
"""

from __future__ import annotations

import json
import os

ENV = "ZHICHENG_BENCH_SUMMARY"


def record(bench: str, figure: str, value: float, unit: str, target: str = "") -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    line = {"bench": bench, "figure": figure, "value": value, "unit": unit, "target": target}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
