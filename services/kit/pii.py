"""Personal data: 身份证号 checks, masking, encryption at rest and blind indexes.

- `validate_id_number` checks a 18-digit resident ID number against GB 11643-1999
  (region code shape, a real birth date, the ISO 7064 MOD 11-2 check character).
- `mask_id_number` / `mask_phone` give the forms every response and log line uses
  (`4502**********1234`, `138****5678`); only the owner ever sees the full value.
- `PiiCipher` encrypts with AES-256-GCM under a key id, so keys can be rotated: new
  values use the current key, old ones still decrypt with theirs until re-encrypted
  (`rotate`). The purpose ("id_number", "phone") is bound as associated data, so a
  ciphertext cannot be moved to another column and still decrypt.
- `blind_index` is an HMAC-SHA256 of the normalised value under a separate key, for
  equality lookups ("is this ID number already registered") without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_PHONE_DIGITS = re.compile(r"\d")


class InvalidIdNumber(ValueError):
    """Not a valid 18-digit resident ID number (the message says why, in Chinese)."""


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """The normalised number, or InvalidIdNumber (GB 11643-1999)."""
    number = normalise_id_number(value)
    if not _ID_SHAPE.match(number):
        raise InvalidIdNumber("身份证号应为18位，前17位为数字，最后一位为数字或X。")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号中的出生日期不是有效日期（GB 11643-1999）。") from None
    if born.year < 1900 or born > date.today():
        raise InvalidIdNumber("身份证号中的出生日期不在合理范围内（GB 11643-1999）。")
    if id_check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位不正确，请核对后重新填写（GB 11643-1999）。")
    return number


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except InvalidIdNumber:
        return False
    return True


def mask_id_number(value: str) -> str:
    """`450203199001011234` → `4502**********1234` (first four and last four kept)."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` → `138****5678`; `+8613812345678` → `+86138****5678`."""
    digits = len(_PHONE_DIGITS.findall(value))
    if digits < 7:
        return "*" * len(value)
    return value[:-8] + "****" + value[-4:]


class PiiKeyError(ValueError):
    pass


def parse_keys(spec: str) -> dict[str, bytes]:
    """`kid:base64key[,kid:base64key…]` → {kid: 32-byte key}."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, sep, encoded = part.partition(":")
        if not sep or not kid or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", kid):
            raise PiiKeyError("each PII key is written kid:base64key with a short key id")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise PiiKeyError(f"PII key {kid} is not valid base64") from exc
        if len(key) != 32:
            raise PiiKeyError(f"PII key {kid} must be 32 bytes (AES-256)")
        keys[kid] = key
    if not keys:
        raise PiiKeyError("no PII encryption key configured")
    return keys


class PiiCipher:
    """AES-256-GCM with key ids; ciphertexts look like `k1:<base64(nonce ‖ ciphertext)>`."""

    def __init__(self, keys: dict[str, bytes], current: str, index_key: bytes) -> None:
        if current not in keys:
            raise PiiKeyError(f"the current PII key id {current!r} is not among the keys")
        if len(index_key) < 32:
            raise PiiKeyError("the blind-index key must be at least 32 bytes")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current
        self._index_key = index_key

    @classmethod
    def from_settings(cls, keys: str, current: str, index_key: str) -> PiiCipher:
        return cls(parse_keys(keys), current, base64.b64decode(index_key))

    def encrypt(self, purpose: str, value: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead[self.current].encrypt(nonce, value.encode(), purpose.encode())
        return f"{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def key_id(self, token: str) -> str:
        return token.partition(":")[0]

    def decrypt(self, purpose: str, token: str) -> str:
        kid, _, encoded = token.partition(":")
        aead = self._aead.get(kid)
        if aead is None:
            raise PiiKeyError(f"no PII key {kid!r} to decrypt with (was it removed too early?)")
        raw = base64.b64decode(encoded)
        return aead.decrypt(raw[:12], raw[12:], purpose.encode()).decode()

    def rotate(self, purpose: str, token: str) -> str:
        """The same value under the current key (unchanged if it already is)."""
        if self.key_id(token) == self.current:
            return token
        return self.encrypt(purpose, self.decrypt(purpose, token))

    def blind_index(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def dev_key(label: str) -> str:
    """A fixed development key (refused in production by the settings)."""
    return base64.b64encode(hashlib.sha256(f"zhicheng-dev-{label}".encode()).digest()).decode()


def masked_personal(value: Any) -> Any:
    """`value` with every phone (a key ending in `phone`) and ID number (a key ending in
    `id_number`) masked, at any depth: what a system-to-system reader gets of a form."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(item, str) and str(key).endswith("phone"):
                out[key] = mask_phone(item)
            elif isinstance(item, str) and str(key).endswith("id_number"):
                out[key] = mask_id_number(item)
            else:
                out[key] = masked_personal(item)
        return out
    if isinstance(value, list):
        return [masked_personal(item) for item in value]
    return value
