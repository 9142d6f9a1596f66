"""Sending one notification: load by id, claim, guard, call the provider, record.

Postgres is the source of truth. The two-phase claim (`created`/`retry` → `sending`,
attempts + 1, provider chosen) commits before the provider is called; the outcome is
recorded after, guarded by the attempt number, so a job that arq runs twice, or a late
job for an earlier attempt, changes nothing. An outcome the worker cannot know (a 5xx,
a timeout or a cut connection after the request left, a crash) is `sending_unknown`:
only the provider's query API resolves it (sweeper.py), never a blind resend, never
another provider. Only proof that the provider did not take it (a refused connection,
a documented "not sent" code) sends it again directly (providers/base.py).

Each statement meets the database through `_run`: on a dead pooled connection (the
database restarted) it runs once more on a fresh one. Only the statement is repeated,
never the provider call, and every statement is guarded (claim: only from
`created`/`retry`; outcomes: only for this attempt, still in flight), so running one
twice cannot apply it twice.

A reminder (a template marked `quiet_hours`) is never sent at night: a job that finds
one due between 21:00 and 08:00 Beijing time, by the worker's clock, leaves it unclaimed
and due at 08:00 the next morning (`_defer_to_morning`); a notice whose `not_after` comes
before then expires. Other notices (a login code) go out at any hour.

A template's secret params (a login code) are masked in the stored text, and overwritten
in the row's params by every update that makes the notice sent, final or moot
(scrub.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

import asyncpg
from arq.connections import ArqRedis
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from services.kit.outbox import PENDING, Notification, job_id
from services.kit.queue import NOTIFY_QUEUE, SEND_NOTIFICATION
from services.kit.sms_templates import QUIET_HOURS, by_day, daytime
from services.kit.tracing import current_traceparent
from services.notify.config import NotifySettings
from services.notify.ratelimit import admit
from services.notify.scrub import scrubbed_params
from services.notify.sms.providers.base import (
    Failover,
    Permanent,
    Provider,
    RetryLater,
    SmsRequest,
    Unknown,
)
from services.notify.sms.templates import (
    TemplateError,
    get_template,
    provider_params,
    with_signature,
)

log = logging.getLogger("zhicheng.notify")

FINAL = ("delivered", "permanent_failure", "temporary_failure", "technical_failure")


@dataclass
class Sender:
    """What a send needs, opened once per worker process."""

    settings: NotifySettings
    maker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    providers: dict[str, Provider]  # in order of preference

    # The hot path's engine (see worker.py); by default the sessionmaker's.
    engine: AsyncEngine | None = None
    # (read at, flags) of the providers' breakers, cached briefly (pick_provider).
    breakers: tuple[float, list] | None = None
    # The wall clock that decides whether it is night in Beijing (tests set their own).
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @cached_property
    def autocommit(self) -> AsyncEngine:
        # Each hot-path statement is one atomic UPDATE: no BEGIN/COMMIT round trips.
        engine = self.engine or self.maker.kw["bind"]
        return engine.execution_options(isolation_level="AUTOCOMMIT")


def _seconds(value: float) -> Any:
    return text("now() + make_interval(secs => :secs)").bindparams(secs=value)


TABLE = Notification.__table__
C = TABLE.c


T = TypeVar("T")


def connection_lost(exc: BaseException) -> bool:
    """The statement met a dead connection, not a refusal by the database."""
    if isinstance(exc, DBAPIError):
        # SQLAlchemy saw the connection closed (and invalidated the pool's older ones).
        return exc.connection_invalidated
    return isinstance(
        exc,
        OSError | asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError,
    )


async def _run(sender: Sender, statement: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run one autocommit statement; after a database restart, once more on a fresh
    connection rather than failing the job and leaving the row to the sweeper."""
    try:
        async with sender.autocommit.connect() as conn:
            return await statement(conn)
    except Exception as exc:
        if not connection_lost(exc):
            raise
        log.warning("database connection lost; running the statement again", exc_info=exc)
    async with sender.autocommit.connect() as conn:
        return await statement(conn)


async def _update(sender: Sender, notification_id: uuid.UUID, where: list, **values) -> int:
    where = [C.id == notification_id, *where]
    statement = TABLE.update().where(*where).values(updated_at=func.now(), **values)

    async def run(conn: AsyncConnection) -> int:
        return (await conn.execute(statement)).rowcount

    return await _run(sender, run)


def _breaker_key(name: str) -> str:
    return f"notify:breaker:{name}"


