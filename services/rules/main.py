"""Eligibility service: versioned policy packs, evaluation with clause-cited explanations."""

from __future__ import annotations

from services.kit.app import create_app
from services.rules.config import get_settings

settings = get_settings()

app = create_app(
    service="rules",
    title="zhicheng eligibility service",
    description="职称申报资格评估：按地区、系列、年度的政策包逐条评估并给出依据条款。",
    settings=settings,
    checks={},
)
