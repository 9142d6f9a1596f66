"""Examples of the request and response bodies, as the OpenAPI document shows them."""

LOOKUPS_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "version": 4,
    "registries": [
        {
            "registry": "education",
            "title": "学历信息",
            "status": "found",
            "data": {
                "level": "bachelor",
                "school": "太原理工大学",
                "major": "机械工程",
                "graduated_on": "2012-06-30",
            },
            "source": "学历登记系统",
            "checked_at": "2022-07-26T01:00:00Z",
            "verified": True,
            "verified_at": "2022-07-26T01:00:00Z",
            "verified_source": "学历登记系统",
            "replaces": ["education_certificate"],
            "upload_required": None,
            "warning": None,
            "clause": "桂工信职办〔2023〕6号 二（二）1（3）：学历情况可通过数据共享方式获取",
        }
    ],
    "prefilled": ["education"],
    "waived_materials": ["education_certificate"],
    "facts": {
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2012-06-30"}]
    },
    "warnings": [],
}

REGISTRY_RESULT = {
    "registry": "social_insurance",
    "title": "社保缴费记录",
    "status": "unavailable",
    "data": None,
    "source": None,
    "checked_at": "2022-07-26T01:00:00Z",
    "verified": False,
    "verified_at": None,
    "verified_source": None,
    "replaces": [],
    "upload_required": "申报前连续6个月以上（不含申报当月）个人社保缴费清单",
    "warning": "社保登记系统暂不可用，请上传个人社保缴费清单。",
    "clause": "桂工信职办〔2023〕6号 二（二）1（6）：社保情况可通过数据共享方式获取",
}

WARNINGS_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "papers": [
        {
            "index": 0,
            "title": "某型减速器齿轮的疲劳寿命分析",
            "journal": "清华大学学报（自然科学版）",
            "issn_cn": "1000-0054",
            "flagged": False,
            "level": "none",
            "matched_by": "issn",
            "entry": {
                "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "issn": "1000-0054",
                "cn": "11-2223/N",
                "name": "清华大学学报（自然科学版）",
                "status": "legitimate",
                "source": "国家新闻出版署期刊查询",
                "listed_on": "2025-01-01",
            },
            "message": None,
            "basis": "current",
            "basis_zh": "按当前期刊名录核对",
            "recorded_at": None,
            "submission": None,
            "submitted_level": None,
            "new_since_submission": False,
            "now": None,
        }
    ],
    "flagged_papers": 0,
    "new_flagged_papers": 0,
    "decision_consulting": [],
    "decision_consulting_totals": {},
    "registries": [],
    "consistency": [],
    "duplicates": [],
    "facts_source": None,
}
