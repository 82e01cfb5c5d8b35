"""``datastore_search`` over a dataset's table: ``filters``, ``q``, ``fields``, ``sort``, ``limit``,
``offset``, ``include_total`` and ``records_format`` as CKAN's DataStore documents them, in SQL.

A dataset's CSV resource is its datastore table: its fields are ``_id`` (the row's position in the
answer), the dimensions and the measures. ``q`` is a text search: a string matches rows where each
of its words is part of some dimension's code or label (or equals a measure's value); an object
``{"field": "text"}`` searches the named fields only.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import false, func, or_, select

from ragem import toolkit

from plugins.sikondang.ckan.errors import ValidationFailed
from plugins.sikondang.models import Dataset, Observation
from plugins.sikondang.services import queries

DEFAULT_LIMIT = 100  # CKAN's ckan.datastore.search.rows_default
MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max: a larger limit is lowered to it
RECORDS_FORMATS = ("objects", "lists")


def _json_param(params: dict[str, Any], name: str, default: Any) -> Any:
    raw = params.get(name, default)
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationFailed(**{name: ["Cannot parse JSON"]}) from None
        # A "\u0000" escape decodes to a NUL, which no database text column holds.
        if _holds_nul(raw):
            raise ValidationFailed(**{name: ["NUL characters are not accepted"]})
    return raw


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _bool(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValidationFailed(**{name: ["Not a boolean"]})


class Table:
    """A dataset's fields as the datastore names them, and how to search them."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.dimensions = {d.key: d for d in dataset.dimensions}
        self.measures = {m.key: m for m in dataset.measures}
        self.keys = ["_id", *self.dimensions, *self.measures]
        self._texts: dict[str, dict[str, str]] | None = None

    def field_info(self, key: str) -> dict[str, str]:
        """A field as CKAN describes it: ``{"id", "type"}``."""
        if key == "_id":
            return {"id": "_id", "type": "int"}
        if key in self.dimensions:
            return {"id": key, "type": "int" if self.dimensions[key].kind == "year" else "text"}
        return {"id": key, "type": "numeric" if self.measures[key].decimals else "int"}

    def texts(self) -> dict[str, dict[str, str]]:
        """Per dimension, every code a row may hold with the text ``q`` searches in it: the code
        and its labels (declared values, the core's regions; every year or month for those kinds,
        which an import accepts from 1900 to 2100)."""
        if self._texts is None:
            regions = {region.code: region.name for region in toolkit.regions()}
            self._texts = {}
            for key, dimension in self.dimensions.items():
                if dimension.kind == "year":
                    found = {str(year): str(year) for year in range(1900, 2101)}
                elif dimension.kind == "month":
                    found = {f"{year}-{month:02d}": f"{year}-{month:02d}" for year in range(1900, 2101)
                             for month in range(1, 13)}
                else:
                    found = {v["code"]: f"{v['code']} {v['label_id']} {v['label_en']}".lower() for v in dimension.values}
                    if dimension.kind == "region":
                        found.update({code: f"{code} {name}".lower() for code, name in regions.items()
                                      if code not in found})
                self._texts[key] = {code: text.lower() for code, text in found.items()}
        return self._texts

    def word_condition(self, key: str, word: str):
        """Rows whose field ``key`` holds ``word``: part of a dimension's code or label, or a
        measure equal to it. A dimension's matching codes are found among the codes it may hold,
        so the database answers with an ``IN`` on the indexed column instead of scanning the table."""
        if key in self.measures:
            try:
                number = float(word.replace(",", "."))
            except ValueError:
                return false()
            return getattr(Observation, f"m{self.measures[key].position}") == number
        codes = [code for code, text in self.texts()[key].items() if word in text]
        if not codes:
            return false()
        return getattr(Observation, f"d{self.dimensions[key].position}").in_(codes)

    def q_conditions(self, q: Any) -> list:
        """The conditions of ``q``: a string searches every field, an object the fields it names."""
        if q is None or q == "":
            return []
        if isinstance(q, str):
            searched = {None: q}
        elif isinstance(q, dict):
            searched = q
            unknown = [str(key)[:40] for key in q if key not in self.dimensions and key not in self.measures]
            if unknown:
                raise ValidationFailed(q=[f'field "{unknown[0]}" not in resource'])
        else:
            raise ValidationFailed(q=["Must be a string or an object"])
        conditions = []
        for key, text in searched.items():
            if not isinstance(text, (str, int, float)) or isinstance(text, bool) or len(str(text)) > 200:
                raise ValidationFailed(q=["Must be a string or an object of strings"])
            for word in str(text).lower().split()[:16]:
                keys = [key] if key is not None else [*self.dimensions, *self.measures]
                conditions.append(or_(*(self.word_condition(k, word) for k in keys)))
        return conditions

    def chosen_fields(self, raw: Any) -> list[str]:
        """``fields``: a list or a comma-separated string of field names (all, in order, by default)."""
        if raw is None or raw == "" or raw == []:
            return list(self.keys)
        names = [name.strip() for name in raw.split(",")] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationFailed(fields=["Must be a list or a comma-separated string"])
        unknown = [name for name in names if name not in self.keys]
        if unknown:
            raise ValidationFailed(fields=[f'field "{unknown[0][:40]}" not in resource'])
        return list(dict.fromkeys(names))

    def order(self, raw: Any) -> list:
        """``sort``: ``"field [asc|desc], ..."`` (upload order by default)."""
        if raw is None or raw == "":
            return [Observation.id]
        parts = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else raw
        if not isinstance(parts, list):
            raise ValidationFailed(sort=["Must be a string or a list"])
        columns = []
        for part in parts:
            words = str(part).split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
                raise ValidationFailed(sort=[f'invalid sort "{str(part)[:40]}"'])
            key = words[0].strip('"')
            if key == "_id":
                column = Observation.id
            elif key in self.dimensions:
                column = getattr(Observation, f"d{self.dimensions[key].position}")
            elif key in self.measures:
                column = getattr(Observation, f"m{self.measures[key].position}")
            else:
                raise ValidationFailed(sort=[f'field "{key[:40]}" not in resource'])
            columns.append(column.desc() if len(words) == 2 and words[1].lower() == "desc" else column.asc())
        return [*columns, Observation.id]

    def filters(self, raw: Any) -> dict[str, list[str]]:
        """``filters``: an object of a dimension key to a value or a list of values."""
        raw = raw or {}
        if not isinstance(raw, dict):
            raise ValidationFailed(filters=["Not a json object"])
        found: dict[str, list[str]] = {}
        for name, value in raw.items():
            if name not in self.dimensions:
                raise ValidationFailed(filters=[f'field "{str(name)[:40]}" not in resource'])
            values = value if isinstance(value, list) else [value]
            if not values or len(values) > queries.MAX_FILTER_VALUES or not all(
                    isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) <= 64 for v in values):
                raise ValidationFailed(filters=[f'invalid value for field "{name}"'])
            found[name] = [str(v) for v in values]
        return found


