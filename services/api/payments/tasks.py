"""The periodic expiry sweep every gateway replica runs (the advisory lock picks one), and
the refunds whose request to the provider failed, asked again."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.notices import committed_and_relayed, stop_if_cancelled
from services.api.payments import refunds
from services.api.payments.provider import PaymentProvider
from services.api.payments.service import sweep_expired
from services.kit.auth import Principal

logger = logging.getLogger("zhicheng.api.payments")
SWEEPER = Principal(sub="payment-expiry", role="service")


async def sweep_once(
    maker: async_sessionmaker[AsyncSession], arq: ArqRedis, *, grace: timedelta
) -> int:
    result = await committed_and_relayed(
        maker, arq, lambda session: sweep_expired(session, principal=SWEEPER, grace=grace)
    )
    return len(result.expired)


async def run_periodically(
    maker: async_sessionmaker[AsyncSession],
    arq: ArqRedis,
    provider: PaymentProvider | None,
    *,
    interval: float,
    grace: timedelta,
) -> None:
    while True:
        stop_if_cancelled()
        await asyncio.sleep(interval)
        try:
            expired = await sweep_once(maker, arq, grace=grace)
            if expired:
                logger.info("payment expiry", extra={"withdrawn": expired})
            # Refunds are keyed by their own id at the provider: two replicas asking for
            # the same one at once return the money once.
            await refunds.send(maker, provider)
        except Exception:  # a database outage must not end the loop
            stop_if_cancelled()
            logger.exception("payment expiry sweep failed")
