"""Limits and failures: body cap while streaming, S3 outage, commit failure, sweeper."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest

from scripts.servers import SeaweedS3, free_port
from services.documents.main import build_app
from services.documents.sweeper import sweep_orphans
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.conftest import Stack
from tests.documents import corpus
from tests.documents.conftest import settings, upload
from tests.support import AS_GATEWAY_TO_DOCUMENTS, running

CAP = 1024 * 1024


async def test_declared_length_over_the_cap_is_413(stack: Stack, declaration) -> None:
    async with running(
        build_app(settings(stack, max_upload_bytes=CAP)), auth=AS_GATEWAY_TO_DOCUMENTS
    ) as client:
        response = await upload(client, declaration, b"\xff\xd8\xff" + b"0" * (2 * CAP))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == "urn:zhicheng:problem:upload-too-large"


async def test_chunked_body_is_cut_off_at_the_cap(stack: Stack, declaration) -> None:
    sent = 0
    boundary = "zhichengboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n'
        f"title_certificate\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    async def body():
        nonlocal sent
        yield head
        for _ in range(64):  # 64 × 256 KB = 16 MB offered, no Content-Length
            sent += 256 * 1024
            yield b"\x00" * (256 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    async with running(
        build_app(settings(stack, max_upload_bytes=CAP)), auth=AS_GATEWAY_TO_DOCUMENTS
    ) as client:
        response = await client.post(
            f"/v1/declarations/{declaration}/documents",
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 413
        listed = await client.get(
            f"/v1/declarations/{declaration}/documents", params={"include_inactive": "true"}
        )
        assert listed.json() == []
    # The service stopped reading soon after the cap instead of taking all 16 MB.
    assert sent <= CAP + 512 * 1024


@pytest.mark.slow
async def test_s3_outage_answers_503_and_stores_nothing(stack: Stack, tmp_path, declaration):
    s3 = SeaweedS3(tmp_path / "s3", free_port(), "outage-key", "outage-secret-123").start()
    try:
        cfg = settings(
            stack,
            s3_endpoint=s3.url,
            s3_access_key="outage-key",
            s3_secret_key="outage-secret-123",
            s3_bucket="outage-bucket",
            ensure_bucket_on_start=True,
        )
        async with running(build_app(cfg), auth=AS_GATEWAY_TO_DOCUMENTS) as client:
            assert (await upload(client, declaration, corpus.clean_scan(30))).status_code == 201
            assert (await client.get("/readyz")).status_code == 200
            s3.stop()
            response = await upload(client, declaration, corpus.clean_scan(31))
            assert response.status_code == 503
            assert response.headers["retry-after"] == "10"
            assert response.json()["type"] == "urn:zhicheng:problem:storage-unavailable"
            listed = await client.get(
                f"/v1/declarations/{declaration}/documents", params={"include_inactive": "true"}
            )
            assert len(listed.json()) == 1
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["down"] == ["s3"]
            s3.start()
            again = await upload(client, declaration, corpus.clean_scan(31))
            assert again.status_code == 201, again.text
    finally:
        s3.stop()


async def _hang_up_after_the_body(app, path: str, data: bytes) -> list[dict]:
    """One multipart request straight to the ASGI app whose caller sends the whole body,
    then hangs up while the file is checked and stored (the gateway's timeout)."""
    request = httpx.Request(
        "POST",
        f"http://test{path}",
        data={"kind": "title_certificate"},
        files={"file": ("scan.jpg", data, "image/jpeg")},
    )
    # Signed as the gateway's client signs it.
    request = next(AS_GATEWAY_TO_DOCUMENTS.auth_flow(request))
    body = request.read()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "state": {},
    }
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])
    sent: list[dict] = []

    async def receive():
        return next(messages, {"type": "http.disconnect"})

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_upload_whose_caller_hung_up_is_not_committed(stack: Stack, s3, docs) -> None:
    declaration = "hungup" + uuid.uuid4().hex[:8]
    path = f"/v1/declarations/{declaration}/documents"
    sent = await _hang_up_after_the_body(docs._transport.app, path, corpus.clean_scan(37))
    assert sent[0]["status"] == 400
    problem = json.loads(sent[1]["body"])
    assert problem["type"] == "urn:zhicheng:problem:upload-interrupted"
    listed = await docs.get(path, params={"include_inactive": "true"})
    assert listed.json() == []
    # Beside a document already stored likewise (the gateway's replacement is such an
    # upload): nothing new is kept.
    old = (await upload(docs, declaration, corpus.clean_scan(38))).json()
    sent = await _hang_up_after_the_body(docs._transport.app, path, corpus.clean_scan(39))
    assert sent[0]["status"] == 400
    listed = await docs.get(path, params={"include_inactive": "true"})
    assert [(d["id"], d["status"]) for d in listed.json()] == [(old["id"], "accepted")]
    # The caller's retry is not refused as a duplicate of a document nobody was told of.
    again = await upload(docs, declaration, corpus.clean_scan(37))
    assert again.status_code == 201, again.text


def _keys(s3, bucket: str, prefix: str) -> set[str]:
    return {
        o.object_name
        for o in s3.list_objects(bucket, prefix=prefix, recursive=True, include_version=True)
    }


