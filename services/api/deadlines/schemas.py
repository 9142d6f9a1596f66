from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from services.kit.text import UtcInstant


class PlanStepRead(BaseModel):
    key: str = Field(
        description="submission | defence | deliberation | posting_start | posting_end | "
        "recommendation"
    )
    title: str
    latest_on: date = Field(description="the latest day this step may happen on")
    explanation: str = Field(description="why this day: the clause, the holidays that moved it")
    default_days: int | None = Field(
        default=None,
        description="the planner's stated default (working days) this date rests on, where "
        "the documents set no gap",
    )
    passed: bool = Field(description="today (Beijing time) is after latest_on")


class PlanRead(BaseModel):
    """A unit's latest dates, worked back from the campaign's 逐级上报 deadline over the work
    calendar; computed on every read."""

    campaign_id: uuid.UUID
    level: str
    deadline_at: UtcInstant = Field(description="the campaign's 逐级上报 deadline")
    last_day_on: date = Field(description="the last day work may still be done by it")
    today_on: date
    with_supervisor: bool = Field(
        description="a 主管部门 reviews between the unit and the deadline"
    )
    steps: list[PlanStepRead]


class DeclarationPlanRead(PlanRead):
    declaration_id: uuid.UUID
    status: str


class WaitingRead(BaseModel):
    declaration_id: uuid.UUID
    level: str
    status: str
    waiting_at: str = Field(description="submission (a draft) or the unit step not yet recorded")


class UnitCalendarRead(BaseModel):
    org_id: uuid.UUID
    campaign_id: uuid.UUID
    plans: list[PlanRead] = Field(description="one plan per level of the campaign")
    waiting: list[WaitingRead] = Field(description="the unit's declarations still before it")


class ReminderSweep(BaseModel):
    ran: bool = Field(description="false when another replica held the sweep's lock")
    quiet_hours: bool = Field(
        description="true at night (21:00–08:00 Beijing time): nothing is sent until 08:00"
    )
    applicants: list[uuid.UUID] = Field(description="declarations whose applicant was reminded")
    reviewers: list[str] = Field(description="staff reminded of a unit step (their sub)")
    at: datetime
