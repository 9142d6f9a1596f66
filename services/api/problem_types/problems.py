"""Problems of the 错误码表 read."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class ProblemTypeUnknown(Problem):
    status = 404
    code = "problem-type-unknown"
    title = "Problem type unknown"
    text = "没有这个错误码。全部错误码见 GET /v1/problems（错误码表，docs/problems.md）。"
