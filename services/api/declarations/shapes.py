"""How a declaration is answered over HTTP: its read model and its ETag.

Both floors answer with a declaration (the draft routes here, the chain's
routes above), so the shape lives beside the schemas rather than in a router.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.api.declarations.schemas import DeclarationRead
from services.api.http import RelayAfterCommit, etag
from services.api.models import Declaration
from services.kit.auth import Principal
from services.kit.pii import masked_personal


def read(declaration: Declaration, principal: Principal | None = None) -> DeclarationRead:
    """The declaration as `principal` may read it: a portal (system to system) gets the
    form's phones and ID numbers masked; the people on the file read them whole."""
    shown = DeclarationRead.model_validate(declaration, from_attributes=True)
    if principal is not None and principal.role == "portal":
        shown.sections = masked_personal(shown.sections)
        shown.applicant_facts = masked_personal(shown.applicant_facts)
    return shown


def headers(declaration: Declaration) -> dict[str, str]:
    return {"ETag": etag(declaration.version)}


def declarations_router() -> APIRouter:
    """A router under /v1/declarations: the draft's routes and the chain's share the path,
    the tag and the relay of queued notices after the commit."""
    return APIRouter(
        prefix="/v1/declarations", tags=["declarations"], dependencies=[RelayAfterCommit]
    )
