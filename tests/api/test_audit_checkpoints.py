"""The audit chain cannot be rewritten by the app, and a rewrite by its owner is caught.

The app connects as a role that may only read and append to the audit tables. The
owner could still disable the triggers, change a row and recompute every hash after it:
the plain chain check then passes. Signed checkpoints (HMAC, key outside the database),
kept in the database and in the object store, catch it. Users act through the public
API (exports, verification); only the attacker's steps are SQL, as the owner.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC

import asyncpg
import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from minio import Minio
from sqlalchemy import text

from services.api.audit.service import GENESIS, entry_hash
from services.api.certificates.signing import private_key_setting
from services.api.config import DEV_AUDIT_CHECKPOINT_KEY, ApiSettings
from services.api.main import build_app
from services.api.models import AuditEntry
from services.kit.db import make_engine, make_sessionmaker
from services.kit.pii import dev_key
from tests.api.factories import OPS, auth, make_campaign, make_tree, new_draft, submit, token
from tests.conftest import ROOT, Stack, create_database, drop_database
from tests.support import PRODUCTION_SERVICE_TOKEN_KEYS, running

APPEND_ONLY = ("api.audit_entry", "api.audit_checkpoint")


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _store(stack: Stack) -> Minio:
    return Minio(
        stack.s3_endpoint.removeprefix("http://"),
        access_key=stack.s3_access_key,
        secret_key=stack.s3_secret_key,
        secure=False,
    )


def _signature(seq: int, head: str, at: str) -> str:
    message = f"zhicheng-audit-checkpoint-v1|{seq}|{head}|{at}".encode()
    return hmac.new(DEV_AUDIT_CHECKPOINT_KEY.encode(), message, hashlib.sha256).hexdigest()


async def _activity(client, label: str):
    """Some audited work through the API: an org tree, a campaign, a submission."""
    tree = await make_tree(client, label=label, supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"{label}-{uuid.uuid4().hex[:6]}")
    did = await new_draft(client, tree, campaign, applicant)
    assert (await submit(client, did, applicant)).status_code == 200
    return tree, campaign


async def _export(client, tree, campaign, fmt: str = "csv"):
    r = await client.get(
        f"/v1/campaigns/{campaign['id']}/posting-list?format={fmt}",
        headers=auth(tree.tokens["unit_reviewer"]),
    )
    assert r.status_code == 200, r.text
    fields = dict(part.split("=", 1) for part in r.headers["audit-checkpoint"].split("; "))
    return r, {**fields, "seq": int(fields["seq"])}


async def _verification(client) -> dict:
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.status_code == 200, r.text
    return r.json()


async def _head(url: str) -> tuple[int, str]:
    conn = await asyncpg.connect(_pg(url))
    try:
        row = await conn.fetchrow("SELECT seq, hash FROM api.audit_entry ORDER BY seq DESC LIMIT 1")
        return row["seq"], row["hash"]
    finally:
        await conn.close()


# --- (1) the app role cannot touch the audit tables ------------------------------------


async def test_the_app_role_can_only_read_and_append_audit_rows(stack: Stack, client) -> None:
    await _activity(client, "只追加")
    conn = await asyncpg.connect(_pg(stack.database_url))
    try:
        for table in APPEND_ONLY:
            assert await conn.fetchval(f"SELECT count(*) >= 0 FROM {table}")  # noqa: S608
            for sql in (
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                f"ALTER TABLE {table} OWNER TO CURRENT_USER",
                f"UPDATE {table} SET hash = repeat('0', 64)",  # noqa: S608
                f"DELETE FROM {table}",  # noqa: S608
                f"TRUNCATE {table}",
                f"DROP TABLE {table}",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
                    await conn.execute(sql)
                # Refused for want of privilege, before any trigger could be involved.
                message = str(refused.value)
                assert "permission denied" in message or "must be owner" in message, sql
        for sql in (
            "DROP TRIGGER audit_entry_append_only ON api.audit_entry",
            "SET session_replication_role = replica",  # would skip every trigger
            "CREATE OR REPLACE FUNCTION api.refuse_change() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(sql)
    finally:
        await conn.close()
    assert (await _verification(client))["intact"] is True


# --- (4) a posting export carries a checkpoint that verifies ---------------------------


async def test_a_posting_export_carries_a_signed_anchored_checkpoint(stack: Stack, client) -> None:
    tree, campaign = await _activity(client, "公示校验")
    r, printed = await _export(client, tree, campaign)
    seq, head, at, sig = printed["seq"], printed["hash"], printed["at"], printed["signature"]
    # Printed in the CSV itself, as its last line.
    last = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[-1][0]
    assert last == f"审计校验点：序号 {seq}，链头哈希 {head}，时间 {at}，签名 {sig}"
    # It signs the chain head as of the export with the key the database does not hold…
    assert seq >= 1 and sig == _signature(seq, head, at)
    conn = await asyncpg.connect(_pg(stack.database_url))
    try:
        assert await conn.fetchval("SELECT hash FROM api.audit_entry WHERE seq = $1", seq) == head
    finally:
        await conn.close()
    # …and is anchored in the object store, once.
    store = _store(stack)
    key = f"audit-checkpoints/{seq:020d}.json"
    body = json.loads(store.get_object(stack.s3_bucket, key).read())
    assert body == {"seq": seq, "hash": head, "at": at, "signature": sig}
    # The XLSX export of the same moment prints the same checkpoint in its last row.
    r, again = await _export(client, tree, campaign, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert again == printed and list(sheet.values)[-1][0] == last
    # Ops' verification checks it (among all others) and finds everything intact.
    report = await _verification(client)
    assert report["intact"] and report["chain_intact"] and report["checkpoints_intact"]
    assert report["checkpoints_checked"] >= 1 and report["problems"] == []
    assert report["checkpoint"]["seq"] >= seq
    versions = list(
        store.list_objects(stack.s3_bucket, prefix=key, recursive=True, include_version=True)
    )
    assert len(versions) == 1


# --- (2), (3): the owner's rewrite, on a database and a bucket of their own -------------


@pytest.fixture
def own(stack: Stack):
    """These tests tamper with the audit trail: not in the database the others share."""
    name = f"zhicheng_audit_{uuid.uuid4().hex[:8]}"
    st = replace(create_database(stack, name), s3_bucket=f"{stack.s3_bucket}-{name[-8:]}")
    migrate = [sys.executable, "-m", "scripts.migrate"]
    subprocess.run(migrate, env=st.env(), check=True, cwd=ROOT, capture_output=True)
    try:
        yield st
    finally:
        drop_database(stack, name)


@pytest.fixture
async def own_client(own: Stack, rules_url: str, documents_url: str):
    settings = ApiSettings(
        **own.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        audit_checkpoint_interval=0,
        payment_sweep_interval=0,
    )
    async with running(build_app(settings)) as client:
        yield client


async def _two_checkpoints(client, url: str) -> tuple[int, int]:
    """Work, a posting export (checkpoint a), more work, ops' verification (checkpoint m)."""
    tree, campaign = await _activity(client, "篡改甲")
    _, printed = await _export(client, tree, campaign)
    await _activity(client, "篡改乙")
    report = await _verification(client)
    assert report["intact"] is True and report["checkpoints_checked"] == 1
    m = report["checkpoint"]["seq"]
    assert (m, report["checkpoint"]["hash"]) == await _head(url)
    assert printed["seq"] < m
    return printed["seq"], m


