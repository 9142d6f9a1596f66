"""What a process built to start is kept out of the cyclic collector while it serves (a
full collection of the gateway's start-up objects paused every request in flight)."""

from __future__ import annotations

import gc

from services.kit.app import create_app
from services.kit.settings import ProcessSettings
from tests.support import running


async def test_start_up_objects_are_frozen_while_the_app_serves() -> None:
    app = create_app(
        service="test", title="t", description="d", settings=ProcessSettings(), checks={}
    )
    gc.unfreeze()
    async with running(app) as client:
        assert gc.get_freeze_count() > 0
        assert (await client.get("/healthz")).status_code == 200
    # Handed back on stop: a process that builds many apps (the tests) frees them.
    assert gc.get_freeze_count() == 0
