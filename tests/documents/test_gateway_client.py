"""The gateway's client streams an upload through to the document service under uvicorn."""

from __future__ import annotations

import httpx
import pytest

from scripts.servers import free_port
from services.api.clients import documents as client_mod
from services.kit.problems import ProblemError
from tests.documents import corpus
from tests.support import GATEWAY_KEY


def _multipart(data: bytes, kind: str) -> tuple[str, bytes]:
    request = httpx.Request(
        "POST", "http://x/", data={"kind": kind}, files={"file": ("scan.jpg", data, "image/jpeg")}
    )
    return request.headers["content-type"], request.read()


async def _chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_upload_is_streamed_through(documents_url: str, declaration: str) -> None:
    data = corpus.clean_scan(40)
    ctype, body = _multipart(data, "title_certificate")
    async with client_mod.make_client(documents_url, GATEWAY_KEY) as client:
        response = await client_mod.upload_stream(
            client, declaration, _chunks(body), content_type=ctype, uploader_id="u-1"
        )
        assert response.status_code == 201, response.text
        doc = response.json()
        assert doc["uploader_id"] == "u-1" and doc["received_size"] == len(data)
        relayed = client_mod.relay(response)
        assert relayed.status_code == 201
        link = await client_mod.download_link(client, doc["id"], expires_in=60)
        assert link.status_code == 200
        listed = await client_mod.list_documents(client, declaration)
        assert [d["id"] for d in listed.json()] == [doc["id"]]
        assert (await client_mod.delete_document(client, doc["id"])).status_code == 204
        gone = await client_mod.delete_document(client, doc["id"])
        assert gone.status_code == 404
        assert client_mod.relay(gone).headers["content-type"] == "application/problem+json"
        assert (await client_mod.list_documents(client, declaration)).json() == []


async def test_service_down_is_a_503_problem(declaration: str) -> None:
    ctype, body = _multipart(corpus.clean_scan(41), "title_certificate")
    async with client_mod.make_client(f"http://127.0.0.1:{free_port()}", GATEWAY_KEY) as client:
        with pytest.raises(ProblemError) as caught:
            await client_mod.upload_stream(client, declaration, _chunks(body), content_type=ctype)
    assert caught.value.status == 503
    assert caught.value.headers["Retry-After"]
    assert caught.value.code == "documents-unavailable"
