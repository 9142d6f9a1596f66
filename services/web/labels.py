"""Chinese names for the API's codes, as a person reads them on the pages."""

from __future__ import annotations

from services.kit.vocabulary import (
    EDUCATION_NAMES,
    EMPLOYER_NAMES,
    GRADE_NAMES,
    LEVEL_NAMES,
    SERIES_NAMES,
)

STATUS_NAMES = {
    "draft": "草稿",
    "submitted": "已提交",
    "unit_review": "用人单位审核",
    "supervisor_review": "主管部门审核",
    "county_review": "县区职改办审核",
    "series_office_review": "系列职改办审核",
    "committee_office_review": "评委会所在职改办审核",
    "returned": "退回补正",
    "accepted": "已受理",
    "payment_due": "待缴费",
    "paid": "已缴费",
    "evaluated": "已评审",
    "approved": "评审通过",
    "rejected": "评审未通过",
    "withdrawn": "已撤回",
    "abandoned": "视为放弃",
}
PATH_NAMES = {
    "normal": "正常晋升",
    "direct": "直接申报",
    "exceptional": "破格申报",
    "dual_directed": "双定向",
    "high_skill": "高技能人才",
    "former_civil_servant": "公务员流动",
    "engineering_master_early": "工程硕士提前",
    "series_transfer": "转评",
    "no_title": "无职称申报",
}
ROLE_NAMES = {
    "applicant": "申报人",
    "unit_reviewer": "用人单位",
    "supervisor": "主管部门",
    "county_office": "县区职改办",
    "series_office": "系列职改办",
    "committee_office": "评委会所在职改办",
    "expert": "评审专家",
    "ops": "运维",
    "system": "系统",
}
STEP_NAMES = {
    "unit": "用人单位",
    "supervisor": "主管部门",
    "county_office": "县区职改办",
    "series_office": "系列职改办",
    "committee_office": "评委会所在职改办",
}
ACTION_NAMES = {
    "created": "创建申报",
    "updated": "保存申报",
    "submitted": "提交申报",
    "resubmitted": "补正后重新提交",
    "approved": "审核通过",
    "returned": "退回补正",
    "withdrawn": "撤回",
    "accepted": "受理",
    "entered_review": "进入审核",
    "unit_review_recorded": "记录单位审核",
    "imported": "导入资料",
    "identity_recorded": "核验身份",
    "payment_due": "通知缴费",
    "paid": "缴费成功",
    "refunded": "退费",
    "committee_defence_scheduled": "安排评委会答辩",
    "committee_evaluated": "评委会评审",
    "committee_reset": "重新评审",
    "recheck_opened": "启动复核",
    "recheck_closed": "复核结束",
    "results_confirmed": "评审结果确认",
    "results_not_confirmed": "评审结果未确认",
    "results_approved": "评审结果批复：通过",
    "results_rejected": "评审结果批复：未通过",
    "abandoned": "逾期未补正，视为放弃",
    "withdrawn_unpaid": "逾期未缴费，撤回",
    "unit_pledge_signed": "签署用人单位承诺书",
    "original_checked": "核验原件",
    "unit_material_filed": "提交单位材料",
}
LEVEL_CHOICES = LEVEL_NAMES
NAMES = {
    "status": STATUS_NAMES,
    "path": PATH_NAMES,
    "role": ROLE_NAMES,
    "step": STEP_NAMES,
    "action": ACTION_NAMES,
    "level": LEVEL_NAMES,
    "series": SERIES_NAMES,
    "education": EDUCATION_NAMES,
    "grade": GRADE_NAMES,
    "employer": EMPLOYER_NAMES,
}


def name(kind: str, code: str | None) -> str:
    """The Chinese name of `code`, or the code itself where none is known."""
    if code is None:
        return "—"
    return NAMES[kind].get(code, code)
