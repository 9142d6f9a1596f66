"""Problems of the office statistics and the unit problem-rate follow-up."""

from __future__ import annotations

from services.kit.problem_kinds import Problem

CLAUSE = (
    "2023年度广西工艺美术系列通知 三（一）：“经审核发现存在问题的比例达到或超过本单位"
    "申报总数10%的，由推荐单位作出说明；达到或超过20%的，由推荐单位作出说明并报送书面整改方案，"
    "评委会组建单位视问题情形和程度予以通报或暂停该推荐单位次年推荐申报权限。”"
)


class UnitOutsideJurisdiction(Problem):
    status = 404
    code = "unit-outside-jurisdiction"
    title = "Unit not in the office's jurisdiction"
    text = "该单位不存在，或不在本机构的管辖范围内。"


class FollowUpNotFound(Problem):
    status = 404
    code = "unit-follow-up-not-found"
    title = "Unit follow-up not found"
    text = "没有这条问题比例处理记录，或它不属于您所在的单位或管辖范围。"


class ProblemRateBelowThreshold(Problem):
    status = 409
    code = "problem-rate-below-threshold"
    title = "Problem rate below 10 %"
    text = f"该单位推荐的申报中存在问题的比例低于10%，无需作出说明（{CLAUSE}）。"


class FollowUpAlreadyRequested(Problem):
    status = 409
    code = "unit-follow-up-exists"
    title = "Unit follow-up already requested"
    text = "本批次已要求该单位作出说明（或报送整改方案），不能重复要求。"


class FollowUpDocumentNotAsked(Problem):
    status = 409
    code = "unit-follow-up-document-not-asked"
    title = "Document not asked of the unit"
    text = f"问题比例未达到20%，只要求推荐单位作出说明，无需报送书面整改方案（{CLAUSE}）。"


class FollowUpDocumentKind(Problem):
    status = 422
    code = "unit-follow-up-document-kind"
    title = "Wrong kind of document"
    text = (
        "上传的材料类别与所报送的材料不符：情况说明请用类别 unit_explanation，"
        "书面整改方案请用类别 rectification_plan。"
    )


class SuspensionNeedsRectification(Problem):
    status = 409
    code = "suspension-needs-rectification"
    title = "Suspension needs a problem rate of 20 % or more"
    text = f"只有问题比例达到或超过20%的推荐单位才可暂停其次年推荐申报权限（{CLAUSE}）。"


class UnitAlreadySuspended(Problem):
    status = 409
    code = "unit-already-suspended"
    title = "Unit already suspended"
    text = "该单位次年的推荐申报权限已经暂停。"


class UnitRecommendationsSuspended(Problem):
    status = 409
    code = "unit-recommendations-suspended"
    title = "The unit's recommendations are suspended this year"
    text = (
        "您所在的用人单位本年度的推荐申报权限已被评委会组建单位暂停，"
        f"不能通过该单位提交申报（{CLAUSE}）。"
    )
