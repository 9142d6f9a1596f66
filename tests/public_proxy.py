"""A small real reverse proxy standing in for the object store's public address.

It listens on a port of its own and passes GET and HEAD on to the store with the
request's `Host` header unchanged (as an ingress in front of MinIO must, since a
presigned link's signature covers the host it was signed for)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


@contextmanager
def public_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """(public base URL, the Host headers it forwarded) while the proxy runs."""
    target = urlsplit(upstream)
    hosts: list[str] = []

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            hosts.append(self.headers.get("Host", ""))
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            for k, v in answer.getheaders():
                if k.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            conn.close()

        do_GET = do_HEAD = _forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hosts
    finally:
        server.shutdown()
        server.server_close()


class OnlyTo(httpx.AsyncBaseTransport):
    """A client transport that reaches one origin only (a phone outside the cluster)."""

    def __init__(self, origin: str) -> None:
        self.origin = urlsplit(origin).netloc
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.netloc.decode() != self.origin:
            raise httpx.ConnectError(f"unreachable from outside: {request.url.host}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
