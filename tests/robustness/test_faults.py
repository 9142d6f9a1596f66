"""Faults the other suites do not cover: the eligibility service stopped during submission,
PostgreSQL restarted under concurrent writers.

Covered elsewhere, not repeated here:
- S3 stopped: tests/documents/test_faults.py::test_s3_outage_answers_503_and_stores_nothing
  (503 with Retry-After, no row, the same process uploads again once S3 is back; a
  SeaweedFS restart takes ~20 s here, so it is not repeated through the gateway) and
  ::test_object_of_a_row_that_failed_to_commit_is_swept (an object whose row did not
  commit is swept: no half-stored document either way).
- The document service down: tests/api/test_documents_route.py (503, declaration unchanged);
  each dependency down: tests/stack/test_readiness.py (/readyz 503, 200 again unrestarted).
- Valkey restarted without persistence, worker kill -9 mid-send (exactly one SMS each):
  tests/notify/test_faults.py.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import asyncpg
import pytest

from scripts.servers import Postgres, free_port, port_open
from services.api.config import ApiSettings
from services.api.main import build_app
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.api.conftest import (
    OPS,
    attachments_for,
    auth,
    make_campaign,
    make_tree,
    new_draft,
    post,
    token,
)
from tests.conftest import ROOT, Stack
from tests.support import running


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


@pytest.mark.slow
async def test_eligibility_down_at_submission(stack: Stack) -> None:
    rules = _Service("services.rules.main:app", stack.env(LOG_LEVEL="WARNING")).start()
    try:
        settings = ApiSettings(**stack.settings_kwargs(), rules_url=rules.url, rules_timeout=3)
        async with running(build_app(settings)) as client:
            tree = await make_tree(client, label="评估停机")
            campaign = await make_campaign(client)
            applicant = token("applicant")
            did = await new_draft(client, tree, campaign, applicant)
            url = f"/v1/declarations/{did}"
            # Attach what the eligibility service asks for, so only its absence can fail.
            r = await post(client, url + "/submissions", applicant)
            assert r.status_code == 422, r.text
            kinds = [e["material_id"] for e in r.json()["errors"] if e.get("material_id")]
            etag = (await client.get(url, headers=auth(applicant))).headers["etag"]
            r = await client.patch(
                url,
                json={"attachments": attachments_for(kinds)},
                headers=auth(applicant, **{"If-Match": etag}),
            )
            assert r.status_code == 200, r.text
            before = await client.get(url, headers=auth(applicant))
            audit_before = (await client.get(url + "/audit", headers=auth(applicant))).json()

            rules.stop()
            key = uuid.uuid4().hex
            r = await post(client, url + "/submissions", applicant, key=key)
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
                json={"specialty": "机械工程"},
                headers=auth(applicant, **{"If-Match": after.headers["etag"]}),
            )
            assert r.status_code == 200, r.text

            # Back again: the same key is not a stored failure; the submission goes through.
            rules.start()
            r = await post(client, url + "/submissions", applicant, key=key)
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
        env = stack.env(DATABASE_URL=pg.url)
        migrate = [sys.executable, "-m", "scripts.migrate"]
        await asyncio.to_thread(subprocess.run, migrate, env=env, check=True, cwd=ROOT)
        settings = ApiSettings(
            **{**stack.settings_kwargs(), "database_url": pg.url},
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