async def _rewrite_history(owner_url: str, seq: int) -> str:
    """The attack: as the owner, switch the triggers off, change row `seq`, recompute every
    hash from there on with the public formula, switch them on. Returns the new head."""
    engine = make_engine(owner_url)
    try:
        async with make_sessionmaker(engine)() as session:
            await session.exec(text("ALTER TABLE api.audit_entry DISABLE TRIGGER USER"))
            rows = (
                await session.exec(AuditEntry.__table__.select().where(AuditEntry.seq >= seq - 1))
            ).all()
            entries = [AuditEntry(**row._mapping) for row in rows]
            prev = entries[0].hash if entries[0].seq == seq - 1 else GENESIS
            for entry in entries:
                if entry.seq < seq:
                    continue
                if entry.seq == seq:
                    entry.reason = "（已改写）" + (entry.reason or "")
                entry.prev_hash = prev
                entry.hash = prev = entry_hash(entry)
                await session.exec(
                    text(
                        "UPDATE api.audit_entry SET reason = :r, prev_hash = :p, hash = :h"
                        " WHERE seq = :s"
                    ),
                    params={"r": entry.reason, "p": entry.prev_hash, "h": entry.hash,
                            "s": entry.seq},
                )  # fmt: skip
            await session.exec(text("ALTER TABLE api.audit_entry ENABLE TRIGGER USER"))
            await session.commit()
            return prev
    finally:
        await engine.dispose()


async def test_a_rewritten_chain_passes_the_plain_check_but_not_the_checkpoints(
    own: Stack, own_client
) -> None:
    a, m = await _two_checkpoints(own_client, own.database_url)
    await _rewrite_history(own.owner_database_url, a - 1)

    report = await _verification(own_client)
    # The chain alone still verifies: this is the rewrite that went unnoticed before.
    assert report["chain_intact"] is True and report["first_broken_seq"] is None
    # The signed checkpoints do not: both now disagree with the rows at their seq.
    assert report["intact"] is False and report["checkpoints_intact"] is False
    assert report["first_bad_checkpoint_seq"] == a
    assert [(p["seq"], p["problem"]) for p in report["problems"]] == [(a, "hash"), (m, "hash")]
    assert all(p["detail"] for p in report["problems"])
    assert report["checkpoint"] is None  # a broken chain is never signed


