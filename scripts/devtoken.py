"""Mint a development Bearer token: `python -m scripts.devtoken ROLE [--org ORG_ID] [--sub SUB]`.

Development and test only: refuses when ENVIRONMENT=production. Login flows come later.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

from services.kit.auth import Principal, issue_token, signing_key
from services.kit.settings import KitSettings

ROLES = (
    "applicant",
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
    "ops",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--org", help="organisation id (required for every role but applicant)")
    parser.add_argument("--sub", default=None, help="subject; a random one by default")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid")
    args = parser.parse_args(argv)
    # Checked before the settings load: production settings refuse development secrets.
    if os.environ.get("ENVIRONMENT", "").lower() == "production":
        print("devtoken: refused in production", file=sys.stderr)
        return 2
    settings = KitSettings()
    if settings.environment == "production":
        print("devtoken: refused in production", file=sys.stderr)
        return 2
    if args.role != "applicant" and not args.org:
        print("devtoken: --org is required for this role", file=sys.stderr)
        return 2
    principal = Principal(
        sub=args.sub or f"dev-{uuid.uuid4().hex[:8]}", role=args.role, org_id=args.org
    )
    print(
        issue_token(
            principal,
            secret=signing_key(settings),
            algorithm=settings.jwt_algorithm,
            ttl_seconds=args.ttl,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
