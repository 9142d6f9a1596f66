"""Uploads through the document service's HTTP API, on real PostgreSQL and S3."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid

import httpx
from PIL import Image

from services.documents.storage import object_key
from services.kit.problems import PROBLEM_MEDIA_TYPE
from tests.conftest import Stack
from tests.documents import corpus
from tests.documents.conftest import upload


def _object(s3, stack: Stack, key: str, version_id: str | None = None) -> bytes:
    response = s3.get_object(stack.s3_bucket, key, version_id=version_id)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


async def test_clean_scan_is_accepted_and_stored_verbatim(docs, s3, stack, declaration) -> None:
    data = corpus.clean_scan(11)
    response = await upload(
        docs, declaration, data, note="2019 年取得", headers={"X-Uploader-ID": "applicant-7"}
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    sha = hashlib.sha256(data).hexdigest()
    assert doc["status"] == "accepted"
    assert doc["findings"] == [] and doc["changes"] == []
    assert doc["received_sha256"] == doc["stored_sha256"] == sha
    assert doc["object_key"] == object_key(declaration, doc["id"], sha, "image/jpeg")
    assert doc["object_key"] == f"declarations/{declaration}/{doc['id']}/{sha}.jpg"
    assert doc["uploader_id"] == "applicant-7" and doc["note"] == "2019 年取得"
    assert doc["upright_method"] == "projection-profile"
    assert doc["version_id"]
    assert _object(s3, stack, doc["object_key"], doc["version_id"]) == data
    assert s3.get_bucket_versioning(stack.s3_bucket).status == "Enabled"
    listed = (await docs.get(f"/v1/declarations/{declaration}/documents")).json()
    assert [d["id"] for d in listed] == [doc["id"]]


async def test_rejected_upload_lists_every_problem_and_keeps_no_bytes(docs, declaration) -> None:
    response = await upload(docs, declaration, corpus.rotated_scan(90, 12))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == "urn:zhicheng:problem:document-rejected"
    assert [f["code"] for f in body["findings"]] == ["page-not-upright"]
    assert "顺时针旋转 90°" in body["detail"]
    assert body["document"]["status"] == "rejected"
    assert body["document"]["object_key"] is None
    # The rejected record is kept (committed with the answer), but not listed as active.
    active = (await docs.get(f"/v1/declarations/{declaration}/documents")).json()
    assert active == []
    everything = await docs.get(
        f"/v1/declarations/{declaration}/documents", params={"include_inactive": "true"}
    )
    assert [d["status"] for d in everything.json()] == ["rejected"]


async def test_pdf_renamed_jpg_is_refused_by_its_bytes(docs, declaration) -> None:
    response = await upload(docs, declaration, corpus.plain_pdf(), filename="cert.jpg")
    assert response.status_code == 422
    codes = {f["code"] for f in response.json()["findings"]}
    assert codes == {"type-not-allowed", "name-type-mismatch"}


async def test_bomb_and_truncated_images_are_problems_not_crashes(docs, declaration) -> None:
    bomb = await upload(
        docs,
        declaration,
        corpus.bomb_png(),
        filename="x.png",
        content_type="image/png",
        normalize=True,
    )
    assert bomb.status_code == 422
    assert "image-too-many-pixels" in {f["code"] for f in bomb.json()["findings"]}
    cut = await upload(docs, declaration, corpus.truncated_jpeg(13))
    assert cut.status_code == 422
    assert [f["code"] for f in cut.json()["findings"]] == ["image-corrupt"]


async def test_heic_is_normalised_to_a_small_upright_jpeg(docs, s3, stack, declaration) -> None:
    data = corpus.heic_photo(14)
    response = await upload(
        docs, declaration, data, filename="IMG_0001.HEIC", content_type="image/heic", normalize=True
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["received_mime"] == "image/heic" and doc["stored_mime"] == "image/jpeg"
    assert {c["code"] for c in doc["changes"]} >= {"converted", "recompressed"}
    assert doc["received_sha256"] == hashlib.sha256(data).hexdigest()
    stored = _object(s3, stack, doc["object_key"])
    assert hashlib.sha256(stored).hexdigest() == doc["stored_sha256"] != doc["received_sha256"]
    assert len(stored) == doc["stored_size"] <= 512 * 1024
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


async def test_exif_rotated_photo_is_stored_upright(docs, s3, stack, declaration) -> None:
    response = await upload(docs, declaration, corpus.exif_rotated_scan(15), normalize=True)
    assert response.status_code == 201, response.text
    doc = response.json()
    assert "exif-applied" in {c["code"] for c in doc["changes"]}
    stored = Image.open(io.BytesIO(_object(s3, stack, doc["object_key"])))
    assert stored.size == (1240, 1754)
    assert stored.getexif().get(0x0112, 1) == 1
    # Without normalisation the same photo is accepted with a warning only.
    plain = await upload(docs, declaration + "x", corpus.exif_rotated_scan(15))
    assert plain.status_code == 201
    assert [f["code"] for f in plain.json()["findings"]] == ["exif-rotated"]


async def test_large_jpeg_refused_unless_normalised(docs, declaration) -> None:
    data = corpus.large_jpeg()
    refused = await upload(docs, declaration, data)
    assert refused.status_code == 422
    assert [f["code"] for f in refused.json()["findings"]] == ["file-too-large"]
    fixed = await upload(docs, declaration, data, normalize=True)
    assert fixed.status_code == 201
    assert fixed.json()["stored_size"] <= 512 * 1024


async def test_duplicate_of_the_same_declaration(docs, declaration) -> None:
    data = corpus.clean_scan(16)
    first = await upload(docs, declaration, data)
    assert first.status_code == 201
    second = await upload(docs, declaration, data, kind="award_certificate")
    assert second.status_code == 422
    (finding,) = second.json()["findings"]
    assert finding["code"] == "duplicate"
    assert finding["details"]["document_id"] == first.json()["id"]
    # Another declaration may carry the same file.
    assert (await upload(docs, declaration + "b", data)).status_code == 201


async def test_pdfs_where_the_kind_allows_them(docs, s3, stack, declaration) -> None:
    ok = await upload(
        docs,
        declaration,
        corpus.plain_pdf(2),
        kind="paper_full_text",
        filename="paper.pdf",
        content_type="application/pdf",
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["pages"] == 2 and ok.json()["object_key"].endswith(".pdf")
    for make, code in (
        (corpus.javascript_pdf, "pdf-active-content"),
        (corpus.encrypted_pdf, "pdf-encrypted"),
        (corpus.embedded_file_pdf, "pdf-active-content"),
    ):
        bad = await upload(
            docs,
            declaration,
            make(),
            kind="paper_full_text",
            filename="paper.pdf",
            content_type="application/pdf",
        )
        assert bad.status_code == 422
        assert [f["code"] for f in bad.json()["findings"]] == [code]


async def test_id_photo_rules(docs, declaration) -> None:
    assert (await upload(docs, declaration, corpus.id_photo(), kind="photo")).status_code == 201
    grey = await upload(docs, declaration, corpus.id_photo(colour=False), kind="photo")
    assert [f["code"] for f in grey.json()["findings"]] == ["photo-not-colour"]


async def test_bad_requests_are_problems(docs, declaration) -> None:
    unknown = await upload(docs, declaration, corpus.clean_scan(), kind="selfie")
    assert unknown.status_code == 422
    assert unknown.json()["type"] == "urn:zhicheng:problem:kind-unknown"
    not_multipart = await docs.post(
        f"/v1/declarations/{declaration}/documents",
        content=b"x",
        headers={"Content-Type": "image/jpeg"},
    )
    assert not_multipart.status_code == 415
    no_file = await docs.post(
        f"/v1/declarations/{declaration}/documents", files={"kind": (None, "title_certificate")}
    )
    assert no_file.status_code == 422
    assert no_file.json()["type"] == "urn:zhicheng:problem:file-missing"
    bad_id = await upload(docs, "../etc", corpus.clean_scan())
    assert bad_id.status_code in (404, 422)
    missing = await docs.get("/v1/documents/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_MEDIA_TYPE


async def test_download_link_serves_the_stored_bytes(docs, declaration) -> None:
    data = corpus.clean_scan(17)
    doc = (await upload(docs, declaration, data)).json()
    link = await docs.get(f"/v1/documents/{doc['id']}/download", params={"expires_in": 300})
    assert link.status_code == 200
    url = link.json()["url"]
    assert "X-Amz-Expires=300" in url
    async with httpx.AsyncClient() as plain:
        got = await plain.get(url)
    assert got.status_code == 200 and got.content == data
    too_long = await docs.get(f"/v1/documents/{doc['id']}/download", params={"expires_in": 901})
    assert too_long.status_code == 422
    default = (await docs.get(f"/v1/documents/{doc['id']}/download")).json()["url"]
    assert "X-Amz-Expires=900" in default


async def test_rejected_document_has_nothing_to_download(docs, declaration) -> None:
    body = (await upload(docs, declaration, corpus.blank_scan(18))).json()
    link = await docs.get(f"/v1/documents/{body['document']['id']}/download")
    assert link.status_code == 409


async def test_delete_only_before_submission(docs, declaration) -> None:
    doc = (await upload(docs, declaration, corpus.clean_scan(19))).json()
    path = f"/v1/documents/{doc['id']}"
    assert (await docs.delete(path)).status_code == 428
    locked = await docs.delete(path, headers={"X-Declaration-Status": "submitted"})
    assert locked.status_code == 409
    assert locked.json()["type"] == "urn:zhicheng:problem:declaration-submitted"
    assert (await docs.get(path)).status_code == 200
    assert (await docs.delete(path, headers={"X-Declaration-Status": "draft"})).status_code == 204
    assert (await docs.get(path)).status_code == 404


async def test_the_unit_uploads_and_deletes_its_own_at_its_step(docs, declaration) -> None:
    """申报系统操作注意事项 二: the unit's materials are filed after submission, at its step."""
    at_unit = {"X-Declaration-Status": "unit_review"}
    scan = corpus.clean_scan(22)
    refused = await upload(docs, declaration, scan, kind="defence_record", headers=at_unit)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:zhicheng:problem:declaration-submitted"
    unit = {**at_unit, "X-Uploader-Role": "unit"}
    stored = await upload(docs, declaration, scan, kind="defence_record", headers=unit)
    assert stored.status_code == 201, stored.text
    path = f"/v1/documents/{stored.json()['id']}"
    later = {"X-Declaration-Status": "series_office_review", "X-Uploader-Role": "unit"}
    assert (await docs.delete(path, headers=later)).status_code == 409
    assert (await docs.delete(path, headers=unit)).status_code == 204
    assert (await docs.get(path)).status_code == 404


