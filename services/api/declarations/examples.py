"""Examples of the request and response bodies, as the OpenAPI document shows them."""

DECLARATION_CREATE = {
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "level": "intermediate",
    "path": "normal",
    "specialty": "eng-mechanical",
    "applicant_facts": {
        "employer_type": "state_owned",
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2014-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2018-12-15"}],
        "professional_work_since": "2014-07-01",
        "papers": 2,
        "achievements": 1,
    },
    "sections": {
        "basic_info": {
            "name": "李明",
            "gender": "male",
            "birth_on": "1992-03-15",
            "phone": "13800000001",
            "employer_type": "state_owned",
            "declaration_mode": "promotion",
            "dual_directed": False,
        },
        "education": [
            {
                "level": "bachelor",
                "school": "太原理工大学",
                "major": "机械工程",
                "graduated_on": "2014-06-30",
                "related_major": True,
            }
        ],
        "current_title": {
            "series": "engineering",
            "level": "assistant",
            "title_name": "助理工程师",
            "obtained_on": "2018-12-15",
            "certificate_no": "CZ2018-0123",
            "region": "140400",
            "reconfirmed_on": None,
        },
        "papers": [
            {
                "title": "某型减速器齿轮的疲劳寿命分析",
                "journal": "机械传动",
                "issn_cn": "1004-2539",
                "published_on": "2021-05-15",
                "stage": "published",
                "authorship": "first",
                "condition": None,
            }
        ],
        "annual_assessments": [
            {"year": 2019, "grade": "qualified"},
            {"year": 2020, "grade": "qualified"},
            {"year": 2021, "grade": "excellent"},
            {"year": 2022, "grade": "qualified"},
        ],
    },
    "attachments": [],
    "copy_from_declaration_id": None,
}

DECLARATION_UPDATE = {
    "sections": {
        "self_evaluation": {"text": "任助理工程师以来，主持完成减速器齿轮改进设计等项目……"}
    }
}

DECLARATION_READ = {
    "id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "applicant_sub": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "committee_code": "cz-eng-intermediate-initial",
    "year": 2022,
    "series": "engineering",
    "level": "intermediate",
    "path": "normal",
    "specialty": "eng-mechanical",
    "status": "draft",
    "sections": {
        "basic_info": {
            "name": "李明",
            "gender": "male",
            "birth_on": "1992-03-15",
            "phone": "13800000001",
            "employer_type": "state_owned",
            "declaration_mode": "promotion",
            "dual_directed": False,
        },
        "education": [
            {
                "level": "bachelor",
                "school": "太原理工大学",
                "major": "机械工程",
                "graduated_on": "2014-06-30",
                "related_major": True,
            }
        ],
        "current_title": {
            "series": "engineering",
            "level": "assistant",
            "title_name": "助理工程师",
            "obtained_on": "2018-12-15",
            "certificate_no": "CZ2018-0123",
            "region": "140400",
            "reconfirmed_on": None,
        },
        "papers": [
            {
                "title": "某型减速器齿轮的疲劳寿命分析",
                "journal": "机械传动",
                "issn_cn": "1004-2539",
                "published_on": "2021-05-15",
                "stage": "published",
                "authorship": "first",
                "condition": None,
            }
        ],
        "annual_assessments": [
            {"year": 2019, "grade": "qualified"},
            {"year": 2020, "grade": "qualified"},
            {"year": 2021, "grade": "excellent"},
            {"year": 2022, "grade": "qualified"},
        ],
    },
    "attachments": [
        {
            "kind": "education_proof",
            "document_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
            "document_kind": "education_proof",
            "section": "education",
            "item": {"section": "education", "index": 0},
            "note": None,
        }
    ],
    "applicant_facts": {
        "employer_type": "state_owned",
        "education": [{"level": "bachelor", "related_major": True, "graduated_on": "2014-06-30"}],
        "titles": [{"series": "engineering", "level": "assistant", "obtained_on": "2018-12-15"}],
        "professional_work_since": "2014-07-01",
        "papers": 2,
        "achievements": 1,
    },
    "eligibility": None,
    "fee_yuan": 300,
    "current_position": None,
    "submission_count": 0,
    "copied_from_id": None,
    "version": 3,
    "created_at": "2022-07-26T01:00:00Z",
    "updated_at": "2022-07-27T08:30:00Z",
    "academic_risk": None,
    "risk": None,
}

DECLARATION_PAGE = {
    "items": [DECLARATION_READ],
    "next_cursor": None,
}

