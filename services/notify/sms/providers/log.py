"""A provider for local runs: writes the message to the log and reports it sent."""

from __future__ import annotations

import logging
from datetime import datetime

from services.notify.sms import devinbox
from services.notify.sms.providers.base import QueryResult, Sent, SmsRequest

log = logging.getLogger("zhicheng.notify.sms")


class LogProvider:
    name = "log"

    def __init__(self, *, inbox: bool = False) -> None:
        # Development only (NOTIFY_DEV_INBOX): keep each message readable (devinbox.py).
        self.inbox = inbox

    async def send(self, request: SmsRequest) -> Sent:
        if self.inbox:
            devinbox.record(request.phone, request.sign_name, request.template_code, request.params)
        log.info(
            "sms",
            extra={
                "phone": request.phone,
                "template": request.template_code,
                "params": request.params,
                "out_id": request.out_id,
            },
        )
        return Sent(message_id=f"log-{request.out_id}")

    async def query(self, *, phone: str, out_id: str, sent_on: datetime) -> QueryResult:
        # Nothing leaves the process, so a claimed send either logged or never ran; the
        # log is the record and a resend is harmless locally.
        return QueryResult(state="not_found")
