"""One-shot setup before the services start: Alembic migrations and the S3 bucket.

`python -m scripts.migrate` (the compose/Kubernetes migration job runs the same).
"""

from __future__ import annotations

import logging
import sys

from services.documents.storage import ensure_bucket, make_client
from services.kit.migrations import upgrade_all
from services.kit.settings import KitSettings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = KitSettings()
    upgrade_all(settings.database_url)
    # The bucket belongs to the document service; creating it here keeps start-up free of it.
    ensure_bucket(make_client(settings), settings.s3_bucket)
    print("migrations applied; bucket", settings.s3_bucket, "ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
