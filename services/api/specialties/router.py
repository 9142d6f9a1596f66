"""HTTP for the specialty catalogue: a public read (no sign-in), cacheable with ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.http import IfNoneMatch, cacheable
from services.api.specialties import service
from services.api.specialties.schemas import SeriesCatalogueRead
from services.kit.vocabulary import Series

router = APIRouter(prefix="/v1/specialties", tags=["specialties"])
CACHED = {304: {"description": "Not modified (If-None-Match named the current ETag)"}}


@router.get(
    "",
    response_model=list[SeriesCatalogueRead],
    summary=("职称评审专业目录：各系列的专业代码、名称及所依据的原文（公开，可缓存）"),
    description=(
        "列出各职称系列的评审专业：专业代码、"
        "名称及其在种子文件中的出处原文。"
        "申报书的拟评专业（specialty）须是其申报批次所属系列的专业代"
        "码之一。可按系列筛选。公开接口，无需登录；答复带 ETag，"
        "可用 If-None-Match 得到 304。"
    ),
    responses=CACHED,
)
async def list_specialties(
    if_none_match: IfNoneMatch = None,
    series: Annotated[Series | None, Query()] = None,
) -> Response:
    return cacheable(service.list_catalogue(series=series), if_none_match)