async def test_replace_supersedes_the_old_document(docs, s3, stack, declaration) -> None:
    old_bytes, new_bytes = corpus.clean_scan(20), corpus.clean_scan(21)
    old = (await upload(docs, declaration, old_bytes)).json()
    path = f"/v1/documents/{old['id']}/replace"
    files = {"file": ("new.jpg", new_bytes, "image/jpeg")}
    submitted = await docs.post(path, files=files, headers={"X-Declaration-Status": "unit_review"})
    assert submitted.status_code == 409
    bad = await docs.post(
        path,
        files={"file": ("b.jpg", corpus.blank_scan(), "image/jpeg")},
        headers={"X-Declaration-Status": "returned"},
    )
    assert bad.status_code == 422
    assert (await docs.get(f"/v1/documents/{old['id']}")).json()["status"] == "accepted"
    new = await docs.post(path, files=files, headers={"X-Declaration-Status": "returned"})
    assert new.status_code == 201, new.text
    assert new.json()["replaces_id"] == old["id"] and new.json()["kind"] == old["kind"]
    before = (await docs.get(f"/v1/documents/{old['id']}")).json()
    assert before["status"] == "superseded" and before["superseded_by_id"] == new.json()["id"]
    active = (await docs.get(f"/v1/declarations/{declaration}/documents")).json()
    assert [d["id"] for d in active] == [new.json()["id"]]
    # The superseded file stays readable for the record.
    assert _object(s3, stack, old["object_key"], old["version_id"]) == old_bytes
    again = await docs.post(path, files=files, headers={"X-Declaration-Status": "returned"})
    assert again.status_code == 409


