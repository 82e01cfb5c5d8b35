"""Who may see and change a dataset: the public sees published ones, an OPD's officers their own."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.sikondang import MANAGE
from plugins.sikondang.models import Dataset


def manages(user: toolkit.Account | None, dataset: Dataset | None = None, opd_code: str | None = None) -> bool:
    """Whether ``user`` manages ``dataset`` (or datasets of ``opd_code``): admins all, officers their OPD's."""
    if user is None or not toolkit.can(user, MANAGE, dataset):
        return False
    if user.has_role("admin"):
        return True
    owner = dataset.opd_code if dataset is not None else opd_code
    return owner is None or user.opd_code == owner


def find_dataset(name: str) -> Dataset | None:
    """The dataset called ``name`` (its URL name), or ``None``."""
    if len(name) > 100:
        return None
    return toolkit.db.session.scalar(select(Dataset).where(Dataset.name == name))


def readable_dataset(name: str, user: toolkit.Account | None = None) -> Dataset:
    """A published dataset for anyone, a draft or withdrawn one for those who manage it; 404
    otherwise (a draft's name is not revealed), 410 for a withdrawn one (its name was public)."""
    dataset = find_dataset(name)
    if dataset is not None and dataset.state == "withdrawn" and not manages(user, dataset):
        raise toolkit.ApiError(
            "dataset_withdrawn", {"id": "Dataset telah ditarik oleh OPD pemiliknya.",
                                  "en": "The dataset was withdrawn by its OPD."},
            status=410, details={"dataset": dataset.name, "withdrawn_at": toolkit.isoformat_z(dataset.updated_at)})
    if dataset is None or (dataset.state != "published" and not manages(user, dataset)):
        raise toolkit.NotFound(
            message={"id": "Dataset tidak ditemukan.", "en": "Dataset not found."}, details={"dataset": name[:100]})
    return dataset


def managed_dataset(name: str, user: toolkit.Account) -> Dataset:
    """The dataset for an officer of its OPD or an admin; 404 if unknown (or a draft of another
    OPD), 403 for anyone else."""
    dataset = find_dataset(name)
    if dataset is None or (dataset.state == "draft" and not manages(user, dataset)):
        raise toolkit.NotFound(
            message={"id": "Dataset tidak ditemukan.", "en": "Dataset not found."}, details={"dataset": name[:100]})
    if not manages(user, dataset):
        raise toolkit.Forbidden(
            message={"id": "Hanya petugas OPD pemilik dataset yang dapat mengubahnya.",
                     "en": "Only officers of the dataset's OPD can change it."},
            details={"required_permission": MANAGE, "opd": dataset.opd_code},
        )
    return dataset
