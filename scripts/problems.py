"""Write docs/problems.md (错误码表): every problem `type` the four services can answer.

Read from the code, never by hand: every named kind (services/kit/problem_kinds.py), every
`ProblemError(status, "code", …)` raised by code and status alone, the rate-limit and
OAuth helpers, and kit's generic answers to plain HTTP errors. The endpoints column comes
from the OpenAPI documents: the routes that list the type in their `responses=`.

`python -m scripts.problems` writes the file, and the same rows as JSON for the gateway's
GET /v1/problems (services/api/problem_types/catalogue.json); `--check` exits 1 when either
is stale.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "problems.md"
# The same rows as data, answered by the gateway at GET /v1/problems.
CATALOGUE = ROOT / "services" / "api" / "problem_types" / "catalogue.json"
SERVICES = ROOT / "services"
URN = re.compile(r"urn:zhicheng:problem:([a-z0-9-]+)")
# A type a route lists as an example of its problem+json answer (services/kit/openapi.py).
EXAMPLE = re.compile(r"#/components/examples/([a-z0-9-]+)")
# Types every operation of a kind answers: named once instead of listing them all.
EVERYWHERE = {
    "validation-error": "每个带参数或请求体的接口（422）",
    "unauthenticated": "网关每个需要登录令牌的接口（security: bearer）",
    "invalid-token": "网关每个需要登录令牌的接口（security: bearer）",
    "session-ended": "网关每个需要登录令牌的接口（security: bearer）",
    "rate-limited": "网关每个需要登录令牌的接口（对接平台超出每分钟上限），及登录、核验等限流接口",
    "limiter-unavailable": "网关每个需要登录令牌的接口，以及登录、核验等限流的公开接口",
    "forbidden": "网关每个需要登录令牌的接口（对接平台无权调用，或角色不符）",
    # Answered by the request pass of every service, before or around any route.
    "invalid-character": "全部接口（路径、查询参数、表单或 JSON 中含无法保存的字符）",
    "invalid-content-length": "全部接口（请求预处理）",
    "invalid-encoding": "全部接口（请求预处理）",
    "json-too-deep": "全部接口（请求预处理）",
    "request-interrupted": "全部接口（请求预处理）",
    "body-too-large": "全部接口（请求预处理）",
    "service-busy": "全部接口（数据库繁忙、事务冲突）",
    "already-stored": "全部写入接口（与同时办理的另一请求重复）",
    "database-unavailable": "全部接口（数据库不可用）",
    "service-unavailable": "全部接口（所依赖的组件不可用）",
}
SERVICE_ZH = {
    "api": "网关",
    "rules": "资格评估",
    "documents": "材料",
    "notify": "短信",
    "kit": "全部",
}


@dataclass
class Row:
    statuses: set[int] = field(default_factory=set)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    where: set[str] = field(default_factory=set)
    endpoints: set[str] = field(default_factory=set)


def _text(node: ast.AST | None) -> str:
    """A detail as the reader will see it; the parts filled in per case shown as …."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values).strip()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left) + _text(node.right)
    return "…"


