"""Datasets: the public search and metadata, and their definition by officers of the owning OPD."""
from __future__ import annotations

from ragem import toolkit

from plugins.sikondang import MANAGE
from plugins.sikondang.access import managed_dataset, readable_dataset
from plugins.sikondang.api import caching
from plugins.sikondang.schemas.datasets import (
    DatasetCreateSchema, DatasetListArgsSchema, DatasetPageSchema, DatasetPatchSchema, DatasetSchema,
)
from plugins.sikondang.services import datasets

blp = toolkit.Blueprint("sikondang_datasets", __name__, description="SIKONDANG: datasets")


@blp.route("/datasets")
@blp.arguments(DatasetListArgsSchema, location="query")
@blp.response(200, DatasetPageSchema)
def list_datasets(args):
    """Published datasets, most recently updated first; search by ``q``, ``tag``, ``topic``, ``opd``
    (officers add their OPD's drafts with ``include_drafts=true``)."""
    page = datasets.list_datasets(user=toolkit.current_user(), **args)
    # A page with drafts is for the caller only; the published list is the same for everyone.
    cached = caching.for_page(page["items"], page["next_cursor"],
                              public=not args["include_drafts"] and toolkit.current_user() is None)
    if cached.not_modified:
        return cached.not_modified
    return page, 200, cached.headers


@blp.route("/datasets", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(DatasetCreateSchema)
@blp.response(201, DatasetSchema)
def create_dataset(body):
    """Define a dataset (a draft): metadata, dimensions and measures; 409 if the name is taken."""
    return datasets.create_dataset(body, toolkit.current_user())


@blp.route("/datasets/<string:name>")
@blp.response(200, DatasetSchema)
def get_dataset(name):
    """A dataset's metadata and definition (a draft only for those who manage it), with an ETag
    and Last-Modified: ``If-None-Match``/``If-Modified-Since`` get a 304 while nothing changed."""
    dataset = readable_dataset(name, toolkit.current_user())
    cached = caching.for_dataset(dataset)
    if cached.not_modified:
        return cached.not_modified
    return dataset, 200, cached.headers


@blp.route("/datasets/<string:name>", methods=["PATCH"])
@toolkit.permission_required(MANAGE)
@blp.arguments(DatasetPatchSchema)
@blp.response(200, DatasetSchema)
def update_dataset(body, name):
    """Change metadata, the definition (before the first upload) or the state (audited)."""
    user = toolkit.current_user()
    return datasets.update_dataset(managed_dataset(name, user), body, user)


@blp.route("/datasets/<string:name>", methods=["DELETE"])
@toolkit.permission_required(MANAGE)
@blp.response(204)
def delete_dataset(name):
    """Take a dataset away (audited): a draft that was never published is deleted with its rows and
    revisions; a published one is withdrawn (410 for the public, ``state: deleted`` for CKAN
    harvesters; its revisions are kept and it can be published again). Repeating it changes nothing."""
    user = toolkit.current_user()
    datasets.delete_dataset(managed_dataset(name, user), user)
    return None
