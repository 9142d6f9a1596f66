"""`/healthz` (the process is up) and `/readyz` (every dependency answers)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.kit.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX

# A probe gets the app, whose state holds the clients the lifespan opened.
Check = Callable[[FastAPI], Awaitable[object]]
logger = logging.getLogger("zhicheng.health")

# Names a person reads in the 503 body.
DEPENDENCY_ZH = {
    "database": "数据库",
    "redis": "Redis 队列",
    "s3": "对象存储",
    "rules": "资格评估服务",
    "documents": "材料服务",
    "gateway": "网关",
    "database_role": "数据库账号（应用账号不得是审计表的属主，见部署说明）",
}


async def run_checks(app: FastAPI, checks: Mapping[str, Check], limit: float) -> dict[str, str]:
    async def one(name: str, check: Check) -> tuple[str, str]:
        try:
            await asyncio.wait_for(check(app), limit)
            return name, "ok"
        except Exception as exc:
            logger.warning("readiness check failed", extra={"dependency": name, "error": repr(exc)})
            return name, "down"

    results = await asyncio.gather(*(one(n, c) for n, c in checks.items()))
    return dict(results)


def install_health(app: FastAPI, checks: Mapping[str, Check], timeout: float) -> None:
    """/healthz and /readyz as routes of the app itself, not of an included router: FastAPI
    passes a plain route with one regular expression, an included router with a lookup of
    its own (every other request went past the probes' router)."""

    @app.get(
        "/healthz",
        tags=["health"],
        summary="存活检查：进程在运行",
        description=(
            "进程在运行即答复 200（不检查依赖），供编排系统的存活探针使用。公开接口，无需令牌。"
        ),
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="就绪检查：各依赖均可用",
        description=(
            "逐一检查本服务的依赖（如数据库、Valkey），全部可用答复 200 及各项结果；"
            "有不可用的答复 503 problem+json，列出不可用的依赖，并带 Retry-After。"
            "供编排系统的就绪探针使用。公开接口，无需令牌。"
        ),
        responses={
            200: {
                "content": {
                    "application/json": {
                        "example": {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
                    }
                }
            },
            503: {
                "description": "A dependency is down",
                "content": {
                    PROBLEM_MEDIA_TYPE: {
                        "examples": {
                            "dependency-unavailable": {
                                "summary": "依赖服务暂不可用",
                                "value": {
                                    "type": TYPE_PREFIX + "dependency-unavailable",
                                    "title": "Dependency unavailable",
                                    "status": 503,
                                    "detail": (
                                        "依赖服务暂不可用：数据库。服务会自动重连，请稍后再试。"
                                    ),
                                },
                            }
                        }
                    }
                },
            },
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        results = await run_checks(request.app, checks, timeout)
        down = [name for name, state in results.items() if state != "ok"]
        if not down:
            return JSONResponse({"status": "ready", "checks": results})
        names = "、".join(DEPENDENCY_ZH.get(n, n) for n in down)
        return JSONResponse(
            {
                "type": TYPE_PREFIX + "dependency-unavailable",
                "title": "Dependency unavailable",
                "status": 503,
                "detail": f"依赖服务暂不可用：{names}。服务会自动重连，请稍后再试。",
                "detail_en": f"Unavailable: {', '.join(down)}.",
                "down": down,
                "checks": results,
            },
            status_code=503,
            media_type=PROBLEM_MEDIA_TYPE,
            headers={"Retry-After": "5"},
        )
