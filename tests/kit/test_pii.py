"""身份证号 checks (GB 11643-1999), masking, sealing with rotatable keys, blind indexes."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from services.kit.pii import (
    InvalidIdNumber,
    PiiCipher,
    PiiKeyError,
    id_check_character,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from services.kit.settings import KitSettings


def make_id(body17: str) -> str:
    return body17 + id_check_character(body17)


VALID = make_id("45020319900101123")


def test_a_number_with_its_check_character_is_valid_and_one_digit_off_is_not() -> None:
    assert validate_id_number(VALID) == VALID
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(InvalidIdNumber, match="校验位"):
        validate_id_number(wrong)


def test_the_published_example_number_checks() -> None:
    # The worked example of GB 11643-1999 Annex A: 11010519491231002X.
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")  # lower-case x is normalised
    assert not is_valid_id_number("110105194912310021")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("4502031990010112", "18位"),
        ("45020319900101123A", "18位"),
        ("050203199001011234", "18位"),  # region code cannot start with 0
        (make_id("45020319900230123"), "出生日期"),  # 30 February
        (make_id("45020318500101123"), "合理范围"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        validate_id_number(number)


@given(
    st.from_regex(
        r"[1-8][0-9]{5}(19[5-9][0-9]|200[0-5])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
        fullmatch=True,
    )
)
def test_any_single_digit_change_is_caught(body17: str) -> None:
    number = make_id(body17)
    assert is_valid_id_number(number)
    for i in range(14, 17):  # change a sequence digit: the date stays valid
        changed = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        assert not is_valid_id_number(changed)


def test_masks_keep_only_the_ends() -> None:
    assert mask_id_number("450203199001011234") == "4502**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86138****5678"


def _key() -> bytes:
    return os.urandom(32)


def test_sealed_values_open_only_for_their_purpose_and_differ_each_time() -> None:
    cipher = PiiCipher({"k1": _key()}, "k1", _key())
    a = cipher.encrypt("id_number", VALID)
    b = cipher.encrypt("id_number", VALID)
    assert a != b and VALID not in a
    assert cipher.decrypt("id_number", a) == VALID
    with pytest.raises(InvalidTag):
        cipher.decrypt("phone", a)


def test_rotation_keeps_old_values_readable_and_reseals_them_under_the_new_key() -> None:
    old, new, index = _key(), _key(), _key()
    before = PiiCipher({"k1": old}, "k1", index)
    sealed = before.encrypt("id_number", VALID)
    after = PiiCipher({"k1": old, "k2": new}, "k2", index)
    assert after.decrypt("id_number", sealed) == VALID
    resealed = after.rotate("id_number", sealed)
    assert resealed.startswith("k2:")
    assert after.rotate("id_number", resealed) == resealed
    only_new = PiiCipher({"k2": new}, "k2", index)
    assert only_new.decrypt("id_number", resealed) == VALID
    with pytest.raises(PiiKeyError):
        only_new.decrypt("id_number", sealed)
    # The blind index does not depend on the encryption key.
    assert before.blind_index("id_number", VALID) == only_new.blind_index("id_number", VALID)
    assert before.blind_index("id_number", VALID) != before.blind_index("phone", VALID)


def test_settings_refuse_bad_keys_and_development_keys_in_production() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        KitSettings(pii_keys="k1:" + base64.b64encode(b"short").decode(), pii_key_id="k1")
    with pytest.raises(ValueError, match="current PII key"):
        KitSettings(pii_key_id="missing")
    with pytest.raises(ValueError, match="pii_keys"):
        KitSettings(environment="production", jwt_secret="x" * 40, s3_secret_key="y" * 40)
