"""Who may upload, as typed dependencies (the decision itself: uploaders.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from services.api.access import PrincipalDep
from services.api.documents import service, uploaders
from services.api.documents.uploaders import Uploader
from services.kit.db import SessionDep


async def _any_uploader(
    declaration_id: Annotated[uuid.UUID, Path()], session: SessionDep, principal: PrincipalDep
) -> Uploader:
    await service.reads_before_upload(session)
    return await uploaders.decide(session, principal, declaration_id, action_zh="上传材料")


async def _replacer(
    declaration_id: Annotated[uuid.UUID, Path()], session: SessionDep, principal: PrincipalDep
) -> Uploader:
    await service.reads_before_upload(session)
    return await uploaders.decide(
        session, principal, declaration_id, action_zh="替换材料", applicant_only=True
    )


# The applicant on their draft or returned declaration, or the unit's reviewer with the
# declaration at their unit's step (the unit's own materials only).
DeclarationUploader = Annotated[Uploader, Depends(_any_uploader)]
# Replacing stays the applicant's (the unit files a new material instead).
DocumentReplacer = Annotated[Uploader, Depends(_replacer)]
