"""Problems of campaigns and their windows (the detail names the campaign and the date)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class CampaignNotFound(Problem):
    status = 404
    code = "campaign-not-found"
    title = "campaign not found"
    text = "申报批次不存在。"


class WindowNotOpen(Problem):
    status = 409
    code = "window-not-open"
    title = "Window not open yet"
    text = "该批次的这一环节尚未开始，暂不能办理。"


class DeadlinePassed(Problem):
    status = 409
    code = "deadline-passed"
    title = "Deadline passed"
    text = "该批次的这一环节已截止，不能再办理。"


class CampaignExists(Problem):
    status = 409
    code = "campaign-exists"
    title = "campaign exists"
    text = "批次代码已存在。"


class NoPolicyInForce(Problem):
    status = 422
    code = "campaign-no-policy"
    title = "No policy pack in force on the campaign's evaluation date"
    text = (
        "该批次的资格评估日期没有施行中的评审政策包，不能创建批次。政策包自施行之日起适用，"
        "直至同一系列、地区的新政策包施行为止；可用 GET /v1/policies 查看已有政策包及其施行日期。"
    )


class CampaignOfficeInvalid(Problem):
    status = 422
    code = "campaign-office-invalid"
    title = "campaign office invalid"
    text = "指定的主办职改办不存在或不是职改办（县区、系列或评委会所在职改办）。"


class CampaignNotOwned(Problem):
    status = 403
    code = "campaign-not-owned"
    title = "campaign not owned"
    text = "只有主办该批次的职改办才能更正其时间和评审费。"


class CampaignAlreadyOpen(Problem):
    # The detail names when it opened.
    status = 409
    code = "campaign-already-open"
    title = "campaign already open"
    text = "该批次已开始受理，时间和评审费不能再更正（已按原通知办理的申报不受影响）。"


class CampaignFeeLevelInvalid(Problem):
    # The detail names the levels.
    status = 422
    code = "campaign-fee-level-invalid"
    title = "campaign fee level invalid"
    text = "评审费所列级别不在本批次的级别中。"


class CommitteeUnknown(Problem):
    status = 422
    code = "committee-unknown"
    title = "Committee not resolvable"
    text = "所填评委会不受理该地区、系列和级别的申报（资格评估服务可选的评委会见说明）。"


# What opening a campaign can answer besides 403 (its routes' `responses=`).
OPEN_PROBLEMS = (CampaignExists, CampaignOfficeInvalid, NoPolicyInForce, CommitteeUnknown)
# What correcting a campaign before it opens can answer besides 403.
CORRECT_PROBLEMS = (
    CampaignNotFound,
    CampaignNotOwned,
    CampaignAlreadyOpen,
    CampaignFeeLevelInvalid,
    NoPolicyInForce,
)


class LevelNotInCampaign(Problem):
    status = 422
    code = "level-not-in-campaign"
    title = "Level not in campaign"
    text = "该批次不受理所选级别。"
