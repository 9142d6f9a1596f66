"""Examples of the request and response bodies, as the OpenAPI document shows them.

The eligibility service's own answers (openapi/rules.json), for a 长治 工程系列 中级 case
(tests/rules/cases/changzhi-engineering-2022.yaml, the first case)."""

EVALUATE_REQUEST = {
    "region": "140400",
    "series": "engineering",
    "level": "intermediate",
    "as_of": "2022-08-25",
    "applicant": {
        "employer_type": "state_owned",
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2014-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2018-12-15"}],
        "professional_work_since": "2014-07-01",
        "papers": 2,
        "achievements": 1,
        "annual_assessments": [
            {"year": 2019, "grade": "qualified"},
            {"year": 2020, "grade": "qualified"},
            {"year": 2021, "grade": "excellent"},
            {"year": 2022, "grade": "qualified"},
        ],
    },
}

EVALUATE_ANSWER = {
    "eligible": True,
    "policy": {"id": "changzhi-engineering-2022", "documents": ["长工信〔2022〕139号"]},
    "blockers": [],
    "paths": [
        {
            "path": "normal",
            "eligible": True,
            "earliest_on": "2022-08-25",
            "conditions": [
                {
                    "id": "papers",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）4",
                    "message": "任助理工程师期间发表学术论文或实用技术材料须不少于2篇（项），现2篇（项），符合",
                    "required": 2,
                    "actual": 2,
                },
                {
                    "id": "achievements",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）5",
                    "message": "任助理工程师期间符合规定条件的业绩成果须不少于1项，现1项，符合",
                    "required": 1,
                    "actual": 1,
                },
                {
                    "id": "assessment_latest",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）7·评定当年",
                    "message": "评定当年或上一年度考核须为合格及以上，2022年为合格，符合",
                    "required": "qualified",
                    "actual": "qualified",
                },
                {
                    "id": "education",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）2",
                    "message": "须具备与申报专业相同或相近专业的大学专科及以上学历，现有大学本科学历，符合",
                    "required": "junior_college",
                    "actual": "bachelor",
                },
                {
                    "id": "seniority_after_lower_title",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）3·本科专科",
                    "message": "取得助理工程师后须满4年（计算至评审年度12月31日），现满4年，已满足",
                    "required": 4,
                    "actual": 4.0,
                },
                {
                    "id": "annual_assessments",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）7",
                    "message": "任现职以来年度考核合格及以上须累计不少于4次（自2018年起计），现4次，符合",
                    "required": 4,
                    "actual": 4,
                },
            ],
        },
        {
            "path": "high_skill",
            "eligible": False,
            "earliest_on": None,
            "conditions": [
                {
                    "id": "skill_grade_held",
                    "met": False,
                    "clause": "长工信〔2022〕139号 三（六）",
                    "message": "高技能人才（按具备高级工及以上职业资格或职业技能等级理解），未取得高级工及以上等级",
                    "required": 0,
                    "actual": None,
                },
                {
                    "id": "high_skill_conditions",
                    "met": None,
                    "clause": "长工信〔2022〕139号 三（六）",
                    "message": "高技能人才按《山西省在工程技术领域实现高技能人才与工程技术人才职业发展贯通实施方案》确定的标准条件执行，该方案不在本服务的政策依据中，需人工审核",
                    "required": None,
                    "actual": None,
                    "decided_by": {
                        "level": "unit",
                        "named": True,
                        "basis": "长工信〔2022〕139号 四（二）：单位根据评议组意见，出具鉴定意见。鉴定意见中要注明申报人学历、资历、工作能力、业绩成果、学术技术等是否符合申报条件，经单位集体研究同意推荐申报，并由主要负责人签字，单位盖章。",
                    },
                },
            ],
        },
        {
            "path": "engineering_master_early",
            "eligible": False,
            "earliest_on": None,
            "conditions": [
                {
                    "id": "engineering_master_degree",
                    "met": False,
                    "clause": "长工信〔2022〕139号 三（一）3·工程硕士",
                    "message": "须具备工程类专业硕士以上学位，现有学历不符合",
                    "required": "master",
                    "actual": "bachelor",
                },
                {
                    "id": "seniority_after_lower_title",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）3·工程硕士",
                    "message": "取得助理工程师后须满1年（硕士2年，提前1年）（计算至评审年度12月31日），现满4年，已满足",
                    "required": 1,
                    "actual": 4.0,
                },
                {
                    "id": "papers",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）4",
                    "message": "任助理工程师期间发表学术论文或实用技术材料须不少于2篇（项），现2篇（项），符合",
                    "required": 2,
                    "actual": 2,
                },
                {
                    "id": "achievements",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）5",
                    "message": "任助理工程师期间符合规定条件的业绩成果须不少于1项，现1项，符合",
                    "required": 1,
                    "actual": 1,
                },
                {
                    "id": "annual_assessments",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）7",
                    "message": "任现职以来年度考核合格及以上须累计不少于4次（自2014年起计），现4次，符合",
                    "required": 4,
                    "actual": 4,
                },
                {
                    "id": "assessment_latest",
                    "met": True,
                    "clause": "长工信〔2022〕139号 三（一）7·评定当年",
                    "message": "评定当年或上一年度考核须为合格及以上，2022年为合格，符合",
                    "required": "qualified",
                    "actual": "qualified",
                },
            ],
        },
        {
            "path": "series_transfer",
            "eligible": False,
            "earliest_on": None,
            "conditions": [
                {
                    "id": "other_series_title",
                    "met": False,
                    "clause": "长工信〔2022〕139号 三（四）",
                    "message": "转评须已取得其他系列同级职称，未取得",
                    "required": "intermediate",
                    "actual": None,
                },
                {
                    "id": "new_work_one_year",
                    "met": None,
                    "clause": "长工信〔2022〕139号 三（四）",
                    "message": "转评须在工程技术工作岗位工作满一年以上；本接口未采集在工程技术岗位工作的起始日期，需人工核实",
                    "required": None,
                    "actual": None,
                    "decided_by": {
                        "level": "unit",
                        "named": True,
                        "basis": "长工信〔2022〕139号 四（二）：单位根据评议组意见，出具鉴定意见。鉴定意见中要注明申报人学历、资历、工作能力、业绩成果、学术技术等是否符合申报条件，经单位集体研究同意推荐申报，并由主要负责人签字，单位盖章。",
                    },
                },
                {
                    "id": "competence_assessment",
                    "met": None,
                    "clause": "长工信〔2022〕139号 三（四）",
                    "message": "转评须经考核证明能胜任现岗位工作，需人工审核",
                    "required": None,
                    "actual": None,
                    "decided_by": {
                        "level": "unit",
                        "named": True,
                        "basis": "长工信〔2022〕139号 四（二）：单位根据评议组意见，出具鉴定意见。鉴定意见中要注明申报人学历、资历、工作能力、业绩成果、学术技术等是否符合申报条件，经单位集体研究同意推荐申报，并由主要负责人签字，单位盖章。",
                    },
                },
            ],
        },
    ],
    "earliest_on": "2022-08-25",
    "committee": {
        "code": "cz-eng-intermediate-initial",
        "name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "office": "长治市工业和信息化局编制人事科（电话：0355-3036240）",
    },
    "fee_yuan": 300,
    "materials": [
        {
            "id": "comprehensive_form",
            "name": "《专业技术职务任职资格评审综合考评表》一式25份（A4纸打印，加盖本单位公章）",
            "clause": "长工信〔2022〕139号 五1",
            "producer": "applicant",
        },
        {
            "id": "shanxi_review_form",
            "name": "《山西省专业技术职务任职资格评审表》一式3份（单独胶装，封面和侧面加盖档案所在单位公章）",
            "clause": "长工信〔2022〕139号 五2、六3",
            "producer": "applicant",
        },
        {
            "id": "review_papers",
            "name": "送审论文一式三份（其中一份装订入册）",
            "clause": "长工信〔2022〕139号 五3",
            "producer": "applicant",
        },
        {
            "id": "plagiarism_check",
            "name": "送审论文抄袭率检测（发送至市工信局中评委专用邮箱，低于25%方可参加答辩）",
            "clause": "长工信〔2022〕139号 七1",
            "producer": "applicant",
        },
        {
            "id": "expert_recommendation",
            "name": "以实用技术材料申报的，本行业、本专业三名及以上专家的《专家推荐意见表》及专家职称证书复印件",
            "clause": "长工信〔2022〕139号 七2",
            "producer": "applicant",
        },
        {
            "id": "dossier",
            "name": "评审材料卷宗（十类，A4双面，左侧胶装，标明目录和页数，加盖单位公章）",
            "clause": "长工信〔2022〕139号 五4",
            "producer": "unit",
        },
        {
            "id": "photo",
            "name": "红底小2寸照片1张（背面写姓名、单位）",
            "clause": "长工信〔2022〕139号 五5",
            "producer": "applicant",
        },
    ],
}

COMMITTEES_ANSWER = [
    {
        "code": "cz-eng-intermediate-initial",
        "name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "office": "长治市工业和信息化局编制人事科（电话：0355-3036240）",
        "levels": ["intermediate"],
        "clause": "长工信〔2022〕139号 一、六",
        "policy": "changzhi-engineering-2022",
    }
]
