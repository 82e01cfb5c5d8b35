"""Reading a dataset's numbers: filtered rows, chart-ready series, and whole-table downloads.

Filters are query parameters named after the dataset's dimensions (``?region=36.73&year=2019,2020``);
each becomes an ``IN`` on the dimension's indexed slot column.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

from sqlalchemy import select

from ragem import toolkit

from plugins.sikondang.csvsafe import write_csv
from plugins.sikondang.models import Dataset, Dimension, Measure, Observation
from plugins.sikondang.services.imports import format_number

#: Query parameters that are not filters.
RESERVED = {"limit", "cursor", "measure", "x", "by"}
MAX_FILTER_VALUES = 200
#: Points a series answer may hold: a chart of more is no chart.
MAX_SERIES_ROWS = 20_000


def _bad_filter(code: str, message: dict[str, str], **details) -> toolkit.ApiError:
    return toolkit.ApiError(code, message, status=400, details=details)


def parse_filters(dataset: Dataset, args: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{dimension key: [values]}`` from the query arguments; 400 for an unknown dimension or bad value."""
    keys = {d.key for d in dataset.dimensions}
    filters: dict[str, list[str]] = {}
    for name in args:
        if name in RESERVED:
            continue
        if name not in keys:
            raise _bad_filter("unknown_filter", {"id": "Filter tidak dikenal: gunakan kunci dimensi dataset.",
                                                 "en": "Unknown filter: use the dataset's dimension keys."},
                              filter=str(name)[:40], dimensions=sorted(keys))
        raw = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        values = [v.strip() for text in raw for v in str(text).split(",") if v.strip()]
        if not values or len(values) > MAX_FILTER_VALUES or any(len(v) > 64 for v in values):
            raise _bad_filter("invalid_filter", {"id": "Nilai filter tidak valid.", "en": "Invalid filter value."},
                              filter=name, max_values=MAX_FILTER_VALUES)
        filters[name] = list(dict.fromkeys(values))
    return filters


def _column(dimension: Dimension):
    return getattr(Observation, f"d{dimension.position}")


def _value_column(measure: Measure):
    return getattr(Observation, f"m{measure.position}")


def filtered(dataset: Dataset, filters: dict[str, list[str]], *columns):
    """The SELECT of the dataset's observations matching ``filters`` (of ``columns`` only, if given)."""
    stmt = select(*columns) if columns else select(Observation)
    stmt = stmt.where(Observation.dataset_id == dataset.id)
    for dimension in dataset.dimensions:
        if dimension.key in filters:
            stmt = stmt.where(_column(dimension).in_(filters[dimension.key]))
    return stmt


def _dimension_out(dimension: Dimension, code: str | None) -> Any:
    """A dimension value as JSON shows it: a year as a number, other codes as text."""
    if dimension.kind == "year" and code is not None and code.isdigit():
        return int(code)
    return code


def _measure_out(measure: Measure, value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, measure.decimals)
    return int(rounded) if measure.decimals == 0 else rounded


def row_dict(dataset: Dataset, observation: Observation) -> dict[str, Any]:
    """One observation as ``{dimension key: value, ..., measure key: number}``."""
    row = {d.key: _dimension_out(d, getattr(observation, f"d{d.position}")) for d in dataset.dimensions}
    row.update({m.key: _measure_out(m, getattr(observation, f"m{m.position}")) for m in dataset.measures})
    return row


