"""Problems of the organisation tree."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class OrgNotFound(Problem):
    status = 404
    code = "org-not-found"
    title = "org not found"
    text = "机构不存在。"


class OrgExists(Problem):
    status = 409
    code = "org-exists"
    title = "org exists"
    text = "该统一社会信用代码已登记。"


class OrgInvalidParent(Problem):
    status = 422
    code = "org-invalid-parent"
    title = "Parent org invalid"
    text = (
        "上级机构须高于本机构的层级（用人单位→主管部门→县区职改办→系列职改办→评委会所在职改办）。"
    )


class ChainIncomplete(Problem):
    # The detail names the unit; `chain` lists the orgs found.
    status = 409
    code = "chain-incomplete"
    title = "chain incomplete"
    text = "上报链路不完整：须经系列职改办并到达评委会所在职改办，请联系职改办核实机构设置。"


# 桂工信职办〔2023〕6号 二（一）2 (seed 004).
BRANCH_CLAUSE = (
    "桂工信职办〔2023〕6号 二（一）2：“申报人应通过其人事劳动关系所在单位申报。"
    "除银行、保险公司等法律法规明确规定具有独立承担民事责任能力的分支机构外，"
    "申报人不得选择不具有独立法人资格的分支机构作为申报单位参评。”"
)


class BranchNotDeclaringUnit(Problem):
    status = 422
    code = "branch-not-declaring-unit"
    title = "branch without legal personality"
    text = (
        "不具有独立法人资格的分支机构不能作为申报单位登记，请由具有独立法人资格的单位"
        f"（或其总部）登记。依据：{BRANCH_CLAUSE}"
    )


class RegistrationNotFound(Problem):
    status = 404
    code = "org-registration-not-found"
    title = "registration not found"
    text = "单位登记申请不存在，或不归本机构审核。"


class RegistrationDecided(Problem):
    status = 409
    code = "org-registration-decided"
    title = "registration already decided"
    text = "该单位登记申请已审核，不能再次审核。"


class RegistrationParentInvalid(Problem):
    status = 422
    code = "org-registration-parent"
    title = "parent office invalid"
    text = "所选上级机构不存在或不是已登记的主管部门、职改办，请重新选择单位的上级机构。"


class RegistrationReasonMissing(Problem):
    status = 422
    code = "org-registration-reason"
    title = "reason missing"
    text = "不予通过单位登记须写明理由。"


class UnitNotApproved(Problem):
    status = 422
    code = "unit-not-approved"
    title = "unit not approved"
    text = "所选用人单位的登记尚未经上级机构审核通过（或未通过），暂不能作为申报单位。"


# What a unit's self-registration can answer besides 403 (its route's `responses=`).
REGISTER_PROBLEMS = (OrgExists, BranchNotDeclaringUnit, RegistrationParentInvalid)
# What the parent office's decision on a registration can answer besides 403.
DECIDE_PROBLEMS = (RegistrationNotFound, RegistrationDecided, RegistrationReasonMissing)


class OrgFieldNotApplicable(Problem):
    # The detail names the field and the org's kind.
    status = 422
    code = "org-field-not-applicable"
    title = "field not applicable to this org"
    text = "职责（duty）只适用于职改办等机构，隶属（affiliation）只适用于用人单位。"


class UnitNotFound(Problem):
    status = 422
    code = "unit-not-found"
    title = "Unit not found"
    text = "所选用人单位不存在，请先由单位在系统登记。"