async def pick_provider(sender: Sender) -> str:
    """The first provider whose breaker is closed; the first one if all are open.

    Breaker flags are read at most every half second per process, not per message."""
    names = list(sender.providers)
    if len(names) == 1:
        return names[0]
    now = time.monotonic()
    if sender.breakers is None or now - sender.breakers[0] > 0.5:
        sender.breakers = (now, await sender.redis.mget([_breaker_key(n) for n in names]))
    opened = sender.breakers[1]
    for name, flag in zip(names, opened, strict=True):
        if flag is None:
            return name
    return names[0]


async def note_failover(sender: Sender, name: str) -> None:
    """Count a provider fault (a proven refusal, or a 5xx, timeout or reset that leaves
    the message in doubt); enough of them within the window open the breaker."""
    key = f"notify:provider-errors:{name}"
    window = max(int(sender.settings.notify_breaker_seconds), 1)
    pipe = sender.redis.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    count, _ = await pipe.execute()
    if count >= sender.settings.notify_failover_after:
        await sender.redis.set(_breaker_key(name), "1", px=int(window * 1000))
        sender.breakers = None  # this process switches at once
        await sender.redis.delete(key)
        log.warning("provider breaker opened", extra={"provider": name})


def backoff(settings: NotifySettings, attempts: int) -> float:
    delay = settings.notify_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return min(delay, settings.notify_retry_max_seconds)


async def reschedule(
    sender: Sender, notification_id: uuid.UUID, attempts: int, *, delay: float, reason: str
) -> str:
    """Back to `retry`, due after `delay`; the job queues its own next attempt."""
    if attempts >= sender.settings.notify_max_attempts:
        await _update(
            sender,
            notification_id,
            [C.attempts == attempts, C.status == "sending"],
            status="technical_failure",
            params=scrubbed_params(),
            last_error=f"gave up after {attempts} attempts: {reason}",
        )
        return "technical_failure"
    changed = await _update(
        sender,
        notification_id,
        [C.attempts == attempts, C.status == "sending"],
        status="retry",
        send_after=_seconds(delay),
        enqueued_at=func.now(),
        last_error=reason,
    )
    if changed:
        # If this enqueue is lost, the sweeper relays the row once it is due. The next
        # attempt goes on in this attempt's trace (nothing when traces are off).
        traceparent = current_traceparent()
        await sender.redis.enqueue_job(
            SEND_NOTIFICATION,
            str(notification_id),
            *((traceparent,) if traceparent else ()),
            _job_id=job_id(notification_id, attempts),
            _queue_name=NOTIFY_QUEUE,
            _defer_by=delay,
        )
    return "retry"


# The two statements every message runs, as plain SQL: building and caching a Core
# statement costs more CPU than the rest of the claim, and the worker is CPU-bound.
_CLAIM_SQL = """
UPDATE notify.notification
   SET status = 'sending', attempts = attempts + 1, provider = $2, updated_at = now()
 WHERE id = $1 AND status IN ('created', 'retry')
   AND (send_after IS NULL OR send_after <= now())
   AND (not_after IS NULL OR not_after > now())
RETURNING attempts, phone, template_code, params::text
"""
# $5: the params with their secrets masked, or NULL for a template without secrets.
_SENT_SQL = """
UPDATE notify.notification
   SET status = 'sent', provider_message_id = $3, rendered_text = $4, last_error = NULL,
       params = COALESCE($5::text::jsonb, params), sent_at = now(), updated_at = now()
 WHERE id = $1 AND attempts = $2 AND status IN ('sending', 'sending_unknown')
"""


@dataclass(frozen=True)
class Claimed:
    attempts: int
    phone: str
    template_code: str
    params: dict[str, Any]


async def _claim(sender: Sender, notification_id: uuid.UUID, provider: str) -> Claimed | None:
    """created/retry → sending, attempts + 1, in one statement; None if not claimable."""

    async def run(conn: AsyncConnection):
        return (await conn.exec_driver_sql(_CLAIM_SQL, (notification_id, provider))).first()

    row = await _run(sender, run)
    if row is None:
        return None
    return Claimed(row[0], row[1], row[2], json.loads(row[3]))


async def _record_sent(
    sender: Sender,
    notification_id: uuid.UUID,
    attempts: int,
    message_id: str,
    text: str,
    masked: str | None,
) -> None:
    args = (notification_id, attempts, message_id, text, masked)

    async def run(conn: AsyncConnection) -> None:
        await conn.exec_driver_sql(_SENT_SQL, args)

    await _run(sender, run)


_NIGHT_SQL = """
SELECT template_code, not_after FROM notify.notification
 WHERE id = $1 AND status IN ('created', 'retry')
"""


