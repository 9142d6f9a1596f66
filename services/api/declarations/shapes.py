"""How a declaration is answered over HTTP: its read model and its ETag.

Both floors answer with a declaration (the draft routes here, the chain's
routes above), so the shape lives beside the schemas rather than in a router.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.api.declarations.schemas import DeclarationRead
from services.api.http import RelayAfterCommit, etag
from services.api.models import Declaration


def read(declaration: Declaration) -> DeclarationRead:
    return DeclarationRead.model_validate(declaration, from_attributes=True)


def headers(declaration: Declaration) -> dict[str, str]:
    return {"ETag": etag(declaration.version)}


def declarations_router() -> APIRouter:
    """A router under /v1/declarations: the draft's routes and the chain's share the path,
    the tag and the relay of queued notices after the commit."""
    return APIRouter(
        prefix="/v1/declarations", tags=["declarations"], dependencies=[RelayAfterCommit]
    )
