"""Who an applicant is, for the services that need it in clear (registry lookups).

The ID number is sealed at rest (services/kit/pii.py); this module is the one place the
gateway opens it. Everything that goes out to a person other than the owner is masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from services.api.applicants.problems import (
    IdentityConflict,
    IdentityNotFound,
    IdNumberTaken,
    InvalidIdNumber,
)
from services.api.applicants.schemas import IdentityRead, IdentityWrite
from services.api.audit import service as audit
from services.api.models import Applicant
from services.kit.auth import Principal
from services.kit.pii import PiiCipher, mask_id_number, validate_id_number

ID_NUMBER = "id_number"
PHONE = "phone"
# The phone an objector (异议人) proved, kept with the objection (results/objections.py).
OBJECTION_PHONE = "objection_phone"
# A staff account's own mobile phone (auth/accounts.py), for its reminders by SMS.
STAFF_PHONE = "staff_phone"


@dataclass(frozen=True)
class Identity:
    sub: str
    name: str | None
    id_number: str

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


async def find(session: AsyncSession, sub: str, *, lock: bool = False) -> Applicant | None:
    query = select(Applicant).where(Applicant.sub == sub)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).one_or_none()


async def verified_phone(session: AsyncSession, cipher: PiiCipher, sub: str) -> str | None:
    """The phone this applicant proved with an SMS code (SMS sign-in, or the phone check
    that binds WeChat), or None for an account that never proved one."""
    applicant = await find(session, sub)
    if applicant is None or applicant.phone_enc is None:
        return None
    return cipher.decrypt(PHONE, applicant.phone_enc)


async def applicant_identity(session: AsyncSession, cipher: PiiCipher, sub: str) -> Identity | None:
    """The applicant's name and ID number in clear, or None when none is on record."""
    applicant = await find(session, sub)
    if applicant is None or applicant.id_number_enc is None:
        return None
    return Identity(
        sub=sub,
        name=applicant.name,
        id_number=cipher.decrypt(ID_NUMBER, applicant.id_number_enc),
    )


async def set_identity(
    session: AsyncSession, cipher: PiiCipher, sub: str, *, name: str, id_number: str
) -> Identity:
    """Record (or correct) the applicant's real name and ID number.

    One ID number belongs to one account: a number already bound to another account is
    refused with 409, without saying whose it is.
    """
    try:
        number = validate_id_number(id_number)
    except ValueError as exc:
        raise InvalidIdNumber(str(exc)) from exc
    # The number's digest under every index key still listed (keys rotate).
    candidates = cipher.index_candidates(ID_NUMBER, number)
    bidx = candidates[0]
    taken = await session.scalar(
        select(func.count())
        .select_from(Applicant)
        .where(Applicant.id_number_bidx.in_(candidates), Applicant.sub != sub)
    )
    if taken:
        raise IdNumberTaken()
    applicant = await find(session, sub, lock=True)
    if applicant is None:
        applicant = Applicant(sub=sub)
        session.add(applicant)
    applicant.name = name
    applicant.id_number_enc = cipher.encrypt(ID_NUMBER, number)
    applicant.id_number_bidx = bidx
    applicant.updated_at = func.now()
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request bound the same number or account
        raise IdentityConflict() from exc
    return Identity(sub=sub, name=name, id_number=number)


def _read(found: Identity) -> IdentityRead:
    return IdentityRead(
        name=found.name, id_number=found.id_number, id_number_masked=found.masked_id_number
    )


async def own_identity(session: AsyncSession, cipher: PiiCipher, sub: str) -> IdentityRead:
    """The applicant's own record, in full (only its owner reads it)."""
    found = await applicant_identity(session, cipher, sub)
    if found is None:
        raise IdentityNotFound()
    return _read(found)


async def record_identity(
    session: AsyncSession, cipher: PiiCipher, principal: Principal, *, body: IdentityWrite
) -> IdentityRead:
    """Record or correct it; the audit trail keeps the masked number."""
    found = await set_identity(
        session, cipher, principal.sub, name=body.name, id_number=body.id_number
    )
    await audit.record(
        session,
        principal=principal,
        action="identity_recorded",
        reason=f"身份证号 {found.masked_id_number}",
    )
    return _read(found)
