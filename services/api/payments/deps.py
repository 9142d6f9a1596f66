"""Refunds go to the provider once the response is out (after the request's commit)."""

from __future__ import annotations

import logging

from fastapi import BackgroundTasks, Depends, Request

from services.api.payments import refunds
from services.kit.db import SessionDep

logger = logging.getLogger("zhicheng.api.payments")


async def _refund_after_commit(request: Request, session: SessionDep, tasks: BackgroundTasks):
    """Ask the provider for the refunds this request recorded. Background tasks run after
    the response, so after the commit; what fails here the periodic sweep asks again."""

    async def run() -> None:
        ids = session.info.get("refund_ids") or []
        if not ids:
            return
        try:
            await refunds.send(
                request.app.state.sessionmaker, request.app.state.payment_provider, ids=ids
            )
        except Exception:
            logger.exception("refund after commit failed", extra={"ids": [str(i) for i in ids]})

    tasks.add_task(run)


RefundAfterCommit = Depends(_refund_after_commit)
