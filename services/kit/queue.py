"""Queue names and job payloads shared by the producers and the notify worker."""

from __future__ import annotations

from pydantic import BaseModel

NOTIFY_QUEUE = "zhicheng:notify"

# arq function names the worker registers; producers enqueue by these names.
PING = "ping"
# The notification id (str), then the W3C traceparent of the request that wrote it when
# traces are on (services/kit/tracing.py).
SEND_NOTIFICATION = "send_notification"
SWEEP = "sweep"  # the notify worker's cron: relay, resolve unknown outcomes, expire
NOOP = "noop"  # does nothing: the benchmark's per-job baseline


class PingJob(BaseModel):
    """A job that proves the queue works end to end: the worker echoes the payload."""

    message: str
