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
from services.api.auth import examples
from services.kit.text import PlainLine

# --- tokens -----------------------------------------------------------------------


class TokenPair(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.TOKEN_PAIR]}
    )
    access_token: str
    """访问令牌（ES256 签名的 JWT），放在 Authorization: Bearer 中"""
    token_type: str = "Bearer"  # noqa: S105 (a token type, not a secret)
    """令牌类型，固定为 Bearer"""
    expires_in: int
    """访问令牌有效秒数"""
    refresh_token: str | None = None
    """刷新令牌（只能用一次）；对接平台的令牌没有，为 null"""
    scope: str | None = None
    """对接平台令牌的授权范围（以空格分隔）；用户令牌为 null"""


# --- portals ----------------------------------------------------------------------

REGION = re.compile(r"^\d{6}$")


class PublicKey(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    kid: str = Field(min_length=1, max_length=64)
    """公钥编号（JWT 头部的 kid）"""
    pem: str = Field(
        max_length=8000, description="SubjectPublicKeyInfo 格式的 PEM：P-256 或不少于2048位的 RSA"
    )

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
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CLIENT_CREATE]}
    )
    name: PlainLine = Field(min_length=1, max_length=100)
    """客户端名称（对接的平台）"""
    scopes: list[str] = Field(
        min_length=1,
        description=(
            "授权范围，可选：eligibility:evaluate（资格评估与评委会查询）"
            "、declarations:read（读取辖区内已提交的申报及其进度）"
        ),
    )
    jurisdiction: list[str] = Field(min_length=1, description="行政区划代码，如 450200 覆盖 4502xx")
    public_keys: list[PublicKey] = Field(default_factory=list, max_length=5)
    """用于 private_key_jwt 认证的公钥（至多5把）"""
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    """每分钟调用上限；不填用默认值"""

    _scopes = field_validator("scopes")(classmethod(lambda cls, v: _dedupe(v)))
    _regions = field_validator("jurisdiction")(classmethod(lambda cls, v: _check_regions(v)))


class ClientUpdate(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CLIENT_UPDATE]}
    )
    name: PlainLine | None = Field(default=None, min_length=1, max_length=100)
    """新的名称；不改为 null"""
    scopes: list[str] | None = Field(
        default=None,
        min_length=1,
        description=(
            "授权范围，可选：eligibility:evaluate（资格评估与评委会查询）"
            "、declarations:read（读取辖区内已提交的申报及其进度）；"
            "不改为 null"
        ),
    )
    jurisdiction: list[str] | None = Field(default=None, min_length=1)
    """新的辖区（行政区划代码）；不改为 null"""
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)
    """新的每分钟调用上限；不改为 null"""

    _scopes = field_validator("scopes")(
        classmethod(lambda cls, v: None if v is None else _dedupe(v))
    )
    _regions = field_validator("jurisdiction")(
        classmethod(lambda cls, v: None if v is None else _check_regions(v))
    )


class KeysUpdate(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.KEYS_UPDATE]}
    )
    public_keys: list[PublicKey] = Field(max_length=5)
    """替换后的全部公钥（至多5把）"""


class ClientRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CLIENT_READ]}
    )
    client_id: str
    """客户端编号"""
    name: str
    """客户端名称"""
    scopes: list[str]
    """授权范围"""
    jurisdiction: list[str]
    """辖区（行政区划代码）"""
    key_ids: list[str]
    """已登记公钥的编号（kid）"""
    has_secret: bool
    """是否设有客户端密钥"""
    rate_limit_per_minute: int
    """每分钟调用上限"""
    status: str
    """状态：active 有效；revoked 已吊销"""


class ClientCredentials(ClientRead):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLIENT_CREDENTIALS]})
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
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.CODE_REQUEST]}
    )
    phone: str = Field(max_length=20, examples=["13800000000"])
    """接收验证码的手机号"""

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


class CodeSent(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CODE_SENT]})
    expires_in: int = Field(description="验证码有效秒数")
    resend_after: int = Field(description="同一号码再次获取验证码前须等待的秒数")


class SmsLogin(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.SMS_LOGIN]}
    )
    phone: str = Field(max_length=20)
    """手机号"""
    code: str = Field(pattern=r"^\d{6}$")
    """6位短信验证码"""

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


