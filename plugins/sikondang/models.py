"""Tables of the SIKONDANG service. Every table name starts with `sikondang_`: the plugin owns them.

A dataset is a table of numbers: its *dimensions* (region, year, sex...) say what a row is about and
its *measures* hold the numbers. Observations keep one row per combination of dimension values, in
fixed slots (``d1``..``d6`` and ``m1``..``m6``, numbered by the dimension's or measure's position),
so a filter on any dimension is a plain indexed column comparison on every database.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime


from sqlalchemy import (
    JSON, BigInteger, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ragem import toolkit

#: The states of a dataset; only published ones are public. A withdrawn dataset was published and
#: taken back (kept, with its revisions, for the record): it is gone for the public and harvesters.
STATES = ("draft", "published", "withdrawn")
#: The states an officer sets by a change (withdrawing is a DELETE).
SETTABLE_STATES = ("draft", "published")
#: How often a dataset is updated (CKAN/DCAT accrual periodicity, in words a harvester maps).
FREQUENCIES = ("annual", "semiannual", "quarterly", "monthly", "weekly", "daily", "irregular")
#: Kinds of dimension: a Kemendagri region code, a year, a month (``2026-11``), or a category from a
#: declared list.
DIMENSION_KINDS = ("region", "year", "month", "category")
#: Dimension and measure slots of an observation row.
MAX_DIMENSIONS = 6
MAX_MEASURES = 6
#: States of an import job.
IMPORT_STATES = ("queued", "running", "succeeded", "failed")

# Integer on SQLite (its only auto-incrementing type), 64 bits elsewhere: a city's tables grow.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Dataset(toolkit.db.Model):
    """A statistical table with its bilingual metadata (Satu Data Indonesia's standard fields)."""

    __tablename__ = "sikondang_dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The URL name (CKAN's package "name"): lowercase letters, digits, - and _.
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    title_id: Mapped[str] = mapped_column(String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(String(200), nullable=False)
    description_id: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    opd_code: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    frequency: Mapped[str] = mapped_column(String(20), nullable=False, default="annual")
    licence: Mapped[str] = mapped_column(String(40), nullable=False, default="CC-BY-4.0")
    tags: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    topic: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    temporal_coverage: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    spatial_coverage: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    # When the numbers last changed (the latest accepted upload); None before the first one.
    data_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    revision_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    row_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The ids the CKAN API gives the dataset and its datastore (CSV) resource: stored, so a
    # harvester's package_show or datastore_search by id is one indexed look-up.
    ckan_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True, default=lambda: str(uuid.uuid4()))
    ckan_resource_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True,
                                                  default=lambda: str(uuid.uuid4()))

    dimensions: Mapped[list["Dimension"]] = relationship(
        order_by="Dimension.position", cascade="all, delete-orphan", lazy="selectin")
    measures: Mapped[list["Measure"]] = relationship(
        order_by="Measure.position", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (Index("ix_sikondang_dataset_state_updated", "state", "updated_at", "id"),)


class Dimension(toolkit.db.Model):
    """A column that says what a row is about (``region``, ``year``, ``sex``)."""

    __tablename__ = "sikondang_dimension"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("sikondang_dataset.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # 1..MAX_DIMENSIONS: the slot d<position>
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label_id: Mapped[str] = mapped_column(String(120), nullable=False)
    label_en: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    # The values a row may hold, [{"code", "label_id", "label_en"}]: required for a category; for a
    # region, codes outside Kota Serang's own region table (Banten's other kabupaten/kota).
    values: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    __table_args__ = (
        UniqueConstraint("dataset_id", "key"),
        UniqueConstraint("dataset_id", "position"),
    )


class Measure(toolkit.db.Model):
    """A numeric column (``population``), with its unit and the decimals it is shown with."""

    __tablename__ = "sikondang_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("sikondang_dataset.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # 1..MAX_MEASURES: the slot m<position>
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label_id: Mapped[str] = mapped_column(String(120), nullable=False)
    label_en: Mapped[str] = mapped_column(String(120), nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    decimals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        UniqueConstraint("dataset_id", "key"),
        UniqueConstraint("dataset_id", "position"),
    )


class Observation(toolkit.db.Model):
    """One row of a dataset's current revision (earlier revisions live in ``Revision.content``)."""

    __tablename__ = "sikondang_observation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("sikondang_dataset.id", ondelete="CASCADE"), nullable=False)
    d1: Mapped[str | None] = mapped_column(String(64))
    d2: Mapped[str | None] = mapped_column(String(64))
    d3: Mapped[str | None] = mapped_column(String(64))
    d4: Mapped[str | None] = mapped_column(String(64))
    d5: Mapped[str | None] = mapped_column(String(64))
    d6: Mapped[str | None] = mapped_column(String(64))
    m1: Mapped[float | None] = mapped_column(Float)
    m2: Mapped[float | None] = mapped_column(Float)
    m3: Mapped[float | None] = mapped_column(Float)
    m4: Mapped[float | None] = mapped_column(Float)
    m5: Mapped[float | None] = mapped_column(Float)
    m6: Mapped[float | None] = mapped_column(Float)

    # One index per slot, each led by the dataset (every query is about one dataset): a filter on
    # any mix of dimensions combines them (PostgreSQL's BitmapAnd), so no dimension is second class.
    # The first also holds the second slot, for the commonest filter (region and year).
    __table_args__ = (
        Index("ix_sikondang_observation_d1", "dataset_id", "d1", "d2"),
        *(Index(f"ix_sikondang_observation_d{n}", "dataset_id", f"d{n}") for n in range(2, MAX_DIMENSIONS + 1)),
    )


class Revision(toolkit.db.Model):
    """An accepted upload: who, when, what changed, and the whole table as it then was (CSV, gzip)."""

    __tablename__ = "sikondang_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("sikondang_dataset.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    filename: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    row_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # {"added": n, "removed": n, "changed": n, "unchanged": n} against the revision before.
    changes: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (UniqueConstraint("dataset_id", "number"),)


class ImportJob(toolkit.db.Model):
    """An upload being checked and loaded in the background; the client polls its status."""

    __tablename__ = "sikondang_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("sikondang_dataset.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    filename: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # The uploaded bytes until the job has read them (then emptied: the revision keeps the table).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    rows_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # {"errors": [{"row", "column", "reason"}], "error_count", "ignored_columns", ...}
    report: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    revision_number: Mapped[int | None] = mapped_column(Integer)

    dataset: Mapped[Dataset] = relationship(lazy="joined")

    __table_args__ = (Index("ix_sikondang_import_dataset", "dataset_id", "id"),)


class Usage(toolkit.db.Model):
    """How often the public used SIKONDANG on a day (``download``, ``ckan_call``), for its KPIs."""

    __tablename__ = "sikondang_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
