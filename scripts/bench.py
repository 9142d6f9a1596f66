"""Run the benchmarks and print one table of their figures: `scripts/dev.sh bench [name ...]`.

Each runs as its own process with its defaults (`python -m scripts.bench_<name> --help`
for its options), prints its own detail, and reports its headline figures through
`scripts/benchsummary.py`; none is part of the test suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from scripts.benchsummary import ENV

BENCHES = ("rules", "documents", "notify", "login", "load", "scale", "gateway", "web")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    failed = []
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", encoding="utf-8") as summary:
        env = {**os.environ, ENV: summary.name}
        for name in names:
            print(f"== {name}", flush=True)
            if subprocess.run([sys.executable, "-m", f"scripts.bench_{name}"], env=env).returncode:
                failed.append(name)
        rows = [json.loads(line) for line in summary.read().splitlines() if line.strip()]
    print()
    header = ("benchmark", "figure", "value", "unit", "target")
    table = [header] + [
        (r["bench"], r["figure"], f"{r['value']:,.3g}" if r["value"] < 10 else f"{r['value']:,.0f}",
         r["unit"], r["target"])
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
