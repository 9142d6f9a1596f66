"""Signing certificate data with the office's key, and checking a signature.

Keys come from the settings (`config.py`): the current signing key as
``<key id>:<base64 PKCS#8 DER private key>`` and, for rotation, the public keys of
retired signing keys as ``<key id>:<base64 SubjectPublicKeyInfo DER>[,…]``. A signature
is written ``<key id>.<base64url signature>``, so a certificate signed under an old key
keeps verifying once a new key signs: rotate by moving the old key's public half to the
retired list and setting a new signing key with a new id.

Algorithms: Ed25519 (the default; deterministic 64-byte signatures) and ES256 (ECDSA
P-256 with SHA-256, signatures as the 64-byte r‖s of JOSE, not DER). The key's type
decides the algorithm; the setting names the one the deployment expects, and a key of
another type is refused at start-up. SM2 (国密) is not offered: no well-kept PyPI
library does SM2 signing as this needs (see the settings' error).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from services.api.config import DEV_CERTIFICATE_SIGNING_KEY, SM2_UNAVAILABLE, ApiSettings

Algorithm = Literal["Ed25519", "ES256", "SM2"]
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class BadSignature(Exception):
    """A signature that does not verify, names no known key or is malformed."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise BadSignature("signature is not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _algorithm_of(key: PrivateKey | PublicKey) -> Algorithm:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        return "ES256"
    raise ValueError("certificate keys must be Ed25519 or ECDSA P-256 (ES256)")


def _split(entry: str) -> tuple[str, bytes]:
    kid, sep, b64 = entry.strip().partition(":")
    if not sep or not _KID.match(kid):
        raise ValueError("a certificate key is `<key id>:<base64 DER>` (key id: A-Z a-z 0-9 _ -)")
    try:
        return kid, base64.b64decode(b64.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"certificate key {kid} is not base64") from exc


def _verify_raw(key: PublicKey, signature: bytes, message: bytes) -> None:
    if isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(signature, message)
        return
    if len(signature) != 64:
        raise InvalidSignature
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))


@dataclass(frozen=True)
class Keyring:
    """The signing key (its id and private key) and every public key that verifies."""

    algorithm: Algorithm
    key_id: str
    private_key: PrivateKey
    public_keys: dict[str, PublicKey]

    @classmethod
    def from_settings(cls, algorithm: str, signing_key: str, retired_keys: str = "") -> Keyring:
        if algorithm == "SM2":
            raise ValueError(SM2_UNAVAILABLE)
        if algorithm not in ("Ed25519", "ES256"):
            raise ValueError(f"unknown certificate signing algorithm {algorithm!r}")
        kid, der = _split(signing_key)
        try:
            private = serialization.load_der_private_key(der, password=None)
        except ValueError as exc:
            raise ValueError(f"certificate key {kid} is not a PKCS#8 DER private key") from exc
        if not isinstance(private, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("certificate keys must be Ed25519 or ECDSA P-256 (ES256)")
        if _algorithm_of(private) != algorithm:
            raise ValueError(
                f"the certificate signing key {kid} is {_algorithm_of(private)}, "
                f"not the configured {algorithm}"
            )
        publics: dict[str, PublicKey] = {}
        for entry in filter(None, (e.strip() for e in retired_keys.split(","))):
            old_kid, old_der = _split(entry)
            try:
                public = serialization.load_der_public_key(old_der)
            except ValueError as exc:
                raise ValueError(f"certificate key {old_kid} is not a DER public key") from exc
            if not isinstance(public, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
                raise ValueError("certificate keys must be Ed25519 or ECDSA P-256 (ES256)")
            _algorithm_of(public)
            if old_kid in publics or old_kid == kid:
                raise ValueError(f"certificate key id {old_kid} is listed twice")
            publics[old_kid] = public
        publics[kid] = private.public_key()
        return cls(algorithm=algorithm, key_id=kid, private_key=private, public_keys=publics)

    def sign(self, message: bytes) -> str:
        """`<key id>.<base64url signature>` over the message."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            raw = self.private_key.sign(message)
        else:
            r, s = decode_dss_signature(self.private_key.sign(message, ec.ECDSA(hashes.SHA256())))
            raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{self.key_id}.{_b64url(raw)}"

    def verify(self, signature: str, message: bytes) -> str:
        """The key id that signed the message; `BadSignature` when none did."""
        kid, sep, value = signature.partition(".")
        if not sep or not _KID.match(kid):
            raise BadSignature("signature is not `<key id>.<base64url>`")
        key = self.public_keys.get(kid)
        if key is None:
            raise BadSignature(f"no certificate key {kid}")
        try:
            _verify_raw(key, _unb64url(value), message)
        except (InvalidSignature, ValueError) as exc:
            raise BadSignature("signature does not verify") from exc
        return kid


def keyring(settings: ApiSettings) -> Keyring:
    """The deployment's keyring: a ValueError for a malformed key, a key of another
    algorithm, SM2, or the development key in production."""
    if settings.environment == "production" and (
        settings.certificate_signing_key == DEV_CERTIFICATE_SIGNING_KEY
    ):
        raise ValueError("production settings use the development certificate_signing_key")
    return Keyring.from_settings(
        settings.certificate_signing_algorithm,
        settings.certificate_signing_key,
        settings.certificate_retired_keys,
    )


def private_key_setting(kid: str, key: PrivateKey) -> str:
    """The settings form of a private key (for key generation and tests)."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return f"{kid}:{base64.b64encode(der).decode()}"


def public_key_setting(kid: str, key: PrivateKey | PublicKey) -> str:
    """The settings form of a (retired) public key."""
    public = key.public_key() if hasattr(key, "public_key") else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"{kid}:{base64.b64encode(der).decode()}"