def _const(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def _calls(path: Path):
    """(status, code, text) for every problem this file raises by code and status."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.left, ast.Name)
            and node.left.id == "TYPE_PREFIX"
        ):
            code = _const(node.right)
            if isinstance(code, str):
                yield 503, code, ""
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        args = node.args
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        if name == "ProblemError" and len(args) >= 2:
            status, code = _const(args[0]), _const(args[1])
            if isinstance(status, int) and isinstance(code, str):
                yield status, code, _text(args[2] if len(args) > 2 else kw.get("detail"))
        elif name == "too_many" and len(args) >= 2:
            code = _const(args[2]) if len(args) > 2 else _const(kw.get("code"))
            yield 429, code or "rate-limited", _text(args[1])
        elif name == "oauth_error" and len(args) >= 3:
            status, error = _const(args[0]), _const(args[1])
            if isinstance(status, int) and isinstance(error, str):
                yield status, "oauth-" + error.replace("_", "-"), _text(args[2])


def _where(path: Path) -> str:
    return path.relative_to(SERVICES).as_posix()


def collect() -> dict[str, Row]:
    from scripts.openapi import SERVICES as APPS
    from scripts.openapi import _app
    from services.kit.problem_kinds import Problem
    from services.kit.problems import _HTTP_DEFAULTS

    rows: dict[str, Row] = {}
    for path in sorted(SERVICES.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for status, code, text in _calls(path):
            row = rows.setdefault(code, Row())
            row.statuses.add(status)
            row.where.add(_where(path))
            if text:
                row.texts.append((_where(path), text))
    for status, (code, zh, _en) in _HTTP_DEFAULTS.items():
        row = rows.setdefault(code, Row())
        row.statuses.add(status)
        row.where.add("kit/problems.py")
        row.texts.append(("kit/problems.py", zh))
    # The apps import every domain, so every named kind is registered once they load;
    # a domain no route calls yet (its problems raised by its service) is imported here.
    apps = {name: _app(name) for name in APPS}
    for path in sorted(SERVICES.rglob("problems.py")):
        importlib.import_module(
            "services." + path.relative_to(SERVICES).with_suffix("").as_posix().replace("/", ".")
        )
    for code, kind in sorted(Problem.kinds.items()):
        if not kind.__module__.startswith("services."):
            continue  # a kind a test defined for itself
        row = rows.setdefault(code, Row())
        row.statuses.add(kind.status)
        module = kind.__module__.removeprefix("services.").replace(".", "/") + ".py"
        row.where.add(module)
        row.texts.insert(0, (module, kind.text))
    for name, app in apps.items():
        for path, operations in app.openapi().get("paths", {}).items():
            for method, operation in operations.items():
                for response in operation.get("responses", {}).values():
                    # Listed in the description, or (a status described before its
                    # problems were named) as the content's examples.
                    listed = response.get("description", "") + str(response.get("content", ""))
                    for code in set(URN.findall(listed)) | set(EXAMPLE.findall(listed)):
                        if code in EVERYWHERE:
                            continue
                        label = f"{name}: {method.upper()} {path}"
                        rows.setdefault(code, Row()).endpoints.add(label)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def entries(rows: dict[str, Row] | None = None) -> list[dict]:
    """The table's rows as data, in code order: what docs/problems.md prints and what the
    gateway answers at GET /v1/problems (services/api/problem_types/catalogue.json)."""
    from services.kit.problem_kinds import Problem

    rows = collect() if rows is None else rows
    out = []
    for code in sorted(rows):
        row = rows[code]
        kind = Problem.kinds.get(code)
        wordings = len({t for _, t in row.texts})
        out.append(
            {
                "code": code,
                "type": f"urn:zhicheng:problem:{code}",
                "statuses": sorted(row.statuses),
                "title": kind.title if kind is not None else None,
                "meaning": row.texts[0][1] if row.texts else "—",
                "other_wordings": max(wordings - 1, 0),
                "services": list(
                    dict.fromkeys(SERVICE_ZH.get(w.split("/")[0], w) for w in sorted(row.where))
                ),
                "sources": sorted(row.where),
                "endpoints": sorted(row.endpoints),
                "everywhere": EVERYWHERE.get(code),
            }
        )
    return out


def render(table: list[dict] | None = None) -> str:
    table = entries() if table is None else table
    lines = [
        "# 错误码表（problem types）",
        "",
        "Generated by `python -m scripts.problems` from the code; a test fails when it is "
        "stale. Every error answers RFC 9457 problem+json with `type` = "
        "`urn:zhicheng:problem:<code>`, the status below and a Chinese `detail` (where the "
        "case's particulars are filled in, they are shown as …). The gateway answers the "
        "same table, built by the same command, at `GET /v1/problems` and each row at "
        "`GET /v1/problems/{code}` (public, no sign-in): a problem's `type` resolves there.",
        "",
        "| code | HTTP | 服务 | 中文含义 | 接口（OpenAPI 列出的） | 出处 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for entry in table:
        statuses = "/".join(str(s) for s in entry["statuses"])
        services = "、".join(entry["services"])
        text = entry["meaning"]
        if entry["other_wordings"]:
            text += f"（另有{entry['other_wordings']}种具体说法）"
        endpoints = entry["everywhere"] or "<br>".join(entry["endpoints"]) or "—"
        where = "<br>".join(f"`{w}`" for w in entry["sources"])
        lines.append(
            f"| `{entry['code']}` | {statuses} | {services} | {_cell(text)} | {endpoints} "
            f"| {where} |"
        )
    return "\n".join(lines) + "\n"


def render_json(table: list[dict] | None = None) -> str:
    table = entries() if table is None else table
    return json.dumps(table, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    table = entries()
    outputs = {OUT: render(table), CATALOGUE: render_json(table)}
    if args.check:
        stale = [p for p, text in outputs.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"{path} is stale: run `python -m scripts.problems`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
