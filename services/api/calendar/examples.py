"""Examples of the request and response bodies, as the OpenAPI document shows them."""

DAY_WRITE = {"day": "2026-10-01", "kind": "holiday", "name": "国庆节"}

DAY_READ = {
    "day": "2026-10-01",
    "kind": "holiday",
    "name": "National Day",
    "workday": False,
    "source": "chinesecalendar",
}

WORKING_DAYS = {
    "start_on": "2026-09-28",
    "end_on": "2026-10-12",
    "rule": "strict",
    "working_days": 6,
}

YEAR_OPEN = {"year": 2027}

YEAR_OPENED = {"year": 2027, "days": 365}
