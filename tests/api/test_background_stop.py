"""The gateway's background loops stop when shutdown cancels them, even when the
cancellation is swallowed on the way (a driver turning it into an error of its own, which
the loop's `except Exception` used to log and carry on past: the shutdown then waited for
the task for ever)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from services.api.notices import every, stop_tasks

# A bound on a hang, not a speed: the loops end at their next await.
HANG = 30.0


def _swallowing(started: asyncio.Event):
    async def once() -> int:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("the driver's own error for a cancelled statement") from None
        return 0

    return once


async def _cancelled(task: asyncio.Task) -> bool:
    done, _ = await asyncio.wait([task], timeout=HANG)
    return task in done and task.cancelled()


@pytest.mark.parametrize("with_soonest", [False, True])
async def test_a_sweep_whose_cancellation_is_swallowed_still_stops(with_soonest: bool) -> None:
    started = asyncio.Event()

    async def soonest() -> float | None:
        return None

    task = asyncio.create_task(
        every(0.01, "probe", _swallowing(started), soonest=soonest if with_soonest else None)
    )
    await asyncio.wait_for(started.wait(), HANG)
    task.cancel()
    assert await _cancelled(task)


async def test_a_woken_sweep_whose_cancellation_is_swallowed_still_stops() -> None:
    """The same with a wake event (the return-lapse sweep's): cancelled while waiting to be
    woken, and while running once."""
    wake = asyncio.Event()
    started = asyncio.Event()
    waiting = asyncio.create_task(every(3600, "probe", _swallowing(started), wake=wake))
    await asyncio.sleep(0)
    waiting.cancel()
    assert await _cancelled(waiting)

    running = asyncio.create_task(every(0.01, "probe", _swallowing(started), wake=wake))
    await asyncio.wait_for(started.wait(), HANG)
    running.cancel()
    assert await _cancelled(running)


async def test_shutdown_names_a_task_that_will_not_stop_and_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task that ignores cancellation outright is left behind after the bound, named in
    the log; the others are stopped, and shutdown returns."""
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    started = asyncio.Event()
    polite = asyncio.create_task(every(0.01, "probe", _swallowing(started)))
    rude = asyncio.create_task(stubborn())
    await asyncio.wait_for(started.wait(), HANG)
    with caplog.at_level(logging.WARNING, logger="zhicheng.api.notices"):
        await asyncio.wait_for(stop_tasks([polite, rude], within=0.5), HANG)
    assert polite.cancelled()
    assert not rude.done()
    assert "background task did not stop: test_shutdown_names" in caplog.text
    release.set()
    rude.cancel()
    await asyncio.wait([rude], timeout=HANG)
    assert rude.done()
