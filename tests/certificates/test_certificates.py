"""Electronic certificates below the database: the number, the canonical bytes, the
signatures (Ed25519, ES256, key rotation, no SM2), the PDF and the verdict."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from pydantic import ValidationError
from pypdf import PdfReader

from services.api.certificates import pdf
from services.api.certificates.model import (
    DUAL_DIRECTED_COUNTIES,
    CertificateData,
    CertificateRecord,
    DirectedUse,
    Revocation,
    certificate_number,
    masked_id,
    parse_number,
)
from services.api.certificates.signing import (
    BadSignature,
    Keyring,
    keyring,
    private_key_setting,
    public_key_setting,
)
from services.api.certificates.verification import verify
from services.api.config import DEV_CERTIFICATE_SIGNING_KEY, ApiSettings
from tests.conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
SETTINGS = ApiSettings()
FONT = SETTINGS.certificate_font_path
CID = uuid.UUID("5b0c2f4e-8a51-4d0e-9a55-3f1f4b1d2c77")


def quoted(prefix: str, sentence: str) -> str:
    """`sentence`, checked word for word against seed `prefix` when the seeds are here."""
    for path in Path(SEEDS).glob(f"{prefix}_*.txt"):
        assert sentence in path.read_text(encoding="utf-8"), (prefix, sentence)
    return sentence


def data(**change: object) -> CertificateData:
    fields: dict[str, object] = {
        "certificate_id": CID,
        "number": "GX-ENG-SENIOR-2026-000017",
        "holder_name": "韦小宝",
        "holder_id_masked": masked_id("45122919900101123x"),
        "series": "engineering",
        "level": "senior",
        "specialty": "机械工程",
        "committee_code": "gx-eng-senior",
        "committee_name": "广西壮族自治区正高级工程师评审委员会",
        "approval_number": "桂职办〔2026〕113号",
        "approved_on": date(2026, 12, 1),
        "directed_use": None,
    }
    return CertificateData(**{**fields, **change})


def ed25519_keyring(
    kid: str = "k1", retired: str = ""
) -> tuple[Keyring, ed25519.Ed25519PrivateKey]:
    key = ed25519.Ed25519PrivateKey.generate()
    return Keyring.from_settings("Ed25519", private_key_setting(kid, key), retired), key


# --- the number ----------------------------------------------------------------------


def test_the_number_is_the_committee_the_year_and_a_six_digit_serial() -> None:
    assert certificate_number("gx-eng-senior", 2026, 1) == "GX-ENG-SENIOR-2026-000001"
    assert certificate_number("lz-eng-mid", 2027, 123456) == "LZ-ENG-MID-2027-123456"
    assert parse_number("GX-ENG-SENIOR-2026-000017") == ("gx-eng-senior", 2026, 17)
    for bad in [("GX", 2026, 1), ("gx eng", 2026, 1), ("gx", 2026, 0), ("gx", 2026, 10**6)]:
        with pytest.raises(ValueError):
            certificate_number(*bad)
    with pytest.raises(ValueError):
        parse_number("GX-ENG-SENIOR-2026-17")


def test_the_data_refuses_a_number_of_another_committee_or_year() -> None:
    with pytest.raises(ValidationError, match="not of committee"):
        data(committee_code="gx-eng-mid")
    with pytest.raises(ValidationError, match="not of the year"):
        data(approved_on=date(2027, 1, 5))


def test_the_id_number_is_only_ever_held_masked() -> None:
    assert data().holder_id_masked == "4512**********123X"
    with pytest.raises(ValidationError, match="masked"):
        data(holder_id_masked="45122919900101123X")


# --- canonical bytes -------------------------------------------------------------------


def test_canonical_bytes_are_sorted_compact_utf8_json_under_a_format_tag() -> None:
    assert (
        data().canonical_bytes()
        == (
            '{"approval_number":"桂职办〔2026〕113号","approved_on":"2026-12-01",'
            '"certificate_id":"5b0c2f4e-8a51-4d0e-9a55-3f1f4b1d2c77",'
            '"committee_code":"gx-eng-senior",'
            '"committee_name":"广西壮族自治区正高级工程师评审委员会",'
            '"directed_use":null,"format":"zhicheng.certificate.v1",'
            '"holder_id_masked":"4512**********123X","holder_name":"韦小宝",'
            '"level":"senior","number":"GX-ENG-SENIOR-2026-000017","series":"engineering",'
            '"specialty":"机械工程"}'
        ).encode()
    )


def test_the_same_data_gives_the_same_bytes_and_any_change_other_bytes() -> None:
    one = data()
    # Built again from its own JSON (as the store reads it back): the same bytes.
    assert CertificateData.model_validate_json(one.model_dump_json()).canonical_bytes() == (
        one.canonical_bytes()
    )
    # A name typed with spaces or full-width letters is the same name.
    assert data(holder_name=" 韦 小宝 ").canonical_bytes() == one.canonical_bytes()
    changes = {
        "holder_name": "韦大宝",
        "specialty": "电气工程",
        "approval_number": "桂职办〔2026〕114号",
        "level": "deputy_senior",
        "number": "GX-ENG-SENIOR-2026-000018",
        "directed_use": DirectedUse.of("451229"),
    }
    seen = {one.canonical_bytes()}
    for field, value in changes.items():
        seen.add(data(**{field: value}).canonical_bytes())
    assert len(seen) == len(changes) + 1


def test_dual_directed_certificates_name_one_of_the_eight_counties() -> None:
    quoted("004", "职称“定向评价 定向使用”（以下简称“双定向”）政策")
    eight = quoted("004", "大化、都安、隆林、那坡、三江、融水、罗城、乐业等8个乡村振兴重点帮扶县")
    assert len(DUAL_DIRECTED_COUNTIES) == 8
    for name in DUAL_DIRECTED_COUNTIES.values():
        assert name[:2] in eight
    directed = DirectedUse.of("450226")
    assert directed.statement == "定向使用：限在三江侗族自治县使用"
    with pytest.raises(ValidationError, match="双定向"):
        DirectedUse.of("450200")  # 柳州市区 is not one of them


# --- signatures ------------------------------------------------------------------------


def test_ed25519_signs_and_only_the_signed_bytes_verify() -> None:
    ring, _ = ed25519_keyring("office-2026")
    message = data().canonical_bytes()
    signature = ring.sign(message)
    assert signature.startswith("office-2026.")
    assert ring.verify(signature, message) == "office-2026"
    with pytest.raises(BadSignature):
        ring.verify(signature, data(specialty="电气工程").canonical_bytes())
    kid, value = signature.split(".")
    flipped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    for bad in [f"{kid}.{flipped}", f"other.{value}", value, f"{kid}.{value}!", f"{kid}."]:
        with pytest.raises(BadSignature):
            ring.verify(bad, message)


def test_es256_signs_with_a_p256_key_as_64_raw_bytes() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    ring = Keyring.from_settings("ES256", private_key_setting("es1", key))
    message = data().canonical_bytes()
    signature = ring.sign(message)
    assert ring.verify(signature, message) == "es1"
    raw = signature.split(".")[1]
    assert len(raw) == 86  # 64 bytes in base64url, no padding
    with pytest.raises(BadSignature):
        ring.verify(signature, message + b" ")


def test_the_key_must_be_of_the_configured_algorithm() -> None:
    ed = private_key_setting("k", ed25519.Ed25519PrivateKey.generate())
    p256 = private_key_setting("k", ec.generate_private_key(ec.SECP256R1()))
    p384 = private_key_setting("k", ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(ValueError, match="is Ed25519, not the configured ES256"):
        Keyring.from_settings("ES256", ed)
    with pytest.raises(ValueError, match="is ES256, not the configured Ed25519"):
        Keyring.from_settings("Ed25519", p256)
    with pytest.raises(ValueError, match="P-256"):
        Keyring.from_settings("ES256", p384)
    for malformed in ["no-colon", "bad id!:AAAA", "k:not base64", "k:" + "QUJD"]:
        with pytest.raises(ValueError):
            Keyring.from_settings("Ed25519", malformed)


def test_a_rotated_key_keeps_verifying_what_it_signed() -> None:
    old_ring, old_key = ed25519_keyring("2026a")
    message = data().canonical_bytes()
    old_signature = old_ring.sign(message)
    # The new key signs; the old key's public half stays on the retired list.
    new_ring, _ = ed25519_keyring("2027a", retired=public_key_setting("2026a", old_key))
    assert new_ring.verify(old_signature, message) == "2026a"
    assert new_ring.sign(message).startswith("2027a.")
    # Without it, the old signature names a key no one holds.
    bare, _ = ed25519_keyring("2027a")
    with pytest.raises(BadSignature, match="no certificate key 2026a"):
        bare.verify(old_signature, message)
    # ES256 and Ed25519 keys may sit side by side on the list.
    es_key = ec.generate_private_key(ec.SECP256R1())
    es_ring = Keyring.from_settings("ES256", private_key_setting("es", es_key))
    mixed, _ = ed25519_keyring("2027b", retired=public_key_setting("es", es_key))
    assert mixed.verify(es_ring.sign(message), message) == "es"
    with pytest.raises(ValueError, match="listed twice"):
        ed25519_keyring("2026a", retired=public_key_setting("2026a", old_key))


def test_sm2_is_refused_with_a_clear_settings_error() -> None:
    with pytest.raises(ValidationError, match="SM2 \\(国密\\) is not available"):
        ApiSettings(certificate_signing_algorithm="SM2")
    with pytest.raises(ValueError, match="SM2"):
        Keyring.from_settings("SM2", DEV_CERTIFICATE_SIGNING_KEY)


def test_the_development_key_signs_in_development_and_is_refused_in_production() -> None:
    ring = keyring(SETTINGS)
    assert (ring.algorithm, ring.key_id) == ("Ed25519", "dev1")
    production = SETTINGS.model_copy(update={"environment": "production"})
    with pytest.raises(ValueError, match="certificate_signing_key"):
        keyring(production)
    own = private_key_setting("prod1", ed25519.Ed25519PrivateKey.generate())
    assert keyring(production.model_copy(update={"certificate_signing_key": own})).key_id == (
        "prod1"
    )


# --- the PDF ---------------------------------------------------------------------------


def _reader(body: bytes) -> PdfReader:
    assert body.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(body))


def test_the_pdf_states_the_certificate_and_carries_the_signed_qr_payload() -> None:
    ring, _ = ed25519_keyring("office")
    cert = data(directed_use=DirectedUse.of("451229"))
    signature = ring.sign(cert.canonical_bytes())
    body = pdf.render(cert, signature, font_path=FONT)
    reader = _reader(body)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for shown in [
        "韦小宝",
        "4512**********123X",
        "GX-ENG-SENIOR-2026-000017",
        "桂职办〔2026〕113号",
        "正高级工程师",
        "机械工程",
        "广西壮族自治区正高级工程师评审委员会",
        "2026年12月1日",
        "定向使用：限在大化瑶族自治县使用",
    ]:
        assert shown in text, shown
    # The QR code's text, kept in the keywords: the id and a signature that verifies.
    payload = reader.metadata["/Keywords"]
    assert payload == pdf.qr_payload(CID, signature)
    assert payload.startswith("ZCCERT1:")
    got_id, got_signature = pdf.parse_qr_payload(payload)
    assert got_id == CID
    assert ring.verify(got_signature, cert.canonical_bytes()) == "office"


def test_without_dual_direction_there_is_no_directed_use() -> None:
    ring, _ = ed25519_keyring()
    cert = data()
    text = _reader(pdf.render(cert, ring.sign(cert.canonical_bytes()), font_path=FONT))
    assert "定向使用" not in text.pages[0].extract_text()


def test_the_cjk_font_is_embedded_as_a_subset() -> None:
    ring, _ = ed25519_keyring()
    cert = data()
    reader = _reader(pdf.render(cert, ring.sign(cert.canonical_bytes()), font_path=FONT))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/Type0"
        # A subset's name has a six-letter tag: ABCDEF+Name.
        tag, _, _ = str(font["/BaseFont"]).lstrip("/").partition("+")
        assert len(tag) == 6 and tag.isupper(), font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor["/FontFile2"].get_object().get_data()
        # Only the glyphs used: a small part of the whole face.
        assert 1_000 < len(program) < Path(FONT).stat().st_size / 20


def test_the_qr_points_at_the_verification_address_when_one_is_set() -> None:
    ring, _ = ed25519_keyring()
    cert = data()
    signature = ring.sign(cert.canonical_bytes())
    url = "https://zc.example.gov.cn/v1/certificates/verify"
    body = pdf.render(cert, signature, font_path=FONT, verify_url=url)
    payload = _reader(body).metadata["/Keywords"]
    assert payload.startswith(url + "?id=" + str(CID) + "&sig=")
    assert pdf.parse_qr_payload(payload) == (CID, signature)
    with pytest.raises(ValueError):
        pdf.parse_qr_payload("https://zc.example.gov.cn/v1/certificates/verify?id=x")


def test_the_same_certificate_renders_to_the_same_bytes() -> None:
    ring, _ = ed25519_keyring()
    cert = data()
    signature = ring.sign(cert.canonical_bytes())
    assert pdf.render(cert, signature, font_path=FONT) == pdf.render(
        cert, signature, font_path=FONT
    )


def test_a_missing_font_is_named() -> None:
    with pytest.raises(pdf.FontMissing, match="fonts-wqy-microhei"):
        pdf.render(data(), "k.AAAA", font_path="/nonexistent/font.ttc")


# --- the verdict -----------------------------------------------------------------------


def _record(ring: Keyring, cert: CertificateData, **extra: object) -> CertificateRecord:
    return CertificateRecord(data=cert, signature=ring.sign(cert.canonical_bytes()), **extra)


REVOKED = Revocation(
    reason="弄虚作假，评审结果无效",
    revoked_by="ops-1",
    revoked_by_role="committee_office",
    revoked_at=datetime(2027, 3, 1, 2, 0, tzinfo=UTC),
    document_number="桂职办〔2027〕5号",
)


def test_a_kept_certificate_is_genuine_for_its_holder_only() -> None:
    ring, _ = ed25519_keyring()
    record = _record(ring, data())
    assert verify(record, holder_name="韦小宝", keyring=ring).status == "genuine"
    assert verify(record, holder_name=" 韦小宝 ", keyring=ring).status == "genuine"
    presented = ring.sign(record.data.canonical_bytes())
    assert verify(record, holder_name="韦小宝", keyring=ring, presented_signature=presented) == (
        verify(record, holder_name="韦小宝", keyring=ring)
    )
    for verdict, reason in [
        (verify(record, holder_name="韦大宝", keyring=ring), "name_mismatch"),
        (verify(None, holder_name="韦小宝", keyring=ring), "no_record"),
    ]:
        assert (verdict.status, verdict.reason) == ("unknown", reason)


def test_a_revoked_certificate_answers_revoked() -> None:
    ring, _ = ed25519_keyring()
    record = _record(ring, data(), revocation=REVOKED)
    assert record.status == "revoked"
    assert verify(record, holder_name="韦小宝", keyring=ring).status == "revoked"
    # Revoked to its holder only: another name learns nothing.
    assert verify(record, holder_name="韦大宝", keyring=ring).status == "unknown"


def test_a_tampered_record_or_payload_is_not_genuine() -> None:
    ring, _ = ed25519_keyring()
    record = _record(ring, data())
    # The kept data altered after signing (a level raised, a specialty changed).
    for change in [{"level": "deputy_senior"}, {"specialty": "电气工程"}]:
        altered = record.model_copy(update={"data": data(**change)})
        verdict = verify(altered, holder_name="韦小宝", keyring=ring)
        assert (verdict.status, verdict.reason) == ("unknown", "bad_record")
    # Revoked and altered: still not an answer the office gives.
    altered = record.model_copy(update={"data": data(specialty="电气工程"), "revocation": REVOKED})
    assert verify(altered, holder_name="韦小宝", keyring=ring).status == "unknown"
    # A QR payload whose signature is not over this record: another certificate's, a
    # forger's key, a flipped byte.
    other = ring.sign(data(number="GX-ENG-SENIOR-2026-000018").canonical_bytes())
    forger, _ = ed25519_keyring(ring.key_id)
    forged = forger.sign(record.data.canonical_bytes())
    kid, value = record.signature.split(".")
    flipped = f"{kid}.{value[:-3]}{'A' if value[-3] != 'A' else 'B'}{value[-2:]}"
    for presented in [other, forged, flipped, "garbage"]:
        verdict = verify(record, holder_name="韦小宝", keyring=ring, presented_signature=presented)
        assert (verdict.status, verdict.reason) == ("unknown", "bad_presented"), presented


def test_a_record_signed_by_another_office_is_not_genuine() -> None:
    ring, _ = ed25519_keyring("k1")
    forger, _ = ed25519_keyring("k1")
    record = _record(forger, data())
    assert verify(record, holder_name="韦小宝", keyring=ring).reason == "bad_record"
