"""Examples of the request and response bodies, as the OpenAPI document shows them."""

SUBSCRIPTION_CREATE = {
    "request": {
        "region": "140400",
        "series": "engineering",
        "level": "intermediate",
        "applicant": {
            "employer_type": "state_owned",
            "education": [
                {"level": "bachelor", "related_major": True, "graduated_on": "2014-06-30"}
            ],
            "titles": [
                {"series": "engineering", "level": "assistant", "obtained_on": "2019-01-10"}
            ],
            "professional_work_since": "2014-07-01",
            "papers": 2,
            "achievements": 1,
        },
    },
    "unit_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
}

SUBSCRIPTION_READ = {
    "id": "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
    "region": "140400",
    "series": "engineering",
    "level": "intermediate",
    "unit_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "subscribed_on": "2022-08-25",
    "next_due_on": "2023-01-01",
    "plan": [
        {
            "path": "normal",
            "path_name": "正常申报",
            "on": "2023-01-01",
            "eligible_then": True,
            "already": False,
            "clause": "长工信〔2022〕139号 三（一）3·本科专科",
            "message": "取得助理工程师后满4年（计算至评审年度12月31日）：2023年度可申报工程师。",
            "notified": False,
        }
    ],
    "campaigns_told": [],
}

RADAR_SWEEP = {"ran": True, "quiet_hours": False, "notified": 12}

ROSTER = {
    "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "source": "本单位申报人订阅资格提醒时填报的事实（申报人自填，尚未审核）",
    "years": [
        {
            "year": 2023,
            "people": [
                {
                    "name": "李明",
                    "phone_masked": "138****0001",
                    "id_number_masked": "1404**********0012",
                    "series": "engineering",
                    "level": "intermediate",
                    "title": "工程师",
                    "earliest_on": "2023-01-01",
                    "paths": [
                        {
                            "path": "normal",
                            "path_name": "正常申报",
                            "on": "2023-01-01",
                            "clause": "长工信〔2022〕139号 三（一）3·本科专科",
                            "message": "取得助理工程师后满4年",
                        }
                    ],
                }
            ],
        },
        {"year": 2024, "people": []},
    ],
}
