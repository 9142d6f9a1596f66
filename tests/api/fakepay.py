"""A local payment provider shaped like WeChat Pay's native API, for tests.

Run it under uvicorn (`uvicorn tests.api.fakepay:app`). It checks every request's
signature with its own implementation of the scheme (services/api/payments/provider.py
describes it), signs every answer, and keeps its trades and refunds in memory:

    POST /v3/pay/transactions/native            a code_url per out_trade_no (the same again)
    GET  /v3/pay/transactions/out-trade-no/{n}  trade_state, and once paid the transaction
    POST /v3/refund/domestic/refunds            one refund per out_refund_no

Control, for the test playing the applicant and the network:

    POST /_fake/pay {"out_trade_no": ..., "paid_at": iso?}   the applicant scans and pays;
         a second call for the same trade is a second payment (another channel). Answers
         the transaction and the signed success callback the provider would post
         ({"body": str, "signature": str}), for the test to deliver when it chooses.
    POST /_fake/mode {"down": bool, "forge": bool}   503 to everything / answers whose
         signature is wrong
    GET  /_fake/records   POST /_fake/reset
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MERCHANT_ID = "1900000109"
APP_ID = "wx-fake-pay-appid"
PROVIDER_KEY = "fake-payment-provider-key-0123456789abcdef"
# The gateway's PAYMENT_CALLBACK_KEY, which the provider signs its callbacks with.
CALLBACK_KEY = "fake-payment-callback-key-0123456789abcdef"

_ids = itertools.count(1)
trades: dict[str, dict] = {}
refunds: dict[str, dict] = {}
rejected: list[dict] = []
mode: dict[str, bool] = {}


def _b64mac(message: str) -> str:
    mac = hmac.new(PROVIDER_KEY.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _answer(body: dict, status: int = 200) -> Response:
    raw = json.dumps(body, ensure_ascii=False)
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signature = _b64mac(f"{timestamp}\n{nonce}\n{raw}\n")
    if mode.get("forge"):
        signature = _b64mac("forged")
    return Response(
        raw,
        status_code=status,
        media_type="application/json",
        headers={"Pay-Timestamp": timestamp, "Pay-Nonce": nonce, "Pay-Signature": signature},
    )


async def _checked(request: Request) -> bytes | None:
    """The body when the request is signed by the merchant, else None (and recorded)."""
    raw = await request.body()
    auth = request.headers.get("authorization", "")
    scheme, _, rest = auth.partition(" ")
    try:
        parts = dict(p.split("=", 1) for p in rest.split(","))
        parts = {k: v.strip('"') for k, v in parts.items()}
    except ValueError:
        parts = {}
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = (
        f"{request.method}\n{path}\n{parts.get('timestamp')}\n{parts.get('nonce_str')}\n"
        f"{raw.decode()}\n"
    )
    fresh = abs(time.time() - int(parts.get("timestamp") or 0)) < 300
    if (
        scheme != "ZHICHENG-HMAC-SHA256"
        or parts.get("mchid") != MERCHANT_ID
        or not fresh
        or not hmac.compare_digest(parts.get("signature", ""), _b64mac(message))
    ):
        rejected.append({"path": path, "auth": auth})
        return None
    return raw


async def native(request: Request) -> Response:
    if mode.get("down"):
        return JSONResponse({"code": "SYSTEM_ERROR"}, status_code=503)
    raw = await _checked(request)
    if raw is None:
        return _answer({"code": "SIGN_ERROR", "message": "签名错误"}, 401)
    body = json.loads(raw)
    if body.get("appid") != APP_ID or body.get("mchid") != MERCHANT_ID:
        return _answer({"code": "APPID_MCHID_NOT_MATCH"}, 400)
    no = body["out_trade_no"]
    known = trades.get(no)
    if known is not None:
        if known["amount"] != body["amount"]["total"]:
            return _answer({"code": "INVALID_REQUEST", "message": "订单号重复"}, 400)
        return _answer({"code_url": known["code_url"]})
    trades[no] = {
        "out_trade_no": no,
        "amount": body["amount"]["total"],
        "description": body["description"],
        "notify_url": body["notify_url"],
        "time_expire": body["time_expire"],
        "code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(9)}",
        "payments": [],
    }
    return _answer({"code_url": trades[no]["code_url"]})


async def query(request: Request) -> Response:
    if mode.get("down"):
        return JSONResponse({"code": "SYSTEM_ERROR"}, status_code=503)
    if await _checked(request) is None:
        return _answer({"code": "SIGN_ERROR"}, 401)
    no = request.path_params["out_trade_no"]
    trade = trades.get(no)
    if trade is None:
        return _answer({"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, 404)
    answer = {
        "appid": APP_ID,
        "mchid": MERCHANT_ID,
        "out_trade_no": no,
        "trade_state": "NOTPAY",
        "amount": {"total": trade["amount"], "currency": "CNY"},
    }
    if trade["payments"]:
        first = trade["payments"][0]
        answer.update(
            trade_state="SUCCESS",
            transaction_id=first["transaction_id"],
            success_time=first["success_time"],
        )
        answer["amount"]["payer_total"] = trade["amount"]
    return _answer(answer)


async def refund(request: Request) -> Response:
    if mode.get("down"):
        return JSONResponse({"code": "SYSTEM_ERROR"}, status_code=503)
    raw = await _checked(request)
    if raw is None:
        return _answer({"code": "SIGN_ERROR"}, 401)
    body = json.loads(raw)
    paid = {p["transaction_id"]: p for t in trades.values() for p in t["payments"]}
    if body["transaction_id"] not in paid:
        return _answer({"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}, 404)
    if body["amount"]["refund"] > paid[body["transaction_id"]]["amount"]:
        return _answer({"code": "INVALID_REQUEST", "message": "退款金额超过订单金额"}, 400)
    no = body["out_refund_no"]
    entry = refunds.get(no)
    if entry is None:  # one refund per out_refund_no, however often it is asked
        entry = refunds[no] = {
            "refund_id": f"50000{next(_ids):010d}",
            "out_refund_no": no,
            "transaction_id": body["transaction_id"],
            "amount": body["amount"]["refund"],
            "reason": body.get("reason"),
            "status": "SUCCESS",
            "asked": 0,
        }
    entry["asked"] += 1
    return _answer({k: v for k, v in entry.items() if k != "asked"})


def _callback(trade: dict, payment: dict) -> dict:
    body = json.dumps(
        {
            "order_id": str(uuid.UUID(hex=trade["out_trade_no"])),
            "transaction_id": payment["transaction_id"],
            "amount_fen": payment["amount"],
            "paid_at": payment["success_time"],
        }
    )
    mac = hmac.new(CALLBACK_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()
    return {"body": body, "signature": "sha256=" + mac}


async def pay(request: Request) -> JSONResponse:
    body = await request.json()
    trade = trades.get(body["out_trade_no"])
    if trade is None:
        return JSONResponse({"error": "no such trade (ask for a code first)"}, status_code=404)
    paid_at = (
        body.get("paid_at")
        or (datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)).isoformat()
    )
    payment = {
        "transaction_id": f"42000{secrets.randbelow(10**15):015d}",  # unique across runs
        "success_time": paid_at,
        "amount": trade["amount"],
    }
    trade["payments"].append(payment)
    return JSONResponse({**payment, "callback": _callback(trade, payment)})


async def set_mode(request: Request) -> JSONResponse:
    mode.update(await request.json())
    return JSONResponse({"ok": True})


async def records(request: Request) -> JSONResponse:
    return JSONResponse({"trades": trades, "refunds": list(refunds.values()), "rejected": rejected})


async def reset(request: Request) -> JSONResponse:
    trades.clear()
    refunds.clear()
    rejected.clear()
    mode.clear()
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/v3/pay/transactions/native", native, methods=["POST"]),
        Route("/v3/pay/transactions/out-trade-no/{out_trade_no}", query),
        Route("/v3/refund/domestic/refunds", refund, methods=["POST"]),
        Route("/_fake/pay", pay, methods=["POST"]),
        Route("/_fake/mode", set_mode, methods=["POST"]),
        Route("/_fake/records", records),
        Route("/_fake/reset", reset, methods=["POST"]),
    ]
)
