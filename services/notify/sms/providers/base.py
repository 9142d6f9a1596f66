"""The provider interface and the outcome classes every adapter maps its errors to.

The rule: a message is sent again only on proof that the provider did not take it.
Anything else that is not a success is in doubt, and only the provider's query settles
it (sweeper.py), so a message the provider took is never sent twice.

* `Permanent`: the message can never go out as asked (bad number, blacklist, missing or
  bad template parameter). Final: `permanent_failure`.
* `RetryLater`: the provider refused for now (per-number rate limit, quota); retry after
  `after` seconds with the same provider.
* `Failover`: proof that the provider did not take the message: the connection was
  refused or timed out before a byte of the request was written, or the provider
  answered with a documented "not sent" code (signature, key, API throttling). Retry,
  on the next provider once the breaker opens.
* `Unknown`: the request may have reached the provider and been taken: an HTTP 5xx
  (a gateway can answer 502/504 after the service took the message), a read timeout,
  a connection cut or reset after the request was (even partly) written, an answer we
  cannot parse, an error code that is not documented as "not sent". Becomes
  `sending_unknown`, resolved only by `query`, never by resending or failing over. It
  still counts against the provider's health (its breaker), like `Failover`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol


@dataclass(frozen=True)
class SmsRequest:
    phone: str  # E.164, +86…
    sign_name: str
    template_code: str  # our code; adapters map it to the provider's
    params: dict[str, str]  # in the template's order
    out_id: str  # our notification id, echoed back by the provider


@dataclass(frozen=True)
class Sent:
    message_id: str


QueryState = Literal["accepted", "delivered", "failed", "not_found"]


@dataclass(frozen=True)
class QueryResult:
    state: QueryState
    message_id: str | None = None
    error: str | None = None


class ProviderError(Exception):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


class Permanent(ProviderError):
    pass


class RetryLater(ProviderError):
    def __init__(self, code: str, message: str = "", after: float = 60.0) -> None:
        super().__init__(code, message)
        self.after = after


class Failover(ProviderError):
    pass


class Unknown(ProviderError):
    pass


class Provider(Protocol):
    name: str

    async def send(self, request: SmsRequest) -> Sent: ...

    async def query(self, *, phone: str, out_id: str, sent_on: datetime) -> QueryResult:
        """Did the provider take the message with this out id? Raises a ProviderError
        if it cannot answer now."""
        ...


def national_number(phone: str) -> str:
    """+8613800000000 → 13800000000 (Aliyun wants mainland numbers without +86)."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


async def http_call(http, method: str, url: str, *, timeout: float, **kwargs):  # noqa: ASYNC109
    """One HTTP exchange, its transport failures mapped to Failover or Unknown.

    httpx raises ConnectError / ConnectTimeout only while connecting (TCP, TLS), before
    any byte of the request is written; PoolTimeout and UnsupportedProtocol before a
    connection is even chosen. Everything after that (WriteError, WriteTimeout,
    ReadError, ReadTimeout, RemoteProtocolError, ...) may follow a request the provider
    received whole: a write reported failed may still have delivered its bytes.
    """
    import httpx

    try:
        response = await http.request(method, url, timeout=timeout, **kwargs)
    except (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.UnsupportedProtocol,
    ) as exc:
        # The request never left: safe to send again, here or elsewhere.
        raise Failover("connect", type(exc).__name__) from exc
    except httpx.TransportError as exc:
        # Written (maybe partly), then no complete answer: it may have landed.
        raise Unknown("transport", type(exc).__name__) from exc
    if response.status_code >= 500:
        # A 5xx says something failed, not that the message was not taken (a gateway's
        # 504 often comes after the service behind it took it).
        raise Unknown(f"http_{response.status_code}", response.text[:200])
    return response
