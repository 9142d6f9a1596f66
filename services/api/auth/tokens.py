"""Access tokens (JWT, ≤ 15 min) and rotating refresh tokens (opaque, stored hashed).

Each sign-in starts a family. Refreshing marks the presented token used and issues the
next one in the family; a used (or revoked) token presented again means it was copied:
the whole family is revoked, so neither the thief nor the owner can go on with it.
Logout revokes the family.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy import or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import revocation
from services.api.auth.problems import InvalidRefreshToken
from services.api.auth.schemas import TokenPair
from services.api.models import Applicant, RefreshToken, SignInEvent
from services.kit.auth import Principal, issue_token, signing_key
from services.kit.logs import request_id_var
from services.kit.problems import ProblemError


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def access_token(request: Request, principal: Principal) -> tuple[str, int]:
    settings = request.app.state.settings
    ttl = settings.access_token_ttl_seconds
    token = issue_token(
        principal, secret=signing_key(settings), algorithm=settings.jwt_algorithm, ttl_seconds=ttl
    )
    return token, ttl


async def _new_refresh(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    family_id: uuid.UUID,
    method: str | None,
) -> str:
    raw = secrets.token_urlsafe(32)
    ttl = request.app.state.settings.refresh_token_ttl_seconds
    session.add(
        RefreshToken(
            token_hash=digest(raw),
            family_id=family_id,
            sub=principal.sub,
            role=principal.role,
            org_id=uuid.UUID(principal.org_id) if principal.org_id else None,
            method=method,
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        )
    )
    await session.flush()
    return raw


async def start_session(
    session: AsyncSession, request: Request, principal: Principal, *, method: str
) -> TokenPair:
    """A new family, signed in by `method` (sms, wechat or password)."""
    family_id = uuid.uuid4()
    token, ttl = access_token(request, principal.model_copy(update={"sid": str(family_id)}))
    refresh = await _new_refresh(session, request, principal, family_id, method)
    return TokenPair(access_token=token, expires_in=ttl, refresh_token=refresh)


def invalid_grant(detail: str | None = None) -> ProblemError:
    return InvalidRefreshToken(detail)


async def revoke_family(session: AsyncSession, request: Request, family_id: uuid.UUID) -> None:
    await session.exec(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.status != "revoked")
        .values(status="revoked")
    )
    await revocation.end_sessions(request, [family_id])


async def revoke_subject(
    session: AsyncSession, request: Request, sub: str, *, method: str | None = None
) -> None:
    """Every session of a subject (a disabled or re-scoped staff account), or only those
    signed in by `method` (WeChat's, when it is unbound) and those started before the
    method was recorded, which may have been."""
    query = update(RefreshToken).where(RefreshToken.sub == sub, RefreshToken.status == "active")
    if method is not None:
        query = query.where(or_(RefreshToken.method == method, RefreshToken.method.is_(None)))
    families = (
        await session.exec(query.values(status="revoked").returning(RefreshToken.family_id))
    ).all()
    await revocation.end_sessions(request, sorted({row[0] for row in families}))


async def find(session: AsyncSession, raw: str, *, lock: bool = True) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == digest(raw))
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).one_or_none()


async def rotate(
    session: AsyncSession, request: Request, found: RefreshToken, *, principal: Principal
) -> TokenPair:
    """Use an active refresh token (locked by the caller): the next pair of its family."""
    found.status = "used"
    found.used_at = datetime.now(UTC)
    session.add(found)
    token, ttl = access_token(request, principal.model_copy(update={"sid": str(found.family_id)}))
    refresh = await _new_refresh(session, request, principal, found.family_id, found.method)
    return TokenPair(access_token=token, expires_in=ttl, refresh_token=refresh)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def record_sign_in(
    request: Request,
    *,
    method: str,
    subject: str,
    outcome: str,
    reason: str | None = None,
) -> None:
    """Audit one sign-in or failure, in its own transaction (a refusal rolls back the rest)."""
    async with request.app.state.sessionmaker() as session:
        session.add(
            SignInEvent(
                method=method,
                subject=subject,
                outcome=outcome,
                reason=reason,
                ip=client_ip(request),
                request_id=request_id_var.get(),
            )
        )
        await session.commit()


async def applicant_signed_in(
    session: AsyncSession,
    request: Request,
    sub: str,
    *,
    method: str,
    subject: str,
    reason: str | None = None,
) -> TokenPair:
    """An applicant's sign-in by `method` succeeded: a new session, and the audit row."""
    pair = await start_session(
        session, request, Principal(sub=sub, role="applicant"), method=method
    )
    await record_sign_in(request, method=method, subject=subject, outcome="success", reason=reason)
    return pair


async def refresh(request: Request, raw: str) -> TokenPair:
    """A new pair for an unused refresh token; a reused one ends its whole session.

    One transaction of its own holding the token's row lock; a reused token's family is
    revoked and committed before the refusal.
    """
    async with request.app.state.sessionmaker() as session:
        found = await find(session, raw)
        if found is None or found.expires_at <= datetime.now(UTC):
            raise invalid_grant()
        if found.status != "active" or not await _still_allowed(session, found.sub, found.role):
            await revoke_family(session, request, found.family_id)
            await session.commit()
            await record_sign_in(
                request,
                method="refresh",
                subject=found.sub,
                outcome="failure",
                reason={"used": "reused_token_family_revoked", "active": "account_disabled"}.get(
                    found.status, "revoked"
                ),
            )
            raise invalid_grant()
        principal = Principal(
            sub=found.sub, role=found.role, org_id=str(found.org_id) if found.org_id else None
        )
        pair = await rotate(session, request, found, principal=principal)
        await session.commit()
    return pair


async def _still_allowed(session: AsyncSession, sub: str, role: str) -> bool:
    """An applicant account disabled since sign-in ends its sessions (staff changes revoke
    them when they are made)."""
    if role != "applicant":
        return True
    query = select(Applicant.status).where(Applicant.sub == sub)
    status = (await session.exec(query)).one_or_none()
    return status in (None, "active")


async def logout(session: AsyncSession, request: Request, raw: str) -> None:
    """End the session the refresh token belongs to (an unknown token: nothing to end)."""
    found = await find(session, raw)
    if found is not None:
        await revoke_family(session, request, found.family_id)
