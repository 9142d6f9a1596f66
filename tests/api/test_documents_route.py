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
from services.kit.openapi import NOTE_MAX_CHARS
from tests.api.factories import (
    answer_incomplete,
    auth,
    drafted,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submission,
    token,
)
from tests.api.races import streaming_while
from tests.conftest import ROOT, Stack
from tests.documents import corpus
from tests.support import AS_GATEWAY_TO_DOCUMENTS, running


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


async def listing(
    client: httpx.AsyncClient, did: str, tok: str, *, include_inactive: bool = False
) -> list[dict]:
    r = await client.get(
        f"/v1/declarations/{did}/documents",
        params={"include_inactive": str(include_inactive).lower()},
        headers=auth(tok),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def declaration(client: httpx.AsyncClient, did: str, tok: str) -> httpx.Response:
    r = await client.get(f"/v1/declarations/{did}", headers=auth(tok))
    assert r.status_code == 200, r.text
    return r


async def stored_documents(documents_url: str, did: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=documents_url, auth=AS_GATEWAY_TO_DOCUMENTS) as direct:
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


async def test_upload_attaches_the_material_and_a_reviewer_downloads_it(
    gateway, documents_url
) -> None:
    tree = await make_tree(gateway, label="材料")
    campaign = await make_campaign(gateway)
    applicant = token("applicant", sub=f"docs-{uuid.uuid4().hex[:6]}")
    did = await new_draft(gateway, tree, campaign, applicant)
    before = await submission(gateway, f"/v1/declarations/{did}/submissions", applicant)
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
    # The document service's kind paper_cover serves the policy material academic_output,
    # for the paper it names.
    assert doc["material"] == "academic_output"
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
    r = await submission(gateway, f"/v1/declarations/{did}/submissions", applicant)
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
    # Upload the rest (each of the paper's scans for its entry) and submit.
    attached = await answer_incomplete(gateway, did, applicant, r.json()["errors"])
    r = await submission(gateway, f"/v1/declarations/{did}/submissions", applicant)
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
    # The declaration's status is the gateway's own, read under the row lock: a header
    # claiming another (the document service once took X-Declaration-Status from its
    # caller) changes nothing, on the gateway or, straight, on the document service.
    forged = {"X-Declaration-Status": "draft", "X-Declaration-Editable": "true"}
    r = await gateway.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": "title_certificate"},
        files={"file": ("scan.jpg", corpus.clean_scan(74), "image/jpeg")},
        headers={**auth(applicant), **forged},
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
    r = await gateway.delete(
        f"/v1/declarations/{did}/documents/{doc['id']}", headers={**auth(applicant), **forged}
    )
    assert r.status_code == 409, r.text
    async with httpx.AsyncClient(base_url=documents_url) as direct:
        straight = await direct.post(
            f"/v1/declarations/{did}/documents",
            data={"kind": "title_certificate"},
            files={"file": ("scan.jpg", corpus.clean_scan(75), "image/jpeg")},
            headers=forged,
        )
        assert straight.status_code == 401, straight.text
        gone = await direct.delete(f"/v1/documents/{doc['id']}", headers=forged)
        assert gone.status_code == 401, gone.text
    listed = await gateway.get(f"/v1/declarations/{did}/documents", headers=auth(applicant))
    assert [d["id"] for d in listed.json()] == [a["document_id"] for a in attached]
    assert {d["id"] for d in await stored_documents(documents_url, did)} == {
        a["document_id"] for a in attached
    }


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
    # The gateway says which one is in force; the replaced file stays stored, so a
    # reviewer can still open what an earlier submission named.
    listed = await listing(gateway, did, applicant, include_inactive=True)
    assert {d["id"]: (d["status"], d["superseded_by_id"]) for d in listed} == {
        first["id"]: ("superseded", second["id"]),
        second["id"]: ("accepted", None),
    }
    assert [d["id"] for d in await listing(gateway, did, applicant)] == [second["id"]]
    assert {d["id"] for d in await stored_documents(documents_url, did)} == {
        first["id"],
        second["id"],
    }
    link = f"/v1/declarations/{did}/documents/{first['id']}/download"
    assert (await gateway.get(link, headers=auth(applicant))).status_code == 200
    # Replaced once, it cannot be replaced again nor deleted: 409, nothing stored.
    again = await upload(gateway, did, applicant, corpus.clean_scan(83), replaces=first["id"])
    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:zhicheng:problem:document-not-active"
    gone = await gateway.delete(
        f"/v1/declarations/{did}/documents/{first['id']}", headers=auth(applicant)
    )
    assert gone.status_code == 409, gone.text
    assert len(await stored_documents(documents_url, did)) == 2

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
    assert await listing(gateway, did, applicant) == []
    assert second["id"] not in {d["id"] for d in await stored_documents(documents_url, did)}

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


async def _refused_while_submitting(
    gateway, did: str, applicant: str, path: str, seed: int, attached: list[dict]
) -> list[str]:
    """Stream a scan to `path` while the declaration is submitted: the submission goes
    through, the upload is refused as the declaration is no longer editable, and the
    attachments stay as they were (their document ids)."""
    uploaded, submitted = await streaming_while(
        gateway,
        path,
        applicant,
        corpus.clean_scan(seed),
        lambda: submission(gateway, f"/v1/declarations/{did}/submissions", applicant),
    )
    assert submitted.status_code == 200, submitted.text
    assert uploaded.status_code == 409, uploaded.text
    assert uploaded.json()["type"] == "urn:zhicheng:problem:declaration-not-editable"
    after = await declaration(gateway, did, applicant)
    ids = [a["document_id"] for a in after.json()["attachments"]]
    assert ids == [a["document_id"] for a in attached]
    return ids


async def test_submitted_while_streaming_stores_nothing(gateway, documents_url) -> None:
    """The declaration is submitted while the file is still streaming in: the document
    the service accepted is deleted again and the upload refused, nothing dangles."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="并发提交")
    r = await submission(gateway, f"/v1/declarations/{did}/submissions", applicant)
    attached = await answer_incomplete(gateway, did, applicant, r.json()["errors"])

    path = f"/v1/declarations/{did}/documents"
    ids = await _refused_while_submitting(gateway, did, applicant, path, 80, attached)
    # The streamed document was deleted again: the store holds exactly what is attached.
    assert sorted(d["id"] for d in await stored_documents(documents_url, did)) == sorted(ids)


async def test_replace_racing_a_submission_leaves_the_old_document_in_force(
    gateway, documents_url
) -> None:
    """A replacement still streaming in when the declaration is submitted is refused, and
    the document it would have replaced stays active and attached."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="替换并发提交")
    old = await upload(gateway, did, applicant, corpus.clean_scan(86))
    assert old.status_code == 201, old.text
    r = await submission(gateway, f"/v1/declarations/{did}/submissions", applicant)
    # What else the submission asks for (the old document serves the title certificate).
    attached = await answer_incomplete(gateway, did, applicant, r.json()["errors"])

    path = f"/v1/declarations/{did}/documents/{old.json()['id']}/replace"
    ids = await _refused_while_submitting(gateway, did, applicant, path, 87, attached)
    assert old.json()["id"] in ids
    # Nothing superseded, and the refused replacement is not kept.
    listed = await listing(gateway, did, applicant, include_inactive=True)
    assert sorted((d["id"], d["status"]) for d in listed) == sorted((i, "accepted") for i in ids)
    assert sorted(d["id"] for d in await stored_documents(documents_url, did)) == sorted(ids)


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


async def test_database_failing_as_a_replacement_is_recorded_keeps_the_original(
    stack: Stack, gateway, documents_url
) -> None:
    """The replacement was stored, then the declaration's commit (which swaps it in and
    marks the original replaced, in one transaction) fails: the replacement is deleted,
    the original stays in force and attached; the retry is taken."""
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
    listed = await listing(gateway, did, applicant, include_inactive=True)
    assert {d["id"]: d["status"] for d in listed} == {
        original: "superseded",
        again.json()["id"]: "accepted",
    }


SCANS_ONLY = "上传的材料必须是原件扫描上传"  # 职称申报系统操作注意事项 一（二）★


async def test_attachments_name_only_this_declarations_documents_in_force(gateway) -> None:
    """职称申报系统操作注意事项 一（二）：“★上传的材料必须是原件扫描上传。”
    An attachment names a scan uploaded to this declaration, accepted, not replaced,
    whose kind serves the material:
    a typed-in id, another declaration's document, a rejected upload, a replaced one or
    a kind serving another material is refused, by name, and nothing changes."""
    tree, campaign, applicant, did = await drafted(gateway, label="附件核对")
    url = f"/v1/declarations/{did}"
    title = (await upload(gateway, did, applicant, corpus.clean_scan(101))).json()
    other_did = await new_draft(gateway, tree, campaign, applicant)
    foreign = (await upload(gateway, other_did, applicant, corpus.clean_scan(102))).json()
    rejected = await upload(gateway, did, applicant, corpus.blurred_scan(103))
    assert rejected.status_code == 422
    rejected_id = rejected.json()["document"]["id"]
    old = await upload(gateway, did, applicant, corpus.clean_scan(104), kind="paper_cover")
    old_id = old.json()["id"]
    new = await upload(
        gateway, did, applicant, corpus.clean_scan(105), kind="paper_cover", replaces=old_id
    )
    assert new.status_code == 201, new.text
    before = await declaration(gateway, did, applicant)

    async def patch(*entries: dict) -> httpx.Response:
        headers = auth(applicant, **{"If-Match": before.headers["etag"]})
        return await gateway.patch(url, json={"attachments": list(entries)}, headers=headers)

    typed_in = str(uuid.uuid4())  # refused: no test attaches an id it made up
    refusals = {
        typed_in: ("title_certificate", "attachment-unknown"),
        foreign["id"]: ("title_certificate", "attachment-unknown"),
        rejected_id: ("title_certificate", "attachment-unknown"),
        old_id: ("academic_output", "attachment-replaced"),
        title["id"]: ("education_proof", "attachment-wrong-material"),
    }
    for document_id, (material, code) in refusals.items():
        r = await patch({"document_id": document_id, "kind": material})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["type"] == f"urn:zhicheng:problem:{code}", problem
        assert material in problem["detail"] and document_id in problem["detail"]
        assert (problem["material"], problem["document_id"]) == (material, document_id)
    unknown = (await patch({"document_id": typed_in, "kind": "title_certificate"})).json()
    assert SCANS_ONLY in unknown["detail"]
    after = await declaration(gateway, did, applicant)
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json()["attachments"] == before.json()["attachments"]

    # What may stand: reordered, with a note; the document's kind is the gateway's word.
    stands = [
        {"document_id": new.json()["id"], "kind": "academic_output"},
        {"document_id": title["id"], "kind": "title_certificate", "note": "职称证书",
         "document_kind": "photo"},
    ]  # fmt: skip
    r = await patch(*stands)
    assert r.status_code == 200, r.text
    assert r.json()["attachments"] == [
        {**stands[0], "document_kind": "paper_cover"},
        {**stands[1], "document_kind": "title_certificate"},
    ]
    # A new draft holds no documents: attachments given at creation are refused too.
    r = await post(
        gateway,
        "/v1/declarations",
        applicant,
        {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "attachments": [{"document_id": title["id"], "kind": "title_certificate"}],
        },
    )
    assert r.status_code == 422 and r.json()["type"].endswith("attachment-unknown"), r.text


async def test_submission_counts_only_standing_attachments(gateway) -> None:
    """Completeness counts a material, or an entry's proof, only where an attachment names
    a document in force that serves it: one left out of the attachments is asked for
    again."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="附件计数")
    url = f"/v1/declarations/{did}"
    r = await submission(gateway, url + "/submissions", applicant)
    attached = await answer_incomplete(gateway, did, applicant, r.json()["errors"])
    dropped = next(a for a in attached if "item" not in a)  # a material, not an entry's proof
    proof = next(a for a in attached if a.get("item") == {"section": "papers", "index": 0})
    kept = [a for a in attached if a is not dropped and a is not proof]
    current = await declaration(gateway, did, applicant)
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    assert (await gateway.patch(url, json={"attachments": kept}, headers=headers)).is_success
    r = await submission(gateway, url + "/submissions", applicant)
    assert r.status_code == 422, r.text
    asked = [e.get("material_id") for e in r.json()["errors"] if e["kind"] == "material"]
    assert asked == [dropped["kind"]], r.json()["errors"]
    lacking = [
        (e["item"], e["document_kinds"]) for e in r.json()["errors"] if e["kind"] == "evidence"
    ]
    assert lacking == [(proof["item"], [proof["document_kind"]])], r.json()["errors"]
    # Named again (the documents are still this declaration's, in force): they are taken.
    current = await declaration(gateway, did, applicant)
    headers = auth(applicant, **{"If-Match": current.headers["etag"]})
    body = {"attachments": [dropped, proof, *kept]}
    assert (await gateway.patch(url, json=body, headers=headers)).is_success
    r = await submission(gateway, url + "/submissions", applicant)
    assert r.status_code == 200, r.text


async def test_a_note_with_a_nul_or_over_its_limit_is_refused_and_nothing_stored(
    gateway, documents_url
) -> None:
    """The note is refused whole (422), never stored cut short; the longest note allowed
    is kept whole on the declaration's attachment."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="备注")
    before = await declaration(gateway, did, applicant)
    r = await upload(gateway, did, applicant, corpus.clean_scan(91), note="备注\u0000")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:zhicheng:problem:invalid-character"
    assert "空字符" in r.json()["detail"]
    too_long = "备" * (NOTE_MAX_CHARS + 1)
    r = await upload(gateway, did, applicant, corpus.clean_scan(92), note=too_long)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:note-too-long"
    assert r.json()["limit"] == NOTE_MAX_CHARS and str(NOTE_MAX_CHARS) in r.json()["detail"]
    assert await stored_documents(documents_url, did) == []
    after = await declaration(gateway, did, applicant)
    assert after.headers["etag"] == before.headers["etag"]

    longest = "备" * NOTE_MAX_CHARS
    r = await upload(gateway, did, applicant, corpus.clean_scan(93), note=longest)
    assert r.status_code == 201, r.text
    [entry] = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert entry["note"] == longest


def raw_form(note: bytes, filename: bytes = b"scan.jpg", *, scan: bytes) -> bytes:
    """A multipart body written byte by byte, as a careless client sends it (httpx
    would encode the text itself)."""
    parts = [
        b'Content-Disposition: form-data; name="kind"\r\n\r\ntitle_certificate',
        b'Content-Disposition: form-data; name="note"\r\n\r\n' + note,
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + scan,
    ]
    return b"".join(b"--b0undary\r\n" + part + b"\r\n" for part in parts) + b"--b0undary--\r\n"


async def test_form_text_that_is_not_utf8_or_holds_controls_is_refused_by_name(
    gateway, documents_url
) -> None:
    """A note or a file name with bytes that are not UTF-8, an encoded lone surrogate,
    a NUL or a control character is refused, naming the field (`note`, `file.filename`),
    as the same text in JSON would be; never stored garbled (it was decoded as Latin-1)."""
    _tree, _campaign, applicant, did = await drafted(gateway, label="表单文字")
    before = await declaration(gateway, did, applicant)
    url = f"/v1/declarations/{did}/documents"
    headers = auth(applicant, **{"Content-Type": "multipart/form-data; boundary=b0undary"})
    scan = corpus.clean_scan(94)
    unstorable = [
        (b"\xe5\xa4\x87\xed\xa0\x80", b"scan.jpg", ["note"]),  # 备 and a lone surrogate
        (b"\xff\xfe", b"scan.jpg", ["note"]),  # not UTF-8 at all
        ("备注\x00".encode(), b"scan.jpg", ["note"]),
        ("备注".encode(), "扫描件\x00.jpg".encode(), ["file.filename"]),
        ("备注".encode(), b"scan\xff.jpg", ["file.filename"]),
        (b"\xff", b"\xed\xa0\x80.jpg", ["note", "file.filename"]),
    ]
    for note, filename, fields in unstorable:
        r = await gateway.post(url, content=raw_form(note, filename, scan=scan), headers=headers)
        assert r.status_code == 422, (note, filename, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["type"] == "urn:zhicheng:problem:invalid-character", problem
        assert [e["field"] for e in problem["errors"]] == fields, problem
        assert all(f in problem["detail"] for f in fields)
    controls = [
        ("备注\x07".encode(), b"scan.jpg", "note", "U+0007"),
        ("备注\u202e".encode(), b"scan.jpg", "note", "U+202E"),
        ("备注".encode(), "说明\u202egpj.exe".encode(), "file.filename", "U+202E"),
        ("备注".encode(), b"scan\t.jpg", "file.filename", "U+0009"),
    ]
    for note, filename, field, found in controls:
        r = await gateway.post(url, content=raw_form(note, filename, scan=scan), headers=headers)
        assert r.status_code == 422, (note, filename, r.text)
        problem = r.json()
        assert problem["type"] == "urn:zhicheng:problem:validation-error", problem
        assert [e["field"] for e in problem["errors"]] == [field], problem
        assert found in problem["errors"][0]["message"], problem
    assert await stored_documents(documents_url, did) == []
    after = await declaration(gateway, did, applicant)
    assert after.headers["etag"] == before.headers["etag"]  # nothing attached

    # A note over several lines (tabs and line breaks) in Chinese, and a Chinese file
    # name, as a browser sends them: kept exactly.
    note = "第1页：职称证书\r\n\t原件已核"
    r = await gateway.post(
        url, content=raw_form(note.encode(), "职称证书.jpg".encode(), scan=scan), headers=headers
    )
    assert r.status_code == 201, r.text
    [entry] = (await declaration(gateway, did, applicant)).json()["attachments"]
    assert entry["note"] == note
    [stored] = await stored_documents(documents_url, did)
    assert stored["original_name"] == "职称证书.jpg", stored
