"""The applicant's own real-name record (实名信息): only the owner reads it in full."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.api.access import PrincipalDep, allow
from services.api.applicants import identity
from services.api.applicants.schemas import IdentityRead, IdentityWrite
from services.api.audit import service as audit
from services.kit.db import SessionDep
from services.kit.problems import ProblemError

router = APIRouter(prefix="/v1/me", tags=["applicants"])


def _read(found: identity.Identity) -> IdentityRead:
    return IdentityRead(
        name=found.name, id_number=found.id_number, id_number_masked=found.masked_id_number
    )


@router.get("/identity", response_model=IdentityRead, dependencies=[allow("applicant")])
async def get_identity(request: Request, session: SessionDep, principal: PrincipalDep):
    found = await identity.applicant_identity(session, request.app.state.pii, principal.sub)
    if found is None:
        raise ProblemError(404, "identity-not-found", "尚未填写实名信息（姓名和身份证号）。")
    return _read(found)


@router.put("/identity", response_model=IdentityRead, dependencies=[allow("applicant")])
async def put_identity(
    body: IdentityWrite, request: Request, session: SessionDep, principal: PrincipalDep
):
    found = await identity.set_identity(
        session, request.app.state.pii, principal.sub, name=body.name, id_number=body.id_number
    )
    await audit.record(
        session,
        principal=principal,
        action="identity_recorded",
        reason=f"身份证号 {found.masked_id_number}",
    )
    return _read(found)
