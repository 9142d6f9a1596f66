"""Examples of the request and response bodies, as the OpenAPI document shows them."""

CAMPAIGN_STATISTICS = {
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "total": 40,
    "evaluated": 30,
    "approved": 24,
    "rejected": 6,
    "pass_rate": 0.8,
    "by_status": [
        {
            "key": "approved",
            "label": "评审通过",
            "count": 24,
            "evaluated": 24,
            "approved": 24,
            "rejected": 0,
            "pass_rate": 1.0,
        },
        {
            "key": "rejected",
            "label": "评审未通过",
            "count": 6,
            "evaluated": 6,
            "approved": 0,
            "rejected": 6,
            "pass_rate": 0.0,
        },
        {
            "key": "submitted",
            "label": "已提交",
            "count": 10,
            "evaluated": 0,
            "approved": 0,
            "rejected": 0,
            "pass_rate": None,
        },
    ],
    "by_level": [
        {
            "key": "intermediate",
            "label": "中级",
            "count": 40,
            "evaluated": 30,
            "approved": 24,
            "rejected": 6,
            "pass_rate": 0.8,
        }
    ],
    "by_unit": [
        {
            "key": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
            "label": "潞州区机械厂",
            "count": 40,
            "evaluated": 30,
            "approved": 24,
            "rejected": 6,
            "pass_rate": 0.8,
        }
    ],
    "by_specialty": [
        {
            "key": "eng-mechanical",
            "label": "机械工程",
            "count": 40,
            "evaluated": 30,
            "approved": 24,
            "rejected": 6,
            "pass_rate": 0.8,
        }
    ],
    "by_path": [
        {
            "key": "normal",
            "label": "正常申报",
            "count": 40,
            "evaluated": 30,
            "approved": 24,
            "rejected": 6,
            "pass_rate": 0.8,
        }
    ],
}

UNIT_PROBLEM_RATE = {
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "unit_name": "潞州区机械厂",
    "recommended": 10,
    "with_problems": 2,
    "share": 0.2,
    "requirement": "rectify",
    "requirement_zh": "作出说明并报送书面整改方案",
    "follow_up_id": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
}

FOLLOW_UP_CREATE = {"unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10"}

SUSPENSION_CREATE = {"reason": "推荐的10份申报书中2份材料存在问题，比例达20%，整改方案未按期报送。"}

FOLLOW_UP_READ = {
    "id": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "series": "arts_crafts",
    "year": 2023,
    "recommended": 10,
    "with_problems": 2,
    "requirement": "rectify",
    "requirement_zh": "作出说明并报送书面整改方案",
    "requested_at": "2023-11-02T02:00:00Z",
    "requested_by": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    "explanation_document_id": None,
    "plan_document_id": None,
    "suspended_at": None,
    "suspended_year": None,
    "suspension_reason": None,
}

FOLLOW_UP_DOCUMENT_LINK = {
    "url": "https://s3.example.cn/documents/f1e2d3c4?X-Amz-Expires=300&X-Amz-Signature=0f1e2d",
    "expires_at": "2023-11-10T02:05:00Z",
}
