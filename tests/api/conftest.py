"""Fixtures for the gateway tests: the real eligibility and document services, the app.

Data is built by the factories in tests/api/factories.py."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Declaration
from services.kit.outbox import Notification
from tests.api.factories import LOGIN_CODE, RADAR_EVENT, withdraw_notices
from tests.conftest import Stack
from tests.support import running


@pytest.fixture(scope="package", autouse=True)
async def leave_no_jobs(stack: Stack):
    """After the gateway tests, cancel their notices and take their jobs off the queue.

    Nothing here sends SMS; later suites that run a real notify worker must not receive
    these tests' notices.
    """
    yield
    # The login codes are those of verified_applicant (factories.py).
    await withdraw_notices(
        stack,
        Notification.declaration_id.in_(select(Declaration.id))
        | Notification.event.in_((LOGIN_CODE, RADAR_EVENT)),
        events=tuple("declaration." + e for e in EVENTS),
    )


EVENTS = (
    "submitted",
    "resubmitted",
    "returned",
    "correction_reminder",
    "accepted",
    "payment_due",
    "payment_reminder",
    "payment_received",
    "defence_scheduled",
    "withdrawn",
    "abandoned",
    "committee_defence_scheduled",
    "committee_defence_reminder",
    "submission_reminder",
    "results_approved",
    "results_rejected",
)


@pytest.fixture(scope="session")
def rules_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("services.rules.main:app", stack.env())


@pytest.fixture(scope="session")
def urls(rules_url: str, documents_url: str) -> tuple[str, str]:
    """(eligibility, documents): the services a gateway of a test's own talks to."""
    return rules_url, documents_url


@pytest.fixture
async def client(stack: Stack, rules_url: str, documents_url: str):
    # A real document service: materials are attached by uploading scans (factories).
    # No periodic return sweep: a test that lets a return lapse on purpose (test_chain's
    # late resubmission) sees its own answer, not the sweep's; tests/api/test_messages.py
    # runs the sweep with a gateway of its own.
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        return_sweep_interval=0,
    )
    async with running(build_app(settings)) as c:
        yield c
