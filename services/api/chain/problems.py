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


class UnitReviewMissing(Problem):
    status = 409
    code = "unit-review-missing"
    title = "unit review missing"
    text = "请先填写答辩、审议、公示情况和单位推荐意见，未经公示的申报材料一律不予受理。"


class UnitNotRecommending(Problem):
    status = 409
    code = "unit-not-recommending"
    title = "unit not recommending"
    text = "单位推荐意见为不同意推荐，单位不得上报（2023年度通知 三（一））。"


class PostingObjectionOpen(Problem):
    # The detail counts the open objections.
    status = 409
    code = "posting-objection-open"
    title = "Posting objection open"
    text = (
        "公示期间收到的异议尚未处理完毕，单位不能出具推荐意见或上报。"
        "依据：“公示期不少于5个工作日，无异议的方可出具鉴定意见”（长工信〔2022〕139号 十（一））；"
        "“对审议通过且公示无异议的申报人出具单位推荐意见”（桂人社规〔2021〕11号 第二十条）。"
    )


class UnitMaterialsMissing(Problem):
    # The detail names each missing material; `errors` lists them with their clauses.
    status = 409
    code = "unit-materials-missing"
    title = "Unit materials missing"
    text = "单位出具的材料不全，不能上报（申报系统操作注意事项 二）。"


class OriginalsUnchecked(Problem):
    # The detail counts the documents; `document_ids` lists them.
    status = 409
    code = "originals-unchecked"
    title = "Originals not checked"
    text = (
        "仍有申报材料未填写原件核实结果，单位不能上报。"
        "依据：“由审核推荐单位审核原件并核实真实性后，在申报系统据实填写审核结果”"
        "（2023年度广西工艺美术系列通知 三（一））。"
    )


class UnitPledgeUnsigned(Problem):
    status = 409
    code = "unit-pledge-unsigned"
    title = "Unit pledge unsigned"
    text = (
        "单位尚未签署承诺书，不能上报。依据：用人单位要“明确审核责任人，签署承诺书，落实审核责任”"
        "（2023年度广西工艺美术系列通知 三（一））；"
        "“实行‘双承诺’制”（长工信〔2022〕139号 十（二））。"
    )


class PledgeTextOutdated(Problem):
    status = 409
    code = "pledge-text-outdated"
    title = "Pledge text outdated"
    text = "承诺书文本已更新，请重新阅读当前文本（GET …/unit-pledge）后再签署。"


class OriginalAlreadyChecked(Problem):
    status = 409
    code = "original-already-checked"
    title = "Original already checked"
    text = (
        "该材料的原件已由单位核实，本级不重复填写；退回补正后新提交的材料由退回的审核层级核实原件。"
        "依据：“由审核推荐单位审核原件并核实真实性后，在申报系统据实填写审核结果”"
        "（2023年度广西工艺美术系列通知 三（一））。"
    )


class OriginalNoteRequired(Problem):
    status = 422
    code = "original-note-required"
    title = "Note required without the original"
    text = (
        "未见原件的，须在说明中写明核验情况（如复印件已加盖核验章和单位公章）。"
        "依据：“如确实无原件的，材料复印件应加盖核验章和单位公章”（申报系统操作注意事项 一）。"
    )


class ObjectionNotFound(Problem):
    status = 404
    code = "posting-objection-not-found"
    title = "Posting objection not found"
    text = "该申报没有这条公示异议记录。"


class ObjectionAlreadyResolved(Problem):
    status = 409
    code = "posting-objection-resolved"
    title = "Posting objection already resolved"
    text = "这条公示异议已处理，不能再次处理。"


class DeclarationAbandoned(Problem):
    status = 409
    code = "declaration-abandoned"
    title = "Declaration abandoned"
    text = (
        "补正期限已过而未提交补正材料，本次申报已视为放弃，不能再提交"
        "（桂工信职办〔2023〕6号 三（三）：“逾期未补充的，视为放弃申报。”）。"
    )


class ReturnTargetUnknown(Problem):
    # The detail names each item's field (`items.0.target.section`); `errors` lists them.
    status = 422
    code = "return-target-unknown"
    title = "Return target unknown"
    text = "补正事项所指的申报内容或材料，该申报没有。"


class ReturnAnswerInvalid(Problem):
    # The detail names each answer's field (`addressed.0.item`); `errors` lists them.
    status = 422
    code = "return-answer-invalid"
    title = "Return answer invalid"
    text = "补正事项的答复有误：所答事项须是补正通知中的一项，且每项只答复一次。"


class ReturnItemsUntouched(Problem):
    # The detail names the items; `errors` lists each with what did not change.
    status = 422
    code = "return-items-untouched"
    title = "Return items untouched"
    text = (
        "补正通知中有事项所指的申报内容未修改、材料未更换，也未说明理由，不能提交"
        "（桂工信职办〔2023〕6号 三（三）一次性告知）。"
    )


class ReturnNotFound(Problem):
    status = 404
    code = "return-not-found"
    title = "Return not found"
    text = "该申报没有这份补正通知。"


class ReturnNotResubmitted(Problem):
    status = 409
    code = "return-not-resubmitted"
    title = "Return not resubmitted"
    text = "该补正通知尚未由申报人补正后重新提交，暂无修改内容可比对。"


class DeclarationNotSubmittable(Problem):
    status = 409
    code = "declaration-not-submittable"
    title = "Declaration not submittable"
    text = "该申报当前状态不能提交。"


class DeclarationIncomplete(Problem):
    status = 422
    code = "declaration-incomplete"
    title = "Declaration incomplete"
    text = "申报不能提交：有需要补充或不符合条件的项目（errors 逐项列出），请一次性对照修改。"


class DeclarationNotWithdrawable(Problem):
    status = 409
    code = "declaration-not-withdrawable"
    title = "Declaration not withdrawable"
    text = "该申报当前状态不能撤回。"


class UnitReviewInvalid(Problem):
    status = 422
    code = "unit-review-invalid"
    title = "Unit review invalid"
    text = "单位审核情况有误，请对照 errors 逐项修改。"


class DeadlineNeedsTimezone(Problem):
    status = 422
    code = "deadline-needs-timezone"
    title = "Deadline needs a time zone"
    text = "补正期限须带时区，例如 2022-08-10T18:00:00+08:00。"


class DeadlineInPast(Problem):
    status = 422
    code = "deadline-in-past"
    title = "Deadline in the past"
    text = "补正期限须晚于当前时间。"


class DeadlineAfterCorrectionWindow(Problem):
    status = 422
    code = "deadline-after-correction-window"
    title = "Deadline after the correction window"
    text = "补正期限不能晚于本批次补正截止时间。"


class ReturnOpen(Problem):
    status = 409
    code = "return-open"
    title = "Return open"
    text = "该申报已有未完成的补正通知，一次只能有一份。"


class NotAccepted(Problem):
    status = 409
    code = "not-accepted"
    title = "Not accepted"
    text = "只有已受理的申报才能发出缴费通知。"


class PaymentTermsUnknown(Problem):
    status = 409
    code = "payment-terms-unknown"
    title = "Payment terms unknown"
    text = "本批次未设定缴费截止时间或该级别评审收费标准，无法发出缴费通知。"
