"""Small JPEG previews of stored photos, for lists and galleries.

A thumbnail is made from the stored photo, whose bytes ``save_upload`` already checked, bounded
in pixels and re-encoded without metadata, so no citizen byte reaches the decoder here for the
first time. It is drawn anew from the pixels alone: no EXIF, GPS or comment can survive into it.
It is stored as a file of its own (a ``StoredFile`` row, served by signed link like any other);
the caller keeps its id beside the photo's and deletes both together.
"""
from __future__ import annotations

import io

from PIL import Image

from ragem.extensions import db
from ragem.storage.detect import IMAGE_TYPES, JPEG, CleanFile
from ragem.storage.models import StoredFile
from ragem.storage.service import canonical_id, get_storage, store_clean

#: The longer side of a thumbnail unless the caller asks otherwise (a list row on a phone).
THUMBNAIL_PX = 320
#: Smallest and largest sizes a caller may ask for: below is a dot, above is no longer a thumbnail.
MIN_PX, MAX_PX = 16, 2048
QUALITY = 80


def render_thumbnail(data: bytes, max_px: int = THUMBNAIL_PX) -> tuple[bytes, tuple[int, int]]:
    """JPEG bytes of the image ``data`` shrunk to at most ``max_px`` on its longer side (never
    enlarged), and its ``(width, height)``. Transparent parts become white, as on a light page."""
    with Image.open(io.BytesIO(data)) as image:
        # Pillow decodes a JPEG straight at a fraction of its size here (a 1/8 decode of a large photo).
        image.thumbnail((max_px, max_px))
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = image.convert("RGB")
        out = io.BytesIO()
        flat.save(out, format="JPEG", quality=QUALITY, optimize=True)  # no exif= given: none written
    return out.getvalue(), flat.size


def save_thumbnail(source: StoredFile | str, *, max_px: int = THUMBNAIL_PX, purpose: str | None = None) -> StoredFile:
    """Store a JPEG thumbnail of the stored image ``source`` (its row, or its id) and return the
    thumbnail's ``StoredFile`` row, added to the session (the caller commits).

    The thumbnail belongs to the photo's owner and counts as in use at once (the caller keeps
    its id); it is not counted against the owner's upload quota when made, since the photo was.

    :param max_px: the longer side at most, in pixels (16 to 2048); a smaller photo keeps its size.
    :param purpose: the thumbnail's purpose (``rabeg.thumbnail``); the photo's when omitted.
    :raises ValueError: ``source`` is not a stored JPEG, PNG or WebP image, or ``max_px`` is out of range.
    """
    if not MIN_PX <= int(max_px) <= MAX_PX:
        raise ValueError(f"max_px must be between {MIN_PX} and {MAX_PX}")
    row = source if isinstance(source, StoredFile) else db.session.get(StoredFile, canonical_id(source) or "")
    if row is None:
        raise ValueError(f"not a stored file: {source!r}")
    if row.content_type not in IMAGE_TYPES:
        raise ValueError(f"only images have thumbnails, not {row.content_type}")
    data, _size = render_thumbnail(get_storage().open(row.storage_key), int(max_px))
    return store_clean(CleanFile(JPEG, data), owner_id=row.owner_id, purpose=purpose or row.purpose)
