"""The first ops account, for operators: `python -m services.api.auth.bootstrap`.

Staff accounts are made by ops through the API, so the very first one needs a way in
that is not the API. This command creates an ops account against `DATABASE_URL`,
through the same service function as `POST /v1/staff-accounts` (argon2id hash, the same
checks, the same `staff_account_created` audit entry):

    python -m services.api.auth.bootstrap --username ops-admin --org <org id>
    python -m services.api.auth.bootstrap --username ops-admin \\
        --new-org 职称系统运维组 --region 450000      # a fresh install: an ops org too

The password is read from `STAFF_BOOTSTRAP_PASSWORD` or, when that is unset, from
standard input (asked twice on a terminal), never from the command line, where process
lists and shell history would keep it. It refuses a username that exists. Exit status:
0 created (the account as one JSON line on stdout), 1 refused, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
import uuid

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from services.api.audit import service as audit
from services.api.auth.accounts import create_account
from services.api.auth.schemas import StaffCreate
from services.api.orgs import service as orgs
from services.api.orgs.schemas import OrgCreate
from services.kit.auth import Principal
from services.kit.db import make_engine, make_sessionmaker
from services.kit.problems import ProblemError, validation_problem
from services.kit.settings import KitSettings

PASSWORD_ENV = "STAFF_BOOTSTRAP_PASSWORD"  # noqa: S105 (the name of a variable)


class Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.api.auth.bootstrap",
        description=f"创建运维（ops）员工账号；密码取自环境变量 {PASSWORD_ENV} 或标准输入。",
    )
    parser.add_argument("--username", required=True, help="用户名（3-64位字母、数字、._-）")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--org", type=uuid.UUID, help="账号所属的已有机构 id")
    where.add_argument("--new-org", metavar="NAME", help="新建一个运维机构并将账号归入其下")
    parser.add_argument("--region", help="新建运维机构的行政区划代码（与 --new-org 同用）")
    return parser


def read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin.isatty():
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            raise Refused("两次输入的密码不一致。", 2)
        return password
    return sys.stdin.readline().rstrip("\r\n")


# The fields of the request bodies, as this command names them.
FLAGS = {
    "username": "--username",
    "password": "密码",
    "name": "--new-org",
    "region_code": "--region",
}


def _invalid(exc: ValidationError) -> Refused:
    problem = validation_problem([dict(e) for e in exc.errors()])
    lines = [
        f"{FLAGS.get(item['field'], item['field'])}：{item['message']}"
        for item in problem.extra["errors"]
    ]
    return Refused("输入有误。\n" + "\n".join(lines), 2)


def _actor(org_id: uuid.UUID) -> Principal:
    """Who the audit trail names: the operator's login on this machine."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        user = str(os.getuid())
    return Principal(sub=f"bootstrap:{user}", role="ops", org_id=str(org_id))


async def bootstrap(
    database_url: str, *, account: StaffCreate, new_org: OrgCreate | None = None
) -> dict[str, str]:
    """Create the account (and first its ops org, when asked) in one transaction."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with make_sessionmaker(engine)() as session:
            if new_org is not None:
                org = await orgs.create(session, body=new_org)
                reason = f"{org.id} {org.name}"
                await audit.record(
                    session, principal=_actor(org.id), action="org_created", reason=reason
                )
                account = account.model_copy(update={"org_id": org.id})
            created = await create_account(session, body=account, actor=_actor(account.org_id))
            await session.commit()
    finally:
        await engine.dispose()
    return {
        "id": str(created.id),
        "username": created.username,
        "role": created.role,
        "org_id": str(created.org_id),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        new_org = None
        if args.new_org is not None:
            if not args.region:
                raise Refused("新建运维机构须同时给出 --region（6位行政区划代码）。", 2)
            try:
                new_org = OrgCreate(kind="ops", name=args.new_org, region_code=args.region)
            except ValidationError as exc:
                raise _invalid(exc) from None
        password = read_password()
        # Checked before the database is touched: bad input creates nothing. A new org's
        # id is not known yet; it replaces the placeholder once the org exists.
        try:
            account = StaffCreate(
                username=args.username,
                password=password,
                role="ops",
                org_id=args.org or uuid.UUID(int=0),
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        created = asyncio.run(
            bootstrap(KitSettings().database_url, account=account, new_org=new_org)
        )
    except Refused as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return exc.status
    except ProblemError as exc:
        print(f"bootstrap: {exc.detail}", file=sys.stderr)
        return 1
    except (OSError, DBAPIError) as exc:
        print(f"bootstrap: 无法连接数据库（DATABASE_URL）：{type(exc).__name__}", file=sys.stderr)
        return 1
    print(json.dumps(created, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
