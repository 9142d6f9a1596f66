"""Notices to the applicant, written to the outbox in the transaction of the change.

Template codes and their parameters are shared with the notify worker
(services/kit/sms_templates.py); each parameter is plain text of at most 35 characters.
Each notice is also a message in the recipient's message centre (站内消息), written in
the same statement sequence and transaction as the outbox row: no notice exists without
its message, and a repeated notice (same dedupe key) adds neither.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from arq.connections import ArqRedis
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.clock import shanghai
from services.api.models import Declaration, Message
from services.kit.outbox import add_notification, cancel_notifications, relay, without_urls
from services.kit.sms_templates import (
    TemplateError,
    by_day,
    get_template,
    render_text,
)
from services.kit.vocabulary import title_name

T = TypeVar("T")
logger = logging.getLogger("zhicheng.api.notices")
MAX_PARAM = 35
# Reminders before a deadline, by the deadline: the payment's 3 days and 1 day before; a
# return's 2 days before (its deadline is short, and one reminder is enough).
REMINDERS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))
RETURN_REMINDERS = (("2d", timedelta(days=2)),)
# No reminder at night: only from 08:00 to 21:00 Beijing time; one due at night waits
# for 08:00 the next morning (DAY_STARTS, DAY_ENDS, daytime, by_day: one definition, in
# services/kit/sms_templates.py, that the notify worker applies too).
# A message's title in the message centre, by template.
TITLES = {
    "DECLARATION_RETURNED": "申报材料退回补正",
    "CORRECTION_REMINDER": "补正期限提醒",
    "DECLARATION_SUBMITTED": "申报已提交",
    "DECLARATION_SUBMITTED_PLAIN": "申报已提交",
    "DECLARATION_ACCEPTED": "申报已受理",
    "PAYMENT_DUE": "缴纳评审费通知",
    "PAYMENT_REMINDER": "缴费期限提醒",
    "PAYMENT_RECEIVED": "缴费成功",
    "WITHDRAWN_UNPAID": "逾期未缴费，视为放弃",
    "RETURN_LAPSED": "逾期未补正，视为放弃申报",
    "DECLARATION_WITHDRAWN": "申报已撤回",
    "DEFENCE_SCHEDULED": "答辩安排通知",
    "DEFENCE_REMINDER": "答辩提醒",
    "RESULT_APPROVED": "评审结果：通过",
    "RESULT_REJECTED": "评审结果：未通过",
    "SUBMISSION_REMINDER": "申报提交期限提醒",
    "UNIT_STEP_REMINDER": "单位审核推荐期限提醒",
    "ELIGIBILITY_REACHED": "资格提醒：可以申报了",
    "CAMPAIGN_OPEN_ELIGIBLE": "资格提醒：评审批次已开放申报",
}


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else "+86" + phone


def title_of(declaration: Declaration) -> str:
    return title_name(declaration.series, declaration.level)


def _clip(value: Any) -> Any:
    """A parameter as the SMS carries it: nothing that looks like a link (an applicant may
    type one into their name; the provider refuses links), and no longer than a provider
    takes."""
    value = without_urls(value)
    return value[:MAX_PARAM] if isinstance(value, str) else value


async def notify(
    session: AsyncSession,
    declaration: Declaration,
    *,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
    to_phone: str | None = None,
) -> uuid.UUID | None:
    """One notice per dedupe key; its id is relayed to the queue after the commit. Returns
    the notice's id, or None when one with this key exists already.

    It goes to the phone the applicant's account proved with an SMS code, stored on the
    declaration at each submission (chain/submission.py), never to the phone typed into
    the form. An applicant without one gets no SMS; the notice is recorded as `no_phone`.
    """
    return await notify_about(
        session,
        declaration.id,
        declaration.applicant_sub,
        name=(declaration.sections.get("basic_info") or {}).get("name"),
        phone=to_phone or declaration.applicant_phone,
        event=event,
        template=template,
        params=params,
        key=key,
        not_after=not_after,
        send_after=send_after,
    )


async def notify_about(
    session: AsyncSession,
    declaration_id: uuid.UUID,
    applicant_sub: str,
    *,
    name: Any,
    phone: str | None,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
) -> uuid.UUID | None:
    """`notify` given what it reads of the declaration (its applicant's name from the
    basic info, the phone), for a caller that never loads the whole row (the reminder
    sweep: a declaration's sections are kilobytes)."""
    return await _notice(
        session,
        sub=applicant_sub,
        phone=phone,
        name=name,
        event=f"declaration.{event}",
        template=template,
        params=params,
        dedupe_key=f"declaration:{declaration_id}:{key}",
        declaration_id=declaration_id,
        not_after=not_after,
        send_after=send_after,
    )


async def notify_person(
    session: AsyncSession,
    *,
    sub: str,
    phone: str | None,
    name: str | None,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    body: str | None = None,
    not_after: datetime | None = None,
) -> bool:
    """A notice to a person, not about a declaration (the eligibility radar): one per
    dedupe key, to the phone their account proved (the caller reads it, never a typed
    one), with its message; `body` is the message's fuller text when the SMS must be
    short. False when the key was already used."""
    notification_id = await _notice(
        session,
        sub=sub,
        phone=phone,
        name=name,
        event=event,
        template=template,
        params=params,
        dedupe_key=key,
        not_after=not_after,
        body=body,
    )
    return notification_id is not None


async def _notice(
    session: AsyncSession,
    *,
    sub: str,
    phone: str | None,
    name: Any,
    event: str,
    template: str,
    params: dict[str, Any],
    dedupe_key: str,
    declaration_id: uuid.UUID | None = None,
    not_after: datetime | None = None,
    send_after: datetime | None = None,
    body: str | None = None,
) -> uuid.UUID | None:
    """The outbox row and its message, once per dedupe key (None when the key was used);
    the notice's id relayed to the queue after the commit when there is a phone to send to."""
    values = {k: _clip(v) for k, v in {"name": name or "申报人", **params}.items()}
    notification_id = await add_notification(
        session,
        event=event,
        template_code=template,
        phone=e164(phone) if phone else None,
        params=values,
        dedupe_key=dedupe_key,
        declaration_id=declaration_id,
        not_after=not_after,
        send_after=send_after,
    )
    if notification_id is None:
        return None
    await _message(
        session,
        sub,
        notification_id,
        event=event,
        template=template,
        values=values,
        send_after=send_after,
        declaration_id=declaration_id,
        body=body,
    )
    if phone:
        session.info.setdefault("notification_ids", []).append(notification_id)
    return notification_id


def _text(template: str, values: dict[str, Any]) -> str:
    """The SMS's text; a notice the worker will refuse to render (an empty parameter)
    still leaves its message, with what there is."""
    found = get_template(template)
    try:
        return render_text(found, values)
    except TemplateError:
        return found.text.format_map({k: values.get(k) or "" for k in found.params})


async def _message(
    session: AsyncSession,
    recipient_sub: str,
    notification_id: uuid.UUID,
    *,
    event: str,
    template: str,
    values: dict[str, Any],
    send_after: datetime | None,
    declaration_id: uuid.UUID | None = None,
    body: str | None = None,
) -> None:
    """The notice's message to the applicant, with the text the SMS carries; a scheduled
    reminder shows from its send_after (and never, if cancelled before)."""
    await session.exec(
        insert(Message).values(
            id=uuid.uuid4(),
            recipient_sub=recipient_sub,
            kind="notice",
            title=TITLES.get(template, "申报通知"),
            body=body or _text(template, values),
            event=event,
            template_code=template,
            params=values,
            declaration_id=declaration_id,
            notification_id=notification_id,
            visible_from=send_after if send_after is not None else clock.sql_now(session),
        )
    )


async def schedule_reminders(
    session: AsyncSession,
    declaration: Declaration,
    *,
    event: str,
    template: str,
    params: dict[str, Any],
    key: str,
    deadline: datetime,
    now: datetime,
    ahead: tuple[tuple[str, timedelta], ...] = REMINDERS,
) -> None:
    """Reminders `ahead` of a deadline (3 days and 1 day before, unless told), each at
    daytime (a time at night moves to 08:00 the next morning) and still ahead of now."""
    for label, before in ahead:
        send_after = by_day(deadline - before)
        if send_after >= deadline:
            continue
        if send_after > now:
            await notify(
                session,
                declaration,
                event=event,
                template=template,
                params={**params, "deadline": shanghai(deadline)},
                key=f"{key}:{label}",
                not_after=deadline,
                send_after=send_after,
            )


async def cancel_reminders(session: AsyncSession, declaration: Declaration, *events: str) -> None:
    await cancel_notifications(
        session, declaration_id=declaration.id, events=[f"declaration.{e}" for e in events]
    )


async def committed_and_relayed(
    maker: async_sessionmaker[AsyncSession],
    arq: ArqRedis,
    work: Callable[[AsyncSession], Awaitable[T]],
) -> T:
    """Run a background job's `work` in a session of its own, commit, then hand the
    notices it wrote to the queue (the request's RelayAfterCommit, for a periodic sweep)."""
    async with maker() as session:
        result = await work(session)
        ids = list(session.info.get("notification_ids") or [])
        await session.commit()
    if ids:
        try:
            await relay(maker, arq, ids=ids)
        except Exception:  # the notify worker's sweeper relays what is left
            logger.exception("relay after a background job failed")
    return result


def stop_if_cancelled() -> None:
    """End a background loop whose task was asked to stop, even where the cancellation
    was swallowed on the way: by `asyncio.wait_for` on Python 3.11 when its inner wait
    finished at the same moment, or by a driver that turned it into an error of its own,
    which the loop's `except Exception` would log and carry on past. The request stays
    counted on the task (`Task.cancelling`), so the loop sees it here; without this, the
    lifespan's shutdown waited for the task for ever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


# How long the lifespan's shutdown waits for the background loops once it cancelled them.
STOP_SECONDS = 10.0


async def stop_tasks(tasks: list[asyncio.Task], *, within: float = STOP_SECONDS) -> None:
    """Cancel the background loops and wait for them to end, `within` seconds at most: a
    loop still running then is named in the log and left behind, never waited on for ever
    (a shutdown that hangs is ended by SIGKILL, which stops the requests still in flight
    too)."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=within)
    for task in done:
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("background task ended with an error", exc_info=error)
    for task in pending:
        logger.warning("background task did not stop: %s", task.get_coro().__qualname__)


# A sweep woken for a deadline runs this long after it, and never sooner than MIN_WAIT
# after its last round.
DUE_MARGIN = 0.01
MIN_WAIT = 0.2


async def every(
    interval: float,
    name: str,
    once: Callable[[], Awaitable[int]],
    *,
    soonest: Callable[[], Awaitable[float | None]] | None = None,
    wake: asyncio.Event | None = None,
) -> None:
    """Run a background sweep's `once` every `interval` seconds while the process runs,
    logging how many it acted on; a failure (a database outage) is logged and never ends
    the loop. With `soonest` (seconds until the next thing falls due, None: nothing
    pending), the next round comes then when that is sooner than the interval, so a
    deadline takes effect at its time, not up to an interval later; `wake`, set when a
    new deadline is committed, has `soonest` read again."""
    loop = asyncio.get_running_loop()
    next_round = loop.time() + interval
    wait = interval
    while True:
        stop_if_cancelled()
        woken = False
        if wake is None:
            await asyncio.sleep(wait)
        else:
            try:
                await asyncio.wait_for(wake.wait(), timeout=max(wait, 0))
                woken = True
            except TimeoutError:
                pass
            wake.clear()
        if not woken:
            try:
                done = await once()
                if done:
                    logger.info(name, extra={"count": done})
            except Exception:
                stop_if_cancelled()
                logger.exception("%s sweep failed", name)
            next_round = loop.time() + interval
        wait = next_round - loop.time()
        if soonest is not None:
            try:
                due = await soonest()
            except Exception:
                stop_if_cancelled()
                logger.exception("%s: the next deadline could not be read", name)
                due = None
            if due is not None:
                # Just past it (the sweep takes deadlines already past), and never a busy
                # loop over one a resubmission holds locked.
                wait = min(wait, max(due + DUE_MARGIN, min(interval, MIN_WAIT)))