async def test_deferred_replace_takes_effect_only_on_supersede(docs, declaration) -> None:
    """The gateway's way: store the new file, leave the old one active, and supersede it
    only when told (under the declaration's lock); two replacements of one document
    cannot both take effect."""
    old = (await upload(docs, declaration, corpus.clean_scan(23))).json()
    path = f"/v1/documents/{old['id']}/replace"
    editable = {"X-Declaration-Status": "draft"}

    async def replacement(seed: int) -> dict:
        files = {"file": ("new.jpg", corpus.clean_scan(seed), "image/jpeg")}
        r = await docs.post(path, params={"defer": "true"}, files=files, headers=editable)
        assert r.status_code == 201, r.text
        return r.json()

    first, second = await replacement(24), await replacement(25)
    assert first["replaces_id"] == second["replaces_id"] == old["id"]
    assert (await docs.get(f"/v1/documents/{old['id']}")).json()["status"] == "accepted"

    supersede = f"/v1/documents/{first['id']}/supersede"
    assert (await docs.post(supersede)).status_code == 428
    refused = await docs.post(supersede, headers={"X-Declaration-Status": "unit_review"})
    assert refused.status_code == 409
    assert (await docs.get(f"/v1/documents/{old['id']}")).json()["status"] == "accepted"
    done = await docs.post(supersede, headers=editable)
    assert done.status_code == 200, done.text
    assert done.json()["id"] == first["id"]
    after = (await docs.get(f"/v1/documents/{old['id']}")).json()
    assert after["status"] == "superseded" and after["superseded_by_id"] == first["id"]
    assert (await docs.post(supersede, headers=editable)).status_code == 200  # a repeat

    late = await docs.post(f"/v1/documents/{second['id']}/supersede", headers=editable)
    assert late.status_code == 409
    assert late.json()["type"] == "urn:zhicheng:problem:document-not-active"
    plain = await docs.post(f"/v1/documents/{old['id']}/supersede", headers=editable)
    assert plain.json()["type"] == "urn:zhicheng:problem:not-a-replacement"


