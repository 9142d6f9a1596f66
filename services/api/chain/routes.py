"""Route decorators shared by the chain's routers: a reviewer's action on the declaration
in front of them, and a plain read of one of the declaration's records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.api.campaigns.problems import DeadlinePassed, WindowNotOpen
from services.api.chain.problems import NotUnderReview, NotYourStep
from services.api.declarations.deps import ACT_PROBLEMS, READ_PROBLEMS
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


def declaration_read(
    router: APIRouter, path: str, answer: Any, summary: str | None = None, *, also: tuple = ()
):
    """A GET of one of the declaration's records, for whoever may see the declaration."""
    return router.get(
        D + path,
        response_model=answer,
        summary=summary,
        responses=documented(*READ_PROBLEMS, *also),
    )
