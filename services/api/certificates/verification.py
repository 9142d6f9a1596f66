"""Is this certificate genuine? Answered from the id, the holder's name and what the
office keeps, and nothing more is told.

The answer is one of three words: `genuine` (the record exists, the name is the
holder's, the record's signature verifies under the office's keys, and so does a
signature presented from a QR code), `revoked` (the same, but revoked since), and
`unknown` for everything else: no such certificate, another name, a record altered
since it was signed, or a presented signature that is not the office's over this
record. The public never learns which of these it was, so a guess at an id and a name
learns nothing beyond "not this one"; the reason is kept for the office's log.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from services.api.certificates.model import CertificateRecord, normalise_name
from services.api.certificates.signing import BadSignature, Keyring

Status = Literal["genuine", "revoked", "unknown"]
Reason = Literal["ok", "revoked", "no_record", "name_mismatch", "bad_record", "bad_presented"]


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: Reason  # for the office's log only; never in a public answer


def verify(
    record: CertificateRecord | None,
    *,
    holder_name: str,
    keyring: Keyring,
    presented_signature: str | None = None,
) -> Verdict:
    if record is None:
        return Verdict("unknown", "no_record")
    given = normalise_name(holder_name).encode()
    if not hmac.compare_digest(given, record.data.holder_name.encode()):
        return Verdict("unknown", "name_mismatch")
    message = record.data.canonical_bytes()
    try:
        keyring.verify(record.signature, message)
    except BadSignature:
        return Verdict("unknown", "bad_record")
    if presented_signature is not None:
        try:
            keyring.verify(presented_signature, message)
        except BadSignature:
            return Verdict("unknown", "bad_presented")
    if record.revocation is not None:
        return Verdict("revoked", "revoked")
    return Verdict("genuine", "ok")
