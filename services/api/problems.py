"""The gateway's problems that belong to no one domain: who you are, what you may do,
which version you act on. Domains keep theirs in their own `problems.py`."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class Unauthenticated(Problem):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"
    text = "未登录或登录已失效，请携带有效的登录凭证（Authorization: Bearer）。"


class Forbidden(Problem):
    status = 403
    code = "forbidden"
    title = "Forbidden"
    text = "您的角色无权执行此操作。"


class VersionMismatch(Problem):
    status = 412
    code = "precondition-failed"
    title = "Precondition failed"
    text = "申报已被修改（版本不一致），请重新读取后再操作。"


class IfMatchRequired(Problem):
    status = 428
    code = "if-match-required"
    title = "If-Match required"
    text = "修改前须带 If-Match 请求头（取自上次读取时的 ETag），以免覆盖他人的修改。"


class IdempotencyKeyRequired(Problem):
    status = 400
    code = "idempotency-key-required"
    title = "Idempotency-Key required"
    text = (
        "此操作须带 Idempotency-Key 请求头"
        "（每个新操作用一个新值；重试时用同一个值，得到第一次的应答）。"
    )
