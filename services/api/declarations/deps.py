"""Authorization as typed dependencies: who may act on a declaration, and on which version.

A route names what it needs in its signature, e.g. `declaration: ApplicantsDeclaration`;
the dependency loads the declaration (locked for writes), and checks, in this order:

1. visibility: a declaration the caller may not see is answered 404, exactly as one that
   does not exist, so nothing about it leaks ("404 before 403");
2. role: a role that may never use the route is answered 403;
3. If-Match: a stale version is answered 412 (428 where the header is required).

On routes that take an Idempotency-Key the key is looked up first, so a repeated request
is answered from its stored response before anything is loaded or checked.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Annotated, Any

from fastapi import Depends, Path, Request

from services.api.access import REVIEWER_ROLES, PrincipalDep, require_role
from services.api.declarations import service
from services.api.declarations.problems import DeclarationNotFound
from services.api.http import IdempotencyDep, IfMatch, check_if_match
from services.api.models import Declaration
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.kit.auth import Principal
from services.kit.db import SessionDep

_KEYWORD = inspect.Parameter.KEYWORD_ONLY

# What the dependencies below can answer, for the routes' `responses=`.
READ_PROBLEMS = (DeclarationNotFound,)
ACT_PROBLEMS = (DeclarationNotFound, Forbidden, VersionMismatch)
EDIT_PROBLEMS = (*ACT_PROBLEMS, IfMatchRequired)


def declaration_dependency(
    *roles: str,
    lock: bool = False,
    if_match: bool | None = None,
    idempotent: bool = False,
    own_session: bool = False,
) -> Any:
    """`Depends(...)` yielding the checked declaration.

    `roles`: who may use the route (none: anyone who may see the declaration).
    `if_match`: None, no If-Match header; False, checked when sent; True, required.
    `idempotent`: the route takes an Idempotency-Key, looked up before the load.
    `own_session`: loaded on a short session of its own, closed before the handler runs,
    for a route that calls out with no connection held (the declaration comes detached).
    """

    async def load_checked(**kwargs: Any) -> Declaration:
        principal: Principal = kwargs["principal"]
        if own_session:
            async with kwargs["request"].app.state.sessionmaker() as session:
                declaration = await service.load(session, principal, kwargs["declaration_id"])
        else:
            session = kwargs["session"]
            declaration = await service.load(
                session, principal, kwargs["declaration_id"], lock=lock
            )
        if roles:
            require_role(principal, *roles)
        if if_match is not None:
            check_if_match(kwargs["if_match"], declaration.version, required=if_match)
        return declaration

    # The signature FastAPI reads: the path id and If-Match first (so the OpenAPI lists
    # the parameters in the order the handlers always declared them), then the
    # dependencies, the Idempotency-Key among them.
    params = [
        inspect.Parameter("declaration_id", _KEYWORD, annotation=Annotated[uuid.UUID, Path()]),
        inspect.Parameter("principal", _KEYWORD, annotation=PrincipalDep),
    ]
    if own_session:
        params.insert(1, inspect.Parameter("request", _KEYWORD, annotation=Request))
    else:
        params.insert(1, inspect.Parameter("session", _KEYWORD, annotation=SessionDep))
    if idempotent:
        params.append(inspect.Parameter("idem", _KEYWORD, annotation=IdempotencyDep))
    if if_match is not None:
        params.insert(1, inspect.Parameter("if_match", _KEYWORD, annotation=IfMatch, default=None))
    load_checked.__signature__ = inspect.Signature(params, return_annotation=Declaration)  # type: ignore[attr-defined]
    return Depends(load_checked)


def _role_dependency(*roles: str) -> Any:
    async def current(principal: PrincipalDep) -> Principal:
        require_role(principal, *roles)
        return principal

    return Depends(current)


# Anyone who may see it (reads).
VisibleDeclaration = Annotated[Declaration, declaration_dependency()]
# The applicant's own draft or returned declaration, edited in place: If-Match required.
DraftForEdit = Annotated[Declaration, declaration_dependency("applicant", lock=True, if_match=True)]
# The applicant acting on their declaration (import, submit, withdraw).
ApplicantsDeclaration = Annotated[
    Declaration,
    declaration_dependency("applicant", lock=True, if_match=False, idempotent=True),
]
# The applicant submitting: loaded without a lock, since eligibility is evaluated over
# HTTP first; the submission locks the row afterwards and compares the version.
ApplicantsSubmission = Annotated[
    Declaration, declaration_dependency("applicant", if_match=False, idempotent=True)
]
# A reviewer at some level acting on the declaration in front of them.
ReviewersDeclaration = Annotated[
    Declaration,
    declaration_dependency(*REVIEWER_ROLES, lock=True, if_match=False, idempotent=True),
]
# The same for a write without an Idempotency-Key (the unit review record, a PUT).
ReviewersRecord = Annotated[
    Declaration, declaration_dependency(*REVIEWER_ROLES, lock=True, if_match=False)
]
# A reviewer whose action calls out (a generated material stored by the document
# service): loaded without a lock, which the action takes itself afterwards.
ReviewersUnlocked = Annotated[Declaration, declaration_dependency(*REVIEWER_ROLES)]
# The committee's office, the chain's last step, sending the payment notice.
CommitteesDeclaration = Annotated[
    Declaration, declaration_dependency("committee_office", lock=True, idempotent=True)
]

# The applicant asking the registries about their draft: read on a session of its own,
# since the registries are asked with no connection held (registries/lookups.py).
ApplicantsLookup = Annotated[Declaration, declaration_dependency("applicant", own_session=True)]

CurrentApplicant = Annotated[Principal, _role_dependency("applicant")]
