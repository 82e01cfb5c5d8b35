"""The CKAN actions SIKONDANG answers; each takes the call's parameters and returns the ``result``.

Parameters come from the query string (text) or a JSON body (typed values), as in CKAN, so every
number is read from either. Only published datasets exist here.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from sqlalchemy import func, select

from ragem import toolkit

from plugins.sikondang.ckan import search, shapes
from plugins.sikondang.ckan.errors import NotFound, ValidationFailed
from plugins.sikondang.models import Dataset, Observation
from plugins.sikondang.services import queries

#: The CKAN version whose Action API this subset follows (status_show reports it to clients).
CKAN_VERSION = "2.10.4"
DATASTORE_MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max default


def _int(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool):
        raise ValidationFailed(**{name: ["Invalid integer"]})
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationFailed(**{name: ["Invalid integer"]}) from None
    if not low <= number <= high:
        raise ValidationFailed(**{name: [f"Must be between {low} and {high}"]})
    return number


def _text(params: dict[str, Any], name: str, required: bool = False) -> str:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise ValidationFailed(**{name: ["Missing value"]})
        return ""
    if not isinstance(value, str) or len(value) > 1000:
        raise ValidationFailed(**{name: ["Must be a string of at most 1000 characters"]})
    return value


def _published() -> list[Dataset]:
    return list(toolkit.db.session.scalars(select(Dataset).where(Dataset.state == "published").order_by(Dataset.name)))


def _find(identifier: str) -> Dataset:
    """A published dataset by its name or its CKAN id."""
    for dataset in _published():
        if identifier in (dataset.name, shapes.package_id(dataset)):
            return dataset
    raise NotFound()


def status_show(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """What this site is (CKAN's ``status_show``)."""
    return {"site_title": "SIKONDANG - Satu Data Kota Serang",
            "site_description": "Data dan statistik Kota Serang dalam angka (RAGEM).",
            "site_url": base_url + "/satudata", "ckan_version": CKAN_VERSION, "error_emails_to": None,
            "locale_default": "id", "extensions": ["datastore", "sikondang"]}


def package_list(params: dict[str, Any], base_url: str) -> list[str]:
    """Names of the published datasets (``limit``, ``offset``)."""
    names = [dataset.name for dataset in _published()]
    offset = _int(params, "offset", 0, 0, 10**9)
    limit = _int(params, "limit", len(names) or 1, 1, 10**6) if "limit" in params else len(names)
    return names[offset:offset + limit]


def package_show(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A published dataset by ``id`` (its name or CKAN id)."""
    return shapes.package(_find(_text(params, "id", required=True)), base_url)


def package_search(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Published datasets matching ``q`` and ``fq``, sorted (``sort``), paged by ``rows`` and ``start``."""
    rows = _int(params, "rows", 10, 0, 1000)
    start = _int(params, "start", 0, 0, 10**9)
    matches = search.matcher(_text(params, "q"), _text(params, "fq"))
    key, descending = search.sorter(_text(params, "sort") or None)
    found = [package for package in (shapes.package(d, base_url) for d in _published()) if matches(package)]
    found.sort(key=key, reverse=descending)
    return {"count": len(found), "sort": _text(params, "sort") or "score desc, metadata_modified desc",
            "facets": {}, "search_facets": {}, "results": found[start:start + rows]}


def organization_list(params: dict[str, Any], base_url: str) -> list[Any]:
    """The OPDs that publish datasets: names, or whole organizations with ``all_fields``."""
    counts: dict[str, int] = {}
    for dataset in _published():
        counts[dataset.opd_code] = counts.get(dataset.opd_code, 0) + 1
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1", "yes")
    codes = sorted(counts, key=shapes.organization_name)
    if all_fields:
        return [shapes.organization(code, counts[code]) for code in codes]
    return [shapes.organization_name(code) for code in codes]


def _resource(resource_id: str) -> Dataset:
    for dataset in _published():
        if shapes.resource_ids(dataset)["csv"] == resource_id:
            return dataset
    raise NotFound("Resource \"{}\" was not found.".format(resource_id[:100]))


def _filters(params: dict[str, Any], dataset: Dataset) -> dict[str, list[str]]:
    raw = params.get("filters") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValidationFailed(filters=["Cannot parse JSON"]) from None
    if not isinstance(raw, dict):
        raise ValidationFailed(filters=["Not a json object"])
    keys = {d.key for d in dataset.dimensions}
    filters: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name not in keys:
            raise ValidationFailed(filters=[f'field "{str(name)[:40]}" not in resource'])
        values = value if isinstance(value, list) else [value]
        if not values or len(values) > queries.MAX_FILTER_VALUES or \
                not all(isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) <= 64 for v in values):
            raise ValidationFailed(filters=[f'invalid value for field "{name}"'])
        filters[name] = [str(v) for v in values]
    return filters


def datastore_search(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Rows of a dataset's table (``resource_id``), filtered by ``filters``, paged by ``limit`` and ``offset``."""
    resource_id = _text(params, "resource_id", required=True)
    dataset = _resource(resource_id)
    filters = _filters(params, dataset)
    limit = _int(params, "limit", 100, 0, DATASTORE_MAX_LIMIT)
    offset = _int(params, "offset", 0, 0, 10**9)
    stmt = queries.filtered(dataset, filters)
    total = toolkit.db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = toolkit.db.session.scalars(stmt.order_by(Observation.id).offset(offset).limit(limit))
    records = [{"_id": offset + n, **queries.row_dict(dataset, row)} for n, row in enumerate(rows, start=1)]
    fields = [{"id": "_id", "type": "int"}]
    fields += [{"id": d.key, "type": "int" if d.kind == "year" else "text"} for d in dataset.dimensions]
    fields += [{"id": m.key, "type": "numeric" if m.decimals else "int"} for m in dataset.measures]
    link = f"/api/3/action/datastore_search?resource_id={resource_id}"
    return {"resource_id": resource_id, "fields": fields, "records": records, "total": total, "limit": limit,
            "offset": offset, "filters": {k: v if len(v) > 1 else v[0] for k, v in filters.items()},
            "records_format": "objects", "include_total": True,
            "_links": {"start": link, "next": f"{link}&offset={offset + limit}"}}


ACTIONS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    fn.__name__: fn for fn in (status_show, package_list, package_show, package_search, organization_list,
                               datastore_search)
}
#: CKAN actions that change data: refused as CKAN refuses an anonymous caller.
WRITE_ACTIONS = {
    "package_create", "package_update", "package_patch", "package_delete", "resource_create", "resource_update",
    "resource_patch", "resource_delete", "organization_create", "organization_update", "organization_delete",
    "group_create", "group_update", "group_delete", "datastore_create", "datastore_upsert", "datastore_delete",
    "user_create", "user_update",
}
