"""Staff accounts, the service behind auth/staff.py: one organisation and role each,
argon2id passwords.

`staff_max_failures` wrong passwords in a row lock the account for `staff_lock_seconds`
(429 with Retry-After, whatever the password). An unknown username costs the same
argon2 work as a known one and answers the same 401. Every sign-in and failure is
written to api.sign_in_event. Ops create, disable and re-scope accounts; a change of
status, role or organisation ends the account's sessions and is an audit entry
(`staff_account_changed`, what changed). Each account created is an audit entry
(`staff_account_created`), whether by the API or by the first-account command
(services/api/auth/bootstrap.py), which both go through `create_account`.

A unit that registered itself gets its first reviewer account from the contact who
registered it, once its parent office approved it and while it has no account yet
(`first_account`); from then on its accounts manage the others.

Units and offices manage their own reviewer accounts: a reviewer creates, reads,
disables or re-enables accounts of their own org with their own role only (never in
another org, never another or a higher role); ops manage every account. A committee
office also opens and manages the accounts of its pool's experts (role `expert`).

An account may hold a mobile phone, for the reminders a unit reviewer is sent by SMS
(deadlines/reminders.py): given when the account is created, or recorded by the staff
member for themselves with the SMS code sent to it. It is sealed at rest and indexed by
a keyed hash as an applicant's phone is (services/kit/pii.py), and read masked.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.api.applicants.identity import STAFF_PHONE
from services.api.audit import service as audit
from services.api.auth import schemas, tokens
from services.api.auth.codes import check_code
from services.api.auth.problems import (
    AccountDisabled,
    FirstAccountExists,
    InvalidCredentials,
    OrgRoleMismatch,
    StaffAccountNotFound,
    StaffOutsideOrg,
    UsernameTaken,
)
from services.api.auth.tokens import record_sign_in, start_session
from services.api.models import Org, StaffAccount
from services.api.orgs.problems import RegistrationNotFound, UnitNotApproved
from services.api.ratelimit import too_many
from services.kit.auth import Principal
from services.kit.db import xact_lock
from services.kit.pii import PiiCipher, mask_phone
from services.kit.problems import ProblemError

HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
_DUMMY = HASHER.hash("a password nobody has")
ROLE_ORG_KINDS = {
    "unit_reviewer": ("unit",),
    "supervisor": ("supervisor",),
    "county_office": ("county_office",),
    "series_office": ("series_office",),
    "committee_office": ("committee_office",),
    # An expert's account belongs to the committee office whose pool (评委库) they join.
    "expert": ("committee_office",),
    "ops": ("ops", "unit", "supervisor", "county_office", "series_office", "committee_office"),
}


def read(account: StaffAccount, cipher: PiiCipher | None = None) -> schemas.StaffRead:
    """The account as its managers read it: the phone, if any, masked."""
    found = schemas.StaffRead.model_validate(account, from_attributes=True)
    if account.phone_enc is not None and cipher is not None:
        found.phone_masked = mask_phone(staff_phone(cipher, account) or "")
    return found


def staff_phone(cipher: PiiCipher, account: StaffAccount) -> str | None:
    """The account's phone in clear (for its SMS), or None when none is on record."""
    if account.phone_enc is None:
        return None
    return cipher.decrypt(STAFF_PHONE, account.phone_enc)


def _seal_phone(account: StaffAccount, cipher: PiiCipher, phone: str | None) -> None:
    """Seal the phone at rest and index it by its keyed hash (None: remove it)."""
    account.phone_enc = cipher.encrypt(STAFF_PHONE, phone) if phone else None
    account.phone_bidx = cipher.blind_index(STAFF_PHONE, phone) if phone else None


async def _check_org(session, role: str, org_id: uuid.UUID) -> None:
    org = await session.get(Org, org_id)
    if org is None or org.kind not in ROLE_ORG_KINDS[role]:
        raise OrgRoleMismatch()


def _within(actor: Principal, role: str, org_id: uuid.UUID) -> bool:
    """Ops act on any account; anyone else on their own org's accounts of their own role,
    and a committee office on its own pool's expert accounts."""
    if actor.role == "ops":
        return True
    if actor.org_id != str(org_id):
        return False
    return actor.role == role or (actor.role, role) == ("committee_office", "expert")


