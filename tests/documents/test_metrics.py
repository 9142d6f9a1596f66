"""Check outcomes reach `/metrics`: uploads by kind and status, findings by reason code."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from services.documents.main import build_app
from tests.conftest import Stack
from tests.documents.conftest import settings, upload
from tests.documents.corpus import blank_scan, clean_scan
from tests.support import AS_GATEWAY_TO_DOCUMENTS, running, scrape


def _samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_check_outcomes_are_counted(stack: Stack, declaration: str) -> None:
    app = build_app(settings(stack))
    async with running(app, auth=AS_GATEWAY_TO_DOCUMENTS) as client:
        assert (await upload(client, declaration, clean_scan(7))).status_code == 201
        rejected = await upload(client, declaration, blank_scan(7))
        assert rejected.status_code == 422
        codes = {f["code"] for f in rejected.json()["findings"] if f["severity"] == "error"}
        samples = _samples(await scrape(app))
    uploads = "zhicheng_document_uploads_total"
    assert samples[(uploads, (("kind", "title_certificate"), ("status", "accepted")))] == 1
    assert samples[(uploads, (("kind", "title_certificate"), ("status", "rejected")))] == 1
    for code in codes:
        key = (
            "zhicheng_document_findings_total",
            (("code", code), ("kind", "title_certificate"), ("severity", "error")),
        )
        assert samples[key] == 1, code