async def test_revert_restores_the_original_unless_its_bytes_were_accepted_again(
    docs, declaration
) -> None:
    """DELETE ?revert=true of a replacement that took effect brings the original back;
    a plain DELETE does not; and where the original's bytes were uploaded again since,
    that copy stays in force and the original stays superseded (no 500)."""
    editable = {"X-Declaration-Status": "draft"}

    async def replaced(seed: int, new_seed: int) -> tuple[dict, dict]:
        old = (await upload(docs, declaration, corpus.clean_scan(seed))).json()
        files = {"file": ("new.jpg", corpus.clean_scan(new_seed), "image/jpeg")}
        r = await docs.post(f"/v1/documents/{old['id']}/replace", files=files, headers=editable)
        assert r.status_code == 201, r.text
        return old, r.json()

    async def status(doc: dict) -> tuple[str, str | None]:
        r = await docs.get(f"/v1/documents/{doc['id']}")
        return r.json()["status"], r.json()["superseded_by_id"]

    old, new = await replaced(26, 27)
    r = await docs.delete(f"/v1/documents/{new['id']}", params={"revert": "true"}, headers=editable)
    assert r.status_code == 204, r.text
    assert await status(old) == ("accepted", None)
    assert (await docs.get(f"/v1/documents/{new['id']}")).status_code == 404

    old, new = await replaced(28, 29)
    assert (await docs.delete(f"/v1/documents/{new['id']}", headers=editable)).status_code == 204
    assert await status(old) == ("superseded", new["id"])

    old, new = await replaced(30, 31)
    twin = await upload(docs, declaration, corpus.clean_scan(30))
    assert twin.status_code == 201, twin.text
    r = await docs.delete(f"/v1/documents/{new['id']}", params={"revert": "true"}, headers=editable)
    assert r.status_code == 204, r.text
    assert await status(old) == ("superseded", new["id"])
    assert await status(twin.json()) == ("accepted", None)


