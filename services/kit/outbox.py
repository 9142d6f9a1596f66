"""The notification outbox: the contract between the gateway and the notify worker.

A producer (the gateway) calls `add_notification` inside the transaction of the change
the applicant must hear about, so the notice exists if and only if the change committed.
The table lives in the `notify` schema (created by the notify service's migrations);
Postgres is the source of truth and Redis carries only notification ids.

`relay` hands rows still `created`/`retry` to the arq queue, each with the `traceparent`
the row keeps when traces are on (the job continues the request's trace). Its job id is
`notification:<id>:<attempts>`: the same attempt is never queued twice, while a later
retry gets a fresh id. The gateway relays right after its commit (fast path); the
worker's sweeper relays whatever is older than a bound (a lost enqueue, a Redis flush).

Scheduled notices (deadline reminders). The notify worker never reads the gateway's
tables, so the producer schedules reminders when it sets a deadline:

* `add_notification(..., send_after=deadline - 3 days, not_after=deadline)` and again
  with `deadline - 1 day`, each with its own dedupe key (e.g.
  `declaration:<id>:correction_reminder:<n>:3d`), in the transaction that sets the
  deadline (return for correction, payment order created);
* `relay` skips rows whose `send_after` is still in the future; the worker's cron relays
  them once due (nothing is put in Redis ahead of time, so a flush loses nothing);
* when the applicant acts (resubmits, pays), the producer calls
  `cancel_notifications(session, declaration_id=..., events=[...])` in that same
  transaction: reminders still pending become `cancelled` and are never sent. A reminder
  already being sent at that instant is not recalled (it was due and correct when sent);
* `not_after` makes a notice moot once passed: the worker marks it `expired` instead of
  sending it (a payment reminder after the window closed, a stale login code).

A notice for someone with no phone to send it to (`phone=None`: an applicant whose
account never proved one) is still written, as `no_phone`: never queued nor sent, but
on record, and counted among the statuses ops watch.

Params are plain values (names, dates, amounts): a URL is refused here, since providers
reject templates whose variables carry links and applicants must never be sent one. A
template's secret params (a login code) are overwritten by the worker once the notice is
sent, final or moot (services/notify/scrub.py); give such notices a `not_after`.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy import Column, DateTime, Index, func, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import Field, SQLModel, select, update

from services.kit.queue import NOTIFY_QUEUE, SEND_NOTIFICATION
from services.kit.tracing import current_traceparent

SCHEMA = "notify"
PENDING = ("created", "retry")
# Written for the record, never sent: there was no verified phone to send it to.
NO_PHONE = "no_phone"
_URL = re.compile(r"(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|gov|top|xyz|cc)\b)")


def param_has_url(value: Any) -> bool:
    """True if a template parameter looks like a link (refused for every template)."""
    return bool(_URL.search(str(value)))


def without_urls(value: Any) -> Any:
    """A parameter with whatever looks like a link taken out: for text a person typed (an
    applicant's name), which must neither reach an SMS as a link nor stop the notice."""
    if not isinstance(value, str):
        return value
    for _ in range(3):  # a removal can join two halves into a new match: look again
        if not param_has_url(value):
            break
        value = _URL.sub("", value)
    return value


def _now() -> datetime:
    return datetime.now(UTC)


class Notification(SQLModel, table=True):
    """One notice to one phone. Status flow is owned by the notify worker."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_pending", "status", "enqueued_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event: str = Field(max_length=64)  # e.g. declaration.returned
    template_code: str = Field(max_length=64)
    phone: str = Field(max_length=20)  # E.164, +86…
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)  # e.g. declaration:<id>:returned:<n>
    declaration_id: uuid.UUID | None = Field(default=None, index=True)
    # created → sending → sent → delivered | permanent_failure | temporary_failure |
    # technical_failure; plus sending_unknown, retry, expired (moot before it was sent),
    # and no_phone (recorded for someone with no verified phone: never sent).
    status: str = Field(default="created", max_length=32)
    attempts: int = 0
    provider: str | None = Field(default=None, max_length=32)
    provider_message_id: str | None = Field(default=None, max_length=128)
    rendered_text: str | None = None
    last_error: str | None = None
    # After this instant the notice is moot (e.g. a reminder after the window closed).
    not_after: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Not before this instant (scheduled reminders); NULL means at once.
    send_after: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(
        default_factory=_now,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    updated_at: datetime = Field(
        default_factory=_now,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    enqueued_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # The W3C traceparent of the request that wrote the notice (services/kit/tracing.py):
    # the send job continues that trace. NULL with traces off.
    traceparent: str | None = Field(default=None, max_length=55)


async def add_notification(
    session: AsyncSession,
    *,
    event: str,
    template_code: str,
    phone: str | None,
    params: dict[str, Any],
    dedupe_key: str,
    declaration_id: uuid.UUID | None = None,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
) -> uuid.UUID | None:
    """Insert in the caller's transaction; a repeated dedupe key is a no-op (returns None).

    With no `phone` the notice is recorded as `no_phone` and never sent.

    Raises ValueError for a parameter that carries a URL.
    """
    bad = sorted(name for name, value in params.items() if param_has_url(value))
    if bad:
        raise ValueError(f"notification params must not carry URLs: {', '.join(bad)}")
    stmt = (
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            event=event,
            template_code=template_code,
            phone=phone or "",
            params=params,
            dedupe_key=dedupe_key,
            declaration_id=declaration_id,
            not_after=not_after,
            send_after=send_after,
            status="created" if phone else NO_PHONE,
            attempts=0,
            traceparent=current_traceparent(),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    return (await session.exec(stmt)).scalar_one_or_none()


async def cancel_notifications(
    session: AsyncSession, *, declaration_id: uuid.UUID, events: list[str]
) -> int:
    """Cancel pending notices of these events for a declaration (the applicant acted).

    Call it in the transaction of the applicant's action; returns how many were cancelled.
    """
    result = await session.exec(
        update(Notification)
        .where(
            Notification.declaration_id == declaration_id,
            Notification.event.in_(events),
            Notification.status.in_(PENDING),
        )
        .values(status="cancelled", updated_at=func.now())
    )
    return result.rowcount


def job_id(notification_id: uuid.UUID, attempts: int) -> str:
    return f"notification:{notification_id}:{attempts}"


async def relay(
    maker: async_sessionmaker[AsyncSession],
    redis: ArqRedis,
    *,
    older_than: timedelta | None = None,
    ids: list[uuid.UUID] | None = None,
    limit: int = 500,
) -> int:
    """Queue pending notifications; returns how many were handed to the queue.

    `older_than` limits to rows not queued within that time (the sweeper); `ids` limits
    to given rows (the gateway right after its commit).
    """
    async with maker() as session:
        query = select(Notification.id, Notification.attempts, Notification.traceparent).where(
            Notification.status.in_(PENDING)
        )
        query = query.where(
            Notification.send_after.is_(None) | (Notification.send_after <= func.now())
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        if older_than is not None:
            cutoff = text("now() - make_interval(secs => :secs)").bindparams(
                secs=older_than.total_seconds()
            )
            # Never queued: a fresh row is left to the producer's fast path for the bound,
            # a scheduled one is due now.
            never = Notification.enqueued_at.is_(None) & (
                Notification.send_after.is_not(None) | (Notification.created_at < cutoff)
            )
            query = query.where(never | (Notification.enqueued_at < cutoff))
        rows = (await session.exec(query.order_by(Notification.created_at).limit(limit))).all()
        queued = []
        for notification_id, attempts, traceparent in rows:
            # The job continues the trace of the request that wrote the notice.
            trace_args = (traceparent,) if traceparent else ()
            job = await redis.enqueue_job(
                SEND_NOTIFICATION,
                str(notification_id),
                *trace_args,
                _job_id=job_id(notification_id, attempts),
                _queue_name=NOTIFY_QUEUE,
            )
            if job is not None:
                queued.append(notification_id)
        if queued:
            await session.exec(
                update(Notification)
                .where(Notification.id.in_(queued))
                .values(enqueued_at=func.now())
            )
            await session.commit()
        return len(queued)
