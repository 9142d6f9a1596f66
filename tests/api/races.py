"""The race harness: start requests at the same moment and say which one won.

`race` runs calls concurrently and expects one answer per status (e.g. 200 and 412):
one effect, the other told why. `streaming_while` sends a multipart upload in two
halves and runs another request while the second half is held back, so that request
lands while the file is still streaming in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from tests.api.factories import auth


async def race(*calls: Awaitable[httpx.Response], expect: list[int]) -> list[httpx.Response]:
    """The answers, in the order of `expect` (one status each, any order of arrival)."""
    results = list(await asyncio.gather(*calls))
    assert sorted(r.status_code for r in results) == sorted(expect), [r.text for r in results]
    ordered = []
    for status in expect:
        found = next(r for r in results if r.status_code == status and r not in ordered)
        ordered.append(found)
    return ordered


async def streaming_while(
    client: httpx.AsyncClient,
    url: str,
    tok: str,
    scan: bytes,
    meanwhile: Callable[[], Awaitable[httpx.Response]],
    *,
    kind: str = "title_certificate",
) -> tuple[httpx.Response, httpx.Response]:
    """(the upload's answer, the other request's answer)."""
    request = httpx.Request(
        "POST",
        "http://x/",
        data={"kind": kind},
        files={"file": ("scan.jpg", scan, "image/jpeg")},
    )
    payload = request.read()
    half = asyncio.Event()
    done = asyncio.Event()

    async def slow_body():
        yield payload[: len(payload) // 2]
        half.set()
        await done.wait()
        yield payload[len(payload) // 2 :]

    async def in_between() -> httpx.Response:
        await half.wait()
        try:
            return await meanwhile()
        finally:
            done.set()

    headers = auth(
        tok,
        **{"Content-Type": request.headers["content-type"], "Content-Length": str(len(payload))},
    )
    streamed, other = await asyncio.gather(
        client.post(url, content=slow_body(), headers=headers), in_between()
    )
    return streamed, other