async def test_object_of_a_row_that_failed_to_commit_is_swept(stack: Stack, s3, docs) -> None:
    declaration = "commitfails" + uuid.uuid4().hex[:8]
    # As the owner: triggers are the owner's to create.
    conn = await asyncpg.connect(stack.owner_database_url.replace("+asyncpg", ""))
    # A real database refusal at COMMIT time (deferred constraint trigger), after the
    # object has been written: exactly the window the sweeper exists for.
    await conn.execute(f"""
        CREATE FUNCTION documents.refuse_{declaration}() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'refused at commit'; END $$ LANGUAGE plpgsql;
        CREATE CONSTRAINT TRIGGER refuse_{declaration} AFTER INSERT ON documents.document
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (NEW.declaration_id = '{declaration}')
        EXECUTE FUNCTION documents.refuse_{declaration}();
    """)
    try:
        response = await upload(docs, declaration, corpus.clean_scan(32))
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    finally:
        await conn.execute(
            f"DROP TRIGGER refuse_{declaration} ON documents.document;"
            f"DROP FUNCTION documents.refuse_{declaration}()"
        )
        await conn.close()
    prefix = f"declarations/{declaration}/"
    listed = await docs.get(
        f"/v1/declarations/{declaration}/documents", params={"include_inactive": "true"}
    )
    assert listed.json() == []
    assert len(_keys(s3, stack.s3_bucket, prefix)) == 1  # the orphan
    kept = (await upload(docs, "keeper" + uuid.uuid4().hex[:8], corpus.clean_scan(33))).json()

    maker = docs._transport.app.state.sessionmaker
    # Young objects are left alone: their row may still be committing.
    young = await sweep_orphans(maker, s3, stack.s3_bucket, older_than=timedelta(hours=1))
    assert not any(k.startswith(prefix) for k in young)
    assert len(_keys(s3, stack.s3_bucket, prefix)) == 1
    swept = await sweep_orphans(maker, s3, stack.s3_bucket, older_than=timedelta(0))
    assert any(k.startswith(prefix) for k in swept)
    assert _keys(s3, stack.s3_bucket, prefix) == set()
    assert kept["object_key"] not in swept
    assert _keys(s3, stack.s3_bucket, kept["object_key"]) == {kept["object_key"]}


async def test_deleted_document_object_is_swept(stack: Stack, s3, docs, declaration) -> None:
    doc = (await upload(docs, declaration, corpus.clean_scan(34))).json()
    stray = f"declarations/{declaration}/{uuid.uuid4()}/stray.jpg"
    s3.put_object(stack.s3_bucket, stray, io.BytesIO(b"x"), 1)
    deleted = await docs.delete(f"/v1/documents/{doc['id']}")
    assert deleted.status_code == 204
    maker = docs._transport.app.state.sessionmaker
    swept = await sweep_orphans(maker, s3, stack.s3_bucket, older_than=timedelta(0))
    assert {doc["object_key"], stray} <= set(swept)
    assert _keys(s3, stack.s3_bucket, f"declarations/{declaration}/") == set()


def test_store_refuses_bytes_that_do_not_match_their_checksum(stack: Stack, s3) -> None:
    # What put_verified relies on: the store checks x-amz-checksum-sha256 itself.
    import base64
    import hashlib

    from minio.error import S3Error

    from services.documents.storage import is_unavailable, put_verified

    data = corpus.clean_scan(35)
    wrong = base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode()
    key = f"declarations/checksum/{uuid.uuid4()}/x.jpg"
    with pytest.raises(S3Error) as caught:
        s3.put_object(
            stack.s3_bucket,
            key,
            io.BytesIO(data),
            len(data),
            metadata={"x-amz-checksum-sha256": wrong},
        )
    assert caught.value.code == "BadDigest"
    assert is_unavailable(caught.value)
    assert not _keys(s3, stack.s3_bucket, key)
    version = put_verified(s3, stack.s3_bucket, key, data, "image/jpeg")
    assert version
    s3.remove_object(stack.s3_bucket, key, version_id=version)


async def test_checks_do_not_block_the_event_loop(docs, declaration) -> None:
    # Normalising a HEIC photo takes a few hundred ms of CPU in a worker thread; the loop
    # keeps answering probes meanwhile. Were that work on the loop, no probe could be
    # answered during it: one gap between answers would span most of the upload.
    data = corpus.heic_photo(36)
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.create_task(
        upload(
            docs, declaration, data, filename="a.heic", content_type="image/heic", normalize=True
        )
    )
    answers = [started]
    while not task.done():
        assert (await docs.get("/healthz")).status_code == 200
        answers.append(loop.time())
        await asyncio.sleep(0.005)
    response = await task
    total = loop.time() - started
    assert response.status_code == 201, response.text
    longest_gap = max(b - a for a, b in itertools.pairwise(answers))
    assert longest_gap < total / 2, (longest_gap, total)


async def test_the_periodic_sweeper_runs_in_the_service(stack: Stack, s3) -> None:
    cfg = settings(stack, sweep_interval_seconds=1, sweep_grace_seconds=0)
    stray = f"declarations/periodic/{uuid.uuid4()}/stray.jpg"
    s3.put_object(stack.s3_bucket, stray, io.BytesIO(b"x"), 1)
    async with running(build_app(cfg)):
        for _ in range(100):
            if not _keys(s3, stack.s3_bucket, stray):
                break
            await asyncio.sleep(0.1)
    assert not _keys(s3, stack.s3_bucket, stray)
