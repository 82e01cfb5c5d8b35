"""SIKONDANG in the console (``/console/p/sikondang/...``): the datasets an officer manages with
their state, and a dataset's page where its table is uploaded and the validation report read. The
views and actions call the same service functions and schemas as the ``/datasets`` API routes."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from marshmallow import fields, validate

from ragem import toolkit

from plugins.sikondang import MANAGE
from plugins.sikondang.access import managed_dataset
from plugins.sikondang.schemas.datasets import DatasetListArgsSchema, DatasetSchema
from plugins.sikondang.schemas.imports import ImportSchema, UploadSchema
from plugins.sikondang.services import datasets, imports, revisions

FOLDER = str(Path(__file__).resolve().parent)
#: How many of an upload's bad rows the page lists (the count says how many there are).
ERRORS_SHOWN = 200

STATE_NAMES = {
    "draft": {"id": "draf", "en": "draft"},
    "published": {"id": "terbit", "en": "published"},
    "withdrawn": {"id": "ditarik", "en": "withdrawn"},
}
IMPORT_NAMES = {
    "queued": {"id": "menunggu", "en": "queued"},
    "running": {"id": "sedang diperiksa", "en": "being checked"},
    "succeeded": {"id": "diterima", "en": "accepted"},
    "failed": {"id": "ditolak", "en": "refused"},
}
WORDS = {"states": STATE_NAMES, "imports": IMPORT_NAMES}


class ConsoleDatasetArgsSchema(DatasetListArgsSchema):
    """The API's search; the console always lists the drafts the officer manages too."""

    class Meta(DatasetListArgsSchema.Meta):
        exclude = ("include_drafts",)


class DatasetPageArgsSchema(toolkit.BaseSchema):
    """``?import_id=``: the upload whose validation report the page shows."""

    import_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


def wib(moment) -> str:
    """A stored (naive UTC) time as Kota Serang reads it."""
    return (moment + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M WIB") if moment else ""


def datasets_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """Published datasets and the drafts and withdrawn ones this officer manages, newest change first."""
    page = datasets.list_datasets(user=account, include_drafts=True, **query)
    return {"datasets": DatasetSchema(many=True).dump(page["items"]), "next_cursor": page["next_cursor"],
            "words": WORDS}


def dataset_view(account: toolkit.Account, *, name: str, query: dict[str, Any]) -> dict[str, Any]:
    """A dataset its OPD manages: state, figures, the latest uploads, one upload's report."""
    dataset = managed_dataset(name, account)
    report = None
    if query.get("import_id"):
        report = ImportSchema().dump(revisions.find_import(dataset, query["import_id"]))
        report["report"]["errors"] = report["report"].get("errors", [])[:ERRORS_SHOWN]
    return {
        "dataset": DatasetSchema().dump(dataset),
        "imports": revisions.recent_imports(dataset),
        "shown": report, "errors_shown": ERRORS_SHOWN,
        "max_bytes": imports.MAX_UPLOAD_BYTES.value(),
        "words": WORDS, "wib": wib,
    }


def _upload(account, form, *, name):
    """Queue the table's import as ``POST /datasets/<name>/imports`` does; show its report next."""
    dataset = managed_dataset(name, account)
    upload = form["file"]
    data = upload.read(imports.MAX_UPLOAD_BYTES.value() + 1)
    job = imports.start_import(dataset, data, upload.filename or "", account)
    return toolkit.ConsoleRedirect("dataset", {"name": name, "import_id": job.id})


def _publish(account, form, *, name):
    datasets.update_dataset(managed_dataset(name, account), {"state": "published"}, account)


def _withdraw(account, form, *, name):
    outcome = datasets.delete_dataset(managed_dataset(name, account), account)
    if outcome == "deleted":  # a draft never published is gone: back to the list
        return toolkit.ConsoleRedirect("datasets")
    return None


def console_pages() -> list[toolkit.ConsolePage]:
    """The dataset list (listed for officers and admins) and a dataset's page with its upload form."""
    return [
        toolkit.ConsolePage("datasets", {"id": "Dataset statistik", "en": "Statistics datasets"}, datasets_view,
                            "datasets.html", FOLDER, permission=MANAGE, query=ConsoleDatasetArgsSchema),
        toolkit.ConsolePage(
            "dataset", {"id": "Dataset", "en": "Dataset"}, dataset_view, "dataset.html", FOLDER, permission=MANAGE,
            path="<string:name>", query=DatasetPageArgsSchema, actions=[
                toolkit.ConsoleAction("upload", _upload, UploadSchema, done={
                    "id": "Berkas diunggah; hasil pemeriksaannya ada di bawah.",
                    "en": "The file was uploaded; its check is shown below."}),
                toolkit.ConsoleAction("publish", _publish, done={
                    "id": "Dataset diterbitkan.", "en": "The dataset is published."}),
                toolkit.ConsoleAction("withdraw", _withdraw, done={
                    "id": "Dataset ditarik dari publik (draf yang belum pernah terbit dihapus).",
                    "en": "The dataset was taken away from the public (a draft never published is deleted)."}),
            ]),
    ]
