"""Mint a development Bearer token: `python -m scripts.devtoken ROLE [--org ORG_ID] [--sub SUB]`.

Development and test only: refuses when ENVIRONMENT=production. Real clients sign in
through services/api/auth/ (portals: POST /v1/oauth/token; applicants: SMS or WeChat;
staff: password). A portal token here: `devtoken portal --scope declarations:read
--region 450200`.
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
    "portal",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--org", help="organisation id (required for every role but applicant)")
    parser.add_argument("--sub", default=None, help="subject; a random one by default")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid")
    parser.add_argument("--scope", action="append", default=[], help="portal: a scope granted")
    parser.add_argument("--region", action="append", default=[], help="portal: a region code")
    args = parser.parse_args(argv)
    # Checked before the settings load: production settings refuse development secrets.
    if os.environ.get("ENVIRONMENT", "").lower() == "production":
        print("devtoken: refused in production", file=sys.stderr)
        return 2
    settings = KitSettings()
    if settings.environment == "production":
        print("devtoken: refused in production", file=sys.stderr)
        return 2
    if args.role not in ("applicant", "portal") and not args.org:
        print("devtoken: --org is required for this role", file=sys.stderr)
        return 2
    sub = args.sub or f"dev-{uuid.uuid4().hex[:8]}"
    if args.role == "portal":
        principal = Principal(
            sub=f"client:{sub}",
            role="portal",
            client_id=sub,
            scopes=args.scope,
            jurisdiction=args.region,
        )
    else:
        principal = Principal(sub=sub, role=args.role, org_id=args.org)
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
