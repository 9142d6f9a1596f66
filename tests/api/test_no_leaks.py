"""What no answer may carry, walked over every GET route of the gateway:

- to an applicant, where the document service keeps a file (`bucket`, `object_key`,
  `version_id`): the gateway's document client takes them out of every answer;
- to a portal (OAuth2 client credentials, system to system), a phone or an ID number
  unmasked: a declaration's form is answered with them masked.

The data is made the way a user makes it: an SMS sign-in, an identity, a draft, real
uploads (one accepted, one rejected), a submission.
"""

from __future__ import annotations

import copy
import re

from services.api.main import build_app
from services.kit.pii import mask_phone
from tests.api.factories import (
    SECTIONS,
    auth,
    make_campaign,
    make_tree,
    new_draft,
    submit,
    upload_scan,
    verified_applicant,
)
from tests.api.test_endpoint_matrix import QUERIES, portal, route_params, routes
from tests.documents import corpus

STORAGE = re.compile(r'"(bucket|object_key|version_id)"\s*:')
ID_NUMBER = "450203199001011233"  # a valid check digit (GB 11643-1999)
# Lists narrowed to this test's campaign: among a whole suite's declarations, its own
# would not be on the first page.
OWN = {"GET /v1/declarations": "?campaign_id={campaign_id}"}


async def _walk(client, tok: str, params: dict[str, str]) -> dict[str, str]:
    """Every GET route's answer text for this caller (whatever its status)."""
    answers = {}
    for row in routes(build_app()):
        method, template = row.split(" ", 1)
        if method != "GET":
            continue
        url = template.format(**params) + OWN.get(row, QUERIES.get(row, "")).format(**params)
        r = await client.get(url, headers=auth(tok))
        answers[row] = r.text if "json" in r.headers.get("content-type", "") else ""
    return answers


async def test_no_answer_shows_storage_internals_or_unmasked_personal_data(client) -> None:
    applicant, phone = await verified_applicant(client)
    r = await client.put(
        "/v1/me/identity", json={"name": "韦工", "id_number": ID_NUMBER}, headers=auth(applicant)
    )
    assert r.status_code == 200, r.text
    tree = await make_tree(client, label="不外泄")
    campaign = await make_campaign(client)
    sections = copy.deepcopy(SECTIONS)
    sections["basic_info"]["phone"] = phone
    did = await new_draft(client, tree, campaign, applicant, sections=sections)

    # Upload answers: an accepted scan, and a rejected one (its problem names the record).
    r = await upload_scan(client, did, applicant, kind="title_certificate", seed=9)
    assert r.status_code == 201, r.text
    assert not STORAGE.search(r.text), r.text
    document_id = r.json()["id"]
    blank = await client.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": "title_certificate"},
        files={"file": ("blank.jpg", corpus.blurred_scan(4), "image/jpeg")},
        headers=auth(applicant),
    )
    assert blank.status_code == 422, blank.text
    assert "document" in blank.json() and not STORAGE.search(blank.text), blank.text
    assert (await submit(client, did, applicant)).status_code == 200

    params = route_params(did, tree.unit, campaign["id"], document_id=document_id)
    seen = await _walk(client, applicant, params)
    # The walk reached the documents: the listing holds the record, without its storage.
    listing = seen["GET /v1/declarations/{declaration_id}/documents"]
    assert document_id in listing
    leaks = [row for row, text in seen.items() if STORAGE.search(text)]
    assert not leaks, leaks
    # The owner reads their own phone and ID number whole (nothing is lost for them).
    assert phone in seen["GET /v1/declarations/{declaration_id}"]
    assert ID_NUMBER in seen["GET /v1/me/identity"]

    # A portal of the jurisdiction reads the declaration, with the phone masked.
    reader = portal(["eligibility:evaluate", "declarations:read"])
    seen = await _walk(client, reader, params)
    shown = seen["GET /v1/declarations/{declaration_id}"]
    assert did in shown and mask_phone(phone) in shown, shown
    assert did in seen["GET /v1/declarations"]
    leaks = [row for row, text in seen.items() if phone in text or ID_NUMBER in text]
    assert not leaks, leaks
    assert not [row for row, text in seen.items() if STORAGE.search(text)]
