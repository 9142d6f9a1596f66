"""Problems of data sharing (the registry lookups)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class IdentityRequired(Problem):
    status = 409
    code = "identity-required"
    title = "Identity required"
    text = (
        "获取共享数据须先登记本人姓名和身份证号（PUT /v1/me/identity），"
        "或直接上传学历、职称证书、继续教育和社保证明材料。"
    )


class LookupStale(Problem):
    status = 409
    code = "lookup-stale"
    title = "lookup stale"
    text = (
        "获取共享数据期间，申报人的姓名、身份证号或申报单位发生了变更，本次结果未保存，请重新获取。"
    )
