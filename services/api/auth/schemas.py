"""Request and response bodies of the ways in (never table models)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.api.access import SCOPES
from services.kit.text import PlainLine

# --- tokens -----------------------------------------------------------------------


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int
    refresh_token: str | None = None
    scope: str | None = None


# --- portals ----------------------------------------------------------------------

REGION = re.compile(r"^\d{6}$")


class PublicKey(BaseModel):
    kid: str = Field(min_length=1, max_length=64)
    pem: str = Field(max_length=8000, description="SubjectPublicKeyInfo PEM: P-256 or RSA ≥ 2048")

    @field_validator("pem")
    @classmethod
    def _usable(cls, pem: str) -> str:
        try:
            key = load_pem_public_key(pem.encode())
        except ValueError as exc:
            raise ValueError("公钥不是有效的 PEM 格式（SubjectPublicKeyInfo）") from exc
        if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
            return pem
        if isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048:
            return pem
        raise ValueError("只接受 P-256（ES256）或不短于 2048 位的 RSA（RS256）公钥")


# Which scopes are offered is checked by the router (422 scope-not-offered, a stable type).
SCOPES_HELP = "授权范围，可选：" + "、".join(f"{name}（{what}）" for name, what in SCOPES.items())


def _dedupe(scopes: list[str]) -> list[str]:
    return sorted(set(scopes))


def _check_regions(codes: list[str]) -> list[str]:
    bad = [c for c in codes if not REGION.match(c)]
    if bad:
        raise ValueError(f"辖区须为6位行政区划代码：{', '.join(bad)}")
    return sorted(set(codes))


class ClientCreate(BaseModel):
    name: PlainLine = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, description=SCOPES_HELP)
    jurisdiction: list[str] = Field(min_length=1, description="行政区划代码，如 450200 覆盖 4502xx")
    public_keys: list[PublicKey] = Field(default_factory=list, max_length=5)
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)

    _scopes = field_validator("scopes")(classmethod(lambda cls, v: _dedupe(v)))
    _regions = field_validator("jurisdiction")(classmethod(lambda cls, v: _check_regions(v)))


class ClientUpdate(BaseModel):
    name: PlainLine | None = Field(default=None, min_length=1, max_length=100)
    scopes: list[str] | None = Field(default=None, min_length=1, description=SCOPES_HELP)
    jurisdiction: list[str] | None = Field(default=None, min_length=1)
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)

    _scopes = field_validator("scopes")(
        classmethod(lambda cls, v: None if v is None else _dedupe(v))
    )
    _regions = field_validator("jurisdiction")(
        classmethod(lambda cls, v: None if v is None else _check_regions(v))
    )


class KeysUpdate(BaseModel):
    public_keys: list[PublicKey] = Field(max_length=5)


class ClientRead(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    jurisdiction: list[str]
    key_ids: list[str]
    has_secret: bool
    rate_limit_per_minute: int
    status: str


class ClientCredentials(ClientRead):
    client_secret: str = Field(description="只在此次应答中出现一次，服务端仅存其摘要")


# --- applicants -------------------------------------------------------------------

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value)
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not MOBILE.match(phone):
        raise ValueError("请填写11位中国大陆手机号码")
    return phone


class CodeRequest(BaseModel):
    phone: str = Field(max_length=20, examples=["13800000000"])

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


class CodeSent(BaseModel):
    expires_in: int = Field(description="验证码有效秒数")
    resend_after: int = Field(description="同一号码再次获取验证码前须等待的秒数")


class SmsLogin(BaseModel):
    phone: str = Field(max_length=20)
    code: str = Field(pattern=r"^\d{6}$")

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


# --- wechat -----------------------------------------------------------------------


class WechatLogin(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="wx.login() 返回的 code")


class WechatBinding(BaseModel):
    ticket: str = Field(min_length=20, max_length=100)
    phone: str = Field(max_length=20)
    code: str = Field(pattern=r"^\d{6}$")

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


class WechatAnswer(BaseModel):
    phone_check_required: bool
    ticket: str | None = Field(default=None, description="绑定手机号时提交，10分钟内有效")
    tokens: TokenPair | None = None


# --- staff ------------------------------------------------------------------------

StaffRole = Literal[
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
    "expert",
    "ops",
]


def _strong(password: str) -> str:
    if len(password) < 10 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValueError("密码至少10位，且须同时包含字母和数字")
    return password


class StaffCreate(BaseModel):
    username: str = Field(pattern=r"^[A-Za-z0-9._-]{3,64}$")
    password: str = Field(max_length=200)
    role: StaffRole
    org_id: uuid.UUID

    _password = field_validator("password")(classmethod(lambda cls, v: _strong(v)))


class FirstAccount(BaseModel):
    """The first reviewer account of a unit that registered itself."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[A-Za-z0-9._-]{3,64}$")
    password: str = Field(max_length=200)

    _password = field_validator("password")(classmethod(lambda cls, v: _strong(v)))


class StaffUpdate(BaseModel):
    status: Literal["active", "disabled"] | None = None
    role: StaffRole | None = None
    org_id: uuid.UUID | None = None
    password: str | None = Field(default=None, max_length=200)

    _password = field_validator("password")(
        classmethod(lambda cls, v: None if v is None else _strong(v))
    )


class StaffRead(BaseModel):
    id: uuid.UUID
    username: str
    role: str
    org_id: uuid.UUID
    status: str
    locked_until: datetime | None


class StaffLogin(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


# --- sessions ---------------------------------------------------------------------


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=20, max_length=200)
