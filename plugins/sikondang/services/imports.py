"""Importing an officer's table: check every row against the definition, then load all or nothing.

An upload becomes an ``ImportJob`` holding the bytes; ``run_import`` (a background job) reads the
file, validates every row (types, known dimension values, duplicates, missing values) and either
fails with a report listing every bad row, or replaces the dataset's observations and records a
new revision, in one transaction. The CLI (``ragem sikondang import``) runs the same function.
"""
from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import OperationalError

from ragem import toolkit

from plugins.sikondang.models import Dataset, ImportJob, Observation, Revision
from plugins.sikondang.numbers import decimal_separator, decimals_of, parse_number
from plugins.sikondang.reading import UnreadableFile, read_table

log = logging.getLogger("plugins.sikondang.imports")

MAX_UPLOAD_BYTES = toolkit.PluginSetting(
    "SIKONDANG_MAX_UPLOAD_BYTES", parse=toolkit.positive_int, default=64 * 1024 * 1024,
    help="largest table file an officer may upload (the request body limit RAGEM_MAX_BODY_BYTES applies too)")
MAX_ROWS = toolkit.PluginSetting(
    "SIKONDANG_MAX_ROWS", parse=toolkit.positive_int, default=2_000_000, help="most rows one table may hold")
#: Bad rows kept in a report: enough to fix a file, bounded so a wholly wrong file stays readable.
MAX_REPORTED_ERRORS = 10_000
#: Rows validated between two progress updates, and rows inserted per statement.
PROGRESS_EVERY = 20_000
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INSERT_BATCH = 5_000


@dataclass
class Checked:
    """A valid table: the rows as slot values, ready to insert."""

    rows: list[tuple[tuple[str, ...], tuple[float, ...]]]
    report: dict[str, Any]


class ImportRefused(Exception):
    """The file cannot be imported; ``report`` says why, row by row."""

    def __init__(self, report: dict[str, Any]):
        super().__init__(report.get("summary", "import refused"))
        self.report = report


_YEARS = frozenset(str(year) for year in range(1900, 2101))
_MONTHS = frozenset(f"{year}-{month:02d}" for year in range(1900, 2101) for month in range(1, 13))
#: A number as most cells hold it: digits and at most one decimal separator (group 1: the decimals).
_PLAIN_NUMBER = {",": re.compile(r"^-?[0-9]{1,15}(?:,([0-9]+))?$"), ".": re.compile(r"^-?[0-9]{1,15}(?:\.([0-9]+))?$")}


def _accepted(dimension) -> frozenset[str]:
    """Every text a dimension accepts: the core's regions of Kota Serang and the declared ones for a
    region, the declared codes for a category, every year or month from 1900 to 2100."""
    if dimension.kind == "year":
        return _YEARS
    if dimension.kind == "month":
        return _MONTHS
    codes = {value["code"] for value in dimension.values}
    if dimension.kind == "region":
        codes.update(region.code for region in toolkit.regions())
    return frozenset(codes)


