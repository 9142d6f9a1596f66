"""Export the OpenAPI 3.1 documents of the HTTP services into `openapi/`: the three
FastAPI services and the notify worker's listener (probes, delivery receipts).

`python -m scripts.openapi` writes them; `--check` exits 1 when a committed file is stale.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "openapi"
SERVICES = {
    "api": "services.api.main",
    "rules": "services.rules.main",
    "documents": "services.documents.main",
    "notify": "services.notify.health",
}


def _app(service: str):
    if service == "notify":
        from services.notify.config import get_settings
        from services.notify.health import build_health_app

        # Only the routes matter for the document; no connection is opened.
        return build_health_app(get_settings(), {"engine": None, "redis": None})
    return importlib.import_module(SERVICES[service]).app


def render(service: str) -> str:
    app = _app(service)
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for service in SERVICES:
        path = OUT / f"{service}.json"
        text = render(service)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print("stale OpenAPI files (run `make openapi`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
