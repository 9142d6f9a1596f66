"""Route decorators shared by the chain's routers: a reviewer's action on the declaration
in front of them, and a plain read of one of the declaration's records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.chain.problems import NotUnderReview, NotYourStep
from services.api.declarations.deps import ACT_PROBLEMS, READ_PROBLEMS, VisibleDeclaration
from services.api.models import Declaration
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

D = "/v1/declarations/{declaration_id}"
# What a reviewer's action on the declaration in front of them can answer.
REVIEWER_ACTS = (*ACT_PROBLEMS, NotUnderReview, NotYourStep, WindowNotOpen, DeadlinePassed)


def reviewers_act(
    router: APIRouter,
    method: str,
    path: str,
    answer: type,
    summary: str,
    *,
    also: tuple = (),
    **route: Any,
):
    """A route for a reviewer's action on the declaration in front of them (`also`: the
    problems this action adds to every reviewer action's)."""
    return router.api_route(
        D + path,
        methods=[method],
        response_model=answer,
        summary=summary,
        responses=documented(*REVIEWER_ACTS, *also),
        **route,
    )


class Read(NamedTuple):
    """A GET of one of the declaration's records, for whoever may see the declaration:
    `reader(session, declaration)` answers it (`name`: the route's, its operationId's)."""

    name: str
    path: str
    answer: Any
    reader: Callable[[AsyncSession, Declaration], Awaitable[Any]]
    summary: str | None = None
    also: tuple = ()


def declaration_reads(router: APIRouter, *reads: Read) -> None:
    """Add each read to `router`: the declaration checked as visible, then its reader."""
    for read in reads:
        router.add_api_route(
            D + read.path,
            _reading(read.reader),
            methods=["GET"],
            name=read.name,
            response_model=read.answer,
            summary=read.summary,
            responses=documented(*READ_PROBLEMS, *read.also),
        )


def _reading(reader: Callable[[AsyncSession, Declaration], Awaitable[Any]]):
    async def endpoint(declaration: VisibleDeclaration, session: SessionDep) -> Any:
        return await reader(session, declaration)

    return endpoint
