"""Eligibility service: versioned policy packs, evaluation with clause-cited explanations.

The packs are loaded and validated at import: a broken pack stops the service at start
with a message naming the file and the key."""

from __future__ import annotations

import gc
from pathlib import Path

from services.kit.app import create_app
from services.kit.problem_kinds import documented
from services.kit.service_tokens import RULES_AUDIENCE, ServiceTokenRefused
from services.rules.config import get_settings
from services.rules.engine.packs import POLICY_DIR, PackError, Registry
from services.rules.router import build_router
from services.rules.service import EligibilityService

settings = get_settings()

try:
    registry = Registry.load(
        Path(settings.rules_policy_dir) if settings.rules_policy_dir else POLICY_DIR
    )
except PackError as exc:
    raise SystemExit(f"eligibility service cannot start: {exc}") from None

service = EligibilityService(registry)
gc.freeze()  # the packs live as long as the process: keep them out of every collection

app = create_app(
    service="rules",
    title="zhicheng eligibility service",
    description="职称申报资格评估：按地区、系列、年度的政策包逐条评估并给出依据条款。",
    settings=settings,
    checks={},
    # Every route but the probes and metrics answers the gateway only (a service token).
    gateway_only=RULES_AUDIENCE,
)
app.include_router(build_router(service), responses=documented(ServiceTokenRefused))
