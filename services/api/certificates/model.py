"""The certificate's data, its number, its revocation and its canonical bytes.

Certificate number: ``<COMMITTEE CODE>-<YEAR>-<SERIAL>``, the committee's code (as the
policy packs name it, upper-cased), the year of approval and a six-digit serial counted
per committee and year from 000001, e.g. ``GX-ENG-SENIOR-2026-000001``. The serial is
allocated by the database (`service.next_serial`), so numbers are unique and gapless per
committee and year.

Canonical bytes (what is signed): the certificate's fields as JSON with sorted keys, no
insignificant whitespace, UTF-8 (no escapes of Chinese), dates as ISO 8601, absent
values as null, under the format tag ``zhicheng.certificate.v1``. Any change to any
field changes the bytes; the same data always gives the same bytes.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.kit.pii import mask_id_number
from services.kit.vocabulary import LEVEL_NAMES, SERIES_NAMES, Level, Series, title_name

FORMAT = "zhicheng.certificate.v1"
DUAL_DIRECTED_COUNTIES = {
    "451229": "大化瑶族自治县",
    "451228": "都安瑶族自治县",
    "451031": "隆林各族自治县",
    "451026": "那坡县",
    "450226": "三江侗族自治县",
    "450225": "融水苗族自治县",
    "451225": "罗城仫佬族自治县",
    "451028": "乐业县",
}
SERIAL_DIGITS = 6
_COMMITTEE_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER = re.compile(r"^(?P<committee>[A-Z0-9]+(?:-[A-Z0-9]+)*)-(?P<year>\d{4})-(?P<serial>\d{6})$")


def certificate_number(committee_code: str, year: int, serial: int) -> str:
    """`gx-eng-senior`, 2026, 1 → `GX-ENG-SENIOR-2026-000001`."""
    if not _COMMITTEE_CODE.match(committee_code):
        raise ValueError(f"committee code {committee_code!r} is not lower-case words and dashes")
    if not 1 <= serial < 10**SERIAL_DIGITS:
        raise ValueError(f"serial {serial} is outside 1..{10**SERIAL_DIGITS - 1}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"year {year} is not four digits")
    return f"{committee_code.upper()}-{year}-{serial:0{SERIAL_DIGITS}d}"


def parse_number(number: str) -> tuple[str, int, int]:
    """The inverse of `certificate_number`: (committee code, year, serial)."""
    m = _NUMBER.match(number)
    if m is None:
        raise ValueError(f"{number!r} is not a certificate number")
    return m["committee"].lower(), int(m["year"]), int(m["serial"])


def normalise_name(name: str) -> str:
    """A name as compared: NFKC (full-width letters, compatibility forms), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


class DirectedUse(BaseModel):
    """双定向 (定向评价 定向使用): the title is used in this county only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    county: str = Field(pattern=r"^\d{6}$")
    county_name: str = Field(min_length=1)

    @field_validator("county")
    @classmethod
    def _one_of_the_eight(cls, value: str) -> str:
        if value not in DUAL_DIRECTED_COUNTIES:
            raise ValueError(f"{value} is not one of the eight 双定向 counties")
        return value

    @classmethod
    def of(cls, county: str) -> DirectedUse:
        return cls(county=county, county_name=DUAL_DIRECTED_COUNTIES.get(county, ""))

    @property
    def statement(self) -> str:
        return f"定向使用：限在{self.county_name}使用"


class CertificateData(BaseModel):
    """What the certificate says, and nothing else: this is what is signed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    certificate_id: uuid.UUID
    number: str
    holder_name: str = Field(min_length=1, max_length=64)
    holder_id_masked: str = Field(min_length=1, max_length=32)
    series: Series
    level: Level
    specialty: str = Field(min_length=1, max_length=64)
    committee_code: str
    committee_name: str = Field(min_length=1, max_length=128)
    approval_number: str = Field(min_length=1, max_length=64)  # 批准文号
    approved_on: date
    directed_use: DirectedUse | None = None

    @field_validator("holder_name")
    @classmethod
    def _name_as_compared(cls, value: str) -> str:
        value = normalise_name(value)
        if not value:
            raise ValueError("holder name is empty")
        return value

    @field_validator("holder_id_masked")
    @classmethod
    def _masked(cls, value: str) -> str:
        if "*" not in value:
            raise ValueError("holder_id_masked must be masked (use `masked_id`)")
        return value

    @model_validator(mode="after")
    def _number_matches(self) -> CertificateData:
        committee, year, _ = parse_number(self.number)
        if committee != self.committee_code:
            raise ValueError(f"number {self.number} is not of committee {self.committee_code}")
        if year != self.approved_on.year:
            raise ValueError(f"number {self.number} is not of the year {self.approved_on.year}")
        return self

    @staticmethod
    def normalised_name(name: str) -> str:
        return normalise_name(name)

    @property
    def title(self) -> str:
        """The title conferred, e.g. 工程师."""
        return title_name(self.series, self.level)

    @property
    def series_name(self) -> str:
        return SERIES_NAMES.get(self.series, self.series)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    def canonical(self) -> dict[str, object]:
        body = self.model_dump(mode="json")
        body["format"] = FORMAT
        return body

    def canonical_bytes(self) -> bytes:
        return json.dumps(
            self.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode()


def masked_id(id_number: str) -> str:
    """The holder's ID number as the certificate prints it (first four, last four)."""
    return mask_id_number(id_number.strip().upper())


class Revocation(BaseModel):
    """A revoked certificate: why (e.g. 弄虚作假 found later, "评审结果无效"), by whom,
    when (database time), and the document the decision rests on, if any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
    revoked_by: str  # the account's subject
    revoked_by_role: str
    revoked_at: datetime
    document_number: str | None = Field(default=None, max_length=64)


class CertificateRecord(BaseModel):
    """What the office keeps: the data, the signature over its canonical bytes, and the
    revocation once there is one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    declaration_id: uuid.UUID | None = None
    data: CertificateData
    signature: str  # `<key id>.<base64url signature>` (signing.py)
    revocation: Revocation | None = None

    @property
    def status(self) -> Literal["valid", "revoked"]:
        return "revoked" if self.revocation is not None else "valid"
