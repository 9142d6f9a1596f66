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


# --- Framed certificates (职称证书, 学历证书, 获奖证书) -----------------------------------
#
# No CJK font is installed where these tests run, so Chinese text is drawn as CJK-like
# glyphs: square cells filled with a few horizontal, vertical and boxed strokes (the
# density and squareness of 汉字, nearly symmetric line profiles, no baseline cue).
# Latin lines use Pillow's bundled font.

FRAMES = ("thin", "double", "ornament", "guilloche", "grey-guilloche")  # or "none"
LAYOUTS = ("centred", "photo", "fields")
PAPER = (246, 244, 238)
SEAL_RED = (200, 30, 30)


def _glyph(draw: ImageDraw.ImageDraw, x: float, y: float, s: float, rnd, fill, w: int) -> None:
    """One CJK-like glyph in the s×s cell at (x, y)."""
    m = s * 0.08
    for _ in range(rnd.randint(3, 6)):
        kind = rnd.random()
        if kind < 0.4:
            y0 = y + m + rnd.random() * (s - 2 * m - w)
            x0 = x + m + rnd.random() * s * 0.3
            x1 = x + s - m - rnd.random() * s * 0.3
            draw.rectangle((x0, y0, x1, y0 + w), fill=fill)
        elif kind < 0.75:
            x0 = x + m + rnd.random() * (s - 2 * m - w)
            y0 = y + m + rnd.random() * s * 0.3
            y1 = y + s - m - rnd.random() * s * 0.3
            draw.rectangle((x0, y0, x0 + w, y1), fill=fill)
        elif kind < 0.9:
            x0 = x + m + rnd.random() * s * 0.4
            y0 = y + m + rnd.random() * s * 0.4
            draw.rectangle((x0, y0, x0 + s * 0.45, y0 + s * 0.4), outline=fill, width=w)
        else:
            x0 = x + m + rnd.random() * s * 0.5
            draw.line((x0, y + m, x0 + s * 0.4, y + s - m), fill=fill, width=w)


def _cjk_line(draw, x: float, y: float, n: int, s: float, rnd, fill, gap: float = 0.12) -> float:
    """n glyphs of size s from (x, y); returns the line's width."""
    w = max(2, round(s / 11))
    for i in range(n):
        _glyph(draw, x + i * s * (1 + gap), y, s, rnd, fill, w)
    return n * s * (1 + gap) - s * gap


def _centred(draw, cx: float, y: float, n: int, s: float, rnd, fill, gap: float = 0.12) -> None:
    width = n * s * (1 + gap) - s * gap
    _cjk_line(draw, cx - width / 2, y, n, s, rnd, fill, gap)


def _frame(draw, size: tuple[int, int], style: str, rnd) -> tuple[int, int, int, int]:
    """Draw the printed frame; returns the inner box the text stays inside."""
    W, H = size
    o = round(min(W, H) * rnd.uniform(0.035, 0.06))
    if style == "none":  # an unframed certificate
        band = 0
    elif style == "thin":
        draw.rectangle((o, o, W - o, H - o), outline=(30, 30, 30), width=3)
        band = 3
    elif style == "double":
        draw.rectangle((o, o, W - o, H - o), outline=(40, 30, 20), width=9)
        draw.rectangle((o + 18, o + 18, W - o - 18, H - o - 18), outline=(40, 30, 20), width=3)
        band = 21
    elif style == "ornament":
        band = 26
        step = 30
        colour = (120, 60, 20)
        shape = rnd.choice(("diamond", "circle"))

        def mark(cx: float, cy: float) -> None:
            r = 11
            if shape == "diamond":
                draw.polygon((cx, cy - r, cx + r, cy, cx, cy + r, cx - r, cy), fill=colour)
            else:
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=4)

        for x in range(o + 13, W - o - 12, step):
            mark(x, o + 13)
            mark(x, H - o - 13)
        for y in range(o + 13, H - o - 12, step):
            mark(o + 13, y)
            mark(W - o - 13, y)
    else:  # guilloche: a band of interlaced waves between two rules
        band = 40
        colour = (90, 90, 90) if style == "grey-guilloche" else (150, 40, 60)
        draw.rectangle((o, o, W - o, H - o), outline=colour, width=3)
        draw.rectangle((o + band, o + band, W - o - band, H - o - band), outline=colour, width=2)
        for phase in (0.0, 1.6, 3.1):
            for t in range(0, 2 * (W + H), 3):
                # Walk round the band; the wave's offset across it is a sine.
                off = band / 2 + (band / 2 - 5) * np.sin(t / 14.0 + phase)
                if t < W:
                    pts = [
                        (o + t * (W - 2 * o) / W, o + off),
                        (o + t * (W - 2 * o) / W, H - o - off),
                    ]
                else:
                    u = (t - W) % H
                    pts = [
                        (o + off, o + u * (H - 2 * o) / H),
                        (W - o - off, o + u * (H - 2 * o) / H),
                    ]
                for px, py in pts:
                    draw.ellipse((px - 1.5, py - 1.5, px + 1.5, py + 1.5), fill=colour)
    pad = band + round(min(W, H) * 0.04)
    return o + pad, o + pad, W - o - pad, H - o - pad


