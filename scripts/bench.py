"""Run every benchmark and print its figures: `scripts/dev.sh bench [name ...]`."""

from __future__ import annotations

import importlib
import sys

BENCHES = {"rules": "scripts.bench_rules"}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(BENCHES[name]).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
