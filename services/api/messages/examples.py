"""Examples of the request and response bodies, as the OpenAPI document shows them."""

ANNOUNCEMENT_CREATE = {
    "title": "2022年度工程系列中级评审材料收审安排",
    "body": "材料收审时间为7月25日至8月25日，请各单位电话预约后统一报送。",
}

ANNOUNCEMENT_READ = {
    "id": "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
    "title": "2022年度工程系列中级评审材料收审安排",
    "body": "材料收审时间为7月25日至8月25日，请各单位电话预约后统一报送。",
    "posted_at": "2022-07-20T02:00:00Z",
    "recipients": 37,
}

MESSAGE_PAGE = {
    "items": [
        {
            "id": "4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d",
            "kind": "notice",
            "title": "申报书已受理",
            "body": "您申报的工程师职称申报书已由评委会办公室受理。",
            "at": "2022-08-01T03:15:00Z",
            "read_at": None,
            "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
            "announcement_id": None,
            "event": "accepted",
            "sms": "delivered",
        }
    ],
    "next_cursor": None,
    "unread": 1,
}

UNREAD_COUNT = {"unread": 3}

READ_ALL = {"marked": 3, "unread": 0}

MESSAGE_READ = {
    "id": "4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d",
    "kind": "notice",
    "title": "申报书已受理",
    "body": "您申报的工程师职称申报书已由评委会办公室受理。",
    "at": "2022-08-01T03:15:00Z",
    "read_at": "2022-08-01T04:00:00Z",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "announcement_id": None,
    "event": "accepted",
    "sms": "delivered",
}