def _seal(draw, cx: float, cy: float, r: float, rnd) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=max(5, round(r / 12)))
    rs = r * 0.3
    star = []
    for k in range(10):
        a = np.pi / 2 + k * np.pi / 5
        rr = rs if k % 2 == 0 else rs * 0.4
        star.append((cx + rr * np.cos(a), cy - rr * np.sin(a)))
    draw.polygon(star, fill=SEAL_RED)
    for k in range(9):  # the issuer's name round the ring
        a = np.pi * (0.15 + 0.7 * k / 8)
        gx, gy = cx - r * 0.72 * np.cos(a), cy - r * 0.72 * np.sin(a)
        _glyph(draw, gx - r * 0.1, gy - r * 0.1, r * 0.2, rnd, SEAL_RED, 2)


def certificate(
    frame: str = "thin",
    layout: str = "centred",
    landscape: bool = False,
    seed: int = 1,
    noise: float = 5.0,
) -> Image.Image:
    """A framed certificate, upright: large centred title, body, signature, date, seal."""
    rnd = random.Random(seed)
    size = (A4[1], A4[0]) if landscape else A4
    W, H = size
    page = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(page)
    x0, y0, x1, y1 = _frame(draw, size, frame, rnd)
    cx = (x0 + x1) / 2
    ink = (25, 20, 20)
    title = min(W, H) * rnd.uniform(0.06, 0.085)
    y = y0 + title * rnd.uniform(0.2, 0.8)
    _centred(draw, cx, y, rnd.randint(4, 6), title, rnd, ink, gap=0.35)
    y += title * 1.35
    if rnd.random() < 0.6:
        sub = "CERTIFICATE OF PROFESSIONAL TITLE"
        sw = draw.textlength(sub, font=_font(26))
        draw.text((cx - sw / 2, y), sub, fill=(60, 60, 60), font=_font(26))
        y += 50
    body = min(W, H) * rnd.uniform(0.022, 0.03)
    pitch = body * rnd.uniform(1.7, 2.2)
    y += pitch
    bottom = y1 - body * 6
    if layout == "photo":
        # Photo box on the left, fields to its right, left-aligned.
        pw, ph = (x1 - x0) * 0.2, (x1 - x0) * 0.27
        draw.rectangle((x0 + 10, y, x0 + 10 + pw, y + ph), outline=(60, 60, 60), width=3)
        draw.ellipse(
            (x0 + 10 + pw * 0.3, y + ph * 0.15, x0 + 10 + pw * 0.7, y + ph * 0.55),
            fill=(150, 150, 150),
        )
        fx = x0 + pw + 60
        per_line = int((x1 - fx) / (body * 1.12))
        while y < bottom - pitch:
            n = rnd.randint(max(3, per_line // 3), per_line)
            _cjk_line(draw, fx, y, n, body, rnd, ink)
            y += pitch
    elif layout == "fields":
        # Label: value rows, labels left-aligned, values ruled underneath.
        lx = x0 + (x1 - x0) * 0.12
        while y < bottom - pitch:
            _cjk_line(draw, lx, y, rnd.randint(2, 4), body, rnd, ink)
            vx = lx + body * 5.5
            n = rnd.randint(3, 10)
            _cjk_line(draw, vx, y, n, body, rnd, ink)
            draw.line(
                (vx - 5, y + body + 6, x1 - (x1 - x0) * 0.12, y + body + 6),
                fill=(80, 80, 80),
                width=2,
            )
            y += pitch * 1.2
    else:
        per_line = int((x1 - x0) * 0.85 / (body * 1.12))
        for _ in range(rnd.randint(3, 6)):
            if y > bottom - pitch:
                break
            _centred(draw, cx, y, rnd.randint(max(4, per_line // 2), per_line), body, rnd, ink)
            y += pitch
    # Signature line bottom left, issuer and date bottom right, seal over the date.
    sy = y1 - body * 3.5
    sx = x0 + (x1 - x0) * 0.06
    lw = _cjk_line(draw, sx, sy, 3, body, rnd, ink)
    draw.line((sx + lw + 10, sy + body, sx + lw + body * 7, sy + body), fill=ink, width=2)
    right = x1 - (x1 - x0) * 0.06
    for k, n in enumerate((rnd.randint(6, 9), 7)):
        wdt = n * body * 1.12
        _cjk_line(draw, right - wdt, sy - pitch * (1 - k), n, body, rnd, ink)
    if rnd.random() < 0.9:
        r = min(W, H) * rnd.uniform(0.07, 0.09)
        _seal(draw, right - 4.5 * body, sy - pitch * 0.3, r, rnd)
    arr = np.asarray(page, dtype=np.float32)
    arr += np.random.default_rng(seed).normal(0, noise, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def turned_certificate(turn: int, skew: float = 0.0, quality: int = 75, **kwargs) -> bytes:
    """A certificate turned counter-clockwise by `turn` (+ `skew`), as a scan's JPEG."""
    page = certificate(**kwargs)
    if turn or skew:
        page = page.rotate(
            turn + skew, expand=True, fillcolor=PAPER, resample=Image.Resampling.BILINEAR
        )
    return jpeg(page, quality=quality)


def blank_frame(frame: str = "double", landscape: bool = True, seed: int = 1) -> bytes:
    """A printed certificate frame with nothing written in it."""
    rnd = random.Random(seed)
    size = (A4[1], A4[0]) if landscape else A4
    page = Image.new("RGB", size, PAPER)
    _frame(ImageDraw.Draw(page), size, frame, rnd)
    arr = np.asarray(page, dtype=np.float32) + np.random.default_rng(seed).normal(
        0, 4, (size[1], size[0], 3)
    )
    return jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB"), quality=75)


def landscape_photo(seed: int = 1) -> bytes:
    """A photograph (sky, hills, a tree): no text lines anywhere."""
    rng = np.random.default_rng(seed)
    W, H = 1600, 1200
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    arr = np.zeros((H, W, 3), np.float32)
    sky = yy < H * 0.45 + 80 * np.sin(xx / 230.0)
    arr[..., 0] = np.where(sky, 120 + yy / H * 80, 50 + 30 * np.sin(xx / 50.0))
    arr[..., 1] = np.where(sky, 160 + yy / H * 60, 90 + 20 * np.cos(yy / 40.0))
    arr[..., 2] = np.where(sky, 220, 40)
    trunk = (abs(xx - W * 0.3) < 25) & (yy > H * 0.35)
    crown = ((xx - W * 0.3) ** 2 + (yy - H * 0.33) ** 2) < 160**2
    arr[trunk] = (60, 40, 20)
    arr[crown] = (30, 80, 30)
    arr += rng.normal(0, 6, arr.shape)
    return jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB"), quality=80)


def text_pdf(*lines: str) -> bytes:
    """A one-page A4 PDF of text, as an office program prints it ("打印为 PDF"): no scan
    in it, so only the PDF checks apply (the page checks judge scanned pages)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    text = " ".join(
        f"1 0 0 1 72 {770 - 28 * i} Tm ({line.replace('(', '').replace(')', '')}) Tj"
        for i, line in enumerate(lines)
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 16 Tf {text} ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
