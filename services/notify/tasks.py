"""arq jobs: a few lines each — load by id, guard, delegate to the service."""

from __future__ import annotations

import uuid
from typing import Any

from services.kit.queue import SEND_NOTIFICATION
from services.kit.tracing import job_span
from services.notify.service import send_notification as send
from services.notify.sweeper import sweep as run_sweep


async def send_notification(
    ctx: dict[str, Any], notification_id: str, traceparent: str | None = None
) -> str:
    # The trace of the request that wrote the notice goes on here (a no-op when off).
    with job_span(SEND_NOTIFICATION, traceparent, **{"messaging.message.id": ctx.get("job_id")}):
        try:
            nid = uuid.UUID(notification_id)
        except ValueError:
            return "skipped"  # not ours: nothing to load
        return await send(ctx["sender"], nid)


async def sweep(ctx: dict[str, Any]) -> dict[str, int]:
    return await run_sweep(ctx["sender"])


async def noop(ctx: dict[str, Any], *args: Any) -> None:
    """The benchmark's baseline: the same worker, doing nothing per job."""
