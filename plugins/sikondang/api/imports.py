"""Uploads of a dataset's table (checked and loaded in the background) and its revisions."""
from __future__ import annotations

from flask import Response

from ragem import toolkit

from plugins.sikondang import MANAGE
from plugins.sikondang.access import managed_dataset, manages, readable_dataset
from plugins.sikondang.api import caching
from plugins.sikondang.schemas.imports import ImportSchema, RevisionListSchema, UploadSchema
from plugins.sikondang.services import imports, revisions

blp = toolkit.Blueprint("sikondang_imports", __name__, description="SIKONDANG: uploads and revisions")


@blp.route("/datasets/<string:name>/imports", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(UploadSchema, location="files")
@blp.response(202, ImportSchema)
def upload_dataset_table(files, name):
    """Upload the whole table (CSV or XLSX). It is checked and loaded in the background: poll the
    import until it ``succeeded`` (a new revision) or ``failed`` (the report lists every bad row;
    nothing changed)."""
    dataset = managed_dataset(name, toolkit.current_user())
    upload = files["file"]
    data = upload.read(imports.MAX_UPLOAD_BYTES.value() + 1)
    return imports.start_import(dataset, data, upload.filename or "", toolkit.current_user())


@blp.route("/datasets/<string:name>/imports/<int:import_id>")
@toolkit.permission_required(MANAGE)
@blp.response(200, ImportSchema)
def get_dataset_import(name, import_id):
    """An import's status, progress and report."""
    dataset = managed_dataset(name, toolkit.current_user())
    return revisions.find_import(dataset, import_id)


@blp.route("/datasets/<string:name>/revisions")
@blp.response(200, RevisionListSchema)
def list_dataset_revisions(name):
    """The accepted uploads, newest first: when, what changed (and who, for the dataset's OPD)."""
    user = toolkit.current_user()
    dataset = readable_dataset(name, user)
    managed = manages(user, dataset)
    cached = caching.for_dataset(dataset, public=not managed)  # the OPD's answer names the uploaders
    if cached.not_modified:
        return cached.not_modified
    return {"items": revisions.list_revisions(dataset, show_uploader=managed)}, 200, cached.headers


@blp.route("/datasets/<string:name>/revisions/<int:number>/data.csv")
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="the table as that revision held it (codes and numbers, CSV)")
def download_dataset_revision(name, number):
    """The whole table of an earlier (or the current) revision, as CSV."""
    dataset = readable_dataset(name, toolkit.current_user())
    body = revisions.revision_csv(dataset, number)
    # A revision never changes once written: its dataset and number are its validator.
    cached = toolkit.conditional_get(dataset.id, number, cache_control="public, max-age=86400"
                                     if dataset.state == "published" else caching.DRAFT)
    if cached.not_modified:
        return cached.not_modified
    return Response(body, mimetype="text/csv", headers={
        **cached.headers, "Content-Disposition": f'attachment; filename="{dataset.name}-r{number}.csv"'})
