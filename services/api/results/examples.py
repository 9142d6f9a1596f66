"""Examples of the request and response bodies, as the OpenAPI document shows them."""

POSTING_CREATE = {"starts_on": "2022-11-01", "ends_on": "2022-11-07"}

POSTING_READ = {
    "id": "5e6f7081-92a3-4b4c-8d5e-6f7a8b9c0d1e",
    "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
    "kind": "posting",
    "title": "长治市2022年度工程系列中级职称评审结果公示",
    "starts_on": "2022-11-01",
    "ends_on": "2022-11-07",
    "working_days": 5,
    "rows": [
        {
            "no": 1,
            "name": "李*",
            "unit": "潞州区机械厂",
            "series": "工程系列",
            "level": "中级",
            "specialty": "机械工程",
            "result": "通过",
        }
    ],
    "content_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "xlsx_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "pdf_sha256": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
    "published_at": "2022-10-31T08:00:00Z",
    "objections_open": False,
    "confirmed_at": None,
    "confirmation_authority": None,
    "confirmation_document": None,
    "approval_number": None,
    "approved_on": None,
    "version": 1,
}

EXPORT_CHECK = {
    "matches": True,
    "posting_id": "5e6f7081-92a3-4b4c-8d5e-6f7a8b9c0d1e",
    "format": "xlsx",
    "content_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
}

OBJECTION_CREATE = {
    "no": 1,
    "content": "该同志任现职年限不足，请予核查。",
    "contact_name": "张先生",
    "phone": "13900000002",
    "code": "246810",
}

OBJECTION_RECEIPT = {
    "id": "92a3b4c5-d6e7-4f8a-8b9c-0d1e2f304152",
    "received_at": "2022-11-02T02:00:00Z",
}

OBJECTION_READ = {
    "id": "92a3b4c5-d6e7-4f8a-8b9c-0d1e2f304152",
    "posting_id": "5e6f7081-92a3-4b4c-8d5e-6f7a8b9c0d1e",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "content": "该同志任现职年限不足，请予核查。",
    "contact_name": "张先生",
    "contact_phone": "139****0002",
    "received_at": "2022-11-02T02:00:00Z",
    "status": "dismissed",
    "handling": "经核对任职文件，任现职年限符合条件，异议不成立。",
    "handled_at": "2022-11-04T06:00:00Z",
    "version": 2,
}

OBJECTION_HANDLING = {
    "decision": "dismissed",
    "handling": "经核对任职文件，任现职年限符合条件，异议不成立。",
}

CONFIRMATION_CREATE = {"document_number": None}

APPROVAL_CREATE = {"document_number": "长人社职批〔2022〕12号", "approved_on": "2022-12-10"}

APPROVAL_READ = {
    "posting": {
        "id": "5e6f7081-92a3-4b4c-8d5e-6f7a8b9c0d1e",
        "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
        "kind": "posting",
        "title": "长治市2022年度工程系列中级职称评审结果公示",
        "starts_on": "2022-11-01",
        "ends_on": "2022-11-07",
        "working_days": 5,
        "rows": [
            {
                "no": 1,
                "name": "李*",
                "unit": "潞州区机械厂",
                "series": "工程系列",
                "level": "中级",
                "specialty": "机械工程",
                "result": "通过",
            }
        ],
        "content_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
        "xlsx_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "pdf_sha256": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
        "published_at": "2022-10-31T08:00:00Z",
        "objections_open": False,
        "confirmed_at": "2022-11-08T02:00:00Z",
        "confirmation_authority": "长治市工程系列中、初级评委会办公室",
        "confirmation_document": None,
        "approval_number": "长人社职批〔2022〕12号",
        "approved_on": "2022-12-10",
        "version": 3,
    },
    "publication": {
        "id": "6f708192-a3b4-4c5d-9e6f-7a8b9c0d1e2f",
        "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
        "kind": "publication",
        "title": "长治市2022年度工程系列中级职称评审通过人员名单",
        "starts_on": "2022-11-01",
        "ends_on": "2022-11-07",
        "working_days": 5,
        "rows": [
            {
                "no": 1,
                "name": "李*",
                "unit": "潞州区机械厂",
                "series": "工程系列",
                "level": "中级",
                "specialty": "机械工程",
                "result": "通过",
            }
        ],
        "content_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
        "xlsx_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "pdf_sha256": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
        "published_at": "2022-10-31T08:00:00Z",
        "objections_open": False,
        "confirmed_at": None,
        "confirmation_authority": None,
        "confirmation_document": None,
        "approval_number": None,
        "approved_on": None,
        "version": 1,
    },
    "approved": ["7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c"],
    "rejected": [],
    "certificates": {"7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c": "CZ2022-GC-000123"},
}

CERTIFICATE_SUMMARY = {
    "certificate_id": "8192a3b4-c5d6-4e7f-9a8b-9c0d1e2f3041",
    "number": "CZ2022-GC-000123",
    "revoked": False,
}

RESULT_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "outcome": "approved",
    "document_number": "柳工职称〔2022〕9号",
    "approved_on": "2022-11-30",
    "approved_at": "2022-11-30T03:00:00Z",
    "posting_id": "5e6f7081-92a3-4b4c-8d5e-6f7a8b9c0d1e",
    "certificate": CERTIFICATE_SUMMARY,
}

CERTIFICATE_STATUS = {"status": "genuine"}

REVOCATION_CREATE = {"reason": "经查实申报材料弄虚作假，评审结果无效。", "document_number": None}

RECHECK_CREATE = {"reason": "评审会后收到补充的业绩证明，申请复核。"}

RECHECK_READ = {
    "id": "708192a3-b4c5-4d6e-8f7a-8b9c0d1e2f30",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
    "reason": "评审会后收到补充的业绩证明，申请复核。",
    "status": "open",
    "previous": {"agree": 5, "disagree": 3, "abstain": 1, "passed": False},
    "outcome": None,
    "opened_at": "2022-10-25T02:00:00Z",
    "closed_at": None,
    "version": 1,
}

RECHECK_BALLOT_CREATE = {"choice": "agree"}

RECHECK_RECEIPT = {"recheck_id": "708192a3-b4c5-4d6e-8f7a-8b9c0d1e2f30", "counted": True}

RECHECK_MARK_CREATE = {"live": "87.5", "material": "82"}

RECHECK_MARK_RECEIPT = {"recheck_id": "708192a3-b4c5-4d6e-8f7a-8b9c0d1e2f30", "recorded": True}

RECHECK_CLOSE = {"grade": None}
