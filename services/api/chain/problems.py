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


class JudgementNotFound(Problem):
    status = 404
    code = "judgement-not-found"
    title = "Judgement not found"
    text = "该申报没有这项待认定的条件。"


class JudgementNotYours(Problem):
    # The detail names the org that decides it.
    status = 403
    code = "judgement-not-yours"
    title = "Judgement not yours"
    text = "该条件由其他审核环节认定，您无权认定。"


class JudgementOpen(Problem):
    # The detail lists the open conditions; `judgements` carries them.
    status = 409
    code = "judgement-open"
    title = "Judgement open"
    text = "该申报有条件尚待本环节作出认定，认定后方可审核通过。"


class JudgementRejected(Problem):
    # The detail lists the conditions found not met; `judgements` carries them.
    status = 409
    code = "judgement-rejected"
    title = "Judgement rejected"
    text = (
        "本环节已认定该申报有条件不符合，不得报送上一级；请退回申报人一次性告知补正，"
        "或由申报人撤回（桂工信职办〔2023〕6号 三（三））。"
    )
