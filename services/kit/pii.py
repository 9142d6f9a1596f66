"""Personal data: 身份证号 checks, masking, encryption at rest and blind indexes.

- `validate_id_number` checks a 18-digit resident ID number against GB 11643-1999
  (region code shape, a real birth date, the ISO 7064 MOD 11-2 check character).
- `mask_id_number` / `mask_phone` give the forms every response and log line uses
  (`4502**********1234`, `138****5678`); only the owner ever sees the full value.
- `PiiCipher` encrypts with AES-256-GCM, or with SM4-GCM under PII_CRYPTO=guomi (国密,
  GB/T 39786-2021), under a key id, so keys and algorithms can be rotated: new values use
  the current ones, old ones still decrypt with theirs until re-encrypted (`rotate`, and
  the job in services/api/applicants/rekey.py). The purpose ("id_number", "phone") is
  bound as associated data, so a ciphertext cannot be moved to another column and still
  decrypt.
- `blind_index` is an HMAC (SHA-256, or SM3 under guomi) of the normalised value under a
  separate key, for equality lookups ("is this ID number already registered") without
  decrypting; lookups match every key version (`index_candidates`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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


# The two suites PII_CRYPTO chooses between for new writes: (encryption, keyed hash).
# `guomi` is the 国密 suite GB/T 39786-2021 (密评) expects for personal data at rest:
# SM4 (GB/T 32907-2016) in GCM mode, and HMAC over SM3 (GB/T 32905-2016).
AES_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
HMAC_SHA256 = "hmac-sha256"
HMAC_SM3 = "hmac-sm3"
SUITES = {"standard": (AES_GCM, HMAC_SHA256), "guomi": (SM4_GCM, HMAC_SM3)}
_KEY_BYTES = {AES_GCM: 32, SM4_GCM: 16}
_HASHES = {HMAC_SHA256: hashes.SHA256, HMAC_SM3: hashes.SM3}
# The id of PII_INDEX_KEY, the blind-index key from before index keys had ids: digests
# written then (64 hex digits, no prefix) are HMAC-SHA256 under it.
LEGACY_INDEX_KEY_ID = "i0"
_KID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def parse_keys(spec: str, *, sizes: tuple[int, ...] = (32, 16)) -> dict[str, bytes]:
    """`kid:base64key[,kid:base64key…]` → {kid: key}.

    Encryption keys are 32 bytes (AES-256) or 16 bytes (SM4); the algorithm a ciphertext
    names must fit its key's size."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, sep, encoded = part.partition(":")
        if not sep or not kid or not _KID.fullmatch(kid):
            raise PiiKeyError("each PII key is written kid:base64key with a short key id")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise PiiKeyError(f"PII key {kid} is not valid base64") from exc
        if len(key) not in sizes:
            raise PiiKeyError(
                f"PII key {kid} must be "
                + " or ".join(f"{n} bytes" for n in sizes)
                + " (AES-256: 32, SM4: 16)"
            )
        keys[kid] = key
    if not keys:
        raise PiiKeyError("no PII encryption key configured")
    return keys


def parse_index_keys(spec: str) -> dict[str, bytes]:
    """`kid:base64key[,…]`: blind-index (HMAC) keys, at least 32 bytes each."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, sep, encoded = part.partition(":")
        if not sep or not _KID.fullmatch(kid):
            raise PiiKeyError("each blind-index key is written kid:base64key")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise PiiKeyError(f"blind-index key {kid} is not valid base64") from exc
        keys[kid] = key
    return keys


class _Sm4Gcm:
    """SM4 in GCM mode with AESGCM's interface: ciphertext ‖ 16-byte tag."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        body, tag = sealed[:-16], sealed[-16:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(body) + decryptor.finalize()  # InvalidTag when altered


def _aead(algorithm: str, key: bytes) -> AESGCM | _Sm4Gcm:
    return AESGCM(key) if algorithm == AES_GCM else _Sm4Gcm(key)


