"""The first-ops-account command, run as operators run it, then used through the API."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import jwt
from sqlmodel import select

from services.api.models import AuditEntry, StaffAccount
from services.kit.db import make_engine, make_sessionmaker
from tests.api.factories import make_tree, post
from tests.conftest import ROOT, Stack

PASSWORD = "Liuzhou2022ops"
COMMAND = [sys.executable, "-m", "services.api.auth.bootstrap"]


def bootstrap(stack: Stack, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in stack.env().items() if k != "STAFF_BOOTSTRAP_PASSWORD"}
    return subprocess.run(
        [*COMMAND, *args],
        input=stdin,
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _rows(stack: Stack, model, *where):
    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return list((await session.exec(select(model).where(*where))).all())
    finally:
        await engine.dispose()


async def test_first_ops_account_signs_in_and_acts_as_ops(stack: Stack, client) -> None:
    username = f"ops-{uuid.uuid4().hex[:8]}"
    done = bootstrap(
        stack, "--username", username, "--new-org", "职称系统运维组", "--region", "450000",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert created["username"] == username and created["role"] == "ops"
    assert PASSWORD not in done.stdout + done.stderr
    [account] = await _rows(stack, StaffAccount, StaffAccount.username == username)
    assert account.password_hash.startswith("$argon2id$")
    # Signed in through the API, the account works as ops: it makes the next account.
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert (claims["role"], claims["org_id"]) == ("ops", created["org_id"])
    tree = await make_tree(client, label="引导")
    reviewer = {"username": f"unit-{uuid.uuid4().hex[:8]}", "password": PASSWORD,
                "role": "unit_reviewer", "org_id": tree.unit}  # fmt: skip
    r = await post(client, "/v1/staff-accounts", access, reviewer)
    assert r.status_code == 201, r.text
    # Both accounts are on the audit trail the same way, each under who made it.
    entries = await _rows(stack, AuditEntry, AuditEntry.action == "staff_account_created")
    by_account = {e.reason.split()[0]: e for e in entries}
    first, second = by_account[created["id"]], by_account[r.json()["id"]]
    assert first.actor_sub.startswith("bootstrap:") and first.actor_role == "ops"
    assert second.actor_sub == claims["sub"]
    orgs = await _rows(stack, AuditEntry, AuditEntry.action == "org_created")
    assert any(e.reason.startswith(created["org_id"]) for e in orgs)


async def test_refuses_a_taken_username_and_bad_input(stack: Stack, client) -> None:
    tree = await make_tree(client, label="引导二")
    username = f"ops-{uuid.uuid4().hex[:8]}"
    ok = bootstrap(stack, "--username", username, "--org", tree.county,
                   STAFF_BOOTSTRAP_PASSWORD=PASSWORD)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    again = bootstrap(stack, "--username", username, "--org", tree.county,
                      STAFF_BOOTSTRAP_PASSWORD="Another2022pw")  # fmt: skip
    assert again.returncode == 1 and "已被使用" in again.stderr
    assert len(await _rows(stack, StaffAccount, StaffAccount.username == username)) == 1
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200  # the first password still holds
    fresh = f"ops-{uuid.uuid4().hex[:8]}"
    weak = bootstrap(stack, "--username", fresh, "--org", tree.county, stdin="short\n")
    assert weak.returncode == 2 and "密码" in weak.stderr
    missing = bootstrap(stack, "--username", fresh, "--org", str(uuid.uuid4()),
                        stdin=PASSWORD + "\n")  # fmt: skip
    assert missing.returncode == 1 and "机构" in missing.stderr
    # A password is never taken from the command line.
    argv = bootstrap(stack, "--username", fresh, "--org", tree.county, "--password", PASSWORD)
    assert argv.returncode == 2
    assert not await _rows(stack, StaffAccount, StaffAccount.username == fresh)
