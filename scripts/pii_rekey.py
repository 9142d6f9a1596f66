"""`python -m scripts.pii_rekey`: re-encrypt and rehash personal data after a rotation.

Run with the gateway's settings once the new key (PII_KEY_ID, PII_INDEX_KEY_ID) or suite
(PII_CRYPTO=guomi: SM4-GCM, HMAC-SM3) is in place and the gateways run with it; the old
keys must still be listed. When it has finished, the old keys can be removed
(services/api/applicants/rekey.py; deploy/README.md "Personal data at rest").
"""

from __future__ import annotations

import asyncio
import sys

from services.api.applicants.rekey import rekey
from services.api.config import ApiSettings
from services.kit.db import engine_for, make_sessionmaker


async def run() -> int:
    settings = ApiSettings()
    cipher = settings.pii_cipher()
    engine = engine_for(settings)
    try:
        done = await rekey(make_sessionmaker(engine), cipher)
    finally:
        await engine.dispose()
    print(
        f"rewritten under {cipher.algorithm}:{cipher.current} and "
        f"{cipher.hash_algorithm}:{cipher.index_current}: "
        f"{done.applicants} applicants, {done.objections} objections, {done.staff} staff"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