async def create_account(
    session: AsyncSession,
    *,
    body: schemas.StaffCreate,
    actor: Principal,
    scoped: bool = True,
    cipher: PiiCipher | None = None,
) -> StaffAccount:
    """A new account (argon2id hash), with its audit entry, in the caller's transaction.
    `scoped`: the actor must be ops or of the account's org and role (not so for the
    contact opening a registered unit's first account). A phone given is sealed with
    `cipher` (the audit keeps it masked)."""
    if scoped and not _within(actor, body.role, body.org_id):
        raise StaffOutsideOrg()
    await _check_org(session, body.role, body.org_id)
    # Two requests for one username at once: the second waits here, then finds the first's
    # account (409) instead of failing on the key with a server error.
    await xact_lock(session, f"api.staff_account.username:{body.username}")
    taken = await session.scalar(
        select(func.count()).select_from(StaffAccount).where(StaffAccount.username == body.username)
    )
    if taken:
        raise UsernameTaken()
    account = StaffAccount(
        username=body.username,
        password_hash=await _hash(body.password),
        role=body.role,
        org_id=body.org_id,
    )
    reason = f"{account.id} {account.username} {account.role} @ {account.org_id}"
    if body.phone:
        if cipher is None:
            raise RuntimeError("a staff phone needs the PII cipher")
        _seal_phone(account, cipher, body.phone)
        reason += f" 手机号 {mask_phone(body.phone)}"
    await audit.saved(
        session, account, principal=actor, action="staff_account_created", reason=reason
    )
    return account


async def _own_account(session: AsyncSession, principal: Principal) -> StaffAccount:
    """The signed-in staff member's own account (locked), or 404."""
    try:
        account_id = uuid.UUID(principal.sub.removeprefix("staff:"))
    except ValueError:
        raise StaffAccountNotFound() from None
    found = await session.get(StaffAccount, account_id, with_for_update=True)
    if found is None or not principal.sub.startswith("staff:"):
        raise StaffAccountNotFound()
    return found


async def set_own_phone(
    session: AsyncSession, request: Request, principal: Principal, *, body: schemas.StaffPhoneWrite
) -> schemas.StaffRead:
    """A staff member records (or replaces) their own phone, proved by the SMS code sent to
    it (the applicants' code: same throttles and locks); audited, masked."""
    cipher: PiiCipher = request.app.state.pii
    await check_code(request, body.phone, body.code)
    account = await _own_account(session, principal)
    _seal_phone(account, cipher, body.phone)
    account.updated_at = datetime.now(UTC)
    await audit.record(
        session,
        principal=principal,
        action="staff_phone_set",
        reason=f"{account.id} {account.username}: 手机号 {mask_phone(body.phone)}",
    )
    await session.flush()
    return read(account, cipher)


async def clear_own_phone(session: AsyncSession, principal: Principal) -> None:
    """A staff member removes their own phone: reminders come as messages only."""
    account = await _own_account(session, principal)
    if account.phone_enc is None:
        return
    account.phone_enc = account.phone_bidx = None
    account.updated_at = datetime.now(UTC)
    await audit.record(
        session,
        principal=principal,
        action="staff_phone_removed",
        reason=f"{account.id} {account.username}",
    )
    await session.flush()


async def first_account(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, body: schemas.FirstAccount
) -> schemas.StaffRead:
    """The registered unit's first reviewer account, opened by the contact who registered
    it, once approved and only while the unit has no account."""
    org = await session.get(Org, org_id, with_for_update=True)
    if org is None or org.registered_by is None or org.registered_by != principal.sub:
        raise RegistrationNotFound()
    if org.status != "approved":
        raise UnitNotApproved(status_now=org.status)
    held = await session.scalar(
        select(func.count()).select_from(StaffAccount).where(StaffAccount.org_id == org.id)
    )
    if held:
        raise FirstAccountExists()
    create = schemas.StaffCreate(
        username=body.username, password=body.password, role="unit_reviewer", org_id=org.id
    )
    return read(await create_account(session, body=create, actor=principal, scoped=False))