DECLARATION_IMPORT = {"source_declaration_id": "6b0d4f8a-1c3e-4d5f-9a7b-2c4d6e8f0a1b"}

COMMITTEE_RESET = {"campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d", "level": "intermediate"}

SUBMISSION_CREATE = {"addressed": [{"item": 0, "note": "已补充上传毕业证书原件扫描件。"}]}

WITHDRAWAL_CREATE = {"reason": "本年度暂不申报"}

EVENT_READ = {
    "seq": 1201,
    "at": "2022-08-01T02:00:00Z",
    "action": "submitted",
    "actor_sub": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "actor_role": "applicant",
    "actor_org": None,
    "from_status": "draft",
    "to_status": "unit_review",
    "reason": None,
    "request_id": "d498939e922f4e389fdf1870ff6c5a01",
}

PROGRESS_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "status": "county_review",
    "current_position": 2,
    "steps": [
        {
            "position": 1,
            "kind": "unit",
            "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
            "org_name": "潞州区机械厂",
            "reached_at": "2022-08-01T02:00:00Z",
            "completed_at": "2022-08-10T07:00:00Z",
            "completed_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        },
        {
            "position": 2,
            "kind": "county_office",
            "org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
            "org_name": "潞州区工信局",
            "reached_at": "2022-08-10T07:00:00Z",
            "completed_at": None,
            "completed_by": None,
        },
    ],
    "events": [EVENT_READ],
    "judgements": [],
    "open_return": None,
}

APPROVAL_CREATE = {"comment": "材料齐全，符合申报条件，同意推荐。"}

RETURN_CREATE = {
    "items": [
        {
            "message": "毕业证书扫描件不清晰，请重新上传原件扫描件。",
            "section": None,
            "target": {"section": "education", "material": "education_proof"},
        },
        "请补充2021年度考核表。",
    ],
    "deadline_at": "2022-08-20T10:00:00Z",
}

RETURN_READ = {
    "id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "n": 1,
    "position": 2,
    "org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
    "issued_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "issued_role": "county_office",
    "issued_at": "2022-08-15T02:00:00Z",
    "deadline_at": "2022-08-20T10:00:00Z",
    "items": [
        {
            "message": "毕业证书扫描件不清晰，请重新上传原件扫描件。",
            "target": {"section": "education", "material": "education_proof"},
        }
    ],
    "baseline_n": 1,
    "answers": None,
    "resolved_at": None,
}

RETURN_CHANGES = {
    "return_id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "n": 1,
    "before_submission": 1,
    "after_submission": 2,
    "before_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "after_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "sections": [
        {
            "section": "basic_info",
            "fields": [{"field": "phone", "before": "13800000001", "after": "13900000002"}],
        }
    ],
    "replaced_documents": [
        {
            "old": {
                "document_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
                "document_kind": "education_proof",
                "material": "education_proof",
                "filename": "毕业证书.jpg",
            },
            "new": {
                "document_id": "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70",
                "document_kind": "education_proof",
                "material": "education_proof",
                "filename": "毕业证书（原件扫描）.jpg",
            },
        }
    ],
    "added_documents": [],
    "removed_documents": [],
    "answers": [{"item": 0, "addressed": True, "note": None, "unchanged": []}],
}

JUDGEMENT_READ = {
    "id": "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d",
    "path": "high_skill",
    "condition_id": "high_skill_conditions",
    "message": "高技能人才按《山西省在工程技术领域实现高技能人才与工程技术人才职业发展贯通实施方案》确定的标准条件执行，该方案不在本服务的政策依据中，需人工审核",
    "clause": "长工信〔2022〕139号 三（六）",
    "level": "unit",
    "level_named": True,
    "level_basis": "长工信〔2022〕139号 四（二）：单位根据评议组意见，出具鉴定意见。",
    "position": 1,
    "org_name": "潞州区机械厂",
    "status": "approved",
    "raised_in": 1,
    "decided_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "decided_role": "unit_reviewer",
    "decided_at": "2022-08-03T06:00:00Z",
    "decision_clause": "长工信〔2022〕139号 四（二）",
    "reason": "经评议组鉴定，符合高技能人才标准条件。",
}

JUDGEMENT_DECISION_CREATE = {
    "decision": "approve",
    "reason": "经评议组鉴定，符合高技能人才标准条件。",
    "clause": "长工信〔2022〕139号 四（二）",
}