def page_of_rows(dataset: Dataset, filters: dict[str, list[str]], *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of matching rows in upload order: ``{"items": [...], "next_cursor"}`` (keyset)."""
    rows, next_cursor = toolkit.paginate(toolkit.db.session, filtered(dataset, filters), [Observation.id],
                                         limit=limit, cursor=cursor, descending=False)
    return {"dataset": dataset.name, "revision": dataset.revision_count,
            "items": [row_dict(dataset, row) for row in rows], "next_cursor": next_cursor}


class Labels:
    """Names of dimension values: the core's regions, the declared values, or the code itself."""

    def __init__(self, dataset: Dataset):
        self.declared = {d.key: {v["code"]: {"id": v["label_id"], "en": v["label_en"]} for v in d.values}
                         for d in dataset.dimensions}
        self.kinds = {d.key: d.kind for d in dataset.dimensions}
        self.cache: dict[tuple[str, str], dict[str, str]] = {}
        self.region_names: dict[str, str] | None = None

    def _regions(self) -> dict[str, str]:
        # Kota Serang's 74 regions in one query, rather than one query per label.
        if self.region_names is None:
            self.region_names = {region.code: region.name for region in toolkit.regions()}
        return self.region_names

    def __call__(self, key: str, code: str) -> dict[str, str]:
        """``{"id", "en"}`` label of ``code`` in dimension ``key``."""
        found = self.cache.get((key, code))
        if found is None:
            found = self.declared.get(key, {}).get(code)
            if found is None and self.kinds.get(key) == "region":
                name = self._regions().get(code)
                found = {"id": name, "en": name} if name else None
            found = found or {"id": code, "en": code}
            self.cache[(key, code)] = found
        return found


def _pick(dataset: Dataset, key: str | None, kind: str, default):
    items = dataset.dimensions if kind == "dimension" else dataset.measures
    if key is None:
        return default
    for item in items:
        if item.key == key:
            return item
    raise _bad_filter(f"unknown_{kind}", {"id": f"Kunci {'dimensi' if kind == 'dimension' else 'ukuran'} tidak dikenal.",
                                          "en": f"Unknown {kind} key."},
                      **{kind: str(key)[:40], "choices": [item.key for item in items]})


def series(dataset: Dataset, args: Mapping[str, Any]) -> dict[str, Any]:
    """Chart-ready series: one per value of dimension ``by`` (or one), each aligned on the values of
    dimension ``x`` (default: the year dimension, else the first), for one ``measure``."""
    filters = parse_filters(dataset, args)
    years = [d for d in dataset.dimensions if d.kind in ("year", "month")]
    measure = _pick(dataset, args.get("measure"), "measure", dataset.measures[0])
    x = _pick(dataset, args.get("x"), "dimension", years[0] if years else dataset.dimensions[0])
    by = _pick(dataset, args.get("by"), "dimension", None)
    if by is not None and by.key == x.key:
        raise _bad_filter("invalid_series", {"id": "x dan by harus dimensi yang berbeda.",
                                             "en": "x and by must be different dimensions."}, x=x.key, by=by.key)
    # Three columns, not whole rows: a chart of thousands of points stays cheap to read.
    x_column, m_column = _column(x), _value_column(measure)
    by_column = _column(by) if by is not None else None
    columns = [x_column, m_column] + ([by_column] if by_column is not None else [])
    stmt = filtered(dataset, filters, *columns).limit(MAX_SERIES_ROWS + 1)
    rows = toolkit.db.session.execute(stmt).all()
    if len(rows) > MAX_SERIES_ROWS:
        raise _bad_filter("too_many_points", {"id": "Terlalu banyak titik; tambahkan filter.",
                                              "en": "Too many points; add filters."}, max_points=MAX_SERIES_ROWS)
    x_values = sorted({row[0] for row in rows})
    points: dict[str, dict[str, float | None]] = {}
    for row in rows:
        cell = points.setdefault(row[2] if by_column is not None else measure.key, {})
        if row[0] in cell:
            others = [d.key for d in dataset.dimensions if d.key not in {x.key, by and by.key} and d.key not in filters]
            raise _bad_filter("ambiguous_series",
                              {"id": "Beberapa baris untuk satu titik: filter dimensi lain pada satu nilai.",
                               "en": "Several rows for one point: filter the other dimensions to one value."},
                              filter_one_of=others)
        cell[row[0]] = _measure_out(measure, row[1])
    labels = Labels(dataset)
    return {
        "dataset": dataset.name,
        "revision": dataset.revision_count,
        "measure": {"key": measure.key, "label": {"id": measure.label_id, "en": measure.label_en},
                    "unit": measure.unit, "decimals": measure.decimals},
        "x": {"key": x.key, "values": [_dimension_out(x, v) for v in x_values],
              "labels": [labels(x.key, v) for v in x_values]},
        "series": [{"key": group, "label": labels(by.key, group) if by else {"id": measure.label_id, "en": measure.label_en},
                    "values": [cell.get(v) for v in x_values]}
                   for group, cell in sorted(points.items())],
    }


def download_header(dataset: Dataset) -> list[str]:
    """The CSV columns: each dimension (with a label column for regions and categories), then the measures."""
    columns: list[str] = []
    for dimension in dataset.dimensions:
        columns.append(dimension.key)
        if dimension.kind not in ("year", "month"):
            columns.append(f"{dimension.key}_label")
    return columns + [m.key for m in dataset.measures]


def _stream(dataset: Dataset, filters: dict[str, list[str]]) -> Iterator[Observation]:
    stmt = filtered(dataset, filters).order_by(Observation.id).execution_options(yield_per=5000)
    yield from toolkit.db.session.scalars(stmt)


def csv_chunks(dataset: Dataset, filters: dict[str, list[str]]) -> Iterator[str]:
    """The matching rows as CSV text, in chunks (every cell escaped against formula injection)."""
    labels = Labels(dataset)
    lang = toolkit.language()
    yield write_csv(download_header(dataset), [])
    batch: list[list[Any]] = []
    for observation in _stream(dataset, filters):
        line: list[Any] = []
        for dimension in dataset.dimensions:
            code = getattr(observation, f"d{dimension.position}")
            line.append(code)
            if dimension.kind not in ("year", "month"):
                line.append(labels(dimension.key, code)[lang])
        line += [format_number(getattr(observation, f"m{m.position}"), m.decimals) for m in dataset.measures]
        batch.append(line)
        if len(batch) >= 2000:
            yield write_csv(None, batch)
            batch = []
    if batch:
        yield write_csv(None, batch)


def json_chunks(dataset: Dataset, filters: dict[str, list[str]]) -> Iterator[str]:
    """The matching rows as one JSON document ``{"dataset", "revision", "items": [...]}``, in chunks."""
    yield json.dumps({"dataset": dataset.name, "revision": dataset.revision_count})[:-1] + ', "items": ['
    first = True
    for observation in _stream(dataset, filters):
        yield ("" if first else ",") + json.dumps(row_dict(dataset, observation), ensure_ascii=False)
        first = False
    yield "]}"
