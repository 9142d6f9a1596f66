"""How auth answers what no cache may keep: tokens, login codes and client secrets
(RFC 6749 §5.1). The portal routes, OAuth's own, add `Pragma: no-cache` for HTTP/1.0."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse
from pydantic import BaseModel

NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_OAUTH = {**NO_STORE, "Pragma": "no-cache"}


def no_store(
    body: BaseModel, status_code: int = 200, *, headers: Mapping[str, str] = NO_STORE
) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status_code,
        headers=dict(headers),
    )