class PiiCipher:
    """Encryption at rest and blind indexes, each value naming its algorithm and key.

    Ciphertexts are `<algorithm>:<kid>:<base64(nonce ‖ ciphertext ‖ tag)>`
    (`aes-256-gcm:k1:…`, `sm4-gcm:k2:…`; the older `k1:…` is AES-256-GCM). Blind
    indexes are `<algorithm>:<kid>:<hex>` (`hmac-sha256:i0:…`, `hmac-sm3:i1:…`; 64 bare
    hex digits are HMAC-SHA256 under key i0). New values use the suite's algorithms and
    the current keys; every listed key still reads (decrypts, or matches in a lookup:
    `index_candidates`) until `rekey` has moved the values and the key is removed.
    """

    def __init__(
        self,
        keys: dict[str, bytes],
        current: str,
        index_keys: dict[str, bytes] | bytes,
        index_current: str = LEGACY_INDEX_KEY_ID,
        *,
        suite: str = "standard",
    ) -> None:
        if isinstance(index_keys, bytes):
            index_keys = {LEGACY_INDEX_KEY_ID: index_keys}
        if suite not in SUITES:
            raise PiiKeyError(f"unknown PII_CRYPTO suite {suite!r} (standard or guomi)")
        self.algorithm, self.hash_algorithm = SUITES[suite]
        if current not in keys:
            raise PiiKeyError(f"the current PII key id {current!r} is not among the keys")
        if len(keys[current]) != _KEY_BYTES[self.algorithm]:
            raise PiiKeyError(
                f"PII_CRYPTO={suite} encrypts with {self.algorithm}: the current key "
                f"{current!r} must be {_KEY_BYTES[self.algorithm]} bytes"
            )
        if index_current not in index_keys:
            raise PiiKeyError(f"the current blind-index key id {index_current!r} is not listed")
        if any(len(key) < 32 for key in index_keys.values()):
            raise PiiKeyError("every blind-index key must be at least 32 bytes")
        self._keys = dict(keys)
        self.current = current
        self._index_keys = dict(index_keys)
        self.index_current = index_current

    @classmethod
    def from_settings(
        cls,
        keys: str,
        current: str,
        index_key: str,
        *,
        index_keys: str = "",
        index_current: str = "",
        suite: str = "standard",
    ) -> PiiCipher:
        listed = {LEGACY_INDEX_KEY_ID: base64.b64decode(index_key)} if index_key else {}
        listed.update(parse_index_keys(index_keys))
        if not listed:
            raise PiiKeyError("no blind-index key configured")
        return cls(
            parse_keys(keys),
            current,
            listed,
            index_current or LEGACY_INDEX_KEY_ID,
            suite=suite,
        )

    # Encryption -------------------------------------------------------------------------

    def encrypt(self, purpose: str, value: str) -> str:
        nonce = os.urandom(12)
        aead = _aead(self.algorithm, self._keys[self.current])
        sealed = aead.encrypt(nonce, value.encode(), purpose.encode())
        return f"{self.algorithm}:{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    @staticmethod
    def key_version(token: str) -> tuple[str, str]:
        """(algorithm, key id) a ciphertext was sealed with."""
        parts = token.split(":")
        if len(parts) == 2:  # before ciphertexts named their algorithm
            return AES_GCM, parts[0]
        if len(parts) == 3 and parts[0] in _KEY_BYTES:
            return parts[0], parts[1]
        raise PiiKeyError("not a PII ciphertext")

    def key_id(self, token: str) -> str:
        return self.key_version(token)[1]

    def is_current(self, token: str) -> bool:
        return self.key_version(token) == (self.algorithm, self.current)

    def decrypt(self, purpose: str, token: str) -> str:
        algorithm, kid = self.key_version(token)
        key = self._keys.get(kid)
        if key is None:
            raise PiiKeyError(f"no PII key {kid!r} to decrypt with (was it removed too early?)")
        if len(key) != _KEY_BYTES[algorithm]:
            raise PiiKeyError(f"PII key {kid!r} is not a key of {algorithm}")
        raw = base64.b64decode(token.rpartition(":")[2])
        return _aead(algorithm, key).decrypt(raw[:12], raw[12:], purpose.encode()).decode()

    def rotate(self, purpose: str, token: str) -> str:
        """The same value under the current algorithm and key (unchanged if it already is)."""
        if self.is_current(token):
            return token
        return self.encrypt(purpose, self.decrypt(purpose, token))

    # Blind indexes ----------------------------------------------------------------------

    def _digest(self, algorithm: str, kid: str, purpose: str, value: str) -> str:
        mac = crypto_hmac.HMAC(self._index_keys[kid], _HASHES[algorithm]())
        mac.update(f"{purpose}\x00{value}".encode())
        return mac.finalize().hex()

    def keyed_hash(self, purpose: str, value: str) -> str:
        """The bare digest under the current key and algorithm, for what is never stored
        across a rotation (Valkey keys that expire, a login code's MAC)."""
        return self._digest(self.hash_algorithm, self.index_current, purpose, value)

    def blind_index(self, purpose: str, value: str) -> str:
        """What a column stores: `<algorithm>:<kid>:<hex>` under the current key."""
        digest = self.keyed_hash(purpose, value)
        return f"{self.hash_algorithm}:{self.index_current}:{digest}"

    def index_candidates(self, purpose: str, value: str) -> list[str]:
        """Every stored form the value may have while keys rotate: the current first,
        then each listed key under each algorithm (and the bare legacy digest)."""
        found = [self.blind_index(purpose, value)]
        for kid in self._index_keys:
            for algorithm in _HASHES:
                candidate = f"{algorithm}:{kid}:{self._digest(algorithm, kid, purpose, value)}"
                if candidate not in found:
                    found.append(candidate)
        if LEGACY_INDEX_KEY_ID in self._index_keys:
            found.append(self._digest(HMAC_SHA256, LEGACY_INDEX_KEY_ID, purpose, value))
        return found

    def index_is_current(self, stored: str) -> bool:
        return stored.startswith(f"{self.hash_algorithm}:{self.index_current}:")


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
