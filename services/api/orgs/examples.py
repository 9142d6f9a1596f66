"""Examples of the request and response bodies, as the OpenAPI document shows them."""

UNIT_HIT = {
    "id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "name": "潞州区机械厂",
    "credit_code": "91450200MA5K8Y1X3T",
    "region_code": "140402",
    "chain": [
        {
            "id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
            "kind": "county_office",
            "name": "潞州区工信局",
        }
    ],
}

ORG_CREATE = {
    "kind": "county_office",
    "name": "潞州区工信局",
    "parent_id": "9a4f6b12-3c5d-4e7f-8a90-1b2c3d4e5f60",
    "region_code": "140402",
    "credit_code": None,
    "affiliation": None,
    "duty": "industry",
}

ORG_READ = {
    "id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
    "kind": "county_office",
    "name": "潞州区工信局",
    "parent_id": "9a4f6b12-3c5d-4e7f-8a90-1b2c3d4e5f60",
    "region_code": "140402",
    "credit_code": None,
    "affiliation": None,
    "duty": "industry",
}

ORG_CHANGE = {"parent_id": "9a4f6b12-3c5d-4e7f-8a90-1b2c3d4e5f60"}

REGISTRATION_CREATE = {
    "name": "潞州区机械厂",
    "credit_code": "91450200MA5K8Y1X3T",
    "region_code": "140402",
    "parent_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
    "contact_name": "王芳",
    "independent_legal_person": True,
    "liable_branch": False,
}

REGISTRATION_DECISION = {
    "approve": False,
    "reason": "统一社会信用代码与营业执照不符，请核对后重新注册。",
}

REGISTRATION_READ = {
    "id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "name": "潞州区机械厂",
    "credit_code": "91450200MA5K8Y1X3T",
    "region_code": "140402",
    "parent_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
    "contact_name": "王芳",
    "affiliation": None,
    "status": "pending",
    "decided_at": None,
    "decision_reason": None,
}
