"""The specialty catalogue (职称评审专业目录): per series, the specialties a declaration may
name, as codes with their Chinese names and the seed sentence each rests on. Loaded once
from `specialties.yaml`; a broken file stops the import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from services.kit.vocabulary import Series

SOURCE = Path(__file__).with_name("specialties.yaml")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: str = Field(description="the seed document the name is quoted from")
    point: str
    text: str = Field(description="the seed's sentence that names the specialty")


class Specialty(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
    name: str = Field(min_length=2, max_length=60)
    source: Source


Catalogue = dict[Series, list[Specialty]]


@lru_cache
def catalogue() -> Catalogue:
    """Every series' specialties; codes are unique across the catalogue."""
    data = TypeAdapter(Catalogue).validate_python(yaml.safe_load(SOURCE.read_text("utf-8")))
    codes = [s.code for entries in data.values() for s in entries]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{SOURCE.name}: a specialty code is listed twice")
    for entries in data.values():
        for s in entries:
            if s.name not in s.source.text:
                raise ValueError(f"{SOURCE.name}: {s.code}: the source does not name {s.name}")
    return data


def find(series: str, code: str) -> Specialty | None:
    """The specialty of this code in the series' catalogue, or None."""
    return next((s for s in catalogue().get(series, []) if s.code == code), None)  # type: ignore[call-overload]
