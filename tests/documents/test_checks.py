"""Every corpus file gets exactly the findings it should (checks run on real bytes)."""

from __future__ import annotations

import io
import shutil
import time

import pytest
from PIL import ImageFilter

from services.documents.checks import CheckConfig
from services.documents.checks.pipeline import inspect
from services.documents.checks.upright import METHOD_PROJECTION
from services.documents.kinds import all_kinds, get_kind
from services.documents.normalise import normalise
from tests.documents import corpus

CFG = CheckConfig()
SCAN = get_kind("title_certificate")
PDF_KIND = get_kind("paper_full_text")
PHOTO = get_kind("photo")

CASES = [
    # name, maker, kind, filename, expected finding codes (errors and warnings)
    ("clean A4 scan", corpus.clean_scan, SCAN, "scan.jpg", set()),
    ("turned 90", lambda: corpus.rotated_scan(90), SCAN, "scan.jpg", {"page-not-upright"}),
    ("turned 180", lambda: corpus.rotated_scan(180), SCAN, "scan.jpg", {"page-not-upright"}),
    ("turned 270", lambda: corpus.rotated_scan(270), SCAN, "scan.jpg", {"page-not-upright"}),
    ("EXIF-rotated", corpus.exif_rotated_scan, SCAN, "photo.jpg", {"exif-rotated"}),
    ("blurred", corpus.blurred_scan, SCAN, "scan.jpg", {"image-blurred"}),
    (
        # So blurred no pixel is clearly darker than the paper: the upright check has no
        # ink to look at and abstains (it used to fail with a server error).
        "blurred to a haze",
        lambda: corpus.jpeg(corpus.a4_page(1).filter(ImageFilter.GaussianBlur(6)), quality=70),
        SCAN,
        "scan.jpg",
        {"image-blurred"},
    ),
    ("blank", corpus.blank_scan, SCAN, "scan.jpg", {"page-blank"}),
    ("truncated JPEG", corpus.truncated_jpeg, SCAN, "scan.jpg", {"image-corrupt"}),
    (
        "PNG renamed .jpg",
        corpus.png_scan,
        SCAN,
        "scan.jpg",
        {"type-not-allowed", "name-type-mismatch"},
    ),
    (
        "20000x20000 bomb PNG",
        corpus.bomb_png,
        SCAN,
        "bomb.png",
        {"type-not-allowed", "image-too-many-pixels"},
    ),
    ("HEIC", corpus.heic_photo, SCAN, "IMG_0001.HEIC", {"file-too-large", "type-not-allowed"}),
    ("600 KB JPEG", corpus.large_jpeg, SCAN, "scan.jpg", {"file-too-large"}),
    (
        "PDF renamed .jpg",
        corpus.plain_pdf,
        SCAN,
        "scan.jpg",
        {"type-not-allowed", "name-type-mismatch"},
    ),
    ("plain PDF", corpus.plain_pdf, PDF_KIND, "paper.pdf", set()),
    ("PDF with JavaScript", corpus.javascript_pdf, PDF_KIND, "paper.pdf", {"pdf-active-content"}),
    (
        "PDF with embedded file",
        corpus.embedded_file_pdf,
        PDF_KIND,
        "paper.pdf",
        {"pdf-active-content"},
    ),
    ("encrypted PDF", corpus.encrypted_pdf, PDF_KIND, "paper.pdf", {"pdf-encrypted"}),
    (
        "PDF over the page limit",
        lambda: corpus.plain_pdf(41),
        PDF_KIND,
        "paper.pdf",
        {"pdf-page-count"},
    ),
    ("colour ID photo", corpus.id_photo, PHOTO, "photo.jpg", set()),
    (
        "black-and-white ID photo",
        lambda: corpus.id_photo(colour=False),
        PHOTO,
        "photo.jpg",
        {"photo-not-colour"},
    ),
    (
        "stretched ID photo",
        lambda: corpus.id_photo(size=(600, 579)),
        PHOTO,
        "photo.jpg",
        {"photo-aspect"},
    ),
    (
        "blurred ID photo",
        lambda: corpus.jpeg(corpus.decode(corpus.id_photo()).filter(ImageFilter.GaussianBlur(3))),
        PHOTO,
        "photo.jpg",
        {"image-blurred"},
    ),
    (
        "tiny ID photo",
        lambda: corpus.id_photo(size=(150, 210)),
        PHOTO,
        "photo.jpg",
        {"resolution-too-low"},
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "kind", "filename", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_corpus_findings(name, make, kind, filename, expected) -> None:
    ins = inspect(make(), kind, filename=filename, cfg=CFG)
    assert {f.code for f in ins.findings} == expected, [f.message for f in ins.findings]
    for finding in ins.findings:
        assert finding.severity in ("error", "warning")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in finding.message)


@pytest.mark.parametrize("angle", [90, 180, 270])
@pytest.mark.parametrize("seed", [3, 5, 8])
def test_turned_pages_say_how_to_turn_them_back(angle: int, seed: int) -> None:
    ins = inspect(corpus.rotated_scan(angle, seed), SCAN, filename="a.jpg", cfg=CFG)
    (finding,) = [f for f in ins.findings if f.code == "page-not-upright"]
    assert finding.details["rotate_clockwise"] == angle
    assert f"{angle}°" in finding.message


def test_upright_method_is_reported() -> None:
    ins = inspect(corpus.clean_scan(2), SCAN, filename="a.jpg", cfg=CFG)
    expected = "tesseract-osd" if shutil.which("tesseract") else METHOD_PROJECTION
    assert ins.upright_method == expected


def test_bomb_is_refused_without_decoding() -> None:
    data = corpus.bomb_png()
    started = time.perf_counter()
    ins = inspect(data, SCAN, filename="bomb.png", cfg=CFG)
    assert ins.image is None
    assert {f.code for f in ins.errors} >= {"image-too-many-pixels"}
    # Decoding 400 M pixels takes seconds and gigabytes; refusing from the header does not.
    assert time.perf_counter() - started < 2.0


def test_clarity_threshold_is_configurable() -> None:
    strict = CheckConfig(clarity_threshold=1e9)
    ins = inspect(corpus.clean_scan(), SCAN, filename="a.jpg", cfg=strict)
    assert [f.code for f in ins.findings] == ["image-blurred"]


def test_all_findings_come_at_once() -> None:
    # A blurred PNG named .jpg, over 512 KB: size, type, name and clarity in one answer.
    buf = io.BytesIO()
    corpus.a4_page(4).filter(ImageFilter.GaussianBlur(4)).save(buf, "PNG")
    ins = inspect(buf.getvalue(), SCAN, filename="scan.jpg", cfg=CFG)
    codes = [f.code for f in ins.findings]
    assert codes == ["file-too-large", "type-not-allowed", "name-type-mismatch", "image-blurred"]


@pytest.mark.parametrize(
    "make",
    [corpus.heic_photo, corpus.large_jpeg, corpus.png_scan, corpus.exif_rotated_scan],
    ids=["heic", "600k", "png", "exif"],
)
def test_normalised_output_passes_every_check(make) -> None:
    data = make()
    ins = inspect(data, SCAN, filename="x.jpg", cfg=CFG, normalising=True)
    assert not ins.errors
    out = normalise(
        ins.image,
        mime=ins.mime,
        size=ins.size,
        limit=SCAN.max_bytes,
        exif_rotated=ins.exif_rotated,
        min_side=SCAN.min_width,
    )
    assert len(out.data) <= SCAN.max_bytes
    assert out.data[:3] == b"\xff\xd8\xff"
    again = inspect(out.data, SCAN, filename="x.jpg", cfg=CFG)
    assert again.findings == [], [f.message for f in again.findings]
    assert (out.width, out.height) == (1240, 1754)  # portrait: EXIF turn applied
    assert {c["code"] for c in out.changes} >= {"recompressed"}


def test_normalise_scales_down_when_quality_alone_is_not_enough() -> None:
    ins = inspect(corpus.large_jpeg(), SCAN, filename="x.jpg", cfg=CFG, normalising=True)
    out = normalise(
        ins.image, mime=ins.mime, size=ins.size, limit=150 * 1024, exif_rotated=False, min_side=400
    )
    assert len(out.data) <= 150 * 1024
    assert out.width < 1240
    assert "downscaled" in {c["code"] for c in out.changes}


def test_kinds_use_the_policy_material_ids() -> None:
    # Every material a kind names is asked for by a committed eligibility pack, so the gateway
    # can tell which required materials a declaration's documents cover.
    import pathlib

    import yaml

    packs = pathlib.Path(__file__).resolve().parents[2] / "services" / "rules" / "policies"
    raws = [yaml.safe_load(pack.read_text(encoding="utf-8")) for pack in packs.glob("*.yaml")]
    # A pack asks for materials in its list and through its routing rules (授权或委托函).
    ids = {m["id"] for raw in raws for m in raw.get("materials") or []} | {
        r["material"]["id"] for raw in raws for r in raw.get("routing") or [] if r.get("material")
    }
    kinds = all_kinds()
    named = {k.material for k in kinds.values() if k.material}
    assert named <= ids, named - ids
    for code in (
        "photo",
        "education_proof",
        "title_certificate",
        "signed_pledge",
        "social_insurance_record",
        "exceptional_approval_form",
        "work_years_proof",
    ):
        assert kinds[code].material == code
    assert kinds["photo"].colour and kinds["photo"].aspect_min
    assert all(k.max_bytes == 512 * 1024 for k in kinds.values())


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [-4, 3])
def test_slightly_skewed_pages_are_judged_by_their_turn(turn: int, skew: int) -> None:
    page = corpus.a4_page(60 + turn).rotate(turn + skew, expand=True, fillcolor=(246, 246, 246))
    ins = inspect(corpus.jpeg(page, quality=70), SCAN, filename="a.jpg", cfg=CFG)
    turns = [f.details["rotate_clockwise"] for f in ins.findings if f.code == "page-not-upright"]
    assert turns == ([] if turn == 0 else [turn])


