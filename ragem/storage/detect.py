"""What an uploaded file really is, judged by its bytes, and how to make an image safe to keep.

The client's filename and Content-Type header are never consulted: a phone, a buggy app or an
attacker can put anything there. Images are identified by Pillow (limited to the formats we
accept, so no exotic decoder ever runs on citizen input) and re-encoded from their pixels, which
drops EXIF (GPS position, camera serial), XMP and text chunks. PDFs are recognised by their
magic number and end marker; text and CSV by being clean UTF-8.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

log = logging.getLogger("ragem.storage")

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PDF, CSV, TEXT = "application/pdf", "text/csv", "text/plain"

#: Content type -> the extension of the generated file name.
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf", CSV: "csv", TEXT: "txt"}
SUPPORTED_TYPES = frozenset(EXTENSIONS)
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
#: What ``save_upload`` accepts unless told otherwise: photos and PDF documents.
DEFAULT_TYPES = frozenset({JPEG, PNG, WEBP, PDF})

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# Control characters other than tab, newline, carriage return and form feed: binary, not text.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class InvalidFile(ValueError):
    """The bytes claim a type but cannot be read as it (truncated, corrupt, a decompression bomb)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def detect_type(data: bytes) -> str | None:
    """The content type the bytes announce by their magic number or encoding, else ``None``.

    Images are only *claimed* here; ``sanitise`` has Pillow decode them and refuses a fake.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    text = _as_text(data)
    if text is None:
        return None
    return CSV if _looks_like_csv(text) else TEXT


def _as_text(data: bytes) -> str | None:
    """The UTF-8 text of ``data`` (BOM allowed), or ``None`` when it is binary."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip() or _BINARY_CHARS.search(text):
        return None
    return text


def _looks_like_csv(text: str) -> bool:
    """Every non-empty line of the first 50 has the same number (>= 2) of fields.

    Commas, semicolons (what Excel writes in an Indonesian locale) and tabs are tried.
    """
    lines = text.splitlines()[:50]
    for delimiter in (",", ";", "\t"):
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter) if row}
        except csv.Error:
            continue
        if len(widths) == 1 and min(widths) >= 2:
            return True
    return False


@dataclass(frozen=True)
class CleanFile:
    """Bytes ready to store and their type."""

    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        """Extension of the generated file name."""
        return EXTENSIONS[self.content_type]


class ImageTooLarge(InvalidFile):
    """An image with more pixels than the app accepts: refused from its header, never decoded."""

    def __init__(self, pixels: int | None, limit: int):
        super().__init__("too_many_pixels")
        self.pixels = pixels  # None when Pillow refused the header before we could count
        self.limit = limit


def sanitise(data: bytes, content_type: str, max_pixels: int | None = None) -> CleanFile:
    """Check that ``data`` really is ``content_type`` and return the bytes to keep.

    :param max_pixels: the largest image (width x height) to decode; Pillow's bomb limit when ``None``.
    :raises ImageTooLarge: an image over ``max_pixels`` (told from the header alone).
    :raises InvalidFile: the file is truncated, corrupt or a decompression bomb.
    """
    if content_type in IMAGE_TYPES:
        return CleanFile(content_type, _clean_image(data, _PILLOW_FORMATS[content_type], max_pixels))
    if content_type == PDF:
        # Every complete PDF ends with %%EOF (readers tolerate some trailing bytes after it);
        # a file without one was cut off in transit.
        if b"%%EOF" not in data[-1024:]:
            raise InvalidFile("truncated_pdf")
    return CleanFile(content_type, data)


def _clean_image(data: bytes, pillow_format: str, max_pixels: int | None = None) -> bytes:
    """Decode the image fully and re-encode its pixels alone (no EXIF, XMP or comments).

    The pixel count is judged from the header before anything is decoded: a small file can
    declare a huge canvas (a 343 KB PNG of 9400 x 9400 decodes to 1.4 GB and takes seconds), so
    the memory a decode may take is bounded by ``max_pixels`` times a few bytes.
    """
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that Pillow only warns; we refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                pixels = image.width * image.height
                if max_pixels and pixels > max_pixels:
                    raise ImageTooLarge(pixels, max_pixels)
                limit = Image.MAX_IMAGE_PIXELS
                if limit and pixels > limit:
                    raise InvalidFile("too_many_pixels")
                image.load()  # raises on truncated or corrupt pixel data
                icc_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
                pixels = _pixels_only(upright, pillow_format)
                return _encode(pixels, pillow_format, icc_profile)
    except InvalidFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses a canvas past twice its own limit as it opens the file, before we count.
        if max_pixels:
            raise ImageTooLarge(None, max_pixels) from None
        raise InvalidFile("too_many_pixels") from None
    except Exception as exc:  # noqa: BLE001 - whatever a broken file makes Pillow raise, it is a 422
        log.info("image refused", extra={"error_type": type(exc).__name__, "error": str(exc)[:200]})
        raise InvalidFile("corrupt_image") from None


# Modes each output format can hold as they are; anything else is converted.
_KEEP_MODES = {
    "JPEG": {"L", "RGB", "CMYK"},
    "PNG": {"1", "L", "LA", "I", "I;16", "RGB", "RGBA"},
    "WEBP": {"RGB", "RGBA"},
}


def _pixels_only(image: Image.Image, pillow_format: str) -> Image.Image:
    """A new image holding only the pixel data: no ``info`` (EXIF, XMP, text) survives."""
    if image.mode not in _KEEP_MODES[pillow_format]:
        has_alpha = image.mode in ("LA", "PA", "RGBa", "La") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and pillow_format != "JPEG" else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, pillow_format: str, icc_profile: bytes | None) -> bytes:
    """Encode ``image`` in its original format, carrying only the colour profile over."""
    options: dict = {}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours, not personal data: keep photos looking right
    if pillow_format in ("JPEG", "WEBP"):
        options["quality"] = 90
    out = io.BytesIO()
    image.save(out, format=pillow_format, **options)
    return out.getvalue()