def check_table(dataset: Dataset, data: bytes, progress: Callable[[int, int], None] | None = None) -> Checked:
    """Validate ``data`` against ``dataset``'s definition.

    :returns: the rows to load and the report.
    :raises ImportRefused: with a report listing every bad row (``row``, ``column``, ``value``, ``reason``).
    """
    try:
        table = read_table(data, MAX_ROWS.value())
    except UnreadableFile as exc:
        raise ImportRefused({"summary": exc.reason, "code": exc.code, "errors": [{"row": None, "column": None,
                                                                                    "reason": exc.reason}],
                             "error_count": 1}) from None
    dimensions, measures = dataset.dimensions, dataset.measures
    header = [str(cell).strip().lower() for cell in table.header]
    report: dict[str, Any] = {"format": table.format, "encoding": table.encoding, "delimiter": table.delimiter,
                              "rows": len(table.rows), "notes": table.notes}
    wanted = [d.key for d in dimensions] + [m.key for m in measures]
    missing = [key for key in wanted if key not in header]
    repeated = sorted({key for key in header if key and header.count(key) > 1})
    if missing or repeated:
        reason = (f"missing columns: {', '.join(missing)}" if missing else "") + \
                 ("; " if missing and repeated else "") + (f"columns repeated: {', '.join(repeated)}" if repeated else "")
        raise ImportRefused({**report, "summary": reason, "code": "bad_header", "error_count": 1,
                             "errors": [{"row": 1, "column": None, "reason": reason}], "expected_columns": wanted})
    report["ignored_columns"] = [key for key in header if key not in wanted]
    if not table.rows:
        raise ImportRefused({**report, "summary": "the file has a header but no rows", "code": "empty_file",
                             "error_count": 1, "errors": [{"row": None, "column": None, "reason": "no rows"}]})
    index = {key: header.index(key) for key in wanted}
    measure_cells = (row[index[m.key]] for _, row in table.rows for m in measures if index[m.key] < len(row))
    decimal = decimal_separator(cell for cell in measure_cells if str(cell).strip())
    report["decimal_separator"] = decimal

    errors: list[dict[str, Any]] = []
    error_count = 0
    seen: dict[tuple[str, ...], int] = {}
    rows: list[tuple[tuple[str, ...], tuple[float, ...]]] = []

    def bad(line: int, column: str | None, value: Any, reason: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append({"row": line, "column": column, "value": str(value)[:80], "reason": reason})

    # A million rows pass through this loop: each dimension is checked by one lookup in the set of
    # the texts it accepts, each number by one regular expression; only a cell that misses takes the
    # slow path that normalises it (an XLSX number, spaces, thousands separators) or names the fault.
    dims = [(index[d.key], d, _accepted(d)) for d in dimensions]
    meas = [(index[m.key], m) for m in measures]
    plain = _PLAIN_NUMBER[decimal]
    width = max(index.values()) + 1
    total = len(table.rows)
    for done, (line, cells) in enumerate(table.rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        ok = True
        key_values: list[str] = []
        for position, dimension, accepted in dims:
            raw = cells[position]
            if raw in accepted:
                key_values.append(raw)
                continue
            value = _dimension_value(raw, dimension.kind)
            if value is not None and value in accepted:
                key_values.append(value)
                continue
            ok = False
            if value is None:
                bad(line, dimension.key, raw, "missing value" if str(raw).strip() == "" else
                    "not a year (1900-2100)" if dimension.kind == "year" else
                    "not a month (YYYY-MM)" if dimension.kind == "month" else "not a valid code")
            else:
                bad(line, dimension.key, raw, "unknown region code (Kemendagri codes, e.g. 36.73.01)"
                    if dimension.kind == "region" else f"unknown value for {dimension.key}")
        numbers: list[float] = []
        for position, measure in meas:
            raw = cells[position]
            if raw.__class__ is str:
                match = plain.match(raw)
                if match and len(match.group(1) or "") <= measure.decimals:
                    numbers.append(float(raw.replace(",", ".")) if decimal == "," else float(raw))
                    continue
            try:
                number = parse_number(raw, decimal)
            except ValueError as exc:
                bad(line, measure.key, raw, str(exc))
                ok = False
                continue
            if decimals_of(raw, decimal) > measure.decimals:
                bad(line, measure.key, raw, f"more than {measure.decimals} decimals")
                ok = False
            numbers.append(number)
        if not ok:
            continue
        key = tuple(key_values)
        if key in seen:
            bad(line, None, ", ".join(key), f"duplicate of row {seen[key]} (same {', '.join(d.key for d in dimensions)})")
            continue
        seen[key] = line
        rows.append((key, tuple(numbers)))
    if progress:
        progress(len(table.rows), len(table.rows))
    if error_count:
        raise ImportRefused({**report, "summary": f"{error_count} problems; nothing was imported", "code": "invalid_rows",
                             "error_count": error_count, "errors": errors,
                             "errors_truncated": error_count > len(errors)})
    return Checked(rows, {**report, "error_count": 0, "errors": []})


def _dimension_value(raw: Any, kind: str) -> str | None:
    """The stored text of a dimension cell, or ``None`` when it is missing or malformed."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None
    if kind == "year":
        return text if len(text) == 4 and text.isascii() and text.isdigit() and 1900 <= int(text) <= 2100 else None
    if kind == "month":
        return text if _MONTH.fullmatch(text) and 1900 <= int(text[:4]) <= 2100 else None
    if len(text) > 64 or any(ord(char) < 32 for char in text):
        return None
    return text


def table_lines(dataset: Dataset, rows) -> list[str]:
    """Each row as a line of CSV: its dimension codes, then its numbers with the measure's decimals.

    No cell needs quoting or the formula escape of ``csvsafe``: dimension codes are letters, digits,
    ``.``, ``_`` and ``-`` starting with a letter or digit (checked when declared or read), and
    numbers are numbers. Joining by hand is what keeps a million rows within seconds.
    """
    formats = ["{:.%df}" % m.decimals for m in dataset.measures]
    return [",".join(key) + "," + ",".join("" if value is None else fmt.format(value) for fmt, value in zip(formats, values))
            for key, values in rows]


def canonical_csv(dataset: Dataset, lines: list[str]) -> bytes:
    """The table as RAGEM writes it (header, then ``lines``), gzip-compressed."""
    header = ",".join([d.key for d in dataset.dimensions] + [m.key for m in dataset.measures])
    return gzip.compress("\r\n".join([header, *lines, ""]).encode("utf-8"), compresslevel=1)


def format_number(value: float | None, decimals: int) -> str:
    """``value`` written with the measure's decimals (empty for no value)."""
    return "" if value is None else f"{value:.{decimals}f}"


def _copy_lines(connection, dataset_id: int, slots: list[str], lines: list[str]) -> None:
    """Insert the rows (``table_lines``) with PostgreSQL's COPY, in the session's transaction: a
    million rows load in seconds where INSERTs take minutes (all or nothing still: a failure rolls
    the COPY back with the rest)."""
    cursor = connection.connection.dbapi_connection.cursor()
    columns = ", ".join(["dataset_id", *slots])
    prefix = f"{dataset_id},"
    with cursor.copy(f"COPY sikondang_observation ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        for start in range(0, len(lines), 50_000):
            copy.write("".join(prefix + line + "\n" for line in lines[start:start + 50_000]))


def current_rows(dataset: Dataset) -> dict[tuple[str, ...], tuple[float, ...]]:
    """The dataset's observations now, keyed by their dimension values."""
    dims = [getattr(Observation, f"d{d.position}") for d in dataset.dimensions]
    vals = [getattr(Observation, f"m{m.position}") for m in dataset.measures]
    result = toolkit.db.session.execute(select(*dims, *vals).where(Observation.dataset_id == dataset.id))
    n = len(dims)
    return {tuple(row[:n]): tuple(row[n:]) for row in result}


def load(dataset: Dataset, checked: Checked, *, actor_id: str | None, filename: str) -> Revision:
    """Replace the dataset's observations with ``checked`` and record the revision (the caller commits)."""
    session = toolkit.db.session
    before = current_rows(dataset)
    after = dict(checked.rows)
    changes = {"added": sum(1 for key in after if key not in before),
               "removed": sum(1 for key in before if key not in after),
               "changed": sum(1 for key, values in after.items() if key in before and before[key] != values)}
    changes["unchanged"] = len(after) - changes["added"] - changes["changed"]
    session.execute(delete(Observation).where(Observation.dataset_id == dataset.id))
    dim_slots = [f"d{d.position}" for d in dataset.dimensions]
    val_slots = [f"m{m.position}" for m in dataset.measures]
    lines = table_lines(dataset, checked.rows)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy_lines(connection, dataset.id, dim_slots + val_slots, lines)
    else:
        batch: list[dict[str, Any]] = []
        for key, values in checked.rows:
            batch.append({"dataset_id": dataset.id, **dict(zip(dim_slots, key)), **dict(zip(val_slots, values))})
            if len(batch) >= INSERT_BATCH:
                session.execute(insert(Observation), batch)
                batch = []
        if batch:
            session.execute(insert(Observation), batch)
    now = toolkit.utcnow()
    dataset.revision_count += 1
    dataset.row_count = len(checked.rows)
    dataset.data_updated_at = dataset.updated_at = now
    revision = Revision(dataset_id=dataset.id, number=dataset.revision_count, created_by=actor_id, created_at=now,
                        filename=filename[:200], row_count=len(checked.rows), changes=changes,
                        content=canonical_csv(dataset, lines))
    session.add(revision)
    session.flush()
    # The job loads it (a system action); the officer who uploaded it is named in the entry.
    toolkit.audit("sikondang.dataset.import", "sikondang_dataset", str(dataset.id),
                  after={"revision": revision.number, "rows": revision.row_count, "uploaded_by": actor_id, **changes})
    return revision


def definition_key(dataset: Dataset) -> tuple:
    """What a checked table depends on: the dimensions (slots, keys, kinds, values) and measures."""
    return (tuple((d.position, d.key, d.kind, repr(d.values)) for d in dataset.dimensions),
            tuple((m.position, m.key, m.decimals) for m in dataset.measures))


def lock_dataset(dataset_id: int) -> Dataset:
    """Take the dataset's write lock until the transaction ends and return it as it now is.

    Two uploads of one dataset load one after the other: the second waits here until the first
    has committed, then reads the revision count and the table the first left, so it becomes the
    next revision and its changes are counted against the first's table. A no-op UPDATE rather
    than SELECT ... FOR UPDATE: it locks the row on PostgreSQL and takes SQLite's write lock
    (whose busy timeout then does the waiting) where FOR UPDATE means nothing.
    """
    session = toolkit.db.session
    session.execute(update(Dataset).where(Dataset.id == dataset_id).values(revision_count=Dataset.revision_count)
                    .execution_options(synchronize_session=False))
    return session.scalar(select(Dataset).where(Dataset.id == dataset_id).execution_options(populate_existing=True))


def start_import(dataset: Dataset, data: bytes, filename: str, actor: toolkit.Account) -> ImportJob:
    """Queue the import of ``data`` (refused at once when empty or too large) and return its job."""
    if not data:
        raise toolkit.ValidationError("empty_file", {"id": "Berkas kosong.", "en": "The file is empty."},
                                      details={"file": "empty"})
    limit = MAX_UPLOAD_BYTES.value()
    if len(data) > limit:
        raise toolkit.ApiError("file_too_large", {"id": "Berkas terlalu besar.", "en": "The file is too large."},
                               status=413, details={"max_bytes": limit})
    job = ImportJob(dataset_id=dataset.id, created_by=actor.id, status="queued", filename=filename[:200],
                    content=data, report={})
    toolkit.db.session.add(job)
    toolkit.db.session.commit()
    toolkit.enqueue(run_import, job.id)
    toolkit.db.session.expire_all()  # an inline runner (tests, CLI) has already finished it
    return toolkit.db.session.get(ImportJob, job.id)


def run_import(import_id: int, progress: Callable[[int, int], None] | None = None) -> str:
    """The background job: validate and load import ``import_id``; returns its final status."""
    session = toolkit.db.session
    job = session.get(ImportJob, import_id)
    if job is None or job.status not in ("queued", "running"):
        return job.status if job else "missing"
    job.status = "running"
    session.commit()

    def report_progress(done: int, total: int) -> None:
        # On a connection of its own, committed at once for a client polling the status, while the
        # import's transaction (holding the dataset's lock) stays open until all or nothing.
        with toolkit.db.engine.begin() as connection:
            connection.execute(update(ImportJob).where(ImportJob.id == import_id).values(rows_done=done, rows_total=total))
        if progress:
            progress(done, total)

    try:
        dataset = session.get(Dataset, job.dataset_id)
        definition = definition_key(dataset)
        # The check runs before the lock: it reads only the file and the definition, and its
        # progress is written on another connection, which SQLite's write lock would block.
        checked = check_table(dataset, job.content or b"", report_progress)
        try:
            dataset = lock_dataset(job.dataset_id)
        except OperationalError:  # SQLite's busy timeout ran out while another upload was loading
            raise ImportRefused({"summary": "another upload of this dataset was still loading; upload again",
                                 "code": "dataset_busy", "error_count": 1,
                                 "errors": [{"row": None, "column": None, "reason": "dataset busy"}]}) from None
        if definition_key(dataset) != definition:
            raise ImportRefused({"summary": "the dataset's definition changed during the import; upload again",
                                 "code": "definition_changed", "error_count": 1,
                                 "errors": [{"row": None, "column": None, "reason": "definition changed"}]})
        revision = load(dataset, checked, actor_id=job.created_by, filename=job.filename)
        job.status, job.report, job.revision_number = "succeeded", {**checked.report, "changes": revision.changes}, revision.number
        job.rows_done = job.rows_total = len(checked.rows)
    except ImportRefused as refused:
        session.rollback()
        job = session.get(ImportJob, import_id)
        job.status, job.report = "failed", refused.report
    except Exception:  # noqa: BLE001 - the officer must learn it failed; the cause goes to the logs
        log.exception("sikondang import failed", extra={"import_id": import_id})
        session.rollback()
        job = session.get(ImportJob, import_id)
        job.status = "failed"
        job.report = {"summary": "internal error; nothing was imported", "code": "internal_error", "error_count": 1,
                      "errors": [{"row": None, "column": None, "reason": "internal error"}]}
    job.content = None
    job.finished_at = toolkit.utcnow()
    session.commit()
    return job.status
