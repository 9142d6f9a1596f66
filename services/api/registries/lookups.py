"""The lookup choreography: read, ask the registries with no connection held, then lock
and store, so no database connection or row lock waits on a registry."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.http import DeferredIdempotency, check_if_match
from services.api.models import Declaration
from services.api.registries import service
from services.api.registries.base import Registry
from services.kit.auth import Principal
from services.kit.pii import PiiCipher


async def run(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    *,
    sessionmaker,
    registries: dict[str, Registry],
    cipher: PiiCipher,
    idem: DeferredIdempotency,
    if_match: str | None,
) -> JSONResponse:
    # 1. A short read on its own session: who to ask about, and the version read.
    async with sessionmaker() as reading:
        await idem.replay_if_answered(reading)
        query, version = await service.prepare(reading, declaration, cipher=cipher)
    check_if_match(if_match, version, required=False)
    # 2. The registries, concurrently, each within its timeout; no connection is held.
    outcomes = await service.ask(registries, query)
    # 3. The request's own transaction, short: claim the key, lock, re-check, store.
    claimed = await idem.claim(session)
    result = await service.store(
        session,
        principal,
        declaration.id,
        query=query,
        outcomes=outcomes,
        cipher=cipher,
        if_match=if_match,
    )
    return await claimed.respond(result, headers={"ETag": f'"{result.version}"'})
