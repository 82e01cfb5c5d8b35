"""Thumbnails for product photos stored before thumbnails existed: a periodic job fills them in.

A photo without one is shown in lists at full size (the app falls back to ``url``), so the job
catches up a batch at a time, oldest first, on whichever worker runs it. Two workers racing on one
photo each make a thumbnail; only the first is kept (a conditional update) and the other deleted.

A photo the job cannot make a thumbnail of (its bytes gone from storage, or no longer an image) is
marked with the time and left for ``RETRY_AFTER``: it neither fills every batch, holding up the
photos behind it, nor writes a warning every run.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from ragem import toolkit

from plugins.gelati.models import THUMBNAIL_PX, ProductPhoto

log = logging.getLogger("ragem.plugins.gelati")

#: Photos a run gives a thumbnail (each is one image decoded and written: ~50 ms).
BATCH = 100
EVERY_SECONDS = 600
#: How long a photo the job failed on waits before it is tried again (its bytes may be restored).
RETRY_AFTER = timedelta(days=1)


def backfill(batch: int = BATCH) -> int:
    """Give up to ``batch`` photos without a thumbnail their thumbnail; returns how many got one.

    A photo whose stored file is gone or no longer an image is logged, marked and skipped (it shows
    as before) until ``RETRY_AFTER`` has passed; the others are not held up by it.
    """
    session = toolkit.db.session
    now = toolkit.utcnow()
    pending = session.execute(select(ProductPhoto.id, ProductPhoto.file_id)
                              .where(ProductPhoto.thumbnail_file_id.is_(None),
                                     or_(ProductPhoto.thumbnail_failed_at.is_(None),
                                         ProductPhoto.thumbnail_failed_at <= now - RETRY_AFTER))
                              .order_by(ProductPhoto.id).limit(batch)).all()
    made = 0
    for photo_id, file_id in pending:
        try:
            thumbnail = toolkit.save_thumbnail(file_id, max_px=THUMBNAIL_PX, purpose="gelati.thumbnail")
        except (ValueError, LookupError, OSError) as exc:  # not an image, or its bytes are gone
            log.warning("no thumbnail for a product photo", extra={"photo_id": photo_id, "error": type(exc).__name__})
            session.rollback()
            session.execute(update(ProductPhoto).where(ProductPhoto.id == photo_id)
                            .values(thumbnail_failed_at=now).execution_options(synchronize_session=False))
            session.commit()
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