async def get_account(
    session, account_id: uuid.UUID, *, lock: bool = False, actor: Principal | None = None
) -> StaffAccount:
    """The account; one outside the actor's org and role is answered as not found."""
    found = await session.get(StaffAccount, account_id, with_for_update=lock)
    if found is None or (actor is not None and not _within(actor, found.role, found.org_id)):
        raise StaffAccountNotFound()
    return found


async def update_account(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    account_id: uuid.UUID,
    *,
    body: schemas.StaffUpdate,
) -> schemas.StaffRead:
    """Ops change an account, a reviewer one of their own org and role; a change of
    status, role or organisation ends its sessions."""
    account = await get_account(session, account_id, lock=True, actor=principal)
    role = body.role or account.role
    org_id = body.org_id or account.org_id
    if not _within(principal, role, org_id):
        raise StaffOutsideOrg()
    if role != account.role and principal.role != "ops":
        raise StaffOutsideOrg()  # only ops change a role (an expert never becomes an office)
    if (role, org_id) != (account.role, account.org_id):
        await _check_org(session, role, org_id)
    before = {"status": account.status, "role": account.role, "org": account.org_id}
    after = {"status": body.status or account.status, "role": role, "org": org_id}
    changes = [f"{k} {before[k]}→{after[k]}" for k in before if before[k] != after[k]]
    if body.password:
        changes.append("password reset")
    account.role, account.org_id = role, org_id
    if body.status:
        account.status = body.status
        if body.status == "active":
            account.failed_attempts, account.locked_until = 0, None
    if body.password:
        account.password_hash = await _hash(body.password)
    account.updated_at = datetime.now(UTC)
    if changes:
        await tokens.revoke_subject(session, request, _sub(account))
        await audit.record(
            session,
            principal=principal,
            action="staff_account_changed",
            reason=f"{account.id} {account.username}: " + "; ".join(changes),
        )
    await session.flush()
    return read(account, request.app.state.pii)


def _sub(account: StaffAccount) -> str:
    return f"staff:{account.id}"


def _bad_credentials() -> ProblemError:
    return InvalidCredentials()


async def sign_in(request: Request, *, body: schemas.StaffLogin) -> schemas.TokenPair:
    """Check the password on its own short transactions (the failure count must stick
    even when the sign-in fails), then start a session."""
    settings = request.app.state.settings
    maker = request.app.state.sessionmaker
    now = datetime.now(UTC)

    async def audit(outcome: str, reason: str | None = None) -> None:
        await record_sign_in(
            request, method="password", subject=body.username, outcome=outcome, reason=reason
        )

    async with maker() as session:
        query = select(StaffAccount).where(StaffAccount.username == body.username)
        account = (await session.exec(query.with_for_update())).one_or_none()
        if account is None:
            await _verify(_DUMMY, body.password)  # the same work as for a real account
            await audit("failure", "unknown_user")
            raise _bad_credentials()
        if account.locked_until and account.locked_until > now:
            await audit("failure", "locked")
            wait = int((account.locked_until - now).total_seconds()) + 1
            raise account_locked(wait)
        if not await _verify(account.password_hash, body.password):
            account.failed_attempts += 1
            reason = "wrong_password"
            if account.failed_attempts >= settings.staff_max_failures:
                account.locked_until = now + timedelta(seconds=settings.staff_lock_seconds)
                account.failed_attempts = 0
                reason = "wrong_password_locked"
            session.add(account)
            await session.commit()
            await audit("failure", reason)
            raise _bad_credentials()
        if account.status != "active":
            await audit("failure", "disabled")
            raise AccountDisabled()
        account.failed_attempts, account.locked_until = 0, None
        if HASHER.check_needs_rehash(account.password_hash):
            account.password_hash = await _hash(body.password)
        session.add(account)
        principal = Principal(sub=_sub(account), role=account.role, org_id=str(account.org_id))
        pair = await start_session(session, request, principal, method="password")
        await session.commit()
    await audit("success")
    return pair


def _verify_sync(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


async def _verify(hashed: str, password: str) -> bool:
    # argon2 is deliberately slow (and memory hard): off the event loop.
    return await run_in_threadpool(_verify_sync, hashed, password)


async def _hash(password: str) -> str:
    return await run_in_threadpool(HASHER.hash, password)


def account_locked(wait: int = 900) -> ProblemError:
    return too_many(wait, "密码错误次数过多，账号已暂时锁定，请稍后再试。", "account-locked")
