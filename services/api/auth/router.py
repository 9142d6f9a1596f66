"""All the ways in, as one router for the gateway."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.auth import applicants, client_token, portals, sessions, staff, wechat

router = APIRouter()
for module in (portals, client_token, applicants, wechat, sessions, staff):
    router.include_router(module.router)
