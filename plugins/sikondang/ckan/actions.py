"""The CKAN actions SIKONDANG answers; each takes the call's parameters and returns the ``result``.

Parameters come from the query string (text) or a JSON body (typed values), as in CKAN, so every
number is read from either. Only published datasets exist here (a withdrawn one is shown by
``package_show`` as CKAN shows a deleted package). Each action's docstring is what ``help_show``
answers, written for the harvester reading it. Every action queries with SQL filters and limits:
none loads every published dataset.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, or_, select

from ragem import toolkit

from plugins.sikondang.ckan import datastore, search, shapes
from plugins.sikondang.ckan.errors import NotFound, ValidationFailed
from plugins.sikondang.models import Dataset

#: The CKAN version whose Action API this subset follows (status_show reports it to clients).
CKAN_VERSION = "2.10.4"


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


def _published():
    return select(Dataset).where(Dataset.state == "published")


def _find(identifier: str) -> Dataset:
    """A published (or withdrawn: CKAN's deleted) dataset by its name or CKAN id (one indexed look-up)."""
    dataset = toolkit.db.session.scalar(
        select(Dataset).where(Dataset.state.in_(("published", "withdrawn")),
                              or_(Dataset.name == identifier, Dataset.ckan_id == identifier)))
    if dataset is None:
        raise NotFound()
    return dataset


def status_show(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Return the site's title, description, URL, CKAN version, default locale and extensions.

    :rtype: dictionary
    """
    return {"site_title": "SIKONDANG - Satu Data Kota Serang",
            "site_description": "Data dan statistik Kota Serang dalam angka (RAGEM).",
            "site_url": base_url + "/satudata", "ckan_version": CKAN_VERSION, "error_emails_to": None,
            "locale_default": "id", "extensions": ["datastore", "sikondang"]}


def help_show(params: dict[str, Any], base_url: str) -> str | None:
    """Return the help string for a particular API action.

    :param name: Action function name (eg `package_search`)
    :type name: string
    :returns: The help string for the action function
    :rtype: string
    :raises: Not Found Error if the action function does not exist here
    """
    function = ACTIONS.get(_text(params, "name", required=True))
    if function is None:
        raise NotFound("Action function not found")
    return function.__doc__


def package_list(params: dict[str, Any], base_url: str) -> list[str]:
    """Return a list of the names of the site's published datasets, sorted by name.

    :param limit: if given, the list of datasets will be broken into pages of at most ``limit``
        datasets per page (optional)
    :type limit: int
    :param offset: when ``limit`` is given, the offset to start returning datasets from
    :type offset: int
    :rtype: list of strings
    """
    stmt = select(Dataset.name).where(Dataset.state == "published").order_by(Dataset.name)
    offset = _int(params, "offset", 0, 0, 10**9)
    if "limit" in params:
        stmt = stmt.limit(_int(params, "limit", 1, 1, 10**6))
    return list(toolkit.db.session.scalars(stmt.offset(offset)))


def package_show(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Return the metadata of a dataset (package) and its resources; a withdrawn dataset has
    ``state: deleted``, as CKAN shows a deleted one (and is in no list or search).

    :param id: the id or name of the dataset
    :type id: string
    :rtype: dictionary
    """
    return shapes.package(_find(_text(params, "id", required=True)), base_url)


def package_search(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Search for datasets: ``q`` and ``fq`` (Solr syntax: words, ``field:value``,
    ``metadata_modified:[FROM TO UNTIL]``), ``sort``, ``rows`` (at most 1000), ``start``, and
    facets (``facet``, ``facet.field`` a JSON list, ``facet.limit``, ``facet.mincount``).

    :returns: ``count``, ``results`` (packages), ``sort``, ``facets`` and ``search_facets``
    :rtype: dictionary
    """
    rows = _int(params, "rows", 10, 0, 1000)
    start = _int(params, "start", 0, 0, 10**9)
    sort = _text(params, "sort")
    stmt = search.statement(_text(params, "q"), _text(params, "fq"))
    order = search.order(sort or None)
    session = toolkit.db.session
    count = session.scalar(select(func.count()).select_from(stmt.subquery()))
    found = session.scalars(stmt.order_by(*order).offset(start).limit(rows)) if rows else []
    facets: dict[str, dict[str, int]] = {}
    if str(params.get("facet", "true")).lower() != "false":
        limit = _int(params, "facet.limit", search.FACET_LIMIT, -1, 10**6)
        mincount = _int(params, "facet.mincount", 1, 0, 10**9)
        facets = search.facets(stmt, search.facet_fields(params.get("facet.field")), limit, mincount)
    return {"count": count, "sort": sort or "score desc, metadata_modified desc", "facets": facets,
            "search_facets": search.search_facets(facets),
            "results": [shapes.package(dataset, base_url) for dataset in found]}


def organization_list(params: dict[str, Any], base_url: str) -> list[Any]:
    """Return the organizations (OPDs) that publish datasets, sorted by name.

    :param all_fields: return whole organization dictionaries (with ``package_count``) instead of
        just their names (optional, default: ``False``)
    :type all_fields: bool
    :rtype: list of strings or dictionaries
    """
    counts = dict(toolkit.db.session.execute(
        select(Dataset.opd_code, func.count()).where(Dataset.state == "published").group_by(Dataset.opd_code)).all())
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1", "yes")
    codes = sorted(counts, key=shapes.organization_name)
    if all_fields:
        return [shapes.organization(code, counts[code]) for code in codes]
    return [shapes.organization_name(code) for code in codes]


def datastore_search(params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Search a DataStore resource (a dataset's table).

    :param resource_id: id of the resource (the dataset's CSV resource)
    :param filters: matching conditions, e.g. ``{"year": 2020}`` or ``{"region_code": ["36.73", "36.72"]}``
    :param q: full text query: a string searches all fields, an object ``{"field": "text"}`` those fields
    :param fields: fields to return (a list or a comma-separated string; default all, in order)
    :param sort: comma-separated field names with ordering, e.g. ``"year desc, region_code"``
    :param limit: maximum number of rows (default 100, at most 32000)
    :param offset: offset this number of rows
    :param include_total: return the total number of matching rows (default true)
    :param records_format: ``objects`` (default) or ``lists``
    :rtype: dictionary with ``fields``, ``records``, ``total``, ``limit``, ``offset``...
    """
    resource_id = _text(params, "resource_id", required=True)
    dataset = toolkit.db.session.scalar(_published().where(Dataset.ckan_resource_id == resource_id))
    if dataset is None:
        raise NotFound("Resource \"{}\" was not found.".format(resource_id[:100]))
    return datastore.search(dataset, resource_id, params)


ACTIONS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    fn.__name__: fn for fn in (status_show, help_show, package_list, package_show, package_search,
                               organization_list, datastore_search)
}
#: CKAN actions that change data: refused as CKAN refuses an anonymous caller.
WRITE_ACTIONS = {
    "package_create", "package_update", "package_patch", "package_delete", "resource_create", "resource_update",
    "resource_patch", "resource_delete", "organization_create", "organization_update", "organization_delete",
    "group_create", "group_update", "group_delete", "datastore_create", "datastore_upsert", "datastore_delete",
    "user_create", "user_update",
}
