"""The Chinese names of a declaration's level, path and status, as the statistics and
the exports print them (imported by the export processes too: nothing heavy here)."""

LEVEL_ZH = dict(
    technician="员级",
    assistant="助理级",
    intermediate="中级",
    deputy_senior="副高级",
    senior="正高级",
)
PATH_ZH = dict(
    normal="正常晋升",
    direct="直接申报",
    exceptional="破格",
    dual_directed="双定向",
    high_skill="高技能人才",
    former_civil_servant="公务员流动",
    engineering_master_early="工程硕士提前",
    series_transfer="转评",
    no_title="无职称申报",
)
STATUS_ZH = dict(
    draft="草稿",
    submitted="已提交",
    unit_review="单位审核",
    supervisor_review="主管部门审核",
    county_review="县区职改办审核",
    series_office_review="系列职改办审核",
    committee_office_review="评委会所在职改办审核",
    accepted="已受理",
    payment_due="待缴费",
    paid="已缴费",
    evaluated="已评审",
    approved="评审通过",
    rejected="评审未通过",
    returned="退回补正",
    withdrawn="已撤回",
    abandoned="视为放弃",
)
