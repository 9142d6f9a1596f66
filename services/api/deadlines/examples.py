"""Examples of the request and response bodies, as the OpenAPI document shows them."""

UNIT_CALENDAR_READ = {
    "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "plans": [
        {
            "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
            "level": "intermediate",
            "deadline_at": "2022-08-25T16:00:00Z",
            "last_day_on": "2022-08-25",
            "today_on": "2022-08-01",
            "with_supervisor": False,
            "steps": [
                {
                    "key": "submission",
                    "title": "申报人提交",
                    "latest_on": "2022-08-10",
                    "passed": False,
                    "default_days": 3,
                    "explanation": "单位审核、公示前，申报人最迟于此日提交。",
                }
            ],
        }
    ],
    "waiting": [
        {
            "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
            "level": "intermediate",
            "status": "draft",
            "waiting_at": "submission",
        }
    ],
    "waiting_total": 3,
    "waiting_by_step": [{"key": "submission", "count": 2}, {"key": "deliberation", "count": 1}],
    "waiting_by_level": [{"key": "intermediate", "count": 3}],
    "next_cursor": "WyIyMDIyLTA3LTI4VDAyOjE1OjAwKzAwOjAwIiwgIjdjMWU1YTliLTJkNGYtNGU2YS04YjBjLTNkNWU3ZjlhMWIyYyJd",
}

DECLARATION_PLAN_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "status": "draft",
    "level": "intermediate",
    "deadline_at": "2022-08-25T16:00:00Z",
    "last_day_on": "2022-08-25",
    "today_on": "2022-08-01",
    "with_supervisor": False,
    "steps": [
        {
            "key": "submission",
            "title": "申报人提交",
            "latest_on": "2022-08-10",
            "passed": False,
            "default_days": 3,
            "explanation": "单位审核、公示前，申报人最迟于此日提交。",
        }
    ],
}

REMINDER_SWEEP = {
    "ran": True,
    "at": "2022-08-05T01:00:00Z",
    "quiet_hours": False,
    "applicants": ["7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c"],
    "reviewers": ["2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"],
}
