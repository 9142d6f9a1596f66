"""HTTP for the 错误码表: public reads (no sign-in), cacheable with ETag. A problem's `type`
URN, urn:zhicheng:problem:<code>, resolves at GET /v1/problems/{code}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.api.http import IfNoneMatch, cacheable
from services.api.problem_types import service
from services.api.problem_types.problems import ProblemTypeUnknown
from services.api.problem_types.schemas import ProblemTypeRead
from services.kit.problem_kinds import documented

router = APIRouter(prefix="/v1/problems", tags=["problems"])
CACHED = {304: {"description": "Not modified (If-None-Match named the current ETag)"}}


@router.get(
    "",
    response_model=list[ProblemTypeRead],
    summary="错误码表：每个问题类型的错误码、HTTP 状态、中文含义与出处（公开，可缓存）",
    description=(
        "与 docs/problems.md 相同的错误码表，由 `python -m scripts.problems` 从代码生成："
        "每个 problem+json 的 type（urn:zhicheng:problem:<code>）、HTTP 状态、中文含义、"
        "出处和列出它的接口。公开读取，无须登录。"
    ),
    responses=CACHED,
)
async def list_problem_types(if_none_match: IfNoneMatch = None) -> Response:
    return cacheable(service.list_types(), if_none_match, max_age=3600)


@router.get(
    "/{code}",
    response_model=ProblemTypeRead,
    summary="一个问题类型：urn:zhicheng:problem:<code> 的含义（公开，可缓存）",
    description=(
        "错误码表中的一行：应答里 type 为 urn:zhicheng:problem:<code> 时，其 HTTP 状态、中文"
        "含义、出处和列出它的接口。不存在的错误码答复 404。公开读取，无须登录。"
    ),
    responses={**CACHED, **documented(ProblemTypeUnknown)},
)
async def get_problem_type(
    code: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    return cacheable(service.get_type(code), if_none_match, max_age=3600)
