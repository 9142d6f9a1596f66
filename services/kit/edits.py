"""PATCH routes a mini-program can call: `wx.request` offers no PATCH method.

Each PATCH route is also answered at `POST <path>/edits` by the same handler: the same
body (only the fields sent change), the same checks (If-Match where the PATCH asks for
it), the same answer and problems. Operation id `<domain>.<handler>_by_post`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

F = TypeVar("F", bound=Callable[..., Any])

EDITS = "/edits"


def patch_or_post(router: APIRouter, path: str, **route: Any) -> Callable[[F], F]:
    """Register the handler for `PATCH path` and for `POST path/edits`."""

    def register(handler: F) -> F:
        router.patch(path, **route)(handler)
        summary = route.get("summary") or handler.__name__
        post = {
            **route,
            "summary": f"{summary} (the PATCH, sent as POST …/edits)",
            "description": (
                "与同一地址（去掉 `/edits`）的 PATCH 相同：同一处理、同一请求体与应答。"
                "供不支持 PATCH 方法的客户端使用，如微信小程序的 wx.request。"
                + (f"\n\n{route['description']}" if route.get("description") else "")
            ),
            "name": f"{handler.__name__}_by_post",
        }
        router.post(path + EDITS, **post)(handler)
        return handler

    return register
