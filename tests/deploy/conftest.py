"""The eligibility service under uvicorn, for the gateway these tests start (its /readyz
reports it)."""

from tests.api.conftest import rules_url

__all__ = ["rules_url"]
