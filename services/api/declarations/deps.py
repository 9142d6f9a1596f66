"""Authorization as typed dependencies: who may act on a declaration, and on which version.

A route names what it needs in its signature, e.g. `declaration: VisibleDeclaration`;
the dependency loads the declaration (locked for writes), and checks, in this order:

1. visibility: a declaration the caller may not see is answered 404, exactly as one that
   does not exist, so nothing about it leaks ("404 before 403");
2. role: a role that may never use the route is answered 403;
3. If-Match: a stale version is answered 412 (428 where the header is required).

On routes that take an Idempotency-Key the key is looked up first, so a repeated request
is answered from its stored response before anything is loaded or checked.

A write route takes one `Act` (e.g. `act: ReviewersAct`): the request's session, the
caller, the checked declaration and the Idempotency-Key's record together, and answers
through `act.respond(...)` with the declaration's ETag.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import OFFICE_ROLES, REVIEWER_ROLES, PrincipalDep, require_role
from services.api.declarations import service
from services.api.declarations.problems import DeclarationNotFound
from services.api.declarations.shapes import headers, read
from services.api.http import Idempotency, IdempotencyDep, IfMatch, check_if_match
from services.api.models import Declaration
from services.api.problems import Forbidden, IfMatchRequired, VersionMismatch
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

_KEYWORD = inspect.Parameter.KEYWORD_ONLY

# What the dependencies below can answer, for the routes' `responses=`.
READ_PROBLEMS = (DeclarationNotFound,)
ACT_PROBLEMS = (DeclarationNotFound, Forbidden, VersionMismatch)
EDIT_PROBLEMS = (*ACT_PROBLEMS, IfMatchRequired)
# The `responses=` of a plain read of one declaration.
READ_RESPONSES = documented(*READ_PROBLEMS)


@dataclass(frozen=True, slots=True)
class Act:
    """What every write on a declaration takes: the request's session, the caller, the
    declaration (loaded, locked and checked) and the Idempotency-Key's record (a record
    of none on a route without the key)."""

    session: AsyncSession
    principal: Principal
    declaration: Declaration
    idem: Idempotency

    async def respond(self, body: Any, *, status_code: int = 200) -> JSONResponse:
        """The answer, with the declaration's ETag, stored under the Idempotency-Key."""
        return await self.idem.respond(
            body, status_code=status_code, headers=headers(self.declaration)
        )

    async def apply(self, action: Callable[..., Awaitable[Any]], /, **kwargs: Any) -> JSONResponse:
        """Run the service `action(session, principal, declaration, **kwargs)`, which
        changes the declaration, and answer the declaration as it now is."""
        await action(self.session, self.principal, self.declaration, **kwargs)
        return await self.respond(read(self.declaration))

    async def record(
        self,
        action: Callable[..., Awaitable[Any]],
        /,
        *,
        status_code: int = 200,
        tagged: bool = True,
        **kwargs: Any,
    ) -> JSONResponse:
        """Run the service `action(session, principal, declaration, **kwargs)`, which
        records something on the declaration, and answer what it recorded (`tagged`: with
        the declaration's ETag; a record kept about the applicant, not in the declaration,
        goes without)."""
        done = await action(self.session, self.principal, self.declaration, **kwargs)
        if not tagged:
            return await self.idem.respond(done, status_code=status_code)
        return await self.respond(done, status_code=status_code)


def declaration_dependency(
    *roles: str,
    lock: bool = False,
    if_match: bool | None = None,
    idempotent: bool = False,
    own_session: bool = False,
    act: bool = False,
) -> Any:
    """`Depends(...)` yielding the checked declaration (with `act`, the `Act` around it).

    `roles`: who may use the route (none: anyone who may see the declaration).
    `if_match`: None, no If-Match header; False, checked when sent; True, required.
    `idempotent`: the route takes an Idempotency-Key, looked up before the load.
    `own_session`: loaded on a short session of its own, closed before the handler runs,
    for a route that calls out with no connection held (the declaration comes detached).
    """

    async def load_checked(**kwargs: Any) -> Declaration | Act:
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
        if act:
            idem = kwargs.get("idem") or Idempotency(session, None)
            return Act(session, principal, declaration, idem)
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
    answer = Act if act else Declaration
    load_checked.__signature__ = inspect.Signature(params, return_annotation=answer)  # type: ignore[attr-defined]
    return Depends(load_checked)


