"""A dataset's history: its revisions (each upload's table, kept) and its import jobs."""
from __future__ import annotations

import gzip
from types import SimpleNamespace

from sqlalchemy import select

from ragem import toolkit

from plugins.sikondang.models import Dataset, ImportJob, Revision


def list_revisions(dataset: Dataset, *, show_uploader: bool) -> list:
    """The revisions, newest first; the uploader's account id only for those who manage the dataset."""
    # Columns, not rows: each revision's table (its content) stays in the database.
    rows = toolkit.db.session.execute(
        select(Revision.number, Revision.created_at, Revision.created_by, Revision.filename, Revision.row_count,
               Revision.changes).where(Revision.dataset_id == dataset.id).order_by(Revision.number.desc())
    )
    return [SimpleNamespace(number=r.number, created_at=r.created_at, created_by=r.created_by if show_uploader else None,
                            filename=r.filename if show_uploader else "", row_count=r.row_count, changes=r.changes)
            for r in rows]


def revision_csv(dataset: Dataset, number: int) -> bytes:
    """The CSV of revision ``number`` (written escaped when it was recorded); 404 if there is none."""
    content = toolkit.db.session.scalar(
        select(Revision.content).where(Revision.dataset_id == dataset.id, Revision.number == number)
    ) if 0 < number < 2**31 else None
    if content is None:
        raise toolkit.NotFound(message={"id": "Revisi tidak ditemukan.", "en": "Revision not found."},
                               details={"revision": number})
    return gzip.decompress(content)


def find_import(dataset: Dataset, import_id: int) -> ImportJob:
    """Import ``import_id`` of ``dataset``; 404 otherwise."""
    job = toolkit.db.session.get(ImportJob, import_id) if 0 < import_id < 2**31 else None
    if job is None or job.dataset_id != dataset.id:
        raise toolkit.NotFound(message={"id": "Impor tidak ditemukan.", "en": "Import not found."},
                               details={"import_id": import_id})
    return job


def recent_imports(dataset: Dataset, limit: int = 10) -> list:
    """The dataset's latest imports, newest first, without their uploaded bytes (status and report)."""
    rows = toolkit.db.session.execute(
        select(ImportJob.id, ImportJob.created_at, ImportJob.finished_at, ImportJob.status, ImportJob.filename,
               ImportJob.revision_number, ImportJob.report)
        .where(ImportJob.dataset_id == dataset.id).order_by(ImportJob.id.desc()).limit(limit)
    )
    return [SimpleNamespace(id=r.id, created_at=r.created_at, finished_at=r.finished_at, status=r.status,
                            filename=r.filename, revision_number=r.revision_number,
                            error_count=(r.report or {}).get("error_count", 0)) for r in rows]
