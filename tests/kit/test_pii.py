"""身份证号 checks (GB 11643-1999), masking, sealing with rotatable keys, blind indexes."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from services.kit.pii import (
    LEGACY_INDEX_KEY_ID,
    SM4_GCM,
    InvalidIdNumber,
    PiiCipher,
    PiiKeyError,
    id_check_character,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from services.kit.pii import _aead as aead_of
from services.kit.settings import DEV_PII_INDEX_KEY, KitSettings


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
    assert resealed.startswith("aes-256-gcm:k2:")
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


# 国密 (GB/T 39786-2021): SM4-GCM and HMAC-SM3, from the pinned cryptography's OpenSSL.


def test_the_guomi_primitives_give_the_standards_known_answers() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    # GB/T 32907-2016 Appendix A, example 1; GB/T 32905-2016 Appendix A, example 1.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    block = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (one block: the known answer)
    assert (block.update(key) + block.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


# RFC 8998 (ShangMi cipher suites for TLS 1.3), Appendix A.1, the SM4-GCM test vector.
SM4_GCM_VECTOR = {
    "key": "0123456789ABCDEFFEDCBA9876543210",
    "iv": "00001234567800000000ABCD",
    "aad": "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2",
    "plaintext": "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
    "ciphertext": "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
    "tag": "83DE3541E4C2B58177E065A9BF7B62EC",
}


def test_sm4_gcm_gives_the_published_known_answer() -> None:
    """The SM4-GCM that seals personal data under PII_CRYPTO=guomi, against RFC 8998's
    vector: the same ciphertext and tag, and back; a flipped tag bit is refused."""
    v = {k: bytes.fromhex(x) for k, x in SM4_GCM_VECTOR.items()}
    aead = aead_of(SM4_GCM, v["key"])
    sealed = aead.encrypt(v["iv"], v["plaintext"], v["aad"])
    assert sealed == v["ciphertext"] + v["tag"]
    assert aead.decrypt(v["iv"], sealed, v["aad"]) == v["plaintext"]
    with pytest.raises(InvalidTag):
        aead.decrypt(v["iv"], sealed[:-1] + bytes([sealed[-1] ^ 1]), v["aad"])
    with pytest.raises(InvalidTag):
        aead.decrypt(v["iv"], sealed, v["aad"][:-1])


def test_guomi_values_read_after_rotation_to_a_new_sm4_key() -> None:
    """SM4 to SM4: written under key version g1 (HMAC-SM3 index key j1), read after the
    rotation to g2 (index j2) while g1 is still listed, resealed under g2, and read by a
    cipher holding g2 alone once the old keys are removed."""
    g1, g2, j1, j2 = os.urandom(16), os.urandom(16), _key(), _key()
    before = PiiCipher({"g1": g1}, "g1", {"j1": j1}, "j1", suite="guomi")
    sealed = before.encrypt("id_number", VALID)
    digest = before.blind_index("id_number", VALID)
    assert sealed.startswith("sm4-gcm:g1:") and digest.startswith("hmac-sm3:j1:")
    during = PiiCipher({"g1": g1, "g2": g2}, "g2", {"j1": j1, "j2": j2}, "j2", suite="guomi")
    assert during.decrypt("id_number", sealed) == VALID and not during.is_current(sealed)
    assert digest in during.index_candidates("id_number", VALID)
    resealed = during.rotate("id_number", sealed)
    assert resealed.startswith("sm4-gcm:g2:") and during.is_current(resealed)
    after = PiiCipher({"g2": g2}, "g2", {"j2": j2}, "j2", suite="guomi")
    assert after.decrypt("id_number", resealed) == VALID
    assert after.blind_index("id_number", VALID) == during.index_candidates("id_number", VALID)[0]
    with pytest.raises(PiiKeyError, match="g1"):
        after.decrypt("id_number", sealed)


def test_guomi_seals_with_sm4_gcm_and_indexes_with_hmac_sm3() -> None:
    index = _key()
    cipher = PiiCipher({"g1": os.urandom(16)}, "g1", {"i1": index}, "i1", suite="guomi")
    sealed = cipher.encrypt("id_number", VALID)
    assert sealed.startswith("sm4-gcm:g1:") and VALID not in sealed
    assert cipher.key_version(sealed) == ("sm4-gcm", "g1")
    assert cipher.decrypt("id_number", sealed) == VALID
    with pytest.raises(InvalidTag):
        cipher.decrypt("phone", sealed)  # the purpose is authenticated
    body = base64.b64decode(sealed.rpartition(":")[2])
    altered = bytes([body[-1] ^ 1])
    with pytest.raises(InvalidTag):
        cipher.decrypt("id_number", "sm4-gcm:g1:" + base64.b64encode(body[:-1] + altered).decode())
    indexed = cipher.blind_index("id_number", VALID)
    assert indexed.startswith("hmac-sm3:i1:") and len(indexed.rpartition(":")[2]) == 64
    standard = PiiCipher({"k1": _key()}, "k1", {"i1": index}, "i1")
    assert standard.blind_index("id_number", VALID).rpartition(":")[2] != indexed.rpartition(":")[2]
    # The suite's key sizes are checked: an AES-256 key cannot be guomi's current key.
    with pytest.raises(PiiKeyError, match="16 bytes"):
        PiiCipher({"k1": _key()}, "k1", index, suite="guomi")


def test_values_written_under_one_suite_and_key_read_after_rotation_and_switch() -> None:
    aes, sm4, index0, index1 = _key(), os.urandom(16), _key(), _key()
    before = PiiCipher({"k1": aes}, "k1", index0)  # standard, index key i0
    legacy = "k1:" + before.encrypt("phone", "13800001111").rpartition(":")[2]
    sealed = before.encrypt("phone", "13800001111")
    stored = before.blind_index("phone", "13800001111")
    bare = stored.rpartition(":")[2]  # a digest from before digests named their key
    after = PiiCipher(
        {"k1": aes, "g2": sm4}, "g2", {LEGACY_INDEX_KEY_ID: index0, "i1": index1}, "i1",
        suite="guomi",
    )  # fmt: skip
    for token in (legacy, sealed):
        assert after.decrypt("phone", token) == "13800001111"
        assert not after.is_current(token)
        resealed = after.rotate("phone", token)
        assert resealed.startswith("sm4-gcm:g2:") and after.is_current(resealed)
    candidates = after.index_candidates("phone", "13800001111")
    assert candidates[0].startswith("hmac-sm3:i1:")
    assert stored in candidates and bare in candidates
    assert not after.index_is_current(stored) and after.index_is_current(candidates[0])
    # Back to the standard suite with a new AES key: the SM4 values still read.
    back = PiiCipher({"g2": sm4, "k3": _key()}, "k3", {"i1": index1}, "i1")
    sm4_sealed = after.encrypt("phone", "13800001111")
    assert back.decrypt("phone", sm4_sealed) == "13800001111"
    assert back.rotate("phone", sm4_sealed).startswith("aes-256-gcm:k3:")
    # A key removed too early is named; a key of the wrong size for the named algorithm too.
    with pytest.raises(PiiKeyError, match="k1"):
        back.decrypt("phone", sealed)
    with pytest.raises(PiiKeyError, match="not a key of"):
        back.decrypt("phone", "aes-256-gcm:g2:" + sm4_sealed.rpartition(":")[2])


def test_settings_switch_the_suite_and_refuse_development_keys_in_lists() -> None:
    sm4 = "g1:" + base64.b64encode(os.urandom(16)).decode()
    settings = KitSettings(pii_crypto="guomi", pii_keys=sm4, pii_key_id="g1")
    assert settings.pii_cipher().encrypt("phone", "1").startswith("sm4-gcm:g1:")
    with pytest.raises(ValueError, match="16 bytes"):
        KitSettings(pii_crypto="guomi")  # the development key is an AES-256 key
    real = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(ValueError, match="pii_index_keys: holds a development key"):
        KitSettings(
            environment="production",
            jwt_secret="x" * 40,
            s3_secret_key="y" * 40,
            pii_keys="k1:" + real,
            pii_key_id="k1",
            pii_index_key="",
            pii_index_keys=f"i1:{real},i0:{DEV_PII_INDEX_KEY}",
            pii_index_key_id="i1",
        )
