"""Deleting what no one will ever ask for: uploads nothing claimed, and bytes without a record.

Two kinds of leftovers fill a disk over the months. A file uploaded through ``POST /api/v1/files``
for a form the citizen then abandoned stays pending forever; and a request whose transaction rolled
back after ``save_upload`` wrote the bytes leaves a file no ``StoredFile`` row names. Both are
deleted once older than ``RAGEM_UPLOAD_UNATTACHED_HOURS`` (a day by default), by the periodic job
``core.files-cleanup``; the age keeps uploads that are still in flight safe.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import select

from ragem.extensions import db
from ragem.hooktypes import PeriodicJob
from ragem.storage.models import StoredFile
from ragem.storage.service import get_storage
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.storage")

EVERY_SECONDS = 3600
BATCH = 500


def delete_abandoned(now: datetime | None = None) -> dict[str, int]:
    """Delete pending uploads and orphan bytes older than the setting; returns how many of each."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["RAGEM"]["UPLOAD_UNATTACHED_HOURS"])
    return {"pending_files": _delete_pending(cutoff), "orphan_bytes": _delete_orphans(cutoff)}


def _delete_pending(cutoff: datetime) -> int:
    deleted = 0
    while True:
        rows = list(db.session.scalars(
            select(StoredFile).where(StoredFile.attached_at.is_(None), StoredFile.created_at < cutoff)
            .order_by(StoredFile.created_at).limit(BATCH)
        ))
        if not rows:
            return deleted
        keys = [row.storage_key for row in rows]
        for row in rows:
            db.session.delete(row)
        # Rows first: bytes deleted under a row that then survived (a failed commit) would break a
        # file someone may still open; bytes left behind are only orphans for the next run.
        db.session.commit()
        storage = get_storage()
        for key in keys:
            storage.delete(key)
        deleted += len(rows)


def _delete_orphans(cutoff: datetime) -> int:
    storage = get_storage()
    deleted = 0
    batch: list[str] = []

    def flush() -> int:
        known = set(db.session.scalars(select(StoredFile.storage_key).where(StoredFile.storage_key.in_(batch))))
        orphans = [key for key in batch if key not in known]
        for key in orphans:
            storage.delete(key)
        if orphans:
            log.info("orphan upload bytes deleted", extra={"count": len(orphans)})
        batch.clear()
        return len(orphans)

    epoch = cutoff.timestamp() if cutoff.tzinfo else cutoff.replace(tzinfo=timezone.utc).timestamp()
    for key in storage.stale_keys(epoch):
        batch.append(key)
        if len(batch) >= BATCH:
            deleted += flush()
    if batch:
        deleted += flush()
    return deleted


def cleanup_job() -> Any:
    """The periodic job's body (run by the scheduler inside an app context)."""
    return delete_abandoned()


#: Registered with the scheduler by ``ragem.storage.init_app``.
JOB = PeriodicJob("files-cleanup", every_seconds=EVERY_SECONDS, func=cleanup_job)
