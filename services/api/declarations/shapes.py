"""How a declaration is answered over HTTP: its read model and its ETag.

Both floors answer with a declaration (the draft routes here, the chain's
routes above), so the shape lives beside the schemas rather than in a router.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Response

from services.api.declarations.schemas import DeclarationRead
from services.api.http import RelayAfterCommit, etag
from services.api.models import Declaration
from services.kit.auth import Principal
from services.kit.pii import masked_personal


def read(declaration: Declaration, principal: Principal | None = None) -> DeclarationRead:
    """The declaration as `principal` may read it: a portal (system to system) gets the
    form's phones and ID numbers masked; the people on the file read them whole."""
    return _shown(DeclarationRead.model_validate(declaration, from_attributes=True), principal)


def read_row(row: Mapping[str, Any], principal: Principal) -> DeclarationRead:
    """`read` of the declaration's read columns (service.fetch_visible's row)."""
    return _shown(DeclarationRead.model_validate(dict(row)), principal)


def _shown(shown: DeclarationRead, principal: Principal | None) -> DeclarationRead:
    if principal is not None and principal.role == "portal":
        shown.sections = masked_personal(shown.sections)
        shown.applicant_facts = masked_personal(shown.applicant_facts)
    return shown


def headers(declaration: Declaration) -> dict[str, str]:
    return {"ETag": etag(declaration.version)}


_SERIALIZER = DeclarationRead.__pydantic_serializer__


def answer(shown: DeclarationRead) -> Response:
    """The 200 of a read, serialised once: the JSON FastAPI would write for the route's
    `response_model` (the model is already validated; it is not validated again), with
    the declaration's ETag after the content headers, as FastAPI adds it."""
    response = Response(_SERIALIZER.to_json(shown, by_alias=True), media_type="application/json")
    response.raw_headers.append((b"etag", etag(shown.version).encode("latin-1")))
    return response


def declarations_router() -> APIRouter:
    """A router under /v1/declarations: the draft's routes and the chain's share the path,
    the tag and the relay of queued notices after the commit."""
    return APIRouter(prefix="/v1/declarations", tags=["declarations"], route_class=RelayAfterCommit)