async def test_rewriting_the_checkpoint_table_too_is_caught_by_the_store_copy(
    own: Stack, own_client
) -> None:
    a, m = await _two_checkpoints(own_client, own.database_url)
    head = await _rewrite_history(own.owner_database_url, a - 1)
    # The attacker also covers the tracks in the checkpoint table: the checkpoint at a
    # goes, the one at m is made to match the new head (the key is not theirs to sign).
    conn = await asyncpg.connect(_pg(own.owner_database_url))
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE api.audit_checkpoint DISABLE TRIGGER USER")
            await conn.execute("DELETE FROM api.audit_checkpoint WHERE seq = $1", a)
            await conn.execute("UPDATE api.audit_checkpoint SET hash = $1 WHERE seq = $2", head, m)
            await conn.execute("ALTER TABLE api.audit_checkpoint ENABLE TRIGGER USER")
    finally:
        await conn.close()

    report = await _verification(own_client)
    assert report["chain_intact"] is True
    assert report["intact"] is False and report["first_bad_checkpoint_seq"] == a
    assert {(p["seq"], p["problem"]) for p in report["problems"]} == {
        (a, "hash"),  # the store's copy no longer matches the chain
        (a, "missing_in_table"),
        (m, "hash"),
        (m, "signature"),  # the rewritten row is no longer signed by the key
        (m, "store_differs"),
    }


async def test_a_checkpoint_removed_from_the_store_is_reported(own: Stack, own_client) -> None:
    a, _ = await _two_checkpoints(own_client, own.database_url)
    _store(own).remove_object(own.s3_bucket, f"audit-checkpoints/{a:020d}.json")
    report = await _verification(own_client)
    # The chain and the table are fine; the store lost (a visible version of) its copy.
    assert report["chain_intact"] is True and report["intact"] is False
    assert {(p["seq"], p["problem"]) for p in report["problems"]} == {
        (a, "missing_in_store"),
        (a, "rewritten_in_store"),
    }


async def test_periodic_checkpoints_one_per_head_whatever_the_replicas(
    own: Stack, rules_url: str, documents_url: str
) -> None:
    settings = ApiSettings(
        **own.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        audit_checkpoint_interval=0.05,
        payment_sweep_interval=0,
    )
    async with running(build_app(settings)) as one, running(build_app(settings)) as two:
        await _activity(one, "定时")
        seq, head = await _head(own.database_url)
        conn = await asyncpg.connect(_pg(own.database_url))
        try:
            for _ in range(400):  # both replicas sign every 50 ms; wait for the first
                found = await conn.fetch("SELECT * FROM api.audit_checkpoint WHERE seq = $1", seq)
                if found:
                    break
                await asyncio.sleep(0.05)
            [row] = found
            assert row["hash"] == head
            assert row["signature"] == _signature(
                seq, head, row["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            )
        finally:
            await conn.close()
        await asyncio.sleep(0.2)  # several more rounds by both replicas at the same head
        report = await _verification(two)
    assert report["intact"] is True and report["checkpoint"]["seq"] == seq
    store = _store(own)
    listed = list(
        store.list_objects(
            own.s3_bucket, prefix="audit-checkpoints/", recursive=True, include_version=True
        )
    )
    # Heads signed on the way too, but each once: one object, one version, per head.
    names = [o.object_name for o in listed]
    assert len(names) == len(set(names)) == report["checkpoints_checked"]
    assert max(names) == f"audit-checkpoints/{seq:020d}.json"


# --- production refuses an app URL that could rewrite the chain ------------------------


@pytest.mark.parametrize("as_owner", [True, False])
async def test_production_readiness_refuses_the_owner_as_app_role(
    stack: Stack, as_owner: bool, rules_url: str, documents_url: str
) -> None:
    kwargs = stack.settings_kwargs()
    kwargs.update(rules_url=rules_url, documents_url=documents_url)
    kwargs["database_url"] = stack.owner_database_url if as_owner else stack.database_url
    kwargs.update(
        environment="production",
        s3_secret_key="not-the-dev-secret",
        jwt_secret="not-the-dev-jwt-secret-0123456789abcdef",
        pii_keys=f"p1:{dev_key('test-production-pii')}",
        pii_key_id="p1",
        pii_index_key=dev_key("test-production-index"),
        payment_callback_key="not-the-dev-payment-callback-key-0123456789",
        audit_checkpoint_key="not-the-dev-audit-checkpoint-key-0123456789",
        certificate_signing_key=private_key_setting("p1", ed25519.Ed25519PrivateKey.generate()),
        **PRODUCTION_SERVICE_TOKEN_KEYS,
    )
    settings = ApiSettings(**kwargs, audit_checkpoint_interval=0, payment_sweep_interval=0)
    async with running(build_app(settings)) as client:
        r = await client.get("/readyz")
    if as_owner:
        assert r.status_code == 503 and r.json()["down"] == ["database_role"]
        assert "审计表" in r.json()["detail"]
    else:
        assert r.status_code == 200 and r.json()["checks"]["database_role"] == "ok"


def test_production_refuses_the_development_checkpoint_key() -> None:
    with pytest.raises(ValueError, match="audit_checkpoint_key"):
        ApiSettings(
            environment="production",
            s3_secret_key="x",
            jwt_secret="y",
            pii_keys=f"p1:{dev_key('test-production-pii')}",
            pii_key_id="p1",
            pii_index_key=dev_key("test-production-index"),
            payment_callback_key="z",
        )
