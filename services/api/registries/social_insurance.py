"""Social-insurance registry: 身份证号 + the unit's credit code → monthly payment records.

The registry answers every month it holds for the person (at any unit): the consistency
checks need the other units too (a unit change, a freelancer paid by a unit).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from services.api.registries.base import Query, Registry


class Record(BaseModel):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    unit_credit_code: str | None = Field(default=None, max_length=18)
    unit_name: str | None = Field(default=None, max_length=200)
    paid: bool = True


class Answer(BaseModel):
    records: list[Record] = Field(default_factory=list, max_length=1200)


class SocialInsuranceRegistry(Registry):
    name = "social_insurance"
    title_zh = "社保缴费记录"
    path = "/payments/query"
    answer = Answer

    def request(self, query: Query) -> dict[str, Any]:
        return {"id_number": query.id_number, "unit_credit_code": query.unit_credit_code}

    def extract(self, answer: Answer) -> dict[str, Any] | None:
        records = sorted((r.model_dump() for r in answer.records), key=lambda r: r["month"])
        return {"records": records} if records else None
