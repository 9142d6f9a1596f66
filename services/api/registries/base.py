"""One adapter per data-sharing registry, all behind `Registry`.

An adapter turns a query (name, ID number, unit, year) into the registry's request and
the registry's answer into the few facts a declaration needs. Three outcomes only:
`found` (with data), `not_found`, `unavailable` (timeout, connection refused, 5xx,
refused credentials, an answer we cannot read). A failure is never raised to the caller:
the declaration then needs the upload, as it would without data sharing.

Answers are cached in Redis under a blind index of the query (HMAC, never the ID number),
`found` for `cache_ttl` seconds and `not_found` for the shorter `not_found_ttl`.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.kit.clients import tls_context
from services.kit.pii import PiiCipher

logger = logging.getLogger("zhicheng.api.registries")

Status = Literal["found", "not_found", "unavailable"]


@dataclass(frozen=True)
class Query:
    id_number: str
    name: str | None = None
    unit_credit_code: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Outcome:
    status: Status
    data: dict[str, Any] | None = None
    warning: str | None = None
    cached: bool = False
    source: str = ""


@dataclass(frozen=True)
class Connection:
    base_url: str
    key: str
    timeout: float


class Registry(ABC):
    """A registry the declaration can be filled from instead of an upload."""

    name: ClassVar[str]  # education | titles | continuing_education | social_insurance
    title_zh: ClassVar[str]  # what a person reads: 学历信息, 职称证书 …
    path: ClassVar[str]  # the registry's query endpoint, relative to its base URL
    answer: ClassVar[type[BaseModel]]  # the registry's answer, validated

    def __init__(
        self,
        connection: Connection,
        *,
        redis: Redis,
        cipher: PiiCipher,
        cache_ttl: int,
        not_found_ttl: int,
    ) -> None:
        self.connection = connection
        self.client = (
            httpx.AsyncClient(
                base_url=connection.base_url,
                timeout=connection.timeout,
                headers={"X-Api-Key": connection.key},
                verify=tls_context(),
            )
            if connection.base_url
            else None
        )
        self.redis = redis
        self.cipher = cipher
        self.cache_ttl = cache_ttl
        self.not_found_ttl = not_found_ttl

    @property
    def source(self) -> str:
        return f"{self.name}@{httpx.URL(self.connection.base_url).host or '-'}"

    @abstractmethod
    def request(self, query: Query) -> dict[str, Any]:
        """The JSON body of the registry query."""

    @abstractmethod
    def extract(self, answer: Any) -> dict[str, Any] | None:
        """What the declaration keeps from a validated answer; None when it holds nothing."""

    def cache_key(self, query: Query) -> str:
        canonical = "\x00".join(
            str(x or "") for x in (query.id_number, query.name, query.unit_credit_code, query.year)
        )
        return f"registry:{self.name}:{self.cipher.keyed_hash('registry-' + self.name, canonical)}"

    def _unavailable(self, why: str) -> Outcome:
        return Outcome(
            "unavailable",
            warning=f"{self.title_zh}共享数据暂时无法获取（{why}），请上传相应证明材料，"
            "或稍后重新获取。",
            source=self.source,
        )

    async def lookup(self, query: Query) -> Outcome:
        if self.client is None:
            return self._unavailable("未接入该数据共享平台")
        key = self.cache_key(query)
        try:
            hit = await self.redis.get(key)
        except RedisError:
            hit = None
        if hit is not None:
            stored = json.loads(hit)
            return Outcome(stored["status"], stored.get("data"), cached=True, source=self.source)
        outcome = await self._ask(query)
        if outcome.status != "unavailable":
            ttl = self.cache_ttl if outcome.status == "found" else self.not_found_ttl
            try:
                payload = json.dumps({"status": outcome.status, "data": outcome.data})
                await self.redis.set(key, payload, ex=ttl)
            except RedisError:
                logger.warning("registry cache write failed", extra={"registry": self.name})
        return outcome

    async def _ask(self, query: Query) -> Outcome:
        assert self.client is not None
        try:
            response = await self.client.post(self.path, json=self.request(query))
        except httpx.TimeoutException:
            return self._unavailable("查询超时")
        except httpx.TransportError:
            return self._unavailable("无法连接")
        if response.status_code == 404:
            return Outcome("not_found", source=self.source)
        if response.status_code in (401, 403):
            logger.error("registry refused our credentials", extra={"registry": self.name})
            return self._unavailable("接口认证失败")
        if response.status_code != 200:
            return self._unavailable(f"对方系统返回{response.status_code}")
        try:
            if "\\u0000" in response.text or "\x00" in response.text:
                raise ValueError("NUL in a registry answer")  # Postgres JSONB refuses it
            answer = self.answer.model_validate(response.json())
        except (ValueError, ValidationError):
            logger.warning("registry answer unreadable", extra={"registry": self.name})
            return self._unavailable("返回数据无法识别")
        data = self.extract(answer)
        if data is None:
            return Outcome("not_found", source=self.source)
        return Outcome("found", data, source=self.source)

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
