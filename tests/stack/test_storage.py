"""Objects go to the real S3-compatible store and come back intact."""

from __future__ import annotations

import hashlib
import io
import os

import anyio

from services.documents.config import DocumentsSettings
from services.documents.storage import make_client
from tests.conftest import Stack


async def test_object_round_trip(stack: Stack) -> None:
    client = make_client(DocumentsSettings(**stack.settings_kwargs()))
    data = os.urandom(300_000)
    key = "foundation/round-trip.bin"

    def put_and_get() -> bytes:
        client.put_object(stack.s3_bucket, key, io.BytesIO(data), len(data))
        response = client.get_object(stack.s3_bucket, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    back = await anyio.to_thread.run_sync(put_and_get)
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()
    await anyio.to_thread.run_sync(client.remove_object, stack.s3_bucket, key)


def test_wrong_credentials_are_refused(stack: Stack) -> None:
    kwargs = {**stack.settings_kwargs(), "s3_secret_key": "not-the-secret"}
    client = make_client(DocumentsSettings(**kwargs))
    try:
        client.list_objects(stack.s3_bucket).__next__()
    except StopIteration:
        raise AssertionError("an unauthenticated listing succeeded") from None
    except Exception as exc:
        assert "SignatureDoesNotMatch" in str(exc) or "AccessDenied" in str(exc), exc
