"""Every log line is masked: 身份证号, mobile numbers, SMS codes; nothing else is touched."""

from __future__ import annotations

import io
import json
import logging

from services.kit.logs import configure_logging, mask_text


def _lines(emit) -> list[dict]:
    configure_logging("test")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    emit(logging.getLogger("zhicheng.test"))
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_message_extras_and_tracebacks_are_masked() -> None:
    def emit(log: logging.Logger) -> None:
        log.info(
            "申报人电话13812345678，身份证450203199001011234",
            extra={"phone": "+8613812345678", "params": {"code": "654321"}, "n": 42},
        )
        try:
            raise ValueError("bad number 45020319900101123X")
        except ValueError:
            log.exception("failed")

    first, second = _lines(emit)
    text = json.dumps([first, second], ensure_ascii=False)
    for secret in ("13812345678", "450203199001011234", "45020319900101123X", "654321"):
        assert secret not in text
    assert first["message"] == "申报人电话138****5678，身份证4502**********1234"
    assert first["phone"] == "+86138****5678" and first["params"] == {"code": "******"}
    assert first["n"] == 42
    assert "4502**********123X" in second["exc_info"]


def test_ids_hashes_and_other_numbers_are_left_alone() -> None:
    kept = [
        "request 4f13812345678ab9c",  # an 11-digit run inside a hex id
        "sha 0450203199001011234ff",
        "amount 38000 fen, 2022-07-31",
        "order 12345678901234567890",
    ]
    for line in kept:
        assert mask_text(line) == line
