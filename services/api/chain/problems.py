"""Problems of the filed declaration on its way through the review chain."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class NotUnderReview(Problem):
    status = 409
    code = "not-under-review"
    title = "not under review"
    text = "该申报当前不在审核环节。"


class NotYourStep(Problem):
    # The detail names the org whose step it is.
    status = 403
    code = "not-your-step"
    title = "Not your step"
    text = "该申报当前由其他机构审核，您无权办理。"


class UnitReviewNotFound(Problem):
    status = 404
    code = "unit-review-not-found"
    title = "unit review not found"
    text = "单位尚未填写审核情况。"
