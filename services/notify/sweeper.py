"""The sweeper (arq cron): nothing pending is lost, nothing in flight stays unknown.

Each run, in this order:
1. expire moot notices: still pending and `not_after` passed → `expired`; a secret
   param (a login code) of any notice past `not_after` is overwritten (scrub.py);
2. a row `sending` longer than the stale bound belongs to a dead worker → `sending_unknown`;
3. resolve `sending_unknown` by asking the same provider (query API): taken → `sent` /
   `delivered` / failed; not found after a grace period → `retry` (it never left);
   still unanswerable after `notify_unknown_give_up_hours` → `technical_failure`;
4. relay pending rows not queued within the bound, and scheduled reminders now due
   (a Redis flush or restart loses nothing);
5. `sent` for 72 h without a delivery receipt → `temporary_failure`.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import func, text
from sqlmodel import select, update

from services.kit.outbox import PENDING, Notification, relay
from services.notify.receipts import failure_status
from services.notify.scrub import SECRET, scrubbed_params
from services.notify.service import Sender
from services.notify.sms.providers.base import ProviderError

log = logging.getLogger("zhicheng.notify.sweeper")


def _ago(seconds: float):
    return text("now() - make_interval(secs => :secs)").bindparams(secs=seconds)


async def _bulk(sender: Sender, *where, **values) -> int:
    async with sender.maker() as session:
        result = await session.exec(
            update(Notification).where(*where).values(updated_at=func.now(), **values)
        )
        await session.commit()
        return result.rowcount


async def resolve_unknown(
    sender: Sender, *, limit: int = 50, budget: float = 60.0
) -> dict[str, int]:
    s = sender.settings
    async with sender.maker() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(
                    Notification.status == "sending_unknown",
                    Notification.updated_at < _ago(s.notify_unknown_grace_seconds),
                )
                .order_by(Notification.updated_at)
                .limit(limit)
            )
        ).all()
    counts: dict[str, int] = {}
    started = time.monotonic()
    for row in rows:
        if time.monotonic() - started > budget:
            break  # a provider answering slowly: the next run carries on
        mine = [
            Notification.id == row.id,
            Notification.status == "sending_unknown",
            Notification.attempts == row.attempts,
        ]
        provider = sender.providers.get(row.provider or "")
        outcome = "unresolved"
        try:
            if provider is None:
                raise ProviderError("provider_not_configured", str(row.provider))
            # The call started at most the stale bound before the row turned unknown.
            since = row.updated_at - timedelta(seconds=s.notify_stale_sending_seconds + 60)
            found = await provider.query(phone=row.phone, out_id=str(row.id), sent_on=since)
        except ProviderError as exc:
            give_up = timedelta(hours=s.notify_unknown_give_up_hours)
            if row.updated_at < row.updated_at.now(row.updated_at.tzinfo) - give_up:
                await _bulk(
                    sender,
                    *mine,
                    status="technical_failure",
                    params=scrubbed_params(),
                    last_error=str(exc),
                )
                outcome = "technical_failure"
        else:
            if found.state == "not_found":
                # Not taken: sending again is safe (the attempt number moves on).
                await _bulk(sender, *mine, status="retry", send_after=None, enqueued_at=None)
                outcome = "retry"
            elif found.state == "accepted":
                await _bulk(
                    sender,
                    *mine,
                    status="sent",
                    params=scrubbed_params(),
                    sent_at=func.now(),
                    provider_message_id=found.message_id or row.provider_message_id,
                )
                outcome = "sent"
            elif found.state == "delivered":
                await _bulk(
                    sender,
                    *mine,
                    status="delivered",
                    params=scrubbed_params(),
                    sent_at=func.now(),
                    delivered_at=func.now(),
                    provider_message_id=found.message_id or row.provider_message_id,
                )
                outcome = "delivered"
            else:
                outcome = failure_status(found.error)
                await _bulk(
                    sender, *mine, status=outcome, params=scrubbed_params(), last_error=found.error
                )
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


async def scrub_moot(sender: Sender) -> int:
    """Secret params of notices past `not_after` whose send is in flight or in doubt.

    Nothing will send them again (a claim needs `not_after` ahead), and querying the
    provider needs only phone and id. `updated_at` is left alone: it times the doubt.
    """
    if not SECRET:
        return 0
    async with sender.maker() as session:
        result = await session.exec(
            update(Notification)
            .where(
                Notification.status.in_(("sending", "sending_unknown")),
                Notification.not_after <= func.now(),
                Notification.template_code.in_(list(SECRET)),
                Notification.params != scrubbed_params(),
            )
            .values(params=scrubbed_params())
        )
        await session.commit()
        return result.rowcount


async def sweep(sender: Sender) -> dict[str, int]:
    s = sender.settings
    report = {
        "expired": await _bulk(
            sender,
            Notification.status.in_(PENDING),
            Notification.not_after <= func.now(),
            status="expired",
            params=scrubbed_params(),
        ),
        "scrubbed": await scrub_moot(sender),
        "stale_sending": await _bulk(
            sender,
            Notification.status == "sending",
            Notification.updated_at < _ago(s.notify_stale_sending_seconds),
            status="sending_unknown",
            last_error="worker stopped during the provider call",
        ),
    }
    for outcome, n in (await resolve_unknown(sender)).items():
        report[f"unknown_{outcome}"] = n
    relayed = 0
    for _ in range(40):  # bounded: 40 × 500 rows per run
        n = await relay(
            sender.maker,
            sender.redis,
            older_than=timedelta(seconds=s.notify_relay_older_than_seconds),
        )
        relayed += n
        if n < 500:
            break
    report["relayed"] = relayed
    report["no_receipt"] = await _bulk(
        sender,
        Notification.status == "sent",
        Notification.sent_at < _ago(s.notify_receipt_timeout_hours * 3600),
        status="temporary_failure",
        last_error="no delivery receipt within the bound",
    )
    if any(report.values()):
        log.info("sweep", extra=report)
    return report
