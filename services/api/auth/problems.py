"""Problems of signing in, sessions, staff accounts and portal clients. The token
endpoint's OAuth errors (`oauth-…`, RFC 6749) are made in client_token.py."""

from __future__ import annotations

from services.api.orgs.problems import RegistrationNotFound, UnitNotApproved
from services.api.problems import Forbidden
from services.kit.problem_kinds import Problem

# --- signing in and sessions -----------------------------------------------------------


class InvalidCredentials(Problem):
    status = 401
    code = "invalid-credentials"
    title = "Invalid credentials"
    text = "用户名或密码错误。"


class InvalidLoginCode(Problem):
    status = 401
    code = "invalid-login-code"
    title = "Invalid code"
    text = "验证码错误或已失效，请核对短信中的6位验证码，或重新获取。"


class AccountDisabled(Problem):
    status = 403
    code = "account-disabled"
    title = "Account disabled"
    text = "该账号已停用。申请人请联系职称主管部门，工作人员请联系运维。"


class InvalidRefreshToken(Problem):
    status = 401
    code = "invalid-refresh-token"
    title = "Invalid refresh token"
    text = "刷新令牌无效、已过期或已被使用，请重新登录。"


# --- WeChat mini-program -----------------------------------------------------------------


class WechatLoginNotOffered(Problem):
    status = 501
    code = "wechat-login-not-offered"
    title = "WeChat login not offered"
    text = "本系统未开通微信小程序登录，请使用手机号和短信验证码登录。"


class WechatUnavailable(Problem):
    # With Retry-After.
    status = 503
    code = "wechat-unavailable"
    title = "wechat unavailable"
    text = "微信登录服务暂不可用，请稍后重试或改用手机验证码登录。"


class WechatCodeInvalid(Problem):
    status = 401
    code = "wechat-code-invalid"
    title = "wechat code invalid"
    text = "微信登录凭证无效或已使用，请在小程序内重新登录。"


class WechatTicketInvalid(Problem):
    status = 401
    code = "wechat-ticket-invalid"
    title = "wechat ticket invalid"
    text = "绑定凭证无效或已过期，请在小程序内重新登录。"


class WechatAlreadyBound(Problem):
    # The detail says which side is bound already.
    status = 409
    code = "wechat-already-bound"
    title = "wechat already bound"
    text = "一个微信只能绑定一个账号：该手机号的账号已绑定其他微信，或该微信已绑定其他账号。"


class WechatNotBound(Problem):
    status = 404
    code = "wechat-not-bound"
    title = "WeChat not bound"
    text = "当前账号未绑定微信，无需解绑。"


# What the mini-program's sign-in and binding can be answered (501 when not offered).
WECHAT_LOGIN_PROBLEMS = (WechatLoginNotOffered, WechatUnavailable, WechatCodeInvalid)
WECHAT_BINDING_PROBLEMS = (
    WechatLoginNotOffered,
    WechatTicketInvalid,
    InvalidLoginCode,
    WechatAlreadyBound,
)
# What the signed-in applicant's unbinding can be answered: not an applicant, none bound.
WECHAT_UNBIND_PROBLEMS = (Forbidden, WechatNotBound)


# --- staff accounts ----------------------------------------------------------------------


class StaffAccountNotFound(Problem):
    status = 404
    code = "staff-account-not-found"
    title = "Not found"
    text = "账号不存在。"


class UsernameTaken(Problem):
    status = 409
    code = "username-taken"
    title = "username taken"
    text = "该用户名已被使用，请换一个。"


class OrgRoleMismatch(Problem):
    status = 422
    code = "org-role-mismatch"
    title = "org role mismatch"
    text = "账号所属机构不存在，或机构类型与角色不符（如单位审核员须属于用人单位）。"


# --- portal clients ----------------------------------------------------------------------


class ClientNotFound(Problem):
    status = 404
    code = "client-not-found"
    title = "Not found"
    text = "接入客户端不存在。"


class ClientRevoked(Problem):
    status = 409
    code = "client-revoked"
    title = "client revoked"
    text = "该接入客户端已被吊销，不能再修改其凭证。"


class ScopeNotOffered(Problem):
    # The detail and `scopes` name the scopes refused.
    status = 422
    code = "scope-not-offered"
    title = "Scope not offered"
    text = "不提供的授权范围：只开通有对应接口的授权范围。"


class StaffOutsideOrg(Problem):
    status = 403
    code = "staff-outside-org"
    title = "outside the caller's org or role"
    text = (
        "单位和职改办只能为本机构开设、停用本机构同一角色的审核账号，"
        "不能为其他机构开设账号，也不能授予更高或其他角色。"
    )


class FirstAccountExists(Problem):
    status = 409
    code = "first-account-exists"
    title = "unit already has accounts"
    text = "该单位已有审核账号，后续账号请由单位已有账号开设。"


# What the staff-account routes can answer (their `responses=`): ops manage every account,
# a unit or office only its own org and role (403 otherwise).
ACCOUNT_CREATE_PROBLEMS = (Forbidden, StaffOutsideOrg, UsernameTaken, OrgRoleMismatch)
ACCOUNT_READ_PROBLEMS = (Forbidden, StaffAccountNotFound)
ACCOUNT_UPDATE_PROBLEMS = (Forbidden, StaffAccountNotFound, StaffOutsideOrg, OrgRoleMismatch)
# A staff member's own phone: the SMS code's answers, an account that is not (or no
# longer) there.
OWN_PHONE_PROBLEMS = (Forbidden, InvalidLoginCode, StaffAccountNotFound)
OWN_PHONE_REMOVE_PROBLEMS = (Forbidden, StaffAccountNotFound)
# The registering contact opening a unit's first reviewer account.
FIRST_ACCOUNT_PROBLEMS = (
    Forbidden,
    RegistrationNotFound,
    UnitNotApproved,
    FirstAccountExists,
    UsernameTaken,
)
STAFF_LOGIN_PROBLEMS = (InvalidCredentials, AccountDisabled)
