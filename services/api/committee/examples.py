"""Examples of the request and response bodies, as the OpenAPI document shows them."""

ADJUSTMENT_CREATE = {"item": "papers", "points": "2.5", "reason": "补充认定一篇核心期刊论文。"}

ADJUSTMENT_READ = {
    "id": "a3b4c5d6-e7f8-4a9b-9c0d-1e2f30415263",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "item": "papers",
    "item_name": "论文论著",
    "points": "2.5",
    "reason": "补充认定一篇核心期刊论文。",
    "by_role": "expert",
    "created_at": "2022-10-26T03:00:00Z",
}

EXPERT_APPLICATION = {
    "name": "王建国",
    "employer_name": "太原理工大学",
    "employer_org_id": None,
    "title": "正高级工程师",
    "series": "engineering",
    "specialties": ["eng-mechanical"],
    "region_code": "140400",
    "conflict_org_ids": ["0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10"],
}

EXPERT_READ = {
    "id": "b4c5d6e7-f809-4a1b-8c2d-3e4f50617283",
    "office_org_id": "9a4f6b12-3c5d-4e7f-8a90-1b2c3d4e5f60",
    "name": "王建国",
    "employer_name": "太原理工大学",
    "employer_org_id": None,
    "title": "正高级工程师",
    "series": "engineering",
    "specialties": ["eng-mechanical"],
    "region_code": "140400",
    "conflict_org_ids": ["0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10"],
    "status": "approved",
    "decision_reason": "符合入库条件。",
    "version": 2,
}

EXPERT_DECISION = {"decision": "approve", "reason": "符合入库条件。"}

COMMITTEE_SETTING_READ = {
    "committee_code": "cz-eng-intermediate-initial",
    "tier": "prefecture",
    "min_panel": 11,
    "quorum": [2, 3],
    "pass_mark": [2, 3],
    "default": True,
}

COMMITTEE_SETTING_WRITE = {
    "tier": "prefecture",
    "min_panel": 11,
    "quorum": [2, 3],
    "pass_mark": [2, 3],
}

SESSION_CREATE = {
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "level": "intermediate",
    "panel_size": 11,
    "mix": {"eng-mechanical": 6, "eng-civil": 5},
}

SESSION_READ = {
    "id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "committee_code": "cz-eng-intermediate-initial",
    "series": "engineering",
    "level": "intermediate",
    "panel_size": 11,
    "mix": {"eng-mechanical": 6, "eng-civil": 5},
    "rule": {"tier": "prefecture", "min_panel": 11, "quorum": [2, 3], "pass_mark": [2, 3]},
    "judging": {
        "method": "vote",
        "policy": "changzhi-engineering-2022",
        "basis": "人社部令第40号《职称评审管理暂行规定》",
        "rule": "不记名投票，同意票数达到出席评审专家总数的三分之二及以上为通过",
    },
    "status": "drawn",
    "seed": "9c1d5e7f3a2b4c6d8e0f1a2b3c4d5e6f",
    "seed_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "declaration_ids": ["7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c"],
    "opened_at": None,
    "closed_at": None,
    "version": 2,
}

DRAW_VERIFICATION = {
    "seed": "9c1d5e7f3a2b4c6d8e0f1a2b3c4d5e6f",
    "seed_sha256": "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f",
    "seed_matches_commitment": True,
    "candidates": {
        "eng-mechanical": [
            "b4c5d6e7-f809-4a1b-8c2d-3e4f50617283",
            "c5d6e7f8-091a-4b2c-9d3e-4f5061728394",
        ]
    },
    "candidates_sha256": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "mix": {"eng-mechanical": 1},
    "panel": [["eng-mechanical", "b4c5d6e7-f809-4a1b-8c2d-3e4f50617283", 0]],
    "recusals": [],
    "same_as_recorded": True,
}

SEAT_READ = {
    "seat": 1,
    "expert_id": "b4c5d6e7-f809-4a1b-8c2d-3e4f50617283",
    "name": "王教授",
    "specialty": "eng-mechanical",
    "round": 0,
    "status": "active",
    "present": True,
    "recusal_reason": None,
}

RECUSAL_CREATE = {"reason": "与申报人在同一单位工作。"}

RECUSAL_READ = {
    "recused_expert_id": "b4c5d6e7-f809-4a1b-8c2d-3e4f50617283",
    "replacement_expert_id": "c5d6e7f8-091a-4b2c-9d3e-4f5061728394",
    "round": 1,
}

ATTENDANCE_WRITE = {
    "present": ["b4c5d6e7-f809-4a1b-8c2d-3e4f50617283", "c5d6e7f8-091a-4b2c-9d3e-4f5061728394"]
}

DEFENCE_SLOT_CREATE = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "starts_at": "2022-10-20T09:00:00+08:00",
    "minutes": 20,
    "place": "市人社局三楼会议室",
    "video_link": None,
}

DEFENCE_SLOT_READ = {
    "id": "d6e7f809-1a2b-4c3d-8e4f-506172839405",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "applicant_name": "李明",
    "starts_at": "2022-10-20T01:00:00Z",
    "minutes": 20,
    "place": "市人社局三楼会议室",
    "video_link": None,
}

BALLOT_CREATE = {"declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c", "choice": "agree"}

BALLOT_RECEIPT = {
    "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "cast": True,
}

MARK_CREATE = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "material": "82",
    "live": "87.5",
}

MARK_RECEIPT = {
    "session_id": "4d5e6f70-8192-4a3b-9c4d-5e6f7a8b9c0d",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "recorded": True,
}

POINTS_SCHEDULE_WRITE = {
    "points": {
        "papers": {
            "each": "2",
            "values": {},
            "field": None,
            "years_from": None,
            "cap": "10",
            "best_only": False,
        }
    },
    "source": "评委会2022年第1次会议确定",
}

POINTS_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "basis": "评委会2022年第1次会议确定",
    "lines": [
        {
            "item": "papers",
            "name": "论文论著",
            "section": "papers",
            "index": 0,
            "document_ids": ["c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"],
            "points": "2",
            "note": "论文栏第1篇",
        }
    ],
    "prefilled": "2",
    "adjusted": "2.5",
    "total": "4.5",
    "adjustments": [
        {
            "id": "a3b4c5d6-e7f8-4a9b-9c0d-1e2f30415263",
            "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
            "item": "papers",
            "item_name": "论文论著",
            "points": "2.5",
            "reason": "补充认定一篇核心期刊论文。",
            "by_role": "expert",
            "created_at": "2022-10-20T03:00:00Z",
        }
    ],
}

TALLY_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "status": "evaluated",
    "outcome": {
        "panel": 11,
        "present": 9,
        "agree": 7,
        "disagree": 1,
        "abstain": 1,
        "needed": 6,
        "quorum_met": True,
        "passed": True,
        "reason": "同意票7票，达到出席评审专家总数的三分之二（6票）",
    },
}

GRADES_WRITE = {"grades": None, "by_rank": True}

GRADE_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "grade": "excellent",
    "grade_name": "优",
    "source": "rank",
}
