"""Faults the other suites do not cover: the eligibility service stopped during submission,
PostgreSQL restarted under concurrent writers, S3 stopped under uploads through the gateway.

Covered elsewhere, not repeated here:
- S3 stopped, the document service alone:
  tests/documents/test_faults.py::test_s3_outage_answers_503_and_stores_nothing and
  ::test_object_of_a_row_that_failed_to_commit_is_swept (an object whose row did not
  commit is swept: no half-stored document either way).
- The document service down: tests/api/test_documents_route.py (503, declaration unchanged);
  each dependency down: tests/stack/test_readiness.py (/readyz 503, 200 again unrestarted).
- Valkey restarted without persistence, worker kill -9 mid-send (exactly one SMS each):
  tests/notify/test_faults.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest

from scripts.servers import Postgres, SeaweedS3, free_port, port_open
from services.api.config import ApiSettings
from services.api.main import build_app
from services.documents.config import DocumentsSettings
from services.documents.storage import make_client
from services.documents.sweeper import sweep_orphans
from services.kit.db import make_engine, make_sessionmaker
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.factories import (
    OPS,
    answer_incomplete,
    auth,
    drafted,
    make_campaign,
    make_tree,
    post,
    submission,
    token,
)
from tests.conftest import ROOT, Stack
from tests.documents import corpus
from tests.documents.conftest import upload
from tests.support import AS_GATEWAY_TO_DOCUMENTS, running


class _Service:
    """One of our apps under uvicorn on a fixed port, to stop and start again."""

    def __init__(self, target: str, env: dict[str, str]) -> None:
        self.target = target
        self.env = env
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> _Service:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", self.target, "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not port_open(self.port):
            assert self.proc.poll() is None and time.monotonic() < deadline, self.target
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def _documents_on(stack: Stack, s3: SeaweedS3, bucket: str, **env: str) -> _Service:
    """The document service on an S3 of the test's own (which the test may stop), with
    no sweeper: nothing may be left behind, swept or not."""
    return _Service(
        "services.documents.main:app",
        stack.env(
            S3_ENDPOINT=s3.url,
            S3_ACCESS_KEY=s3.access_key,
            S3_SECRET_KEY=s3.secret_key,
            S3_BUCKET=bucket,
            ENSURE_BUCKET_ON_START="true",
            SWEEP_INTERVAL_SECONDS="0",
            LOG_LEVEL="WARNING",
            **env,
        ),
    )


@pytest.mark.slow
async def test_eligibility_down_at_submission(stack: Stack, documents_url: str) -> None:
    rules = _Service("services.rules.main:app", stack.env(LOG_LEVEL="WARNING")).start()
    try:
        settings = ApiSettings(
            **stack.settings_kwargs(),
            rules_url=rules.url,
            rules_timeout=3,
            documents_url=documents_url,
        )
        async with running(build_app(settings)) as client:
            _tree, _campaign, applicant, did = await drafted(client, label="评估停机")
            url = f"/v1/declarations/{did}"
            # Attach what the eligibility service asks for, so only its absence can fail.
            r = await submission(client, url + "/submissions", applicant)
            assert r.status_code == 422, r.text
            await answer_incomplete(client, did, applicant, r.json()["errors"])
            before = await client.get(url, headers=auth(applicant))
            audit_before = (await client.get(url + "/audit", headers=auth(applicant))).json()

            rules.stop()
            key = uuid.uuid4().hex
            r = await submission(client, url + "/submissions", applicant, key=key)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert r.headers["retry-after"]
            assert r.json()["type"] == "urn:zhicheng:problem:rules-unavailable"

            # Nothing moved: same status, version, content and audit trail.
            after = await client.get(url, headers=auth(applicant))
            assert after.headers["etag"] == before.headers["etag"]
            assert after.json() == before.json()
            assert after.json()["status"] == "draft"
            audit_after = (await client.get(url + "/audit", headers=auth(applicant))).json()
            assert audit_after == audit_before
            # Still editable meanwhile.
            r = await client.patch(
                url,
                json={"specialty": "eng-civil"},
                headers=auth(applicant, **{"If-Match": after.headers["etag"]}),
            )
            assert r.status_code == 200, r.text

            # Back again: the same key is not a stored failure; the submission goes through.
            rules.start()
            r = await submission(client, url + "/submissions", applicant, key=key)
            assert r.status_code == 200, r.text
            assert r.json()["status"] != "draft"
    finally:
        rules.stop()


async def _writer(client, tree, campaign, stop: asyncio.Event, log: list) -> None:
    applicant = token("applicant", sub=f"writer-{uuid.uuid4().hex[:8]}")
    n = 0
    while not stop.is_set():
        n += 1
        if n % 2:
            name = f"重启写入{uuid.uuid4().hex[:10]}"
            body = {"kind": "committee_office", "name": name, "region_code": "450200"}
            r = await post(client, "/v1/orgs", OPS, body)
            kind = "org"
        else:
            body = {
                "campaign_id": campaign["id"],
                "unit_org_id": tree.unit,
                "level": "deputy_senior",
            }
            r = await post(client, "/v1/declarations", applicant, body)
            kind = "declaration"
        log.append((kind, r))
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_postgres_restart_under_writers(stack: Stack, rules_url: str, tmp_path) -> None:
    pg = Postgres(tmp_path / "pg", free_port()).start()
    try:
        # A server of its own, single-user: migrations and the app both as `postgres`.
        env = stack.env(DATABASE_URL=pg.url, MIGRATION_DATABASE_URL=pg.url)
        migrate = [sys.executable, "-m", "scripts.migrate"]
        await asyncio.to_thread(subprocess.run, migrate, env=env, check=True, cwd=ROOT)
        settings = ApiSettings(
            **{**stack.settings_kwargs(), "database_url": pg.url, "migration_database_url": None},
            rules_url=rules_url,
            payment_sweep_interval=0,
        )
        async with running(build_app(settings)) as client:
            tree = await make_tree(client, label="数据库重启", supervisor=False, county=False)
            campaign = await make_campaign(client)
            stop = asyncio.Event()
            log: list = []
            writers = [
                asyncio.create_task(_writer(client, tree, campaign, stop, log)) for _ in range(4)
            ]
            await asyncio.sleep(1.5)
            restarted_at = len(log)
            await asyncio.to_thread(pg.stop, 10)  # fast shutdown: in-flight work is cut
            await asyncio.to_thread(pg.start)
            back_at = len(log)
            await asyncio.sleep(2.0)
            stop.set()
            await asyncio.gather(*writers)

        ok = [(kind, r.json()["id"]) for kind, r in log if r.status_code in (200, 201)]
        failed = [r for _, r in log if r.status_code not in (200, 201)]
        assert restarted_at > 0 and len(log) > back_at
        # Refusals during the outage are problems that say "try again", never a 500.
        for r in failed:
            assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE, r.text
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"]
        # The writers reconnected: each one's later requests succeeded again.
        assert all(r.status_code in (200, 201) for _, r in log[-4:]), [r.text for _, r in log[-4:]]

        conn = await asyncpg.connect(pg.url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            orgs = {str(i) for (i,) in await conn.fetch("SELECT id FROM api.org")}
            drafts = {str(i) for (i,) in await conn.fetch("SELECT id FROM api.declaration")}
        finally:
            await conn.close()
        stored = {"org": orgs, "declaration": drafts}
        lost = [(kind, i) for kind, i in ok if i not in stored[kind]]
        assert not lost, f"reported as created but not in the database: {lost}"
        print(f"{len(log)} writes: {len(ok)} succeeded, {len(failed)} refused during the restart")
    finally:
        pg.stop()


def _object_versions(s3, bucket: str, prefix: str) -> set[tuple[str, str | None]]:
    """Every object version (delete markers included) under `prefix`."""
    return {
        (o.object_name, o.version_id)
        for o in s3.list_objects(bucket, prefix=prefix, recursive=True, include_version=True)
    }


async def _document_rows(stack: Stack, declaration_id: str) -> set[tuple[str, str, str | None]]:
    conn = await asyncpg.connect(stack.database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT id, status, superseded_by_id FROM documents.document WHERE declaration_id = $1",
            declaration_id,
        )
    finally:
        await conn.close()
    return {(str(r[0]), r[1], r[2] and str(r[2])) for r in rows}


async def _upload(client, did: str, tok: str, data: bytes, replaces: str | None = None):
    url = f"/v1/declarations/{did}/documents" + (f"/{replaces}/replace" if replaces else "")
    return await client.post(
        url,
        data={"kind": "title_certificate"},
        files={"file": ("scan.jpg", data, "image/jpeg")},
        headers=auth(tok),
    )


@pytest.mark.slow
async def test_s3_stopped_under_gateway_uploads(stack: Stack, rules_url: str, tmp_path) -> None:
    """An applicant uploads through the gateway while the document service's S3 is down:
    503 with Retry-After, nothing stored or changed anywhere; once S3 is back, the same
    processes take the same upload and the declaration is submitted. Then S3 hangs
    instead: the gateway gives up, and the late write leaves no document behind."""
    access, secret, bucket = "gw-outage-key", "gw-outage-secret-123", "gw-outage-bucket"
    s3 = SeaweedS3(tmp_path / "s3", free_port(), access, secret).start()
    own_s3 = {"s3_endpoint": s3.url, "s3_access_key": access, "s3_secret_key": secret}
    docs = _documents_on(stack, s3, bucket)
    store = make_client(DocumentsSettings(**{**stack.settings_kwargs(), **own_s3}))
    try:
        docs.start()
        settings = ApiSettings(
            **stack.settings_kwargs(),
            rules_url=rules_url,
            documents_url=docs.url,
            documents_timeout=5,  # how long the gateway waits while S3 hangs, below
        )
        async with (
            running(build_app(settings)) as client,
            httpx.AsyncClient(base_url=docs.url, auth=AS_GATEWAY_TO_DOCUMENTS) as direct,
        ):
            _tree, _campaign, applicant, did = await drafted(client, label="存储停机")
            url = f"/v1/declarations/{did}"
            first = await _upload(client, did, applicant, corpus.clean_scan(90))
            assert first.status_code == 201, first.text
            old_id = first.json()["id"]
            assert (await direct.get("/readyz")).status_code == 200

            before = await client.get(url, headers=auth(applicant))
            listed_before = await client.get(url + "/documents", headers=auth(applicant))
            prefix = f"declarations/{did}/"
            objects_before = await asyncio.to_thread(_object_versions, store, bucket, prefix)
            rows_before = await _document_rows(stack, did)
            assert rows_before == {(old_id, "accepted", None)}
            assert len(objects_before) == 1

            await asyncio.to_thread(s3.stop)
            new_scan, replacement = corpus.clean_scan(91), corpus.clean_scan(92)
            for r in (
                await _upload(client, did, applicant, new_scan),
                await _upload(client, did, applicant, replacement, replaces=old_id),
            ):
                assert r.status_code == 503, r.text
                assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
                assert int(r.headers["retry-after"]) > 0
                assert r.json()["type"] == "urn:zhicheng:problem:storage-unavailable"
                assert "稍后" in r.json()["detail"]

            # The declaration, its documents and the old document are as they were.
            after = await client.get(url, headers=auth(applicant))
            assert after.headers["etag"] == before.headers["etag"]
            assert after.json() == before.json()
            listed = await client.get(url + "/documents", headers=auth(applicant))
            assert listed.json() == listed_before.json()
            assert [d["id"] for d in listed.json()] == [old_id]
            assert await _document_rows(stack, did) == rows_before
            ready = await direct.get("/readyz")
            assert ready.status_code == 503 and ready.json()["down"] == ["s3"], ready.text

            # S3 back; neither app restarted. The store holds exactly what it held.
            await asyncio.to_thread(s3.start)
            objects_after = await asyncio.to_thread(_object_versions, store, bucket, prefix)
            assert objects_after == objects_before
            assert (await direct.get("/readyz")).status_code == 200

            again = await _upload(client, did, applicant, new_scan)
            assert again.status_code == 201, again.text
            replaced = await _upload(client, did, applicant, replacement, replaces=old_id)
            assert replaced.status_code == 201, replaced.text
            new_id, replacement_id = again.json()["id"], replaced.json()["id"]
            # The store keeps every file it accepted; the gateway says which is replaced.
            assert await _document_rows(stack, did) == {
                (old_id, "accepted", None),
                (new_id, "accepted", None),
                (replacement_id, "accepted", None),
            }
            listed = await client.get(
                url + "/documents",
                params={"include_inactive": "true"},
                headers=auth(applicant),
            )
            assert {d["id"]: d["status"] for d in listed.json()} == {
                old_id: "superseded",
                new_id: "accepted",
                replacement_id: "accepted",
            }
            objects_now = await asyncio.to_thread(_object_versions, store, bucket, prefix)
            assert len(objects_now) == 3

            # S3 hangs (its process frozen) instead of refusing: the gateway stops waiting
            # after its timeout and answers 503 "not saved". The document service's write
            # lands once S3 thaws; it must not commit a document nobody was told of.
            hung_scan = corpus.clean_scan(93)
            etag = (await client.get(url, headers=auth(applicant))).headers["etag"]
            rows_now = await _document_rows(stack, did)
            os.killpg(s3.proc.pid, signal.SIGSTOP)
            try:
                r = await _upload(client, did, applicant, hung_scan)
            finally:
                os.killpg(s3.proc.pid, signal.SIGCONT)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["type"] == "urn:zhicheng:problem:documents-unavailable"
            for _ in range(150):  # the late write reaches the store
                landed = await asyncio.to_thread(_object_versions, store, bucket, prefix)
                if landed != objects_now:
                    break
                await asyncio.sleep(0.2)
            orphans = {key for key, _ in landed - objects_now}
            assert len(orphans) == 1, landed
            await asyncio.sleep(1.0)  # time enough for a commit that should not happen
            assert await _document_rows(stack, did) == rows_now
            assert (await client.get(url, headers=auth(applicant))).headers["etag"] == etag
            # The object without a row is the sweeper's; then the store is as before.
            engine = make_engine(stack.database_url)
            try:
                swept = await sweep_orphans(
                    make_sessionmaker(engine), store, bucket, older_than=timedelta(0)
                )
            finally:
                await engine.dispose()
            assert set(swept) == orphans
            assert await asyncio.to_thread(_object_versions, store, bucket, prefix) == objects_now
            # The applicant's retry is taken, not refused as a duplicate.
            retried = await _upload(client, did, applicant, hung_scan)
            assert retried.status_code == 201, retried.text

            # Attach what else the eligibility service asks for, then submit.
            r = await submission(client, url + "/submissions", applicant)
            assert r.status_code == 422, r.text
            missing = r.json()["errors"]
            current = await client.get(url, headers=auth(applicant))
            attached = current.json()["attachments"]
            expected = {new_id, replacement_id, retried.json()["id"]}
            assert {a["document_id"] for a in attached} == expected
            await answer_incomplete(client, did, applicant, missing)
            r = await submission(client, url + "/submissions", applicant)
            assert r.status_code == 200, r.text
            assert r.json()["status"] != "draft"
    finally:
        docs.stop()
        s3.stop()


@pytest.mark.slow
async def test_document_service_gives_up_on_a_hung_store(stack: Stack, tmp_path) -> None:
    """S3 takes the connection but never answers: the document service stops waiting
    after S3_READ_TIMEOUT and answers 503 itself (a timed-out request is not tried again,
    which would hold the upload and its database connection for a multiple of it).
    Nothing is recorded; once S3 answers again the same file is taken."""
    access, secret, bucket = "hung-key", "hung-secret-123", "hung-bucket"
    s3 = SeaweedS3(tmp_path / "s3", free_port(), access, secret).start()
    docs = _documents_on(stack, s3, bucket, S3_READ_TIMEOUT="1")
    did = str(uuid.uuid4())
    uploader = "applicant-hung"

    try:
        docs.start()
        # This client waits 30 s: a 503 within that is the service's own answer, not
        # this client giving up (retried reads of 30 s each would have taken 90 s).
        async with httpx.AsyncClient(
            base_url=docs.url, timeout=30, auth=AS_GATEWAY_TO_DOCUMENTS
        ) as client:
            first = await upload(client, did, corpus.clean_scan(94), uploader=uploader)
            assert first.status_code == 201, first.text
            os.killpg(s3.proc.pid, signal.SIGSTOP)
            try:
                r = await upload(client, did, corpus.clean_scan(95), uploader=uploader)
            finally:
                os.killpg(s3.proc.pid, signal.SIGCONT)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["type"] == "urn:zhicheng:problem:storage-unavailable"
            listed = await client.get(
                f"/v1/declarations/{did}/documents", params={"include_inactive": "true"}
            )
            assert [d["id"] for d in listed.json()] == [first.json()["id"]]
            again = await upload(client, did, corpus.clean_scan(95), uploader=uploader)
            assert again.status_code == 201, again.text
    finally:
        docs.stop()
        s3.stop()