def _int(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool):
        raise ValidationFailed(**{name: ["Invalid integer"]})
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise ValidationFailed(**{name: ["Invalid integer"]}) from None
    if number < 0 or number > 10**9:
        raise ValidationFailed(**{name: ["Must be a natural number"]})
    return number


def search(dataset: Dataset, resource_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """The ``datastore_search`` result for ``dataset``'s table."""
    table = Table(dataset)
    filters = table.filters(_json_param(params, "filters", {}))
    q = _json_param(params, "q", None)
    conditions = table.q_conditions(q)
    fields = table.chosen_fields(_json_param(params, "fields", None))
    order = table.order(_json_param(params, "sort", None))
    limit = min(_int(params, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    offset = _int(params, "offset", 0)
    include_total = _bool(params, "include_total", True)
    records_format = params.get("records_format", "objects")
    if records_format not in RECORDS_FORMATS:
        raise ValidationFailed(records_format=[f"Value must be one of {', '.join(RECORDS_FORMATS)}"])

    stmt = queries.filtered(dataset, filters).where(*conditions)
    rows = toolkit.db.session.scalars(stmt.order_by(*order).offset(offset).limit(limit))
    records = []
    for n, row in enumerate(rows, start=offset + 1):
        record = {"_id": n, **queries.row_dict(dataset, row)}
        records.append({key: record[key] for key in fields} if records_format == "objects"
                       else [record[key] for key in fields])
    link = f"/api/3/action/datastore_search?resource_id={resource_id}"
    result: dict[str, Any] = {
        "resource_id": resource_id, "fields": [table.field_info(key) for key in fields], "records": records,
        "limit": limit, "offset": offset, "filters": {k: v if len(v) > 1 else v[0] for k, v in filters.items()},
        "records_format": records_format, "include_total": include_total,
        "_links": {"start": link, "next": f"{link}&offset={offset + limit}"},
    }
    if q not in (None, ""):
        result["q"] = q
    if params.get("sort"):
        result["sort"] = params["sort"]
    if include_total:
        result["total"] = toolkit.db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        result["total_was_estimated"] = False
    return result
