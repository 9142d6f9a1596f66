"""clients/python/journey.py walked against a real gateway through the Python client
generated now from openapi/api.json (tests/clients.py): the SMS sign-in, a draft, a scan
uploaded, the submission, each answer parsed into the generated models."""

from __future__ import annotations

import importlib.util
import random
import sys
import uuid

import httpx
import pytest
from sqlmodel import select

from services.kit.outbox import Notification
from tests.api.factories import LOGIN_CODE, make_campaign, make_tree
from tests.clients import CLIENTS, generate_python
from tests.documents import corpus


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory):
    where = tmp_path_factory.mktemp("generated")
    generate_python("api", where)
    sys.path.insert(0, str(where))
    try:
        spec = importlib.util.spec_from_file_location("journey", CLIENTS / "python" / "journey.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["journey"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.startswith("zhicheng_client") or n == "journey"]:
            del sys.modules[name]


async def test_first_declaration_through_the_generated_client(client, journey) -> None:
    app = client._transport.app  # the gateway behind the in-process client (tests/support.py)
    tree = await make_tree(client, label="生成客户端")
    campaign = await make_campaign(client)
    phone = "139" + f"{random.randrange(10**8):08d}"
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=app, client=(address, 40000))

    async def read_code(phone: str) -> str:
        """The code the applicant reads off the SMS: the login-code notice's parameters."""
        async with app.state.sessionmaker() as session:
            query = select(Notification.params).where(
                Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
            )
            [params] = (await session.exec(query)).all()
        return params["code"]

    scan = journey.Scan(
        kind="title_certificate", name="证书.jpg", content=corpus.clean_scan(61), mime="image/jpeg"
    )
    signed_in, draft, answer = await journey.first_declaration(
        "http://test",
        phone,
        read_code,
        uuid.UUID(campaign["id"]),
        uuid.UUID(tree.unit),
        journey.DeclarationCreateLevel.DEPUTY_SENIOR,
        [scan],
        httpx_args={"transport": transport},
    )
    assert draft.status == "draft"
    assert str(draft.campaign_id) == campaign["id"]
    # A draft with no sections is not complete: the 422 is parsed into the generated
    # Problem, its stable type and the list of what is missing.
    assert isinstance(answer, journey.Problem), answer
    assert answer.type_ == "urn:zhicheng:problem:declaration-incomplete", answer
    assert answer.errors

    # The upload went through: the draft lists the document, read through the same client.
    from zhicheng_client.api.documents import documents_list_documents

    documents = await documents_list_documents.asyncio(draft.id, client=signed_in)
    assert [d.kind for d in documents] == ["title_certificate"], documents

    # A stale If-Match is refused 412, as the contract says (precondition-failed).
    from zhicheng_client.api.declarations import declarations_submit

    stale = await declarations_submit.asyncio(
        draft.id, client=signed_in, if_match='"0"', idempotency_key=uuid.uuid4().hex
    )
    assert isinstance(stale, journey.Problem)
    assert stale.status == 412, stale
