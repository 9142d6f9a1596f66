"""Problems of the policy packs read through the gateway."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class PolicyNotFound(Problem):
    status = 404
    code = "policy-not-found"
    title = "Policy not found"
    text = "没有该编号的政策包，可用 GET /v1/policies 查看已有政策包。"
