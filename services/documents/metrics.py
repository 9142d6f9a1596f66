"""Check outcomes for `/metrics`: uploads by kind and status, findings by reason code."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Counter


def install(app: FastAPI) -> None:
    registry = app.state.metrics
    app.state.document_uploads = Counter(
        "zhicheng_document_uploads_total",
        "Uploads checked, by material kind and resulting status",
        ["kind", "status"],
        registry=registry,
    )
    app.state.document_findings = Counter(
        "zhicheng_document_findings_total",
        "Check findings by material kind, reason code and severity",
        ["kind", "code", "severity"],
        registry=registry,
    )


def record(app: FastAPI, doc) -> None:
    app.state.document_uploads.labels(doc.kind, doc.status).inc()
    for finding in doc.findings or []:
        app.state.document_findings.labels(
            doc.kind, finding.get("code", "unknown"), finding.get("severity", "error")
        ).inc()
