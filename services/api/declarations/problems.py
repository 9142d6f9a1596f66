"""Problems of the draft declaration."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class DeclarationNotFound(Problem):
    # The same answer for a declaration that does not exist and for one the caller may
    # not see: nothing about it leaks.
    status = 404
    code = "declaration-not-found"
    title = "Not found"
    text = "申报不存在或您无权查看。"


class DeclarationNotEditable(Problem):
    status = 409
    code = "declaration-not-editable"
    title = "declaration not editable"
    text = "申报已提交审核，只有草稿或被退回补正的申报才能修改、上传或删除材料、获取共享数据。"


# 职称申报系统操作注意事项 一（二）：“★上传的材料必须是原件扫描上传。” An attachment names a
# scan uploaded to this declaration and accepted by the checks, never an id typed in.
_SCANS_ONLY = "（申报系统操作注意事项：“上传的材料必须是原件扫描上传”）"


class AttachmentUnknown(Problem):
    status = 422
    code = "attachment-unknown"
    title = "Attachment names no document of this declaration"
    text = "附件须是本申报已上传并通过检查的材料" + _SCANS_ONLY + "，请先上传扫描件。"


class UnitMaterialLocked(Problem):
    # 申报系统操作注意事项 二: the defence, the panel's form, the posting and the recommendation
    # are the unit's; the applicant neither replaces, deletes nor detaches them.
    status = 409
    code = "unit-material-locked"
    title = "The unit's own material"
    text = (
        "该材料由单位在审核环节出具（答辩情况、审议推荐表、公示情况、单位推荐意见等；"
        "申报系统操作注意事项 二），申报人不能替换、删除或从附件中移除。"
    )


class AttachmentReplaced(Problem):
    status = 422
    code = "attachment-replaced"
    title = "Attachment names a replaced document"
    text = "附件所指的材料已被替换，请改用替换后的材料。"


class AttachmentWrongMaterial(Problem):
    status = 422
    code = "attachment-wrong-material"
    title = "Document kind does not serve that material"
    text = "所上传材料的类别不能作为该项材料，请上传对应类别的扫描件。"


class CommitteeResetSame(Problem):
    status = 422
    code = "committee-reset-same"
    title = "same campaign and level"
    text = "申报已在所选批次、级别下，无需重置评委会。"


class SameLevelTwice(Problem):
    status = 409
    code = "same-level-twice"
    title = "Same level twice in a year"
    text = "同一年度只能申报一次同级别职称（桂人社规〔2021〕11号）；如需重新申报，请先撤回原申报。"


class CorrectionDeadlinePassed(Problem):
    status = 409
    code = "correction-deadline-passed"
    title = "Correction deadline passed"
    text = "补正期限已截止（一次性告知，逾期未补正的不予受理），不能再修改或提交。"


class ImportRefused(Problem):
    status = 409
    code = "import-refused"
    title = "Import refused"
    text = "目标申报已提交过，不能再写入往年数据；请在草稿阶段写入。"


class ImportSame(Problem):
    status = 422
    code = "import-same"
    title = "Import from itself"
    text = "不能把申报写入它自己。"
