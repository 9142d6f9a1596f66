"""A first declaration through the Python client generated from openapi/api.json.

The client is not committed: tests/test_clients.py generates it with openapi-python-client
(package `zhicheng_client`) into a temporary directory, type-checks this file against it with
mypy, and walks it against a real gateway. To use it yourself:

    .venv/bin/openapi-python-client generate --path openapi/api.json --meta none \
        --output-path /tmp/zhicheng_client

Every step is the public API: a login code by SMS, the SMS sign-in, a draft (with an
Idempotency-Key), a scan uploaded into it, and the submission (If-Match: the draft's ETag).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from zhicheng_client import AuthenticatedClient, Client
from zhicheng_client.api.auth import auth_send_code, auth_sms_login
from zhicheng_client.api.declarations import (
    declarations_create,
    declarations_get,
    declarations_submit,
)
from zhicheng_client.api.documents import documents_upload
from zhicheng_client.models import (
    CodeRequest,
    DeclarationCreate,
    DeclarationCreateLevel,
    DeclarationRead,
    DocumentRead,
    DocumentsUploadBody,
    Problem,
    SmsLogin,
    TokenPair,
)
from zhicheng_client.types import File


class Refused(Exception):
    """The API answered a problem (RFC 9457): its `type` URN says which (docs/problems.md)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.type_}: {problem.detail}")
        self.problem = problem


@dataclass
class Scan:
    kind: str  # a document kind (GET /v1/kinds of the document service)
    name: str
    content: bytes
    mime: str


async def sign_in(
    client: Client, phone: str, read_code: Callable[[str], Awaitable[str]]
) -> TokenPair:
    """Ask for a login code, read it from the SMS (`read_code`), sign in."""
    sent = await auth_send_code.asyncio_detailed(client=client, body=CodeRequest(phone=phone))
    if isinstance(sent.parsed, Problem):
        raise Refused(sent.parsed)
    code = await read_code(phone)
    answer = await auth_sms_login.asyncio(client=client, body=SmsLogin(phone=phone, code=code))
    if not isinstance(answer, TokenPair):
        raise Refused(answer) if isinstance(answer, Problem) else RuntimeError("no answer")
    return answer


async def start_draft(
    client: AuthenticatedClient,
    campaign_id: uuid.UUID,
    unit_org_id: uuid.UUID,
    level: DeclarationCreateLevel,
) -> DeclarationRead:
    body = DeclarationCreate(campaign_id=campaign_id, unit_org_id=unit_org_id, level=level)
    # One key per intended draft: a retry with the same key answers the same draft.
    answer = await declarations_create.asyncio(
        client=client, body=body, idempotency_key=uuid.uuid4().hex
    )
    if not isinstance(answer, DeclarationRead):
        raise Refused(answer) if isinstance(answer, Problem) else RuntimeError("no answer")
    return answer


async def upload(
    client: AuthenticatedClient, declaration_id: uuid.UUID, scan: Scan
) -> DocumentRead:
    file = File(payload=io.BytesIO(scan.content), file_name=scan.name, mime_type=scan.mime)
    answer = await documents_upload.asyncio(
        declaration_id, client=client, body=DocumentsUploadBody(file=file, kind=scan.kind)
    )
    if not isinstance(answer, DocumentRead):
        raise Refused(answer) if isinstance(answer, Problem) else RuntimeError("no answer")
    return answer


async def submit(
    client: AuthenticatedClient, declaration_id: uuid.UUID
) -> DeclarationRead | Problem:
    """Submit with If-Match (the draft's current ETag); a 422 `declaration-incomplete`
    problem lists in `errors` what is still missing."""
    current = await declarations_get.asyncio_detailed(declaration_id, client=client)
    if isinstance(current.parsed, Problem):
        raise Refused(current.parsed)
    answer = await declarations_submit.asyncio(
        declaration_id,
        client=client,
        if_match=current.headers["etag"],
        idempotency_key=uuid.uuid4().hex,
    )
    if answer is None:
        raise RuntimeError("no answer")
    return answer


async def first_declaration(
    base_url: str,
    phone: str,
    read_code: Callable[[str], Awaitable[str]],
    campaign_id: uuid.UUID,
    unit_org_id: uuid.UUID,
    level: DeclarationCreateLevel,
    scans: list[Scan],
    httpx_args: dict[str, Any] | None = None,
) -> tuple[AuthenticatedClient, DeclarationRead, DeclarationRead | Problem]:
    """Sign in, start a draft, upload the scans, submit: (the signed-in client, the draft,
    the submission's answer). `httpx_args` go to the underlying httpx client (a transport,
    timeouts, certificates)."""
    args = httpx_args or {}
    tokens = await sign_in(Client(base_url=base_url, httpx_args=args), phone, read_code)
    signed_in = AuthenticatedClient(base_url=base_url, token=tokens.access_token, httpx_args=args)
    draft = await start_draft(signed_in, campaign_id, unit_org_id, level)
    for scan in scans:
        await upload(signed_in, draft.id, scan)
    return signed_in, draft, await submit(signed_in, draft.id)
