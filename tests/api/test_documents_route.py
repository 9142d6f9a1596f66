"""The gateway's document routes on the real stack: the document service under uvicorn
(PostgreSQL + SeaweedFS S3), the eligibility service, and the gateway app."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from scripts.servers import free_port, port_open
from services.api.config import ApiSettings
from services.api.main import build_app
from tests.api.factories import (
    attachments_for,
    auth,
    drafted,
    make_campaign,
    make_tree,
    new_draft,
    post,
    token,
)
from tests.api.races import streaming_while
from tests.conftest import ROOT, Stack
from tests.documents import corpus
from tests.support import running


@pytest.fixture(scope="module")
def documents_url(stack: Stack, uvicorn_service) -> str:
    return uvicorn_service("services.documents.main:app", stack.env(SWEEP_INTERVAL_SECONDS="0"))


@pytest.fixture
async def gateway(stack: Stack, rules_url: str, documents_url: str):
    settings = ApiSettings(
        **stack.settings_kwargs(), rules_url=rules_url, documents_url=documents_url
    )
    async with running(build_app(settings)) as c:
        yield c


async def upload(
    client: httpx.AsyncClient,
    did: str,
    tok: str,
    data: bytes,
    *,
    kind: str = "title_certificate",
    replaces: str | None = None,
    note: str | None = None,
    item: tuple[str, int] | None = None,
) -> httpx.Response:
    url = f"/v1/declarations/{did}/documents" + (f"/{replaces}/replace" if replaces else "")
    fields = {"kind": kind, **({"note": note} if note else {})}
    params = {"item_section": item[0], "item_index": item[1]} if item else None
    return await client.post(
        url,
        params=params,
        data=fields,
        files={"file": ("scan.jpg", data, "image/jpeg")},
        headers=auth(tok),
    )


async def declaration(client: httpx.AsyncClient, did: str, tok: str) -> httpx.Response:
    r = await client.get(f"/v1/declarations/{did}", headers=auth(tok))
    assert r.status_code == 200, r.text
    return r


async def stored_documents(documents_url: str, did: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=documents_url) as direct:
        r = await direct.get(
            f"/v1/declarations/{did}/documents", params={"include_inactive": "true"}
        )
        assert r.status_code == 200, r.text
        return r.json()


async def test_an_upload_names_an_entry_the_draft_has(gateway, documents_url) -> None:
    """Evidence for an entry (the second paper, an award) the draft does not have, or half
    a reference, is refused before the file travels: nothing attached, nothing stored."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="材料条目")
    for item in (("papers", 1), ("awards", 0), ("basic_info", 0)):
        r = await upload(
            gateway, did, applicant, corpus.clean_scan(72), kind="paper_cover", item=item
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "urn:zhicheng:problem:document-item-invalid"
    r = await gateway.post(
        f"/v1/declarations/{did}/documents",
        params={"item_section": "papers"},
        data={"kind": "paper_cover"},
        files={"file": ("scan.jpg", corpus.clean_scan(73), "image/jpeg")},
        headers=auth(applicant),
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:zhicheng:problem:document-item-invalid"
    assert (await declaration(gateway, did, applicant)).json()["attachments"] == []
    assert await stored_documents(documents_url, did) == []


async def test_upload_attaches_the_material_and_a_reviewer_downloads_it(gateway) -> None:
    tree = await make_tree(gateway, label="材料")
    campaign = await make_campaign(gateway)
    applicant = token("applicant", sub=f"docs-{uuid.uuid4().hex[:6]}")
    did = await new_draft(gateway, tree, campaign, applicant)
    before = await post(gateway, f"/v1/declarations/{did}/submissions", applicant)
    assert before.status_code == 422
    assert any(e.get("section") == "papers" for e in before.json()["errors"])

    data = corpus.clean_scan(71)
    # The cover of the first paper: 002 一（二）5（2）, each paper its own set of scans.
    r = await upload(
        gateway, did, applicant, data, kind="paper_cover", note="期刊封面", item=("papers", 0)
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["status"] == "accepted" and doc["kind"] == "paper_cover"
    assert doc["uploader_id"].startswith("docs-")
    assert doc["received_sha256"] == hashlib.sha256(data).hexdigest()
    current = await declaration(gateway, did, applicant)
    assert current.headers["etag"] == r.headers["etag"]
    # The document service's kind paper_cover satisfies the policy material academic_output,
    # for the paper it names.
    assert current.json()["attachments"] == [
        {
            "document_id": doc["id"],
            "kind": "academic_output",
            "document_kind": "paper_cover",
            "note": "期刊封面",
            "item": {"section": "papers", "index": 0},
        }
    ]

    # The completeness check asks for the paper's other scans, no longer its cover.
    r = await post(gateway, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 422
    (paper,) = [e for e in r.json()["errors"] if e.get("section") == "papers"]
    assert paper["item"] == {"section": "papers", "index": 0}
    assert paper["document_kinds"] == [
        "journal_lookup_screenshot",
        "paper_contents",
        "paper_copyright_page",
        "paper_full_text",
    ]
    assert "期刊封面" not in paper["message"] and "版权页" in paper["message"]
    # Attach the rest and submit.
    rest = attachments_for(r.json()["errors"])
    body = {"attachments": current.json()["attachments"] + rest}
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    assert (await gateway.patch(f"/v1/declarations/{did}", json=body, headers=headers)).is_success
    r = await post(gateway, f"/v1/declarations/{did}/submissions", applicant)
    assert r.status_code == 200, r.text

    # The unit reviewer, whose step the chain has reached, gets a link of at most 15 min.
    link_url = f"/v1/declarations/{did}/documents/{doc['id']}/download"
    r = await gateway.get(link_url, headers=auth(tree.tokens["unit_reviewer"]))
    assert r.status_code == 200, r.text
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(seconds=901)
    async with httpx.AsyncClient() as anyone:
        fetched = await anyone.get(r.json()["url"])
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == doc["stored_sha256"]
    # Offices above see it too; a reviewer of another tree does not learn it exists.
    office = await gateway.get(link_url, headers=auth(tree.tokens["series_office"]))
    assert office.status_code == 200
    stranger = token("unit_reviewer", uuid.uuid4(), sub="docs-stranger")
    r = await gateway.get(link_url, headers=auth(stranger))
    assert r.status_code == 404
    assert r.json()["type"] == "urn:zhicheng:problem:declaration-not-found"
    assert (
        await gateway.get(link_url + "?expires_in=901", headers=auth(applicant))
    ).status_code == 422

    # Submitted: no more uploads or deletions, and nothing new is stored.
    r = await upload(gateway, did, applicant, corpus.clean_scan(72))
    assert r.status_code == 409
    assert r.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
    r = await gateway.delete(
        f"/v1/declarations/{did}/documents/{doc['id']}", headers=auth(applicant)
    )
    assert r.status_code == 409
    listed = await gateway.get(f"/v1/declarations/{did}/documents", headers=auth(applicant))
    assert [d["id"] for d in listed.json()] == [doc["id"]]


async def test_rejected_scan_comes_back_as_problem_and_attaches_nothing(gateway) -> None:
    _tree, _campaign, applicant, did = await drafted(gateway, label="驳回")
    before = await declaration(gateway, did, applicant)
    r = await upload(gateway, did, applicant, corpus.blurred_scan(73))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:document-rejected"
    assert "image-blurred" in {f["code"] for f in problem["findings"]}
    assert "模糊" in problem["detail"] or "清晰" in problem["detail"]
    # Not a multipart body at all: the document service's problem, passed on.
    r = await gateway.post(
        f"/v1/declarations/{did}/documents", json={"kind": "photo"}, headers=auth(applicant)
    )
    assert 400 <= r.status_code < 500 and r.headers["content-type"] == "application/problem+json"
    after = await declaration(gateway, did, applicant)
    assert after.json()["attachments"] == [] and after.headers["etag"] == before.headers["etag"]


async def test_others_cannot_upload_and_nothing_reaches_the_store(gateway, documents_url) -> None:
    tree = await make_tree(gateway, label="他人")
    campaign = await make_campaign(gateway)
    owner = token("applicant")
    did = await new_draft(gateway, tree, campaign, owner)
    data = corpus.clean_scan(74)
    other = await upload(gateway, did, token("applicant"), data)
    assert other.status_code == 404
    assert other.json()["type"] == "urn:zhicheng:problem:declaration-not-found"
    # A reviewer does not see a draft at all; nor does anyone without a token upload.
    reviewer = await upload(gateway, did, tree.tokens["unit_reviewer"], data)
    assert reviewer.status_code == 404
    anonymous = await gateway.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": "title_certificate"},
        files={"file": ("scan.jpg", data, "image/jpeg")},
    )
    assert anonymous.status_code == 401
    missing = await upload(gateway, str(uuid.uuid4()), owner, data)
    assert missing.status_code == 404
    assert await stored_documents(documents_url, did) == []


async def test_replace_and_delete_keep_attachments_in_step(gateway, documents_url) -> None:
    tree, campaign, applicant, did = await drafted(gateway, label="替换")
    other_did = await new_draft(gateway, tree, campaign, applicant)
    first = (await upload(gateway, did, applicant, corpus.clean_scan(75))).json()
    foreign = await upload(gateway, other_did, applicant, corpus.clean_scan(76))
    assert foreign.status_code == 201

    r = await upload(gateway, did, applicant, corpus.clean_scan(77), replaces=first["id"])
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["replaces_id"] == first["id"]
    attachments = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert attachments == [
        {
            "document_id": second["id"],
            "kind": "title_certificate",
            "document_kind": "title_certificate",
        }
    ]
    statuses = {d["id"]: d["status"] for d in await stored_documents(documents_url, did)}
    assert statuses == {first["id"]: "superseded", second["id"]: "accepted"}

    # Another declaration's document cannot be reached through this one.
    url = f"/v1/declarations/{did}/documents/{foreign.json()['id']}"
    r = await gateway.delete(url, headers=auth(applicant))
    assert r.status_code == 404
    assert r.json()["type"] == "urn:zhicheng:problem:document-not-found"
    r = await gateway.get(url + "/download", headers=auth(applicant))
    assert r.status_code == 404

    r = await gateway.delete(
        f"/v1/declarations/{did}/documents/{second['id']}", headers=auth(applicant)
    )
    assert r.status_code == 204
    assert (await declaration(gateway, did, applicant)).json()["attachments"] == []
    listed = await gateway.get(f"/v1/declarations/{did}/documents", headers=auth(applicant))
    assert listed.json() == []

    # A paper's cover replaced without naming its entry again still proves that paper.
    cover = await upload(
        gateway, did, applicant, corpus.clean_scan(78), kind="paper_cover", item=("papers", 0)
    )
    assert cover.status_code == 201, cover.text
    r = await upload(
        gateway,
        did,
        applicant,
        corpus.clean_scan(74),
        kind="paper_cover",
        replaces=cover.json()["id"],
    )
    assert r.status_code == 201, r.text
    (entry,) = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert entry["document_id"] == r.json()["id"]
    assert entry["item"] == {"section": "papers", "index": 0}


def start_documents(stack: Stack) -> tuple[subprocess.Popen, str]:
    """A document service of this test's own, so the test can stop it."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.documents.main:app", "--host",
         "127.0.0.1", "--port", str(port), "--no-access-log"],
        env=stack.env(SWEEP_INTERVAL_SECONDS="0"), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not port_open(port):
        assert proc.poll() is None and time.monotonic() < deadline, "documents did not start"
        time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


async def test_document_service_down_is_503_and_declaration_unchanged(
    stack: Stack, rules_url: str, gateway
) -> None:
    _tree, _campaign, applicant, did = await drafted(gateway, label="停服")
    proc, url = start_documents(stack)
    try:
        settings = ApiSettings(**stack.settings_kwargs(), rules_url=rules_url, documents_url=url)
        async with running(build_app(settings)) as c:
            first = await upload(c, did, applicant, corpus.clean_scan(78))
            assert first.status_code == 201, first.text
            before = await declaration(gateway, did, applicant)
            proc.terminate()
            proc.wait(10)
            # Down after the gateway has talked to it: the upload itself fails to connect.
            r = await upload(c, did, applicant, corpus.clean_scan(81))
            assert r.status_code == 503
            assert r.headers["content-type"] == "application/problem+json"
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["type"] == "urn:zhicheng:problem:documents-unavailable"
            assert "稍后重试" in r.json()["detail"]
            doc_url = f"/v1/declarations/{did}/documents/{first.json()['id']}"
            for response in (
                await c.get(f"/v1/declarations/{did}/documents", headers=auth(applicant)),
                await c.get(doc_url + "/download", headers=auth(applicant)),
                await c.delete(doc_url, headers=auth(applicant)),
            ):
                assert response.status_code == 503
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
    after = await declaration(gateway, did, applicant)
    assert after.json()["attachments"] == before.json()["attachments"]
    assert [a["document_id"] for a in after.json()["attachments"]] == [first.json()["id"]]
    assert after.headers["etag"] == before.headers["etag"]
    # Never reached at all (the gateway cannot even learn the material kinds): also a 503.
    cold = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=f"http://127.0.0.1:{free_port()}",
    )
    async with running(build_app(cold)) as down:
        r = await upload(down, did, applicant, corpus.clean_scan(82))
        assert r.status_code == 503 and r.headers["retry-after"]
    assert (await declaration(gateway, did, applicant)).headers["etag"] == before.headers["etag"]


async def test_oversized_upload_is_413_not_stored(
    stack: Stack, rules_url: str, uvicorn_service, gateway
) -> None:
    small = uvicorn_service(
        "services.documents.main:app",
        stack.env(SWEEP_INTERVAL_SECONDS="0", MAX_UPLOAD_BYTES=str(1024 * 1024)),
    )
    _tree, _campaign, applicant, did = await drafted(gateway, label="超限")
    settings = ApiSettings(**stack.settings_kwargs(), rules_url=rules_url, documents_url=small)
    async with running(build_app(settings)) as capped:
        r = await upload(capped, did, applicant, corpus.clean_scan(79) + bytes(8 * 1024 * 1024))
        assert r.status_code == 413, r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert (await declaration(gateway, did, applicant)).json()["attachments"] == []
    assert await stored_documents(small, did) == []


async def test_submitted_while_streaming_stores_nothing(gateway, documents_url) -> None:
    """The declaration is submitted while the file is still streaming in: the document
    the service accepted is deleted again and the upload refused, nothing dangles."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="并发提交")
    r = await post(gateway, f"/v1/declarations/{did}/submissions", applicant)
    current = await declaration(gateway, did, applicant)
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    body = {"attachments": attachments_for(r.json()["errors"])}
    assert (await gateway.patch(f"/v1/declarations/{did}", json=body, headers=headers)).is_success

    uploaded, submission = await streaming_while(
        gateway,
        f"/v1/declarations/{did}/documents",
        applicant,
        corpus.clean_scan(80),
        lambda: post(gateway, f"/v1/declarations/{did}/submissions", applicant),
    )
    assert submission.status_code == 200, submission.text
    assert uploaded.status_code == 409, uploaded.text
    assert uploaded.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
    after = await declaration(gateway, did, applicant)
    ids = [a["document_id"] for a in after.json()["attachments"]]
    assert ids == [a["document_id"] for a in body["attachments"]]
    assert await stored_documents(documents_url, did) == []


async def test_replace_racing_a_submission_leaves_the_old_document_in_force(
    gateway, documents_url
) -> None:
    """A replacement still streaming in when the declaration is submitted is refused, and
    the document it would have replaced stays active and attached."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="替换并发提交")
    old = await upload(gateway, did, applicant, corpus.clean_scan(86))
    assert old.status_code == 201, old.text
    r = await post(gateway, f"/v1/declarations/{did}/submissions", applicant)
    current = await declaration(gateway, did, applicant)
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    body = {"attachments": current.json()["attachments"] + attachments_for(r.json()["errors"])}
    assert (await gateway.patch(f"/v1/declarations/{did}", json=body, headers=headers)).is_success

    replaced, submission = await streaming_while(
        gateway,
        f"/v1/declarations/{did}/documents/{old.json()['id']}/replace",
        applicant,
        corpus.clean_scan(87),
        lambda: post(gateway, f"/v1/declarations/{did}/submissions", applicant),
    )
    assert submission.status_code == 200, submission.text
    assert replaced.status_code == 409, replaced.text
    assert replaced.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
    after = await declaration(gateway, did, applicant)
    ids = [a["document_id"] for a in after.json()["attachments"]]
    assert ids == [a["document_id"] for a in body["attachments"]]
    assert old.json()["id"] in ids
    stored = await stored_documents(documents_url, did)
    assert [(d["id"], d["status"]) for d in stored] == [(old.json()["id"], "accepted")]


@contextlib.asynccontextmanager
async def commits_refused(stack: Stack, did: str):
    """While open, committing any change to declaration `did` fails the way a database
    that is shutting down fails: at COMMIT, with SQLSTATE 57P01."""
    # A fault injected by an operator: triggers are the owner's to create.
    conn = await asyncpg.connect(stack.owner_database_url.replace("+asyncpg", ""))
    name = "refuse_" + did.replace("-", "_")
    await conn.execute(f"""
        CREATE FUNCTION api.{name}() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'going away' USING ERRCODE = '57P01'; END $$ LANGUAGE plpgsql;
        CREATE CONSTRAINT TRIGGER {name} AFTER UPDATE ON api.declaration
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id = '{did}')
        EXECUTE FUNCTION api.{name}();
    """)
    try:
        yield
    finally:
        await conn.execute(f"DROP TRIGGER {name} ON api.declaration; DROP FUNCTION api.{name}()")
        await conn.close()


def assert_database_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"]
    assert r.json()["type"] == "urn:zhicheng:problem:database-unavailable"


async def test_database_failing_at_the_attachment_discards_the_document(
    stack: Stack, gateway, documents_url
) -> None:
    """The document service stored the file, then the gateway's database fails as the
    attachment is committed: 503, and the document is deleted again, so the retry is
    taken instead of being refused as a duplicate of a document the declaration lacks."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="附件落库失败")
    before = await declaration(gateway, did, applicant)
    async with commits_refused(stack, did):
        r = await upload(gateway, did, applicant, corpus.clean_scan(88))
    assert_database_unavailable(r)
    assert await stored_documents(documents_url, did) == []
    after = await declaration(gateway, did, applicant)
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json()["attachments"] == []
    again = await upload(gateway, did, applicant, corpus.clean_scan(88))
    assert again.status_code == 201, again.text
    attached = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert [a["document_id"] for a in attached] == [again.json()["id"]]


async def test_database_failing_after_a_replacement_took_effect_restores_the_original(
    stack: Stack, gateway, documents_url
) -> None:
    """The replacement was stored and took effect in the document service (the original
    superseded), then the declaration's commit fails: the replacement is deleted and the
    original, which the declaration still lists, is in force again; the retry is taken."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="替换落库失败")
    first = await upload(gateway, did, applicant, corpus.clean_scan(89))
    assert first.status_code == 201, first.text
    original = first.json()["id"]
    before = await declaration(gateway, did, applicant)
    async with commits_refused(stack, did):
        r = await upload(gateway, did, applicant, corpus.clean_scan(90), replaces=original)
    assert_database_unavailable(r)
    stored = await stored_documents(documents_url, did)
    assert [(d["id"], d["status"], d["superseded_by_id"]) for d in stored] == [
        (original, "accepted", None)
    ]
    after = await declaration(gateway, did, applicant)
    assert after.headers["etag"] == before.headers["etag"]
    assert [a["document_id"] for a in after.json()["attachments"]] == [original]
    link = await gateway.get(
        f"/v1/declarations/{did}/documents/{original}/download", headers=auth(applicant)
    )
    assert link.status_code == 200, link.text

    again = await upload(gateway, did, applicant, corpus.clean_scan(90), replaces=original)
    assert again.status_code == 201, again.text
    attached = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert [a["document_id"] for a in attached] == [again.json()["id"]]
    statuses = {d["id"]: d["status"] for d in await stored_documents(documents_url, did)}
    assert statuses == {original: "superseded", again.json()["id"]: "accepted"}
