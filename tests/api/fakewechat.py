"""A local stand-in for WeChat's `code2session` API (GET /sns/jscode2session).

Codes are `code-<openid>` or `code-<openid>.<anything>`: each is good once and answers
that openid with a session_key;
`busy` answers errcode -1, anything else errcode 40029 (invalid code), as WeChat does.
Run it under uvicorn (`uvicorn tests.api.fakewechat:app`).
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

APPID = "wx-fake-appid"
SECRET = "fake-wechat-secret"
used: set[str] = set()


async def jscode2session(request: Request) -> JSONResponse:
    q = request.query_params
    if q.get("appid") != APPID or q.get("secret") != SECRET:
        return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
    if q.get("grant_type") != "authorization_code":
        return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
    code = q.get("js_code", "")
    if code == "busy":
        return JSONResponse({"errcode": -1, "errmsg": "system error"})
    if not code.startswith("code-") or code in used:
        return JSONResponse({"errcode": 40029, "errmsg": "invalid code"})
    used.add(code)
    return JSONResponse(
        {
            "openid": code.removeprefix("code-").split(".")[0],
            "session_key": secrets.token_urlsafe(16),
        }
    )


app = Starlette(routes=[Route("/sns/jscode2session", jscode2session)])
