"""A local SMS gateway shaped like both providers, for tests and the benchmark.

Run it under uvicorn on a free port (`uvicorn tests.notify.fakesms:app`). It checks each
request's signature with its own implementation of each provider's documented scheme,
records every message it accepts, answers the providers' query APIs from that record,
and can be told to fail:

    POST /_fake/mode  {"provider": "aliyun", "fail_5xx_seconds": 3,
                       "stall_seconds": 30, "stall_count": 1, "stall_out_id": "<id>",
                       "error_code": "isv.MOBILE_NUMBER_ILLEGAL", "error_count": 1,
                       "accept_then": "5xx" | "reset", "accept_then_count": 20}
    GET  /_fake/records   POST /_fake/reset   GET /_fake/stats   POST /_fake/release

A stalled send is recorded (the provider took it) before the answer is held back; with
`stall_out_id` only the send of that notice stalls, whatever else reaches the fake first.
`/_fake/release` lets stalled answers go now, keeping the records.

`fail_5xx_seconds` answers 503 to everything (sends and queries) without taking any
message, for that many seconds from the provider's first request after the mode is set
(not from the mode call, so a worker that starts late under load still meets it).
`accept_then` takes the next `accept_then_count` sends (-1: every send), each
recorded and visible to the query API, and then answers 504 ("5xx") or drops the
connection with a TCP reset and no answer at all ("reset").
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import socket
import struct
import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ALIYUN_KEY_ID = "fake-aliyun-id"
ALIYUN_SECRET = "fake-aliyun-secret"
TENCENT_SECRET_ID = "fake-tencent-id"
TENCENT_SECRET_KEY = "fake-tencent-secret"
CHINA = timezone(timedelta(hours=8))

_ids = itertools.count(1)
records: list[dict] = []
rejected: list[dict] = []
modes: dict[str, dict] = {}
_release = asyncio.Event()


def _mode(provider: str) -> dict:
    return modes.setdefault(provider, {})


async def _trouble(provider: str) -> JSONResponse | None:
    """A 5xx window, or the next N answers replaced by an error code."""
    mode = _mode(provider)
    if "fail_for" in mode:
        mode["fail_until"] = time.time() + mode.pop("fail_for")
    if mode.get("fail_until", 0) > time.time():
        mode["failed"] = mode.get("failed", 0) + 1
        return JSONResponse({"message": "upstream unavailable"}, status_code=503)
    return None


def _error_code(provider: str) -> str | None:
    mode = _mode(provider)
    if mode.get("error_count", 0) > 0:
        mode["error_count"] -= 1
        return mode["error_code"]
    return None


async def _maybe_stall(provider: str, out_id: str | None) -> None:
    mode = _mode(provider)
    if mode.get("stall_out_id") not in (None, out_id):
        return
    if mode.get("stall_count", 0) != 0 and mode.get("stall_seconds"):
        mode["stall_count"] -= 1
        # Released early by /_fake/reset, so the server can always shut down.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_release.wait(), mode["stall_seconds"])


def _after_accept(request: Request, provider: str) -> JSONResponse | None:
    """The answer that replaces "OK" for a message already taken, if told to fail."""
    mode = _mode(provider)
    if not mode.get("accept_then") or mode.get("accept_then_count", 0) == 0:
        return None
    if mode["accept_then_count"] > 0:
        mode["accept_then_count"] -= 1
    mode["accepted_then_failed"] = mode.get("accepted_then_failed", 0) + 1
    if mode["accept_then"] == "reset":
        # SO_LINGER 0: close() sends RST, not FIN; the client reads no answer at all.
        transport = request.scope["fake.transport"]
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        # The server sees the connection lost and discards whatever is returned below.
    return JSONResponse({"message": "gateway timeout"}, status_code=504)


def _record(provider: str, **fields) -> dict:
    entry = {"provider": provider, "message_id": f"{provider}-{next(_ids)}", "at": time.time()}
    entry.update(fields)
    records.append(entry)
    return entry


# ------------------------------------------------------------------------------ Aliyun


def _aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    def enc(v: str) -> str:
        return quote(v, safe="~")

    query = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    to_sign = f"{method}&%2F&" + enc(query)
    mac = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


async def aliyun(request: Request) -> JSONResponse:
    # RPC style: parameters in the query (GET) or a form body (POST).
    if request.method == "POST":
        params = {k: v for k, v in parse_qsl((await request.body()).decode())}
    else:
        params = dict(request.query_params)
    signature = params.pop("Signature", "")
    if params.get("AccessKeyId") != ALIYUN_KEY_ID or not hmac.compare_digest(
        signature, _aliyun_signature(params, ALIYUN_SECRET, request.method)
    ):
        rejected.append({"provider": "aliyun", "params": params})
        return JSONResponse({"Code": "SignatureDoesNotMatch", "Message": "bad"}, status_code=400)
    if trouble := await _trouble("aliyun"):
        return trouble
    action = params.get("Action")
    if action == "SendSms":
        if code := _error_code("aliyun"):
            return JSONResponse({"Code": code, "Message": code, "RequestId": "r"})
        entry = _record(
            "aliyun",
            phone="+86" + params["PhoneNumbers"],
            template=params["TemplateCode"],
            sign=params["SignName"],
            params=json.loads(params["TemplateParam"]),
            out_id=params.get("OutId"),
        )
        await _maybe_stall("aliyun", entry["out_id"])
        if failed := _after_accept(request, "aliyun"):
            return failed
        return JSONResponse(
            {"Code": "OK", "Message": "OK", "BizId": entry["message_id"], "RequestId": "r"}
        )
    if action == "QuerySendDetails":
        day = params["SendDate"]
        found = [
            {
                "PhoneNum": r["phone"][3:],
                "SendStatus": 3,
                "ErrCode": "DELIVERED",
                "TemplateCode": r["template"],
                "OutId": r["out_id"],
                "SendDate": datetime.fromtimestamp(r["at"], CHINA).isoformat(),
            }
            for r in records
            if r["provider"] == "aliyun"
            and r["phone"][3:] == params["PhoneNumber"]
            and datetime.fromtimestamp(r["at"], CHINA).strftime("%Y%m%d") == day
        ]
        return JSONResponse(
            {
                "Code": "OK",
                "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": found},
            }
        )
    return JSONResponse({"Code": "InvalidAction.NotFound"}, status_code=404)


# ----------------------------------------------------------------------------- Tencent


def _tencent_ok(request: Request, payload: bytes) -> bool:
    auth = request.headers.get("authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        secret_id, date, service, _ = parts["Credential"].split("/")
    except ValueError:
        return False
    signed = parts["SignedHeaders"].split(";")
    values = {h: request.headers.get(h, "").strip() for h in signed}
    if "x-tc-action" in values:
        values["x-tc-action"] = values["x-tc-action"].lower()
    headers = "".join(f"{h}:{values[h]}\n" for h in signed)
    canonical = "\n".join(
        ["POST", "/", "", headers, parts["SignedHeaders"], hashlib.sha256(payload).hexdigest()]
    )
    timestamp = request.headers.get("x-tc-timestamp", "0")
    if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
        return False
    to_sign = "\n".join(
        [algorithm, timestamp, f"{date}/{service}/tc3_request",
         hashlib.sha256(canonical.encode()).hexdigest()]
    )  # fmt: skip
    key = ("TC3" + TENCENT_SECRET_KEY).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return secret_id == TENCENT_SECRET_ID and hmac.compare_digest(expected, parts["Signature"])


def _tc(body: dict) -> JSONResponse:
    return JSONResponse({"Response": {**body, "RequestId": "r"}})


async def tencent(request: Request) -> JSONResponse:
    payload = await request.body()
    if not _tencent_ok(request, payload):
        rejected.append({"provider": "tencent", "headers": dict(request.headers)})
        return _tc({"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}})
    if trouble := await _trouble("tencent"):
        return trouble
    body = json.loads(payload)
    action = request.headers.get("x-tc-action")
    if action == "SendSms":
        if code := _error_code("tencent"):
            return _tc({"Error": {"Code": code, "Message": code}})
        phone = body["PhoneNumberSet"][0]
        entry = _record(
            "tencent",
            phone=phone,
            template=body["TemplateId"],
            sign=body["SignName"],
            params=body["TemplateParamSet"],
            out_id=body.get("SessionContext"),
        )
        await _maybe_stall("tencent", entry["out_id"])
        if failed := _after_accept(request, "tencent"):
            return failed
        status = {"SerialNo": entry["message_id"], "PhoneNumber": phone, "Code": "Ok",
                  "Message": "send success", "SessionContext": entry["out_id"]}  # fmt: skip
        return _tc({"SendStatusSet": [status]})
    if action == "PullSmsSendStatusByPhoneNumber":
        found = [
            {
                "SerialNo": r["message_id"],
                "PhoneNumber": r["phone"],
                "ReportStatus": "SUCCESS",
                "Description": "DELIVRD",
                "SessionContext": r["out_id"],
            }
            for r in records
            if r["provider"] == "tencent"
            and r["phone"] == body["PhoneNumber"]
            and body["BeginTime"] <= r["at"] <= body["EndTime"] + 1
        ]
        return _tc({"PullSmsSendStatusSet": found})
    return _tc({"Error": {"Code": "InvalidAction", "Message": str(action)}})


# ----------------------------------------------------------------------------- control


async def set_mode(request: Request) -> JSONResponse:
    body = await request.json()
    providers = ["aliyun", "tencent"] if body.get("provider", "*") == "*" else [body["provider"]]
    for name in providers:
        mode = _mode(name)
        if "fail_5xx_seconds" in body:
            mode["fail_for"] = body["fail_5xx_seconds"]
            mode.pop("fail_until", None)
        for key in (
            "stall_seconds",
            "stall_count",
            "stall_out_id",
            "error_code",
            "error_count",
            "accept_then",
            "accept_then_count",
        ):
            if key in body:
                mode[key] = body[key]
    return JSONResponse({"ok": True})


async def get_records(request: Request) -> JSONResponse:
    return JSONResponse({"records": records, "rejected": len(rejected)})


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "count": len(records),
            "rejected": len(rejected),
            "failed_5xx": {k: v.get("failed", 0) for k, v in modes.items()},
            "accepted_then_failed": {k: v.get("accepted_then_failed", 0) for k, v in modes.items()},
        }
    )


def _let_go() -> None:
    global _release
    _release.set()
    _release = asyncio.Event()


async def release(request: Request) -> JSONResponse:
    _let_go()
    return JSONResponse({"ok": True})


async def reset(request: Request) -> JSONResponse:
    _let_go()
    records.clear()
    rejected.clear()
    modes.clear()
    return JSONResponse({"ok": True})


routes = Starlette(
    routes=[
        Route("/aliyun/", aliyun, methods=["GET", "POST"]),
        Route("/tencent/", tencent, methods=["POST"]),
        Route("/_fake/mode", set_mode, methods=["POST"]),
        Route("/_fake/records", get_records),
        Route("/_fake/stats", stats),
        Route("/_fake/reset", reset, methods=["POST"]),
        Route("/_fake/release", release, methods=["POST"]),
    ]
)


async def app(scope, receive, send) -> None:
    """The routes, each request told its connection's transport (to drop it)."""
    if scope["type"] == "http":
        # uvicorn's `send` is a method of the request's cycle, which holds the transport.
        scope["fake.transport"] = getattr(getattr(send, "__self__", None), "transport", None)
    await routes(scope, receive, send)


def provider_env(base_url: str, providers: str = '["aliyun","tencent"]') -> dict[str, str]:
    """Worker settings that point both adapters at this gateway."""
    return {
        "NOTIFY_PROVIDERS": providers,
        "ALIYUN_SMS_BASE_URL": f"{base_url}/aliyun",
        "ALIYUN_SMS_ACCESS_KEY_ID": ALIYUN_KEY_ID,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": ALIYUN_SECRET,
        "TENCENT_SMS_BASE_URL": f"{base_url}/tencent",
        "TENCENT_SMS_SECRET_ID": TENCENT_SECRET_ID,
        "TENCENT_SMS_SECRET_KEY": TENCENT_SECRET_KEY,
        "TENCENT_SMS_SDK_APP_ID": "1400000000",
    }
