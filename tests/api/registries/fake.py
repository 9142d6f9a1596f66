"""Four small registries in one local HTTP server, shaped like the adapters expect.

Each registry lives under its own prefix (`/education`, `/titles`, `/continuing_education`,
`/social_insurance`) and checks its own key (`X-Api-Key: key-<registry>`). People are
keyed by 身份证号; the education registry also wants the name to match (学信网 does).
Per registry, `modes[name]` makes it misbehave:

    "slow"     answers after SLOW_SECONDS (longer than the client's timeout)
    "error"    503
    "garbage"  200 with a body that is not the registry's shape
    "notfound" 404 for everyone

`calls` records every request that reached a registry (registry, body), to tell a cached
answer from a fresh one. Runs under uvicorn in a thread of the test process.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SLOW_SECONDS = 1.5
NAMES = ("education", "titles", "continuing_education", "social_insurance")


@dataclass
class Person:
    name: str
    degrees: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    hours: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)


class FakeRegistries:
    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.modes: dict[str, str] = {}
        self.calls: list[tuple[str, dict]] = []
        self.app = Starlette(
            routes=[
                Route("/education/degrees/query", self._education, methods=["POST"]),
                Route("/titles/certificates/query", self._titles, methods=["POST"]),
                Route("/continuing_education/hours/query", self._hours, methods=["POST"]),
                Route("/social_insurance/payments/query", self._payments, methods=["POST"]),
            ]
        )
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"registry_timeout": 0.5}
        for name in NAMES:
            out[f"registry_{name}_url"] = self.url(name)
            out[f"registry_{name}_key"] = f"key-{name}"
        return out

    def reset(self) -> None:
        self.modes.clear()
        self.calls.clear()

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)

    async def _gate(self, name: str, request: Request) -> tuple[dict, JSONResponse | None]:
        if request.headers.get("x-api-key") != f"key-{name}":
            return {}, JSONResponse({"code": "unauthorized"}, status_code=401)
        body = await request.json()
        self.calls.append((name, body))
        mode = self.modes.get(name)
        if mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if mode == "error":
            return body, JSONResponse({"code": "maintenance"}, status_code=503)
        if mode == "garbage":
            return body, JSONResponse({"unexpected": "<html>维护中</html>"})
        if mode == "notfound":
            return body, JSONResponse({"code": "not_found"}, status_code=404)
        return body, None

    def _person(self, body: dict) -> Person | None:
        return self.people.get(body.get("id_number", ""))

    async def _education(self, request: Request) -> JSONResponse:
        body, early = await self._gate("education", request)
        if early:
            return early
        person = self._person(body)
        if person is None or person.name != body.get("name") or not person.degrees:
            return JSONResponse({"code": "not_found"}, status_code=404)
        return JSONResponse({"degrees": person.degrees})

    async def _titles(self, request: Request) -> JSONResponse:
        body, early = await self._gate("titles", request)
        if early:
            return early
        person = self._person(body)
        if person is None:
            return JSONResponse({"code": "not_found"}, status_code=404)
        return JSONResponse({"certificates": person.certificates})

    async def _hours(self, request: Request) -> JSONResponse:
        body, early = await self._gate("continuing_education", request)
        if early:
            return early
        person = self._person(body)
        year = body.get("year")
        if person is None or year not in person.hours:
            return JSONResponse({"code": "not_found"}, status_code=404)
        return JSONResponse({"year": year, **person.hours[year]})

    async def _payments(self, request: Request) -> JSONResponse:
        body, early = await self._gate("social_insurance", request)
        if early:
            return early
        person = self._person(body)
        if person is None or not body.get("unit_credit_code"):
            return JSONResponse({"code": "not_found"}, status_code=404)
        return JSONResponse({"records": person.records})

    def start(self) -> FakeRegistries:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake registries did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
