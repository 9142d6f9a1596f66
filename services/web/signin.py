"""Signing in and out: the applicant with a phone and an SMS code; signing out ends the
session at the gateway too."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.gateway import GatewayProblem
from services.web.pages import checked_form, gateway, redirect, render, session_of

router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", phone=session_of(request).phone)


@router.post("/login/code")
async def send_code(request: Request) -> Response:
    form = await checked_form(request)
    phone = str(form.get("phone", "")).strip()
    session = session_of(request)
    try:
        await gateway(request).call("POST", "/v1/auth/sms-codes", json={"phone": phone}, auth=False)
    except GatewayProblem as exc:
        return render(request, "login.html", status=exc.status, phone=phone, problem=exc)
    session.phone, session.changed = phone, True
    return render(request, "login.html", phone=phone, sent=True)


@router.post("/login")
async def sms_login(request: Request) -> Response:
    form = await checked_form(request)
    phone = str(form.get("phone", "")).strip()
    code = str(form.get("code", "")).strip()
    try:
        r = await gateway(request).call(
            "POST", "/v1/auth/sms-logins", json={"phone": phone, "code": code}, auth=False
        )
    except GatewayProblem as exc:
        return render(request, "login.html", status=exc.status, phone=phone, sent=True, problem=exc)
    session_of(request).sign_in(r.json(), "applicant", phone)
    return redirect("/")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    session = session_of(request)
    staff = session.staff
    if session.refresh:
        # Ends the session at the gateway too: a copy of the cookie stops working.
        await gateway(request).raw(
            "POST", "/v1/auth/logout", json={"refresh_token": session.refresh}, auth=False
        )
    session.sign_out()
    return redirect("/staff/login" if staff else "/login")
