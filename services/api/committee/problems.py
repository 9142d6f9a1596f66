"""Problems of the committee stage: the expert pool, sessions, the draw, defence, ballots."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class ExpertNotFound(Problem):
    status = 404
    code = "expert-not-found"
    title = "Expert not found"
    text = "评委库中没有这位专家。"


class ExpertApplicationExists(Problem):
    status = 409
    code = "expert-application-exists"
    title = "Expert application exists"
    text = "您已提交过入库申请；申请未通过的方可重新提交。"


class ExpertDecisionNotAllowed(Problem):
    # The detail names the status now and the decision asked for.
    status = 409
    code = "expert-decision-not-allowed"
    title = "Expert decision not allowed"
    text = "该专家当前状态下不能作出这项决定。"


class SessionNotFound(Problem):
    status = 404
    code = "committee-session-not-found"
    title = "Committee session not found"
    text = "没有这场评审会，或您无权查看。"


class NoDeclarationsReady(Problem):
    status = 409
    code = "no-declarations-ready"
    title = "No declarations ready"
    text = "该批次该级别没有已缴费、尚未安排评审会的申报，不能组建评审会。"


class PanelSizeInvalid(Problem):
    # The detail names the committee's minimum.
    status = 422
    code = "panel-size-invalid"
    title = "Panel size invalid"
    text = "评审专家人数须为单数，且不少于该评委会的最低人数（人社部令第40号）。"


class SettingInvalid(Problem):
    # The detail says which value is wrong.
    status = 422
    code = "committee-setting-invalid"
    title = "Committee setting invalid"
    text = "评委会设置有误：最低评审专家人数须为单数，到会比例和通过比例须为不大于1的正分数。"


class PoolTooSmall(Problem):
    # The detail says how many experts could be drawn from, per specialty.
    status = 409
    code = "pool-too-small"
    title = "Pool too small"
    text = "评委库中可抽取的专家（已排除回避情形）不足，不能按所需人数随机抽取。"


class SessionStatusWrong(Problem):
    # The detail names the status now and what the action needs.
    status = 409
    code = "committee-session-status"
    title = "Committee session in another status"
    text = "评审会当前状态下不能办理此事项。"


class NotOnPanel(Problem):
    status = 403
    code = "not-on-panel"
    title = "Not on the panel"
    text = "您不是这场评审会抽取的评审专家（或已回避），不能办理此事项。"


class NotInSession(Problem):
    status = 404
    code = "declaration-not-in-session"
    title = "Declaration not in session"
    text = "该申报不在这场评审会的评审范围内。"


class DefenceSlotInvalid(Problem):
    # The detail says what is wrong (time, place, duration).
    status = 422
    code = "defence-slot-invalid"
    title = "Defence slot invalid"
    text = "答辩安排有误：须在将来的时间，写明地点或视频链接，时长不超过规定。"


class DefenceAlreadyScheduled(Problem):
    status = 409
    code = "defence-already-scheduled"
    title = "Defence already scheduled"
    text = "该申报人的答辩已安排并已短信通知，不能重复安排。"


class AlreadyVoted(Problem):
    status = 409
    code = "already-voted"
    title = "Already voted"
    text = "您已对该申报投票，不记名投票一经投出不能更改。"


class NotPresent(Problem):
    status = 409
    code = "expert-not-present"
    title = "Expert not recorded present"
    text = (
        "会务组尚未登记您到会，到会专家方可投票"
        "（人社部令第40号：以出席评审会议的评审专家人数计算表决结果）。"
    )


class RecusalAfterVoting(Problem):
    status = 409
    code = "recusal-after-voting"
    title = "Recusal after voting"
    text = "您已在本场评审会投票，不能再申请回避；如有应回避情形请联系评委会所在职改办。"


class QuorumNotMet(Problem):
    # The detail names the panel and the members present.
    status = 409
    code = "quorum-not-met"
    title = "Quorum not met"
    text = (
        "出席评审会议的专家人数不足评审专家总数的三分之二，会议不能作出评审结论（人社部令第40号）。"
    )


class TalliesSealed(Problem):
    status = 409
    code = "tallies-sealed"
    title = "Tallies sealed"
    text = "评审会闭会前表决结果保密，闭会后方可查看计票结果。"


class AttendanceInvalid(Problem):
    status = 422
    code = "attendance-invalid"
    title = "Attendance invalid"
    text = "到会名单只能包含本场评审会在任（未回避）的评审专家。"


# Scored sessions (长治 工程师, 长工信〔2022〕139号 九) -------------------------------------------


class ScheduleInvalid(Problem):
    # The detail names the item and what is wrong with its rule.
    status = 422
    code = "points-schedule-invalid"
    title = "Points schedule invalid"
    text = "量化赋分分值设定有误：须是本评委会量化赋分的项目，分值为非负的十进制数。"


class NotScored(Problem):
    status = 409
    code = "session-not-scored"
    title = "Session not scored"
    text = "这场评审会按不记名投票评审，不实行答辩评分和量化赋分。"


class AlreadyMarked(Problem):
    status = 409
    code = "already-marked"
    title = "Already marked"
    text = "您已为该申报人的答辩评分，评分一经提交不能更改。"


class MarksMissing(Problem):
    # The detail names how many declarations have no mark.
    status = 409
    code = "defence-marks-missing"
    title = "Defence marks missing"
    text = "尚有申报人没有答辩评分，不能按答辩成绩确定等次或闭会。"


class GradeRatioBroken(Problem):
    # The detail says, per grade, how many too many or too few; `gaps` the same as numbers
    # (+2: two too many, −1: one too few), `counts` and `bounds` what it rests on.
    status = 422
    code = "grade-ratio-broken"
    title = "Grade ratio broken"
    text = (
        "答辩成绩的优、中、差等次比例须为3：6：1（长工信〔2022〕139号 九：“严格控制答辩成绩的"
        "优、中、差等次比例（3：6：1）”）。"
    )


class GradesInvalid(Problem):
    # The detail says what is wrong (a declaration not graded or not in the session, both
    # or neither of grades and by_rank, equal scores across a grade boundary).
    status = 422
    code = "grades-invalid"
    title = "Grades invalid"
    text = "须为本场评审会的每一位申报人确定答辩成绩等次（优、中、差），或按答辩成绩排序确定。"


class GradesMissing(Problem):
    status = 409
    code = "defence-grades-missing"
    title = "Defence grades missing"
    text = "答辩成绩等次（优、中、差）尚未确定，不能闭会（长工信〔2022〕139号 九）。"


class AdjustmentInvalid(Problem):
    # The detail names the items the model has.
    status = 422
    code = "points-adjustment-invalid"
    title = "Points adjustment invalid"
    text = "量化赋分调整须指明本评委会量化赋分的一项，并写明理由。"


class MarksClosed(Problem):
    status = 409
    code = "defence-marks-closed"
    title = "Defence marks closed"
    text = "答辩成绩等次已经确定，不能再提交答辩评分；如须更正，请联系评委会所在职改办。"
