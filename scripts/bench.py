"""Run the benchmarks and print their figures: `scripts/dev.sh bench [name ...]`.

Each runs as its own process with its defaults (`python -m scripts.bench_<name> --help`
for its options); none is part of the test suite.
"""

from __future__ import annotations

import subprocess
import sys

BENCHES = ("rules", "documents", "notify")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        failed |= subprocess.run([sys.executable, "-m", f"scripts.bench_{name}"]).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
