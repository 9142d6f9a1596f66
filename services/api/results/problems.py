"""Problems of the results stage: 复核, the results posting (二次公示) and objections."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class NotEvaluated(Problem):
    # The detail names the status the declaration is in.
    status = 409
    code = "declaration-not-evaluated"
    title = "Declaration not evaluated"
    text = "这份申报尚未经评委会评审（状态须为“已评审”），不能复核。"


class RecheckAfterPosting(Problem):
    status = 409
    code = "recheck-after-posting"
    title = "Results already posted"
    text = (
        "该评审会的评审结果已经二次公示，复核须在公示之前进行"
        "（2023年度工艺美术系列职称评审工作通知 五（二）：评审、复核与二次公示）。"
    )


class RecheckOpen(Problem):
    status = 409
    code = "recheck-open"
    title = "A recheck is open"
    text = "这份申报的复核尚未结束，须复核闭会后再办理。"


class RecheckNotFound(Problem):
    status = 404
    code = "recheck-not-found"
    title = "Recheck not found"
    text = "没有这项复核，或您无权查看。"


class RecheckClosed(Problem):
    status = 409
    code = "recheck-closed"
    title = "Recheck closed"
    text = "这项复核已经结束，不能再投票或闭会。"


class NotSeated(Problem):
    status = 403
    code = "recheck-not-on-panel"
    title = "Not on the panel"
    text = "您不是该评审会到会的评审专家，不能参加这项复核投票。"


class RecheckAlreadyVoted(Problem):
    status = 409
    code = "recheck-already-voted"
    title = "Already voted in this recheck"
    text = "您已在这项复核中投过票，每位专家只能投一票。"


class SessionNotClosed(Problem):
    status = 409
    code = "session-not-closed"
    title = "Session not closed"
    text = "评审会尚未闭会，没有可公示的评审结果。"


class PostingExists(Problem):
    status = 409
    code = "results-posting-exists"
    title = "Results already posted"
    text = "该评审会的评审结果已经发布二次公示。"


class PostingTooShort(Problem):
    # The detail names the working days counted.
    status = 422
    code = "results-posting-too-short"
    title = "Posting shorter than five working days"
    text = "公示期不能少于5个工作日（双休日和节假日不计入公示时间）。"


class PostingStartInvalid(Problem):
    status = 422
    code = "results-posting-start-invalid"
    title = "Posting cannot start in the past"
    text = "公示开始日期不能早于今天。"


class PostingNotFound(Problem):
    status = 404
    code = "results-posting-not-found"
    title = "Results posting not found"
    text = "没有这份评审结果公示。"


class PostingNotOpen(Problem):
    # The detail names the posting period.
    status = 409
    code = "results-posting-closed"
    title = "Posting period over"
    text = "公示期已结束，不再受理异议。"


class PostingRowUnknown(Problem):
    status = 422
    code = "results-posting-row-unknown"
    title = "No such row in the posting"
    text = "公示名单中没有这个序号。"


class ObjectionNotFound(Problem):
    status = 404
    code = "objection-not-found"
    title = "Objection not found"
    text = "没有这条异议，或您无权查看。"


class ObjectionHandled(Problem):
    status = 409
    code = "objection-already-handled"
    title = "Objection already handled"
    text = "这条异议已经处理完毕。"


class ExportTooLarge(Problem):
    status = 413
    code = "results-export-too-large"
    title = "File too large"
    text = "上传核验的文件过大（不超过10MB）。"


class PostingRunning(Problem):
    # The detail names the last day of the posting.
    status = 409
    code = "results-posting-running"
    title = "Posting not over"
    text = "公示期尚未结束，公示期满且无异议后方可确认评审结果。"


class ObjectionsUnresolved(Problem):
    # The detail names how many objections are open.
    status = 409
    code = "objections-unresolved"
    title = "Objections unresolved"
    text = "公示期间收到的异议尚未处理完毕，不能确认评审结果（对公示无异议的进行确认结果）。"


class ConfirmationDocumentRequired(Problem):
    status = 422
    code = "confirmation-document-required"
    title = "Confirmation document required"
    text = (
        "高级职称评审结果须报自治区职改办确认（桂职办〔2020〕113号），"
        "请填写评审结果确认文件的文号。"
    )


class AlreadyConfirmed(Problem):
    status = 409
    code = "results-already-confirmed"
    title = "Results already confirmed"
    text = "该评审会的评审结果已经确认。"


class NotConfirmed(Problem):
    status = 409
    code = "results-not-confirmed"
    title = "Results not confirmed"
    text = "评审结果尚未确认，须先确认后再批复（有关批复根据评审结果确认文件进行）。"


class AlreadyApproved(Problem):
    status = 409
    code = "results-already-approved"
    title = "Results already approved"
    text = "该评审会的评审结果已经批复。"


class NotAPosting(Problem):
    status = 409
    code = "not-a-results-posting"
    title = "Not the results posting"
    text = "只能对二次公示办理结果确认和批复。"


class NoCertificate(Problem):
    status = 404
    code = "no-certificate"
    title = "No certificate"
    text = "这份申报没有职称电子证书（评审通过并批复后核发）。"


class ReviewFormUnavailable(Problem):
    status = 409
    code = "review-form-unavailable"
    title = "Review form not ready"
    text = "评审结果批复后方可下载评审表。"


class ResultNotYet(Problem):
    status = 404
    code = "result-not-yet"
    title = "No result yet"
    text = (
        "这份申报的评审结果尚未批复。评审结果经二次公示无异议、确认后才批复"
        "（2023年度工艺美术系列职称评审工作通知 五（三）：对公示无异议的进行确认结果，"
        "并按评审批复审核权限进行批复）。"
    )
