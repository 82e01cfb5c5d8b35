"""A dataset's numbers: filtered rows, chart-ready series, and CSV/JSON downloads (with ETags).

Answers carry an ETag and Last-Modified that change with every revision or metadata change and a
Cache-Control that lets browsers and proxies keep a published dataset's answers for a few minutes
(``caching``); a client that sends ``If-None-Match`` with the ETag it holds gets ``304 Not Modified``.
"""
from __future__ import annotations

from flask import Response, request, stream_with_context

from ragem import toolkit

from plugins.sikondang.access import readable_dataset
from plugins.sikondang.api import caching
from plugins.sikondang.schemas.data import DataArgsSchema, DataPageSchema, FilterArgsSchema, SeriesArgsSchema, SeriesSchema
from plugins.sikondang.services import queries
from plugins.sikondang.services.stats import count_download

blp = toolkit.Blueprint("sikondang_data", __name__, description="SIKONDANG: data, series and downloads")

@blp.route("/datasets/<string:name>/data")
@blp.arguments(DataArgsSchema, location="query")
@blp.response(200, DataPageSchema)
def get_dataset_data(args, name):
    """Rows of the current revision, filtered on any dimension (``?region=36.73&year=2019,2020``), in
    pages (``limit`` up to 1000, ``cursor``)."""
    dataset = readable_dataset(name, toolkit.current_user())
    filters = queries.parse_filters(dataset, request.args)
    cached = caching.for_dataset(dataset)
    if cached.not_modified:
        return cached.not_modified
    return queries.page_of_rows(dataset, filters, limit=args["limit"], cursor=args["cursor"]), 200, cached.headers


@blp.route("/datasets/<string:name>/series")
@blp.arguments(SeriesArgsSchema, location="query")
@blp.response(200, SeriesSchema)
def get_dataset_series(args, name):
    """Chart-ready series of one measure: one series per value of dimension ``by``, aligned on the
    values of dimension ``x``; filter the other dimensions to one value each."""
    dataset = readable_dataset(name, toolkit.current_user())
    cached = caching.for_dataset(dataset)
    if cached.not_modified:
        return cached.not_modified
    return queries.series(dataset, request.args), 200, cached.headers


def _download(name: str, fmt: str) -> Response:
    dataset = readable_dataset(name, toolkit.current_user())
    filters = queries.parse_filters(dataset, request.args)
    cached = caching.for_dataset(dataset, fmt)
    if cached.not_modified:
        return cached.not_modified
    headers = dict(cached.headers)
    count_download(dataset)
    chunks = queries.csv_chunks(dataset, filters) if fmt == "csv" else queries.json_chunks(dataset, filters)
    headers["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(stream_with_context(chunks), mimetype=mimetype, headers=headers)


@blp.route("/datasets/<string:name>/download.csv")
@blp.arguments(FilterArgsSchema, location="query")
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="the filtered table: dimension codes (and labels), then the measures")
def download_dataset_csv(args, name):
    """The whole (filtered) table as CSV, UTF-8; cells that would run as spreadsheet formulas are
    escaped with a leading apostrophe."""
    return _download(name, "csv")


@blp.route("/datasets/<string:name>/download.json")
@blp.arguments(FilterArgsSchema, location="query")
@blp.response(200, DataPageSchema, description="the filtered table in one document (no next_cursor)")
def download_dataset_json(args, name):
    """The whole (filtered) table as one JSON document ``{"dataset", "revision", "items"}``."""
    return _download(name, "json")