# --- wechat -----------------------------------------------------------------------


class WechatLogin(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.WECHAT_LOGIN]})
    code: str = Field(min_length=1, max_length=128, description="wx.login() 返回的 code")


class WechatBinding(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.WECHAT_BINDING]}
    )
    ticket: str = Field(min_length=20, max_length=100)
    """小程序登录答复的凭据"""
    phone: str = Field(max_length=20)
    """要绑定的手机号"""
    code: str = Field(pattern=r"^\d{6}$")
    """该手机号收到的6位短信验证码"""

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


class WechatAnswer(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.WECHAT_ANSWER]}
    )
    phone_check_required: bool
    """是否须先绑定手机号（true 时 tokens 为 null，凭 ticket 绑定）"""
    ticket: str | None = Field(default=None, description="绑定手机号时提交，10分钟内有效")
    tokens: TokenPair | None = None
    """已绑定时的令牌；须先绑定时为 null"""


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
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.STAFF_CREATE]}
    )
    username: str = Field(pattern=r"^[A-Za-z0-9._-]{3,64}$")
    """用户名（3至64位字母、数字、点、下划线或连字符）"""
    password: str = Field(max_length=200)
    """初始密码"""
    role: StaffRole
    """角色：unit_reviewer 用人单位审核人；supervisor 主管部门；
    county_office 县区职改办；series_office 系列职改办；
    committee_office 评委会办公室；expert 评审专家；ops 运维
    """
    org_id: uuid.UUID
    """所属机构编号"""
    phone: str | None = Field(default=None, max_length=20)
    """本人手机号（可选）：用于给工作人员发送办理时限提醒短信；加密保存，读取时只显示掩码"""

    _password = field_validator("password")(classmethod(lambda cls, v: _strong(v)))
    _phone = field_validator("phone")(
        classmethod(lambda cls, v: None if v is None else normalise_phone(v))
    )


class FirstAccount(BaseModel):
    """The first reviewer account of a unit that registered itself."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.FIRST_ACCOUNT]},
    )

    username: str = Field(pattern=r"^[A-Za-z0-9._-]{3,64}$")
    """用户名（3至64位字母、数字、点、下划线或连字符）"""
    password: str = Field(max_length=200)
    """密码"""

    _password = field_validator("password")(classmethod(lambda cls, v: _strong(v)))


class StaffUpdate(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.STAFF_UPDATE]}
    )
    status: Literal["active", "disabled"] | None = None
    """账号状态：active 启用；disabled 停用；不改为 null"""
    role: StaffRole | None = None
    """新的角色；不改为 null"""
    org_id: uuid.UUID | None = None
    """新的所属机构编号；不改为 null"""
    password: str | None = Field(default=None, max_length=200)
    """新密码；不改为 null"""

    _password = field_validator("password")(
        classmethod(lambda cls, v: None if v is None else _strong(v))
    )


class StaffRead(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.STAFF_READ]}
    )
    id: uuid.UUID
    """账号编号"""
    username: str
    """用户名"""
    role: str
    """角色"""
    org_id: uuid.UUID
    """所属机构编号"""
    status: str
    """账号状态：active 启用；disabled 停用"""
    locked_until: datetime | None
    """因连续输错密码锁定到何时；未锁定为 null"""
    phone_masked: str | None = None
    """本人手机号的掩码（如 138****5678），提醒短信发往此号；未登记为 null"""


class StaffPhoneWrite(BaseModel):
    """A staff member's own mobile phone, proved by the SMS code sent to it."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra={"examples": [examples.STAFF_PHONE]},
    )
    phone: str = Field(max_length=20)
    """本人手机号"""
    code: str = Field(pattern=r"^\d{6}$")
    """该手机号收到的6位短信验证码（先调用获取验证码接口）"""

    _phone = field_validator("phone")(classmethod(lambda cls, v: normalise_phone(v)))


class StaffLogin(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.STAFF_LOGIN]}
    )
    username: str = Field(max_length=64)
    """用户名"""
    password: str = Field(max_length=200)
    """密码"""


# --- sessions ---------------------------------------------------------------------


class RefreshRequest(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_extra={"examples": [examples.REFRESH_REQUEST]}
    )
    refresh_token: str = Field(min_length=20, max_length=200)
    """刷新令牌"""
