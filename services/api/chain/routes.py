"""Routes shared by the chain's routers: a reviewer's action on the declaration in front of
them, a reviewer's record on it from the request's body, and a plain read of one of the
declaration's records."""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.chain.problems import NotUnderReview, NotYourStep
from services.api.declarations.deps import (
    ACT_PROBLEMS,
    READ_PROBLEMS,
    ReviewersAct,
    VisibleDeclaration,
)
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
    description: str | None = None


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
            description=read.description,
            responses=documented(*READ_PROBLEMS, *read.also),
        )


def _reading(reader: Callable[[AsyncSession, Declaration], Awaitable[Any]]):
    async def endpoint(declaration: VisibleDeclaration, session: SessionDep) -> Any:
        return await reader(session, declaration)

    return endpoint


class Record(NamedTuple):
    """A reviewer's record on the declaration in front of them, from the request's body:
    `action(session, principal, declaration, body=..., <ids in the path>=...)` records it
    and answers what it recorded (`name`: the route's, its operationId's; `act`: the
    declaration dependency, an Idempotency-Key's by default)."""

    name: str
    method: str
    path: str
    answer: Any
    action: Callable[..., Awaitable[Any]]
    summary: str
    also: tuple = ()
    status_code: int = 200
    act: Any = ReviewersAct
    description: str | None = None


def reviewers_records(router: APIRouter, *records: Record) -> None:
    """Add each record to `router` as a reviewer's action (`reviewers_act`)."""
    for record in records:
        route: dict[str, Any] = {"name": record.name}
        if record.status_code != 200:
            route["status_code"] = record.status_code
        if record.description is not None:
            route["description"] = record.description
        reviewers_act(
            router,
            record.method,
            record.path,
            record.answer,
            record.summary,
            also=record.also,
            **route,
        )(_recording(record))


def _recording(record: Record):
    async def endpoint(act: Any, body: Any, **ids: uuid.UUID) -> JSONResponse:
        return await act.record(record.action, status_code=record.status_code, body=body, **ids)

    # The signature FastAPI reads: the act, the ids in the path, then the body's model.
    keyword = inspect.Parameter.KEYWORD_ONLY
    ids = [part[1:-1] for part in record.path.split("/") if part.startswith("{")]
    body = typing.get_type_hints(record.action)["body"]
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("act", keyword, annotation=record.act),
            *(inspect.Parameter(i, keyword, annotation=uuid.UUID) for i in ids),
            inspect.Parameter("body", keyword, annotation=body),
        ],
        return_annotation=JSONResponse,
    )
    return endpoint
