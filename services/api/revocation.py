"""Which tokens no longer count: Postgres records it, Valkey only caches it.

Postgres is the record. A sign-in session (a refresh-token family, the access token's
`sid`) has ended once any of its refresh tokens is revoked (logout, a reused refresh
token, a staff account change, WeChat unbound) or its account is disabled (applicant or
staff); a portal client once its status is `revoked`.

Valkey holds one entry per session (`session:state:<sid>` = ended | live) and per portal
client (`oauth:client-state:<client_id>` = revoked | active), so a request costs one GET.
On a miss (a new session, an expired entry, a flushed or replaced Valkey) Postgres is
asked and the answer stored with SET NX, so it never overwrites a revocation written
meanwhile. A revocation stores "ended"/"revoked" without NX, after its row is written
and before the request commits: a rollback can only leave a session refused that should
not be, never the reverse. "live"/"active" entries last `revocation_live_ttl_seconds`:
the longest a revocation goes unseen when its cache write was lost (Valkey unreachable at
that moment) or an account was disabled directly in the database. If Valkey cannot
answer, sessions are checked in Postgres (portals get 503 anyway: their rate limit
needs Valkey). Nothing here needs a Valkey backup.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import exists, or_, select

from services.api.models import Applicant, OAuthClient, RefreshToken, StaffAccount
from services.kit.auth import LEEWAY_SECONDS, Principal

logger = logging.getLogger("zhicheng.auth")

ENDED, LIVE = b"ended", b"live"
REVOKED, ACTIVE = b"revoked", b"active"
STAFF_PREFIX = "staff:"  # a staff account's token subject: staff:<account id>


def session_key(sid: str) -> str:
    return f"session:state:{sid}"


def client_key(client_id: str) -> str:
    return f"oauth:client-state:{client_id}"


def _ended_ttl(request: Request) -> int:
    """Outlives every access token of the session; Postgres answers after that anyway."""
    return request.app.state.settings.access_token_ttl_seconds + LEEWAY_SECONDS + 60


def _live_ttl(request: Request) -> int:
    return request.app.state.settings.revocation_live_ttl_seconds


# --- sessions (applicants and staff) ---------------------------------------------------


def _session_query(sid: uuid.UUID, principal: Principal):
    ended = [exists().where(RefreshToken.family_id == sid, RefreshToken.status == "revoked")]
    if principal.role == "applicant":
        ended.append(exists().where(Applicant.sub == principal.sub, Applicant.status != "active"))
    elif principal.sub.startswith(STAFF_PREFIX):
        try:
            account_id = uuid.UUID(principal.sub.removeprefix(STAFF_PREFIX))
        except ValueError:
            account_id = None
        if account_id is not None:
            ended.append(
                exists().where(StaffAccount.id == account_id, StaffAccount.status != "active")
            )
    return select(or_(*ended))


async def _session_ended_in_db(request: Request, principal: Principal) -> bool:
    try:
        sid = uuid.UUID(principal.sid or "")
    except ValueError:
        return True  # no session of ours carries such an id
    async with request.app.state.engine.connect() as conn:
        return bool(await conn.scalar(_session_query(sid, principal)))


async def session_ended(request: Request, principal: Principal) -> bool:
    """Has the sign-in session of this (applicant or staff) token ended?"""
    redis: Redis = request.app.state.redis
    key = session_key(principal.sid or "")
    try:
        cached = await redis.get(key)
    except RedisError:
        logger.warning("session check read from postgres: valkey unavailable")
        return await _session_ended_in_db(request, principal)
    if cached is not None:
        return cached != LIVE  # anything but a plain "live" refuses
    ended = await _session_ended_in_db(request, principal)
    ttl = _ended_ttl(request) if ended else _live_ttl(request)
    try:
        await redis.set(key, ENDED if ended else LIVE, ex=ttl, nx=True)
    except RedisError:
        logger.warning("session state not cached: valkey unavailable")
    return ended


async def end_sessions(request: Request, family_ids: list[uuid.UUID]) -> None:
    """Cache "ended" for sessions whose revocation the caller has just written."""
    if not family_ids:
        return
    ttl = _ended_ttl(request)
    try:
        async with request.app.state.redis.pipeline(transaction=False) as pipe:
            for family_id in family_ids:
                pipe.set(session_key(str(family_id)), ENDED, ex=ttl)
            await pipe.execute()
    except RedisError:
        # Postgres holds the revocation; a stale "live" entry lasts its short TTL at most.
        logger.warning("ended sessions not cached: valkey unavailable")


# --- portal clients --------------------------------------------------------------------


async def client_revoked(request: Request, client_id: str, cached: bytes | None) -> bool:
    """Is this portal client revoked? `cached` is its entry, read with the rate counter."""
    if cached is not None:
        return cached != ACTIVE  # anything but a plain "active" refuses
    async with request.app.state.engine.connect() as conn:
        status = await conn.scalar(
            select(OAuthClient.status).where(OAuthClient.client_id == client_id)
        )
    # A client unknown here (a development token) is refused by nothing but its expiry.
    revoked = status is not None and status != "active"
    ttl = _ended_ttl(request) if revoked else _live_ttl(request)
    try:
        await request.app.state.redis.set(
            client_key(client_id), REVOKED if revoked else ACTIVE, ex=ttl, nx=True
        )
    except RedisError:
        logger.warning("client state not cached: valkey unavailable")
    return revoked


async def revoke_client(request: Request, client_id: str) -> None:
    """Cache "revoked" for a client whose revocation the caller has just written."""
    try:
        await request.app.state.redis.set(client_key(client_id), REVOKED, ex=_ended_ttl(request))
    except RedisError:
        logger.warning("revoked client not cached: valkey unavailable")
