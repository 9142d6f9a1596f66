"""What the `log` provider delivered, kept in the worker's memory when NOTIFY_DEV_INBOX is
on (development only): the SMS as it would read, login codes included. The outbox row
has its code scrubbed once sent, so this is the only place a local sign-in can read it.
services/notify/inbox.py answers it over the worker's listener."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from typing import Any

from services.kit.sms_templates import TemplateError, get_template, render_text, with_signature

KEPT = 200
_delivered: deque[dict[str, Any]] = deque(maxlen=KEPT)


def record(phone: str, sign_name: str, template_code: str, params: dict[str, str]) -> None:
    try:
        text = with_signature(sign_name, render_text(get_template(template_code), params))
    except TemplateError:
        text = ""
    _delivered.appendleft(
        {
            "phone": phone,
            "template": template_code,
            "text": text,
            "code": params.get("code"),
            "sent_at": datetime.now(UTC).isoformat(),
        }
    )


def delivered(phone: str) -> list[dict[str, Any]]:
    """The messages to this phone (E.164), newest first."""
    return [m for m in _delivered if m["phone"] == phone]
