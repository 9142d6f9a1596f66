from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class WorkCalendarYear(SQLModel, table=True):
    """A year the calendar knows completely; a date in any other year is an error."""

    __tablename__ = "work_calendar_year"
    __table_args__ = {"schema": "api"}

    year: int = Field(primary_key=True)
    source: str


class WorkCalendar(SQLModel, table=True):
    __tablename__ = "work_calendar"
    __table_args__ = {"schema": "api"}

    day: date = Field(primary_key=True)
    workday: bool  # an official working day (make-up weekend days included)
    kind: str  # workday | weekend | holiday | makeup
    name: str | None = None
    source: str