def test_a_page_without_text_lines_is_not_called_turned() -> None:
    # A large centred seal-like ring: no lines, no edges; the projection method abstains.
    from PIL import ImageDraw

    page = corpus.a4_page(70, noise=0)
    blank = page.copy()
    ImageDraw.Draw(blank).rectangle((0, 0, *page.size), fill=(246, 246, 246))
    ImageDraw.Draw(blank).ellipse((320, 580, 920, 1180), outline=(200, 20, 20), width=24)
    ins = inspect(corpus.jpeg(blank), SCAN, filename="a.jpg", cfg=CFG)
    assert "page-not-upright" not in {f.code for f in ins.findings}


def test_scanned_pdf_pages_are_checked_like_scans() -> None:
    clean = corpus.scanned_pdf(corpus.a4_page(80), corpus.a4_page(81))
    ins = inspect(clean, PDF_KIND, filename="paper.pdf", cfg=CFG)
    assert ins.findings == [] and ins.pages == 2
    assert ins.upright_method is not None
    bad = corpus.scanned_pdf(
        corpus.a4_page(82),
        corpus.a4_page(83).rotate(90, expand=True),
        corpus.blank_page(),
        corpus.a4_page(84).filter(ImageFilter.GaussianBlur(4)),
    )
    ins = inspect(bad, PDF_KIND, filename="paper.pdf", cfg=CFG)
    found = [(f.code, f.details["page"]) for f in ins.findings]
    assert found == [("page-not-upright", 2), ("page-blank", 3), ("image-blurred", 4)]
    assert ins.findings[0].message.startswith("PDF 第 2 页：")


