"""Re-encryption and rehash of personal data at rest after a rotation (services/kit/pii.py).

After a new key is made current, or PII_CRYPTO switches between the standard suite and
国密 (SM4-GCM, HMAC-SM3), old values stay readable under their own key; this job moves
them: each ciphertext not sealed with the current algorithm and key is re-encrypted, each
blind index not under the current index key and algorithm is recomputed from the value.
Then the old keys can be removed from the settings.

Rows go in batches of their own transaction, locked while rewritten and walked by id, so
the job can run beside the gateway and be run again (what is current is left alone).
`python -m scripts.pii_rekey` runs it with the gateway's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from services.api.applicants.identity import ID_NUMBER, OBJECTION_PHONE, PHONE, STAFF_PHONE
from services.api.models import Applicant, ResultsObjection, StaffAccount
from services.kit.pii import PiiCipher


@dataclass
class Rekeyed:
    applicants: int = 0  # rows rewritten
    objections: int = 0
    staff: int = 0  # staff accounts whose phone was rewritten


def _applicant(cipher: PiiCipher, row: Applicant) -> bool:
    return _sealed(
        cipher,
        row,
        ((ID_NUMBER, "id_number_enc", "id_number_bidx"), (PHONE, "phone_enc", "phone_bidx")),
    )


def _staff(cipher: PiiCipher, row: StaffAccount) -> bool:
    return _sealed(cipher, row, ((STAFF_PHONE, "phone_enc", "phone_bidx"),))


def _sealed(cipher: PiiCipher, row, columns: tuple[tuple[str, str, str], ...]) -> bool:
    changed = False
    for purpose, enc, bidx in columns:
        sealed, indexed = getattr(row, enc), getattr(row, bidx)
        if sealed is None:
            continue
        if cipher.is_current(sealed) and indexed and cipher.index_is_current(indexed):
            continue
        value = cipher.decrypt(purpose, sealed)
        if not cipher.is_current(sealed):
            setattr(row, enc, cipher.encrypt(purpose, value))
        if not (indexed and cipher.index_is_current(indexed)):
            setattr(row, bidx, cipher.blind_index(purpose, value))
        changed = True
    return changed


def _objection(cipher: PiiCipher, row: ResultsObjection) -> bool:
    if cipher.is_current(row.contact_phone_enc):
        return False
    row.contact_phone_enc = cipher.rotate(OBJECTION_PHONE, row.contact_phone_enc)
    return True


async def _walk(maker: async_sessionmaker[AsyncSession], model, fix, batch: int) -> int:
    rewritten, last = 0, None
    while True:
        async with maker() as session:
            query = select(model).order_by(model.id).limit(batch).with_for_update()
            if last is not None:
                query = query.where(model.id > last)
            rows = (await session.exec(query)).all()
            if not rows:
                return rewritten
            for row in rows:
                if fix(row):
                    session.add(row)
                    rewritten += 1
            await session.commit()
            last = rows[-1].id


async def rekey(
    maker: async_sessionmaker[AsyncSession], cipher: PiiCipher, *, batch: int = 200
) -> Rekeyed:
    return Rekeyed(
        applicants=await _walk(maker, Applicant, lambda r: _applicant(cipher, r), batch),
        objections=await _walk(maker, ResultsObjection, lambda r: _objection(cipher, r), batch),
        staff=await _walk(maker, StaffAccount, lambda r: _staff(cipher, r), batch),
    )