async def _defer_to_morning(sender: Sender, notification_id: uuid.UUID) -> str | None:
    """At night, a pending reminder waits, unclaimed, for 08:00 the next morning.

    Issue #24: reminders are sent "never at night (08:00–21:00 Asia/Shanghai)". Returns
    the status the notice is left in, or None when it is not a pending reminder (it goes
    on as by day). Nothing is claimed: the attempt count and the claim's guards stay as
    they were, so the morning's job sends it at most once."""
    now = sender.now()
    if daytime(now):
        return None

    async def read(conn: AsyncConnection):
        return (await conn.exec_driver_sql(_NIGHT_SQL, (notification_id,))).first()

    row = await _run(sender, read)
    if row is None or row[0] not in QUIET_HOURS:
        return None
    morning = by_day(now)
    pending = [C.status.in_(PENDING)]
    if row[1] is not None and row[1] <= morning:  # too late by the morning: moot
        if await _update(
            sender, notification_id, pending, status="expired", params=scrubbed_params()
        ):
            return "expired"
        return "skipped"
    later = [*pending, C.send_after.is_(None) | (C.send_after < morning)]
    if await _update(sender, notification_id, later, send_after=morning, enqueued_at=func.now()):
        # If this enqueue is lost, the sweeper relays the row once it is due.
        traceparent = current_traceparent()
        await sender.redis.enqueue_job(
            SEND_NOTIFICATION,
            str(notification_id),
            *((traceparent,) if traceparent else ()),
            _job_id=f"{job_id(notification_id, 0)}:morning:{morning:%Y%m%d}",
            _queue_name=NOTIFY_QUEUE,
            _defer_by=max((morning - now).total_seconds(), 0),
        )
        return "deferred"
    return "skipped"  # sent or cancelled meanwhile, or already due later than that


async def send_notification(sender: Sender, notification_id: uuid.UUID) -> str:
    """Send one notification at most once; returns the status it was left in."""
    pending = [C.status.in_(PENDING)]
    if (deferred := await _defer_to_morning(sender, notification_id)) is not None:
        return deferred
    provider_name = await pick_provider(sender)
    claimed = await _claim(sender, notification_id, provider_name)
    if claimed is None:
        moot = [*pending, C.not_after <= func.now()]
        if await _update(sender, notification_id, moot, status="expired", params=scrubbed_params()):
            return "expired"
        return "skipped"  # done, being sent, cancelled, not due, or not ours
    attempts = claimed.attempts
    mine = [C.attempts == attempts, C.status == "sending"]
    try:
        template = get_template(claimed.template_code)
        text = template.render(claimed.params)
        params = provider_params(template, claimed.params)
        if template.secret:  # stored as sent, but with the secrets masked
            text = template.render(template.masked(claimed.params))
        signed = with_signature(sender.settings.notify_sign_name, text)
    except TemplateError as exc:
        # The producer's fault: no attempt will ever render it.
        await _update(
            sender,
            notification_id,
            mine,
            status="technical_failure",
            params=scrubbed_params(),
            last_error=str(exc),
        )
        return "technical_failure"

    limits = (
        sender.settings.notify_code_limits
        if template.kind == "code"
        else sender.settings.notify_notice_limits
    )
    wait = await admit(sender.redis, phone=claimed.phone, kind=template.kind, limits=limits)
    if wait > 0:
        return await reschedule(
            sender, notification_id, attempts, delay=wait, reason="rate_limited: per-phone guard"
        )

    provider = sender.providers[provider_name]
    request = SmsRequest(
        phone=claimed.phone,
        sign_name=sender.settings.notify_sign_name,
        template_code=template.code,
        params=params,
        out_id=str(notification_id),
    )
    try:
        async with asyncio.timeout(sender.settings.notify_provider_timeout):
            sent = await provider.send(request)
    except Permanent as exc:
        await _update(
            sender,
            notification_id,
            mine,
            status="permanent_failure",
            params=scrubbed_params(),
            rendered_text=signed,
            last_error=str(exc),
        )
        return "permanent_failure"
    except RetryLater as exc:
        return await reschedule(sender, notification_id, attempts, delay=exc.after, reason=str(exc))
    except Failover as exc:  # proof it was not taken: again, elsewhere once the breaker opens
        await note_failover(sender, provider_name)
        delay = backoff(sender.settings, attempts)
        return await reschedule(sender, notification_id, attempts, delay=delay, reason=str(exc))
    except (Unknown, TimeoutError, Exception) as exc:  # any fault mid-call: may have landed
        await _update(
            sender,
            notification_id,
            mine,
            status="sending_unknown",
            rendered_text=signed,
            last_error=repr(exc)[:500],
        )
        if isinstance(exc, Unknown | TimeoutError):  # the provider's fault: it is unwell
            await note_failover(sender, provider_name)
        return "sending_unknown"

    masked = json.dumps(template.masked(claimed.params)) if template.secret else None
    await _record_sent(sender, notification_id, attempts, sent.message_id, signed, masked)
    return "sent"
