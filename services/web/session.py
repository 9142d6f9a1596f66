"""The session: a signed, httpOnly cookie holding the person's gateway tokens.

Nothing is kept server-side: the cookie carries the access and refresh tokens the gateway
issued (they are the person's own, so signing is enough; the HMAC stops a forged or
altered cookie), the role and name to show, and the CSRF token every form echoes back
(synchronizer token: a cross-site form cannot read it). Signing out asks the gateway to
end the session, so a copied cookie stops working with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

COOKIE = "zc_session"


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    access: str | None = None
    refresh: str | None = None
    role: str | None = None  # "applicant" or a staff role
    label: str | None = None  # the phone or username shown in the header
    phone: str | None = None  # a sign-in in progress: the phone the code went to
    changed: bool = False

    @property
    def signed_in(self) -> bool:
        return self.access is not None

    @property
    def staff(self) -> bool:
        return self.signed_in and self.role != "applicant"

    def sign_in(self, tokens: dict[str, Any], role: str, label: str) -> None:
        self.access, self.refresh = tokens["access_token"], tokens.get("refresh_token")
        self.role, self.label, self.phone = role, label, None
        self.csrf = secrets.token_urlsafe(24)  # a new token with each sign-in
        self.changed = True

    def sign_out(self) -> None:
        self.access = self.refresh = self.role = self.label = self.phone = None
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def dump(session: Session, secret: str, max_age: int) -> str:
    data = {k: v for k, v in asdict(session).items() if k != "changed" and v is not None}
    data["exp"] = int(time.time()) + max_age
    payload = _b64(json.dumps(data, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def load(cookie: str | None, secret: str) -> Session:
    """The session a cookie holds, or a fresh one (missing, altered or expired)."""
    if not cookie or "." not in cookie:
        return Session(changed=True)
    payload, mac = cookie.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return Session(changed=True)
    try:
        data = json.loads(_unb64(payload))
    except ValueError:
        return Session(changed=True)
    if not isinstance(data, dict) or data.pop("exp", 0) < time.time():
        return Session(changed=True)
    known = {k: v for k, v in data.items() if k in Session.__dataclass_fields__}
    return Session(**known)
