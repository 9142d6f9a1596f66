"""Delivery receipts: provider webhooks on the worker's own HTTP listener.

Neither provider signs its receipt pushes by itself, so each receipt URL is configured
with a shared key and the push must carry `X-Signature: <hex HMAC-SHA256 of the raw
body>` (the relay in front of the worker adds it). A receipt only moves a notice
forward (`sending` / `sending_unknown` / `sent` → `delivered` or a failure); a repeat or a
late receipt for a notice already final changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Request
from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import update

from services.kit.outbox import Notification
from services.kit.problem_kinds import documented
from services.notify.problems import (
    MISSING_FIELD,
    ReceiptMalformed,
    ReceiptSignatureInvalid,
    ReceiptsNotConfigured,
)
from services.notify.scrub import scrubbed_params

FORWARD_FROM = ("sending", "sending_unknown", "sent")
# Receipt codes that mean the number itself is bad: retrying can never help.
PERMANENT_CODES = {
    "MOBILE_NOT_ON_SERVICE",
    "USER_NOT_EXIST",
    "MOBILE_NUMBER_ILLEGAL",
    "MOBILE_IN_BLACK",
    "IN_BLACKLIST",
    "BLACK_LIST",
}


def failure_status(code: str | None) -> str:
    return "permanent_failure" if (code or "").upper() in PERMANENT_CODES else "temporary_failure"


@dataclass(frozen=True)
class Receipt:
    message_id: str | None
    out_id: str | None
    delivered: bool
    error: str | None


def parse_aliyun(body: list[dict]) -> list[Receipt]:
    return [
        Receipt(
            message_id=item.get("biz_id"),
            out_id=item.get("out_id"),
            delivered=bool(item["success"]),
            error=None if item["success"] else item.get("err_code"),
        )
        for item in body
    ]


def parse_tencent(body: list[dict]) -> list[Receipt]:
    return [
        Receipt(
            message_id=item.get("sid"),
            out_id=item.get("ext") or item.get("session_context"),
            delivered=item["report_status"] == "SUCCESS",
            error=None if item["report_status"] == "SUCCESS" else item.get("errmsg"),
        )
        for item in body
    ]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


async def apply_receipts(
    maker: async_sessionmaker[AsyncSession], *, provider: str, receipts: list[Receipt]
) -> int:
    """Apply receipts in one transaction; returns how many notices changed state."""
    changed = 0
    async with maker() as session:
        for r in receipts:
            match = []
            if r.message_id:
                match.append(
                    (Notification.provider == provider)
                    & (Notification.provider_message_id == r.message_id)
                )
            if (out_id := _uuid(r.out_id)) is not None:
                match.append(Notification.id == out_id)
            if not match:
                continue
            values = (
                {"status": "delivered", "delivered_at": func.now()}
                if r.delivered
                else {"status": failure_status(r.error), "last_error": f"receipt: {r.error}"}
            )
            result = await session.exec(
                update(Notification)
                .where(or_(*match), Notification.status.in_(FORWARD_FROM))
                .values(
                    updated_at=func.now(),
                    sent_at=func.coalesce(Notification.sent_at, func.now()),
                    provider_message_id=func.coalesce(
                        Notification.provider_message_id, r.message_id
                    ),
                    params=scrubbed_params(),  # final: a secret param is not needed again
                    **values,
                )
            )
            changed += result.rowcount
        await session.commit()
    return changed


def _verify(key: str, raw: bytes, signature: str | None) -> None:
    if not key:
        raise ReceiptsNotConfigured()
    expected = hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise ReceiptSignatureInvalid()


def _body(raw: bytes) -> list[dict]:
    try:
        body = json.loads(raw)
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            raise ValueError("not a list of objects")
        return body
    except ValueError as exc:
        raise ReceiptMalformed() from exc


router = APIRouter(prefix="/receipts", tags=["receipts"])
# What both receipt routes say about their body, signature and answers (OpenAPI).
_HOW = (
    "请求体为服务商推送的 JSON（一条或一组回执），"
    "须带 X-Signature：以该服务商的回执密钥对原始请求体计算的"
    " HMAC-SHA256 十六进制摘要（由前置转发添加）。"
    "回执只会让通知向前推进（发送中 → 已送达或失败），"
    "重复或迟到的回执不改变已是终态的通知。未配置密钥答复 503，"
    "签名不符答复 401，内容不合约定答复 422。"
)
Signature = Annotated[
    str | None,
    Header(
        alias="X-Signature",
        description="原始请求体的 HMAC-SHA256 十六进制摘要（以该服务商的回执密钥计算）",
    ),
]
# Every problem a receipt route answers (its 422 keeps FastAPI's validation description).
_PROBLEMS = documented(
    ReceiptsNotConfigured, ReceiptSignatureInvalid, ReceiptMalformed, keep={422: "Validation Error"}
)


@router.post(
    "/aliyun",
    summary="阿里云短信回执（状态报告）",
    description=("阿里云短信服务推送的状态报告，更新对应通知的送达状态。" + _HOW),
    responses={
        200: {"content": {"application/json": {"example": {"code": 0, "msg": "成功"}}}},
        **_PROBLEMS,
    },
)
async def aliyun_receipts(request: Request, x_signature: Signature = None) -> dict:
    raw = await request.body()
    _verify(request.app.state.settings.aliyun_sms_receipt_key, raw, x_signature)
    try:
        receipts = parse_aliyun(_body(raw))
    except (KeyError, TypeError) as exc:
        raise ReceiptMalformed(MISSING_FIELD) from exc
    await apply_receipts(request.app.state.sessionmaker, provider="aliyun", receipts=receipts)
    return {"code": 0, "msg": "成功"}


@router.post(
    "/tencent",
    summary="腾讯云短信回执（状态报告）",
    description=("腾讯云短信服务推送的状态报告，更新对应通知的送达状态。" + _HOW),
    responses={
        200: {"content": {"application/json": {"example": {"result": 0, "errmsg": "OK"}}}},
        **_PROBLEMS,
    },
)
async def tencent_receipts(request: Request, x_signature: Signature = None) -> dict:
    raw = await request.body()
    _verify(request.app.state.settings.tencent_sms_receipt_key, raw, x_signature)
    try:
        receipts = parse_tencent(_body(raw))
    except (KeyError, TypeError) as exc:
        raise ReceiptMalformed(MISSING_FIELD) from exc
    await apply_receipts(request.app.state.sessionmaker, provider="tencent", receipts=receipts)
    return {"result": 0, "errmsg": "OK"}
