from __future__ import annotations

from functools import lru_cache

from services.kit.settings import ServiceTokenVerifier


class RulesSettings(ServiceTokenVerifier):
    """The eligibility service is stateless: no database, queue, store, user token or
    personal-data key, and no secret: the public key it holds checks that a call comes
    from the gateway."""

    # Directory of policy packs (*.yaml); empty means the packs shipped in services/rules/policies.
    rules_policy_dir: str = ""
    # A batch holds up to 10 000 request bodies (schemas.MAX_BATCH), about 1 KB each.
    max_body_bytes: int = 32 * 1024 * 1024


@lru_cache
def get_settings() -> RulesSettings:
    return RulesSettings()
