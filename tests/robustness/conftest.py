"""Robustness tests reuse the gateway fixtures: the real stack, the eligibility service
under uvicorn, the in-process gateway, and the clean-up of the notices they leave."""

from __future__ import annotations

from tests.api.conftest import client, documents_url, leave_no_jobs, rules_url

__all__ = ["client", "documents_url", "leave_no_jobs", "rules_url"]
