"""Examples of the request and response bodies, as the OpenAPI document shows them."""

CAMPAIGN_CREATE = {
    "code": "changzhi-engineering-2022",
    "name": "长治市2022年度工程系列中、初级职称评审",
    "year": 2022,
    "series": "engineering",
    "region_code": "140400",
    "levels": ["intermediate", "assistant"],
    "committee_code": "cz-eng-intermediate-initial",
    "committee_name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
    "windows": {
        "submission": {
            "opens_at": "2022-07-24T16:00:00Z",
            "closes_at": "2022-08-25T16:00:00Z",
            "basis": "长工信〔2022〕139号 十（三）：材料收审时间为7月25日至8月25日。",
        }
    },
    "evaluate_on": "2022-12-31",
    "posting_rule": "strict",
    "fees_yuan": {"intermediate": 300, "assistant": 260},
    "office_org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
}

CAMPAIGN_READ = {
    "id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "code": "changzhi-engineering-2022",
    "name": "长治市2022年度工程系列中、初级职称评审",
    "year": 2022,
    "series": "engineering",
    "region_code": "140400",
    "levels": ["intermediate", "assistant"],
    "committee_code": "cz-eng-intermediate-initial",
    "committee_name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
    "windows": {
        "submission": {
            "opens_at": "2022-07-24T16:00:00Z",
            "closes_at": "2022-08-25T16:00:00Z",
            "basis": "长工信〔2022〕139号 十（三）：材料收审时间为7月25日至8月25日。",
        }
    },
    "evaluate_on": "2022-12-31",
    "posting_rule": "strict",
    "fee_yuan": None,
    "fees_yuan": {"intermediate": 300, "assistant": 260},
    "office_org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
}

CAMPAIGN_UPDATE = {
    "fees_yuan": {"intermediate": 300, "assistant": 260},
    "reason": "按长工信〔2022〕139号 八 评审收费更正",
}

UNIT_QUALITY = {
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "unit_name": "潞州区机械厂",
    "recommended": 10,
    "with_problems": 1,
    "share": 0.1,
    "flag": "explain",
    "flag_zh": "应作出说明",
}
