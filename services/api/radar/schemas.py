"""Request and response models of the eligibility radar and the unit's roster."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class SubscriptionCreate(BaseModel):
    request: dict[str, Any] = Field(
        description=(
            "The facts of the self-check: the same body as `POST /v1/eligibility/evaluate` "
            "(DESIGN.md's eligibility contract). `as_of` is ignored: the radar evaluates "
            "from today (Beijing time)."
        )
    )
    unit_id: uuid.UUID | None = Field(
        default=None,
        description="Your employer (a registered unit), to appear in its 岗位结构比例 roster",
    )


class PlanEntry(BaseModel):
    path: str
    path_name: str
    on: date = Field(description="the first day the path's time conditions hold")
    eligible_then: bool = Field(
        description="on that day, with the facts as submitted, the path is eligible (false: "
        "something besides time is still missing; no notice is sent for it)"
    )
    already: bool = Field(description="eligible already on the day of subscription")
    clause: str
    message: str
    notified: bool = Field(description="the SMS and message for this date were sent")


class SubscriptionRead(BaseModel):
    id: uuid.UUID
    region: str
    series: str
    level: str
    unit_id: uuid.UUID | None
    subscribed_on: date
    next_due_on: date | None = Field(description="the next date the radar will tell you of")
    plan: list[PlanEntry]
    campaigns_told: list[uuid.UUID]


class RadarSweep(BaseModel):
    ran: bool = Field(description="false: another replica holds the sweep")
    quiet_hours: bool = Field(
        description="true: outside 08:00–21:00 Beijing time, nothing sent (told next morning)"
    )
    notified: int = Field(description="notices written (each one SMS and one message)")


class RosterPath(BaseModel):
    path: str
    path_name: str
    on: date
    clause: str
    message: str


class RosterPerson(BaseModel):
    name: str | None
    phone_masked: str | None
    id_number_masked: str | None
    series: str
    level: str
    title: str
    earliest_on: date
    paths: list[RosterPath]


class RosterYear(BaseModel):
    year: int
    people: list[RosterPerson]


class Roster(BaseModel):
    org_id: uuid.UUID
    source: str = Field(
        description="where the facts come from: the unit's applicants' radar subscriptions "
        "that name the unit (facts as the applicant submitted them, not yet reviewed)"
    )
    years: list[RosterYear] = Field(description="the year asked for and the next")
