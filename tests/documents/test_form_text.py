"""The document service reads every multipart form itself (services/documents/intake.py):
text fields and the file's name that are not UTF-8, hold an encoded lone surrogate, a NUL
or a control are refused naming the field, before anything is checked or stored."""

from __future__ import annotations

import httpx

from tests.documents import corpus

TYPE = {"Content-Type": "multipart/form-data; boundary=b0undary"}


def form(*parts: tuple[bytes, bytes]) -> bytes:
    """(Content-Disposition parameters, content) pairs, written out byte by byte."""
    body = b"".join(
        b"--b0undary\r\nContent-Disposition: form-data; " + disposition + b"\r\n\r\n" + content
        + b"\r\n"
        for disposition, content in parts
    )  # fmt: skip
    return body + b"--b0undary--\r\n"


def refused(r: httpx.Response, code: str, *fields: str) -> dict:
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == f"urn:zhicheng:problem:{code}", problem
    assert [e["field"] for e in problem["errors"]] == list(fields), problem
    return problem


async def test_uploads_name_the_field_whose_text_cannot_be_kept(docs, declaration) -> None:
    url = f"/v1/declarations/{declaration}/documents"
    scan = corpus.clean_scan(95)
    kind = (b'name="kind"', b"title_certificate")

    def file(name: bytes = b"scan.jpg") -> tuple[bytes, bytes]:
        return b'name="file"; filename="' + name + b'"', scan

    r = await docs.post(
        url, content=form(kind, (b'name="note"', b"\xed\xa0\x80"), file()), headers=TYPE
    )
    refused(r, "invalid-character", "note")
    r = await docs.post(
        url, content=form(kind, (b'name="note"', b"ok"), file(b"\xff")), headers=TYPE
    )
    refused(r, "invalid-character", "file.filename")
    r = await docs.post(url, content=form((b'name="kind"', b"title\x00"), file()), headers=TYPE)
    refused(r, "invalid-character", "kind")
    r = await docs.post(url, content=form(kind, (b'name="note"', b"a\x1bb"), file()), headers=TYPE)
    assert "U+001B" in refused(r, "validation-error", "note")["errors"][0]["message"]
    # The preview route reads its form the same way.
    r = await docs.post(
        "/v1/normalise", content=form((b'name="kind"', b"\xff"), file()), headers=TYPE
    )
    refused(r, "invalid-character", "kind")
    listed = await docs.get(url, params={"include_inactive": "true"})
    assert listed.status_code == 200 and listed.json() == [], listed.text
