"""What SIKONDANG holds on a person: the account id of the officer who defined a dataset or uploaded
a table (never a name). Exported on request; on erasure the id is removed and the public record
(the datasets and their revisions) stays."""
from __future__ import annotations

from sqlalchemy import select, update

from ragem import toolkit

from plugins.sikondang.models import Dataset, ImportJob, Revision


def export(user: toolkit.Account) -> dict | None:
    """The datasets ``user`` defined and the revisions they uploaded, or ``None`` for none."""
    session = toolkit.db.session
    datasets = [{"name": name, "created_at": created} for name, created in session.execute(
        select(Dataset.name, Dataset.created_at).where(Dataset.created_by == user.id).order_by(Dataset.id))]
    revisions = [{"dataset": name, "revision": number, "created_at": created} for name, number, created in session.execute(
        select(Dataset.name, Revision.number, Revision.created_at).join(Dataset, Dataset.id == Revision.dataset_id)
        .where(Revision.created_by == user.id).order_by(Revision.id))]
    return {"datasets_defined": datasets, "revisions_uploaded": revisions} if datasets or revisions else None


def erase(user: toolkit.Account) -> toolkit.ErasureReport:
    """Remove ``user``'s id from datasets, revisions and imports; the statistics stay published."""
    session = toolkit.db.session
    anonymised = sum(session.execute(update(model).where(model.created_by == user.id).values(created_by=None)).rowcount
                     for model in (Dataset, Revision, ImportJob))
    return toolkit.ErasureReport(deleted=0, anonymised=anonymised,
                                 kept_reason="published statistics are public records; the uploader is removed")
