"""Outgoing HTTPS: one trust store per process, and it verifies servers."""

from __future__ import annotations

import ssl

from services.kit.clients import tls_context


def test_one_context_per_process_that_verifies_certificates_and_hosts() -> None:
    context = tls_context()
    assert context is tls_context()  # loaded once, shared by every client
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.cert_store_stats()["x509_ca"] > 50  # the CA bundle is loaded
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