def role_gate(*roles: str) -> Any:
    """`Depends(...)` for a route whose service loads the declaration itself (the uploads,
    which check it in one query with its campaign): a caller of another role gets 404 for
    a declaration they may not see, else 403; a caller of these roles passes at no cost."""

    async def gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
        if principal.role in roles:
            return
        # The route declares and validates the id (a malformed one is its 422).
        try:
            declaration_id = uuid.UUID(request.path_params["declaration_id"])
        except ValueError:
            return
        await service.load(session, principal, declaration_id)
        require_role(principal, *roles)

    return Depends(gate)


def _role_dependency(*roles: str) -> Any:
    async def current(principal: PrincipalDep) -> Principal:
        require_role(principal, *roles)
        return principal

    return Depends(current)


# Anyone who may see it (reads).
VisibleDeclaration = Annotated[Declaration, declaration_dependency()]
# The applicant's own draft or returned declaration, edited in place: If-Match required.
DraftEdit = Annotated[Act, declaration_dependency("applicant", lock=True, if_match=True, act=True)]
# The applicant acting on their declaration (import, committee reset, withdraw): If-Match
# required, as for every write of the applicant's on it (issue #22: a second device's
# change is never overwritten or withdrawn unseen). Reviewers' actions check it when sent.
ApplicantsAct = Annotated[
    Act,
    declaration_dependency("applicant", lock=True, if_match=True, idempotent=True, act=True),
]
# The applicant submitting: loaded without a lock, since eligibility is evaluated over
# HTTP first; the submission locks the row afterwards and compares the version. If-Match
# required, as for an edit: the applicant submits the content they last read, not one a
# second device changed meanwhile.
ApplicantsSubmission = Annotated[
    Act, declaration_dependency("applicant", if_match=True, idempotent=True, act=True)
]
# A reviewer at some level acting on the declaration in front of them.
ReviewersAct = Annotated[
    Act,
    declaration_dependency(*REVIEWER_ROLES, lock=True, if_match=False, idempotent=True, act=True),
]
# The same for a write without an Idempotency-Key (the unit review record, a PUT).
ReviewersRecord = Annotated[
    Act, declaration_dependency(*REVIEWER_ROLES, lock=True, if_match=False, act=True)
]
# The committee's office, the chain's last step, sending the payment notice.
CommitteesAct = Annotated[
    Act, declaration_dependency("committee_office", lock=True, idempotent=True, act=True)
]

# The declaration alone under the same checks, for a write not yet taking an Act.
ReviewersDeclaration = Annotated[
    Declaration,
    declaration_dependency(*REVIEWER_ROLES, lock=True, if_match=False, idempotent=True),
]
ApplicantsDeclaration = Annotated[
    Declaration,
    declaration_dependency("applicant", lock=True, if_match=True, idempotent=True),
]
# A reviewer whose action calls out (a generated material stored by the document
# service): loaded without a lock, which the action takes itself afterwards.
ReviewersUnlocked = Annotated[Declaration, declaration_dependency(*REVIEWER_ROLES)]

# The applicant asking the registries about their draft: read on a session of its own,
# since the registries are asked with no connection held (registries/lookups.py).
ApplicantsLookup = Annotated[Declaration, declaration_dependency("applicant", own_session=True)]

CurrentApplicant = Annotated[Principal, _role_dependency("applicant")]

# An office of the applicant's chain (one that sees the declaration: on its chain or below
# it) or ops, writing the integrity register about the applicant (integrity/).
OfficesAct = Annotated[Act, declaration_dependency(*OFFICE_ROLES, "ops", idempotent=True, act=True)]
# Who may read the register's entries about the applicant: they, the offices, ops.
IntegrityReaders = Annotated[Declaration, declaration_dependency("applicant", *OFFICE_ROLES, "ops")]
# Reviewers and ops replaying a submission's evaluation (it calls the eligibility
# service): read on a short session of its own, no connection held while it calls out.
EvaluationReaders = Annotated[
    Declaration, declaration_dependency(*REVIEWER_ROLES, "ops", own_session=True)
]
# Reviewers reading a comparison that calls out (the document service's file names): read
# on a short session of its own, no connection held while it calls out.
ReviewersLookup = Annotated[Declaration, declaration_dependency(*REVIEWER_ROLES, own_session=True)]
