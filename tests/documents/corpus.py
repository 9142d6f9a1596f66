"""The test corpus, generated: scans, photos and PDFs with known defects.

Each maker returns the bytes of one file. A4 pages are drawn like a scanned letter:
a centred heading, left-aligned paragraphs with ragged right edges, a page number,
paper tone and scanner noise.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4 = (1240, 1754)  # 150 dpi


@lru_cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def a4_page(seed: int = 1, noise: float = 6.0) -> Image.Image:
    rnd = random.Random(seed)
    page = Image.new("L", A4, 246)
    draw = ImageDraw.Draw(page)
    heading = "CERTIFICATE OF PROFESSIONAL TITLE"
    hw = draw.textlength(heading, font=_font(40))
    draw.text(((A4[0] - hw) / 2, 130), heading, fill=20, font=_font(40))
    y, left, right = 260, 130, A4[0] - 130
    while y < A4[1] - 220:
        for _ in range(rnd.randint(3, 7)):
            words, x_end = [], left
            limit = right if rnd.random() > 0.15 else rnd.randint(left + 200, right)
            while True:
                word = "".join(
                    rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))
                )
                width = draw.textlength(word + " ", font=_font(26))
                if x_end + width > limit:
                    break
                words.append(word)
                x_end += width
            draw.text((left, y), " ".join(words), fill=25, font=_font(26))
            y += 40
            if y >= A4[1] - 220:
                break
        y += 30
    draw.text((A4[0] / 2 - 10, A4[1] - 120), "- 1 -", fill=30, font=_font(24))
    arr = np.asarray(page, dtype=np.float32)
    arr += np.random.default_rng(seed).normal(0, noise, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L").convert("RGB")


def jpeg(image: Image.Image, quality: int = 85, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, **kwargs)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def clean_scan(seed: int = 1) -> bytes:
    return jpeg(a4_page(seed), quality=70)


def rotated_scan(angle: int, seed: int = 1) -> bytes:
    """Content turned counter-clockwise by `angle`; fixing it takes `angle` clockwise."""
    return jpeg(a4_page(seed).rotate(angle, expand=True), quality=70)


def exif_rotated_scan(seed: int = 1) -> bytes:
    """Pixels stored turned, with EXIF orientation 6 (display turned 90° clockwise)."""
    stored = a4_page(seed).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return jpeg(stored, quality=70, exif=exif.tobytes())


def blurred_scan(seed: int = 1) -> bytes:
    return jpeg(a4_page(seed).filter(ImageFilter.GaussianBlur(4)), quality=70)


def blank_scan(seed: int = 1) -> bytes:
    arr = np.full((A4[1], A4[0]), 246, np.float32)
    arr += np.random.default_rng(seed).normal(0, 4, arr.shape)
    return jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L"), quality=70)


def truncated_jpeg(seed: int = 1) -> bytes:
    data = clean_scan(seed)
    return data[: len(data) * 2 // 3]


def png_scan(seed: int = 1) -> bytes:
    buf = io.BytesIO()
    a4_page(seed, noise=0).convert("L").save(buf, "PNG")
    return buf.getvalue()


def bomb_png(side: int = 20_000) -> bytes:
    """A 1-bit PNG of side×side white pixels: tiny on disk, gigabytes when decoded as RGB."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def heic_photo(seed: int = 1) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    a4_page(seed).save(buf, "HEIF", quality=80)
    return buf.getvalue()


def large_jpeg(target: int = 600 * 1024, seed: int = 1) -> bytes:
    """A sharp A4 scan of at least `target` bytes (heavier noise, high quality)."""
    page = a4_page(seed, noise=10)
    for quality in (80, 85, 90, 95):
        data = jpeg(page, quality=quality)
        if len(data) >= target:
            return data
    return data


def bench_scan(seed: int = 1, target: int = 450 * 1024) -> bytes:
    """~450 KB A4 JPEG scan, under the 512 KB limit."""
    page = a4_page(seed, noise=8)
    best = jpeg(page, quality=60)
    for quality in range(60, 96, 3):
        data = jpeg(page, quality=quality)
        if len(data) > 500 * 1024:
            break
        best = data
        if len(data) >= target:
            break
    return best


def id_photo(colour: bool = True, size: tuple[int, int] = (413, 579)) -> bytes:
    rng = np.random.default_rng(7)
    arr = np.zeros((size[1], size[0], 3), np.float32)
    arr[:] = (200, 40, 40)  # red backdrop
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]]
    face = ((xx - size[0] / 2) / (size[0] * 0.22)) ** 2 + (
        (yy - size[1] * 0.42) / (size[1] * 0.2)
    ) ** 2 < 1
    arr[face] = (230, 190, 160)
    body = yy > size[1] * 0.7
    arr[body] = (30, 30, 60)
    arr += rng.normal(0, 3, arr.shape)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if not colour:
        image = image.convert("L").convert("RGB")
    return jpeg(image, quality=90)


def _pdf(build) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    def build(w):
        for _ in range(pages - 1):
            w.add_blank_page(595, 842)

    return _pdf(build)


def javascript_pdf() -> bytes:
    from pypdf.actions import JavaScript

    return _pdf(lambda w: w.add_open_action(JavaScript("app.alert('hello');")))


def encrypted_pdf() -> bytes:
    return _pdf(lambda w: w.encrypt(user_password="secret", owner_password="owner"))


def embedded_file_pdf() -> bytes:
    return _pdf(lambda w: w.add_attachment("payload.exe", b"MZ" + b"\x00" * 100))


def scanned_pdf(*pages: Image.Image) -> bytes:
    """A scanner's PDF: one JPEG per page."""
    buf = io.BytesIO()
    pages[0].save(
        buf, "PDF", save_all=True, append_images=list(pages[1:]), resolution=150, quality=70
    )
    return buf.getvalue()


def blank_page() -> Image.Image:
    return decode(blank_scan())
