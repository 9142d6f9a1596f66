"""Problems of the integrity register (职称评审诚信档案库)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class IntegrityRecordNotFound(Problem):
    status = 404
    code = "integrity-record-not-found"
    title = "Integrity record not found"
    text = "该申报人的诚信档案库中没有这条记录。"


class IntegrityRecordEnded(Problem):
    status = 409
    code = "integrity-record-ended"
    title = "Integrity record already ended"
    text = "这条诚信档案记录已经终止，不能再次终止。"


class IntegrityRecordDates(Problem):
    status = 422
    code = "integrity-record-dates"
    title = "Integrity record dates invalid"
    text = "认定日期不能晚于今天，记录期限的截止日期须晚于认定日期。"


class IntegrityRecordInForce(Problem):
    status = 409
    code = "integrity-record-in-force"
    title = "Applicant in the integrity register"
    text = (
        "申报人已记入职称评审诚信档案库，仍在记录期限内，本级不能审核通过"
        "（桂工信职办〔2023〕6号 一（一）5：“记入职称评审诚信档案库，仍在记录期限的”不得申报；"
        "“申报后出现上述情形的，评审结果不予确认。”）。"
    )


class WaitingProofOverdue(Problem):
    status = 409
    code = "waiting-proof-overdue"
    title = "Proof of a waiting-period item overdue"
    text = (
        "申报中凭用稿通知或课题立项材料先行申报的项目，未在规定日期前补充报送公开发表或结题材料，"
        "本级不能审核通过（桂工信职办〔2023〕6号 二（二）2（2）（3）：“并于开评月的上月月底前"
        "……补充报送至评委会所在职改办”）。"
    )
