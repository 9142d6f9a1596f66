"""HTTP for the audit chain's integrity check (ops)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from services.api.access import PrincipalDep, allow, require_role
from services.api.audit import service
from services.kit.db import SessionDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class Verification(BaseModel):
    rows: int
    intact: bool
    first_broken_seq: int | None


@router.get("/verification", dependencies=[allow("ops")], response_model=Verification)
async def verify(session: SessionDep, principal: PrincipalDep) -> Verification:
    require_role(principal, "ops")
    rows, broken = await service.verify_chain(session)
    return Verification(rows=rows, intact=broken is None, first_broken_seq=broken)
