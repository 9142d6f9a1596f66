"""The document service keeps freed memory for the next upload (services/documents/memory.py)."""

from __future__ import annotations

import sys

import pytest

from services.documents.memory import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc tuning")
def test_malloc_thresholds_are_raised_on_glibc() -> None:
    assert keep_freed_memory() is True
