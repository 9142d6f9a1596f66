"""Examples of the request and response bodies, as the OpenAPI document shows them."""

INTEGRITY_RECORD_CREATE = {
    "conduct": "提供虚假材料",
    "basis": "经核查，申报书所附业绩证明系伪造（潞州区工信局核查报告）",
    "recorded_on": "2022-09-01",
}

INTEGRITY_RECORD_END = {"reason": "复查撤销认定"}

INTEGRITY_RECORD_READ = {
    "id": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "conduct": "提供虚假材料",
    "basis": "经核查，申报书所附业绩证明系伪造（潞州区工信局核查报告）",
    "recorded_on": "2022-09-01",
    "until": "2025-09-01",
    "recorded_at": "2022-09-01T02:30:00Z",
    "recorded_by_role": "county_office",
    "ended_at": None,
    "end_reason": None,
    "in_force": False,
}
