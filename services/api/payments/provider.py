"""The payment provider over HTTP: native/H5 pay codes, order query, refunds.

Shaped like WeChat Pay's v3 merchant API (Alipay's precreate / query / refund are the
same three calls): a native order for an `out_trade_no` answers a `code_url` the applicant
opens or scans; the order query answers its `trade_state` and, once paid, the provider's
`transaction_id`, `success_time` and amount; a refund names the transaction, our
`out_refund_no` (the provider keeps one refund per number, so a retry is harmless) and
the amount, and the money goes back the way it came (原路退回).

Every request is signed, and every answer's signature is checked before it is believed
(an answer saying SUCCESS settles an order): HMAC-SHA256 with the merchant key over
`METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n`, base64, in `Authorization`; the answer signs
`TIMESTAMP\\nNONCE\\nBODY\\n` in `Pay-Signature` with `Pay-Timestamp` and `Pay-Nonce`.
(WeChat signs with RSA certificates; the key handling is what a real adapter swaps.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from services.api.payments.problems import PaymentProviderUnavailable
from services.kit.clients import tls_context

NATIVE_PATH = "/v3/pay/transactions/native"
QUERY_PATH = "/v3/pay/transactions/out-trade-no/{out_trade_no}"
REFUND_PATH = "/v3/refund/domestic/refunds"
AUTH_SCHEME = "ZHICHENG-HMAC-SHA256"


def sign(key: str, message: str) -> str:
    return base64.b64encode(
        hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


def request_message(method: str, path: str, timestamp: str, nonce: str, body: str) -> str:
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n"


def answer_message(timestamp: str, nonce: str, body: str) -> str:
    return f"{timestamp}\n{nonce}\n{body}\n"


@dataclass(frozen=True)
class Trade:
    """What the order query says about one out_trade_no."""

    state: str  # SUCCESS | NOTPAY | USERPAYING | CLOSED | REFUND | PAYERROR | NOT_FOUND
    transaction_id: str | None = None
    paid_at: datetime | None = None
    amount_fen: int | None = None


@dataclass(frozen=True)
class RefundAnswer:
    refund_id: str
    status: str  # SUCCESS | PROCESSING | ABNORMAL | CLOSED


class PaymentProvider:
    def __init__(
        self, client: httpx.AsyncClient, *, merchant_id: str, app_id: str, key: str
    ) -> None:
        self.client = client
        self.merchant_id = merchant_id
        self.app_id = app_id
        self.key = key

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body else ""
        headers = {"Accept": "application/json"}
        if raw:
            headers["Content-Type"] = "application/json"
        request = self.client.build_request(method, path, content=raw.encode(), headers=headers)
        # What is signed is the path the provider sees (a base URL may carry a prefix).
        target = request.url.raw_path.decode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = sign(self.key, request_message(method, target, timestamp, nonce, raw))
        request.headers["Authorization"] = (
            f'{AUTH_SCHEME} mchid="{self.merchant_id}",nonce_str="{nonce}",'
            f'timestamp="{timestamp}",signature="{signature}"'
        )
        try:
            r = await self.client.send(request)
        except httpx.HTTPError as exc:
            raise PaymentProviderUnavailable(reason=type(exc).__name__) from exc
        if r.status_code >= 500:
            raise PaymentProviderUnavailable(reason=f"HTTP {r.status_code}")
        expected = sign(
            self.key,
            answer_message(
                r.headers.get("Pay-Timestamp", ""),
                r.headers.get("Pay-Nonce", ""),
                r.content.decode("utf-8", "replace"),
            ),
        )
        if not hmac.compare_digest(r.headers.get("Pay-Signature", ""), expected):
            raise PaymentProviderUnavailable(reason="answer signature invalid")
        try:
            answer = r.json()
        except ValueError as exc:
            raise PaymentProviderUnavailable(reason="answer not JSON") from exc
        return r.status_code, answer

    async def native_order(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        description: str,
        expires_at: datetime,
        notify_url: str,
    ) -> str:
        """The code_url to pay this order (the same one again for the same order)."""
        status, answer = await self._call(
            "POST",
            NATIVE_PATH,
            {
                "appid": self.app_id,
                "mchid": self.merchant_id,
                "description": description,
                "out_trade_no": out_trade_no,
                "time_expire": expires_at.isoformat(),
                "notify_url": notify_url,
                "amount": {"total": amount_fen, "currency": "CNY"},
            },
        )
        if status != 200 or not isinstance(answer.get("code_url"), str):
            raise PaymentProviderUnavailable(reason=str(answer.get("code") or status))
        return answer["code_url"]

    async def query(self, out_trade_no: str) -> Trade:
        path = QUERY_PATH.format(out_trade_no=out_trade_no) + f"?mchid={self.merchant_id}"
        status, answer = await self._call("GET", path)
        if status == 404:
            return Trade(state="NOT_FOUND")
        if status != 200 or answer.get("out_trade_no") != out_trade_no:
            raise PaymentProviderUnavailable(reason=str(answer.get("code") or status))
        state = answer.get("trade_state", "")
        if state != "SUCCESS":
            return Trade(state=state)
        try:
            trade = Trade(
                state=state,
                transaction_id=str(answer["transaction_id"]),
                paid_at=datetime.fromisoformat(answer["success_time"]),
                amount_fen=int(answer["amount"]["total"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PaymentProviderUnavailable(reason="incomplete trade") from exc
        if (
            trade.paid_at.tzinfo is None
            or not 0 < len(trade.transaction_id) <= 64
            or trade.amount_fen <= 0
        ):
            raise PaymentProviderUnavailable(reason="incomplete trade")
        return trade

    async def refund(
        self, *, out_refund_no: str, transaction_id: str, amount_fen: int, reason: str
    ) -> RefundAnswer:
        status, answer = await self._call(
            "POST",
            REFUND_PATH,
            {
                "transaction_id": transaction_id,
                "out_refund_no": out_refund_no,
                "reason": reason[:80],
                "amount": {"refund": amount_fen, "total": amount_fen, "currency": "CNY"},
            },
        )
        if status != 200 or not answer.get("refund_id"):
            raise PaymentProviderUnavailable(reason=str(answer.get("code") or status))
        return RefundAnswer(refund_id=str(answer["refund_id"]), status=str(answer["status"]))


def make_provider(settings) -> PaymentProvider | None:
    """The adapter the settings describe, or None when no provider is connected."""
    if not settings.payment_provider_url:
        return None
    client = httpx.AsyncClient(
        base_url=settings.payment_provider_url,
        timeout=settings.payment_provider_timeout,
        trust_env=False,
        verify=tls_context(),
    )
    return PaymentProvider(
        client,
        merchant_id=settings.payment_provider_merchant_id,
        app_id=settings.payment_provider_app_id,
        key=settings.payment_provider_key,
    )