async def test_normalise_endpoint_returns_a_jpeg(docs) -> None:
    data = corpus.png_scan(22)
    response = await docs.post(
        "/v1/normalise",
        data={"kind": "title_certificate"},
        files={"file": ("scan.png", data, "image/png")},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert "converted" in response.headers["x-changes"].split(",")
    assert response.headers["x-received-sha256"] == hashlib.sha256(data).hexdigest()
    assert len(response.content) <= 512 * 1024
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"
    refused = await docs.post(
        "/v1/normalise",
        data={"kind": "title_certificate"},
        files={"file": ("x.pdf", corpus.plain_pdf(), "application/pdf")},
    )
    assert refused.status_code == 422


async def test_kinds_are_listed(docs) -> None:
    kinds = {k["code"]: k for k in (await docs.get("/v1/kinds")).json()}
    assert kinds["photo"]["colour"] is True
    assert kinds["paper_full_text"]["types"] == ["image/jpeg", "application/pdf"]


async def test_upload_refused_when_the_gateway_says_submitted(docs, declaration) -> None:
    locked = await upload(
        docs,
        declaration,
        corpus.clean_scan(23),
        headers={"X-Declaration-Status": "series_office_review"},
    )
    assert locked.status_code == 409
    assert locked.json()["type"] == "urn:zhicheng:problem:declaration-submitted"
    listed = await docs.get(
        f"/v1/declarations/{declaration}/documents", params={"include_inactive": "true"}
    )
    assert listed.json() == []
    ok = await upload(
        docs, declaration, corpus.clean_scan(23), headers={"X-Declaration-Status": "returned"}
    )
    assert ok.status_code == 201


async def test_concurrent_identical_uploads_store_one(docs, s3, stack, declaration) -> None:
    data = corpus.clean_scan(24)
    answers = await asyncio.gather(*(upload(docs, declaration, data) for _ in range(3)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, [a.text for a in answers]
    assert all(c in (409, 422) for c in codes if c != 201)
    for answer in answers:
        if answer.status_code != 201:
            assert answer.json()["type"] in (
                "urn:zhicheng:problem:duplicate",
                "urn:zhicheng:problem:document-rejected",
            )
    active = (await docs.get(f"/v1/declarations/{declaration}/documents")).json()
    assert len(active) == 1


async def test_rejected_upload_writes_no_object(docs, s3, stack, declaration) -> None:
    response = await upload(docs, declaration, corpus.rotated_scan(180, 25))
    assert response.status_code == 422
    prefix = f"declarations/{declaration}/"
    assert list(s3.list_objects(stack.s3_bucket, prefix=prefix, recursive=True)) == []


async def test_a_wrong_method_names_every_method_the_path_allows(docs) -> None:
    """405 with `Allow` listing every route of the path (RFC 9110 §15.5.6), not only the
    first route whose path matched."""
    one = f"/v1/documents/{uuid.uuid4()}"
    r = await docs.put(one)
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:zhicheng:problem:method-not-allowed"
    assert set(r.headers["allow"].split(", ")) == {"DELETE", "GET"}
    r = await docs.patch(f"/v1/declarations/{uuid.uuid4()}/documents")
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
