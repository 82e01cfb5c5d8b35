"""Moving an installation onto other servers: every row into another database, every file into
another storage (``ragem migrate-to``; docs/deploy.md).

The embedded default (SQLite and a local folder) outgrows one box: this copies it, unchanged, onto
PostgreSQL and an object store. The source is only read. The target's schema is built by the same
migrations as always, and must hold no data yet: nothing there is overwritten. Rows are read and
written through the app's own table definitions, so each value keeps its type across databases
(booleans, times, JSON, sealed personal data: the same ``RAGEM_DATA_KEY`` reads and writes it).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask
from sqlalchemy import Integer, func, insert, inspect, select, text

from ragem.extensions import db
from ragem.migrate import current, upgrade_all
from ragem.storage.backends import FileNotStored
from ragem.storage.models import StoredFile

log = logging.getLogger("ragem.relocate")

BATCH = 500


class RelocationError(RuntimeError):
    """The move cannot start (the source is behind, the target holds data) or a file is damaged."""


@dataclass
class Relocation:
    """What was copied: rows per table, files, and files whose bytes were missing in the source."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    missing_files: list[str] = field(default_factory=list)


def _tables():
    """The tables of every loaded model that this app's database holds, parents before children
    (foreign keys). A model can be loaded without its tables: a plugin denied or switched out of
    this installation, whose package another import brought in; its tables are not this install's."""
    present = set(inspect(db.engine).get_table_names())
    return [table for table in db.metadata.sorted_tables if table.name in present]


def _check_source(source: Flask) -> None:
    behind = [state.name for state in current(source) if set(state.current) != set(state.heads)]
    if behind:
        raise RelocationError(f"the source database is not at the latest schema ({', '.join(behind)}): "
                              "run `ragem db upgrade` on it first")


def _check_empty(target: Flask) -> None:
    with target.app_context(), db.engine.connect() as connection:
        holding = [table.name for table in _tables()
                   if connection.scalar(select(func.count()).select_from(table)) > 0]
    if holding:
        raise RelocationError(f"the target database already holds data (in {', '.join(holding[:5])}): "
                              "it must be a new, empty database")


def _copy_rows(source: Flask, target: Flask, report: Relocation, echo: Callable[[str], None]) -> None:
    """Copy every table in one transaction of the target: all rows arrive, or none."""
    with source.app_context():
        tables = _tables()
        reader = db.engine.connect()
    try:
        with target.app_context():
            writer_context = db.engine.begin()
        with writer_context as writer:
            for table in tables:
                copied = 0
                with source.app_context():  # values are read (unsealed) with the source's settings
                    result = reader.execution_options(stream_results=True).execute(select(table))
                while True:
                    with source.app_context():
                        batch = [dict(row._mapping) for row in result.fetchmany(BATCH)]
                    if not batch:
                        break
                    with target.app_context():  # ...and written (sealed again) with the target's
                        writer.execute(insert(table), batch)
                    copied += len(batch)
                report.rows[table.name] = copied
                echo(f"  {table.name}: {copied} rows")
            if writer.dialect.name == "postgresql":
                _advance_sequences(writer, tables)
    finally:
        reader.close()


def _advance_sequences(connection, tables) -> None:
    """After rows arrived with their ids, each id sequence continues after the largest id."""
    for table in tables:
        columns = list(table.primary_key.columns)
        for column in columns:
            if len(columns) == 1 and isinstance(column.type, Integer):
                sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                             {"t": table.name, "c": column.name})
                if sequence:
                    connection.execute(text(
                        f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 1), '
                        f'(SELECT MAX("{column.name}") FROM "{table.name}") IS NOT NULL)'
                    ), {"s": sequence})


def _copy_files(source: Flask, target: Flask, report: Relocation, echo: Callable[[str], None]) -> None:
    """Copy the bytes of every stored file, checked against the digest its row keeps."""
    from_store, to_store = source.extensions["ragem.storage"], target.extensions["ragem.storage"]
    with source.app_context():
        rows = list(db.session.execute(select(StoredFile.id, StoredFile.storage_key, StoredFile.sha256)))
        db.session.remove()
    for file_id, key, digest in rows:
        try:
            data = from_store.open(key)
        except FileNotStored:
            report.missing_files.append(file_id)
            log.warning("stored file has no bytes in the source storage", extra={"file_id": file_id, "key": key})
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            raise RelocationError(f"file {file_id} ({key}) does not match its recorded SHA-256: not copied")
        to_store.put(key, data)
        report.files += 1
        report.file_bytes += len(data)
    echo(f"  files: {report.files} ({report.file_bytes} bytes)")


def relocate(source: Flask, target: Flask, *, echo: Callable[[str], None] = lambda line: None) -> Relocation:
    """Copy every row of ``source``'s database and every stored file into ``target``'s.

    The target's schema is migrated first; it must hold no data. Files are copied first (checked
    against their SHA-256; bytes that arrive without their rows are only orphans the clean-up job
    deletes), then the rows in one transaction.
    :raises RelocationError: the source is not at the latest schema, the target holds data, or a
        file's bytes do not match their digest.
    """
    _check_source(source)
    upgrade_all(target)
    _check_empty(target)
    report = Relocation()
    echo("files:")
    _copy_files(source, target, report, echo)
    echo("rows:")
    _copy_rows(source, target, report, echo)
    for app in (source, target):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return report


def summary(report: Relocation) -> dict[str, Any]:
    """The report as plain data (for printing or a test)."""
    return {"rows": dict(report.rows), "files": report.files, "file_bytes": report.file_bytes,
            "missing_files": list(report.missing_files)}
