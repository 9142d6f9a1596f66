"""One-shot setup before the services start: Alembic migrations, the app role's grants,
and the S3 buckets.

`python -m scripts.migrate` (the compose/Kubernetes migration job runs the same). It
connects as MIGRATION_DATABASE_URL (the owner of every schema and table; DATABASE_URL
when unset), and grants the app role (DATABASE_APP_ROLE, else DATABASE_URL's user)
exactly what the running processes need (services/kit/migrations.py).
"""

from __future__ import annotations

import logging
import sys

from services.documents.storage import ensure_bucket, make_client
from services.kit.migrations import AppRoleError, grant_app_role, upgrade_all
from services.kit.settings import MigrationSettings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = MigrationSettings()
    upgrade_all(settings.owner_database_url)
    try:
        granted = grant_app_role(settings.owner_database_url, settings.app_role())
    except AppRoleError as exc:
        print("migrations applied, but:", exc, file=sys.stderr)
        return 2
    print(
        f"app role {settings.app_role()} granted"
        if granted
        else "single database user: no app role to grant (production must set both URLs)"
    )
    # The bucket belongs to the document service; creating it here keeps start-up free of it.
    # The gateway anchors the audit chain's checkpoints in the same bucket (or its own).
    client = make_client(settings)
    for bucket in dict.fromkeys([settings.s3_bucket, settings.audit_checkpoint_bucket or ""]):
        if bucket:
            ensure_bucket(client, bucket)
            print("bucket", bucket, "ready (versioned)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