# Framed certificates: every frame style, portrait and landscape, three layouts (centred
# body; photo box with fields beside it; ruled label/value rows), with a seal over the
# date, a signature line, scan noise and JPEG qualities from 60 to 89.
CERTIFICATES = [
    ("thin", "centred", True, 0),
    ("thin", "photo", False, 10),
    ("double", "centred", False, 21),
    ("double", "fields", True, 26),
    ("ornament", "fields", False, 2),
    ("ornament", "centred", True, 12),
    ("guilloche", "photo", True, 13),
    ("guilloche", "fields", False, 23),
    ("grey-guilloche", "photo", True, 19),
    ("grey-guilloche", "centred", False, 9),
    # Unframed: centred CJK lines defeat the letter's measures just the same.
    ("none", "centred", False, 9),
    ("none", "centred", True, 6),
    ("none", "photo", False, 4),
]


def _turns(data: bytes) -> list[int | None]:
    ins = inspect(data, SCAN, filename="certificate.jpg", cfg=CFG)
    return [f.details["rotate_clockwise"] for f in ins.findings if f.code == "page-not-upright"]


@pytest.mark.parametrize("skew", [0, -3, 1.5, 5])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize(
    ("frame", "layout", "landscape", "seed"),
    CERTIFICATES,
    ids=[f"{f}-{lay}-{'landscape' if ls else 'portrait'}" for f, lay, ls, _ in CERTIFICATES],
)
def test_framed_certificates_are_judged_by_their_turn(
    frame: str, layout: str, landscape: bool, seed: int, turn: int, skew: float
) -> None:
    data = corpus.turned_certificate(
        turn,
        skew,
        quality=60 + seed % 30,
        frame=frame,
        layout=layout,
        landscape=landscape,
        seed=seed,
    )
    ins = inspect(data, SCAN, filename="certificate.jpg", cfg=CFG)
    found = [f for f in ins.findings if f.code == "page-not-upright"]
    if turn == 0:
        assert found == [], [f.message for f in found]
    else:
        (finding,) = found
        assert finding.details["rotate_clockwise"] == turn
        assert f"{turn}°" in finding.message
        assert finding.details["method"] == ins.upright_method


@pytest.mark.parametrize("landscape", [True, False], ids=["landscape", "portrait"])
@pytest.mark.parametrize("frame", corpus.FRAMES)
def test_an_empty_frame_is_not_called_turned(frame: str, landscape: bool) -> None:
    # A printed frame with nothing written in it: no text lines, so the check abstains.
    assert _turns(corpus.blank_frame(frame, landscape)) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_photograph_is_not_called_turned(seed: int) -> None:
    assert _turns(corpus.landscape_photo(seed)) == []


@pytest.mark.parametrize("skew", [-5, -3, 3, 5])
@pytest.mark.parametrize("turn", [90, 270])
@pytest.mark.parametrize("seed", [2, 4])
def test_a_sideways_letter_is_not_taken_for_a_framed_page(seed: int, turn: int, skew: int) -> None:
    # Turned and skewed, a letter has ink in every row and column, like a framed page, and
    # its heading runs down one edge like a frame side; it is still judged as a letter.
    page = corpus.a4_page(seed).rotate(turn + skew, expand=True, fillcolor=(246, 246, 246))
    assert _turns(corpus.jpeg(page, quality=70)) == [turn]
