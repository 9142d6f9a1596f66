"""The eligibility service under uvicorn, for the gateways these tests start (their
/readyz reports it)."""

from tests.api.conftest import rules_url

__all__ = ["rules_url"]
