"""Readiness probes of the services the gateway calls: each answers its `/healthz`.

Their liveness, not their own readiness: a document service whose store is down answers
uploads with its own 503 (and its own /readyz says so), while the gateway still serves
everything else; what the gateway reports is whether it can reach the two at all.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI


async def _alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    response.raise_for_status()


async def check_rules(app: FastAPI) -> None:
    await _alive(app.state.rules)


async def check_documents(app: FastAPI) -> None:
    await _alive(app.state.documents)
