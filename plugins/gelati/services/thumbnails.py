"""Thumbnails for product photos stored before thumbnails existed: a periodic job fills them in.

A photo without one is shown in lists at full size (the app falls back to ``url``), so the job
catches up a batch at a time, oldest first, on whichever worker runs it. Two workers racing on one
photo each make a thumbnail; only the first is kept (a conditional update) and the other deleted.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update

from ragem import toolkit

from plugins.gelati.models import THUMBNAIL_PX, ProductPhoto

log = logging.getLogger("ragem.plugins.gelati")

#: Photos a run gives a thumbnail (each is one image decoded and written: ~50 ms).
BATCH = 100
EVERY_SECONDS = 600


def backfill(batch: int = BATCH) -> int:
    """Give up to ``batch`` photos without a thumbnail their thumbnail; returns how many got one.

    A photo whose stored file is gone or no longer an image is logged and skipped (it shows as
    before); the others are not held up by it.
    """
    session = toolkit.db.session
    pending = session.execute(select(ProductPhoto.id, ProductPhoto.file_id)
                              .where(ProductPhoto.thumbnail_file_id.is_(None))
                              .order_by(ProductPhoto.id).limit(batch)).all()
    made = 0
    for photo_id, file_id in pending:
        try:
            thumbnail = toolkit.save_thumbnail(file_id, max_px=THUMBNAIL_PX, purpose="gelati.thumbnail")
        except (ValueError, LookupError, OSError) as exc:  # not an image, or its bytes are gone
            log.warning("no thumbnail for a product photo", extra={"photo_id": photo_id, "error": type(exc).__name__})
            session.rollback()
            continue
        taken = session.execute(update(ProductPhoto)
                                .where(ProductPhoto.id == photo_id, ProductPhoto.thumbnail_file_id.is_(None))
                                .values(thumbnail_file_id=thumbnail.id)
                                .execution_options(synchronize_session=False)).rowcount
        session.commit()
        if taken:
            made += 1
        else:  # another worker was first, or the photo was deleted meanwhile
            toolkit.delete_file(thumbnail.id)
            session.commit()
    return made
