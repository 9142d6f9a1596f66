"""Title-certificate registry: 身份证号 → title certificates (series, level, date, issuer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from services.api.registries.base import Query, Registry
from services.kit.vocabulary import Level

SERIES = {"工程": "engineering", "工艺美术": "arts_crafts"}


class Certificate(BaseModel):
    series: str = Field(min_length=1, max_length=40, description="our code or the Chinese name")
    level: Level
    title_name: str = Field(min_length=1, max_length=100)
    obtained_on: date
    issuer: str = Field(min_length=1, max_length=200)
    certificate_no: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, pattern=r"^\d{6}$")


class Answer(BaseModel):
    certificates: list[Certificate] = Field(default_factory=list, max_length=30)


class TitlesRegistry(Registry):
    name = "titles"
    title_zh = "职称证书信息"
    path = "/certificates/query"
    answer = Answer

    def request(self, query: Query) -> dict[str, Any]:
        return {"id_number": query.id_number}

    def extract(self, answer: Answer) -> dict[str, Any] | None:
        certificates = [
            {
                "series": SERIES.get(c.series, c.series),
                "level": c.level,
                "title_name": c.title_name,
                "obtained_on": c.obtained_on.isoformat(),
                "issuer": c.issuer,
                "certificate_no": c.certificate_no,
                "region": c.region,
            }
            for c in answer.certificates
        ]
        return {"certificates": certificates} if certificates else None
