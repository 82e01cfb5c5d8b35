"""Defining datasets: create, change, publish and search them (officers of the owning OPD, admins)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.sikondang.access import find_dataset, manages
from plugins.sikondang.models import Dataset, Dimension, ImportJob, Measure, Observation, Revision
from plugins.sikondang.services.imports import lock_dataset

_METADATA = ("source", "unit", "frequency", "licence", "tags", "topic", "temporal_coverage", "spatial_coverage")
_YEAR_RANGE = (1900, 2100)


def _refuse(field: str, reason: str) -> toolkit.ValidationError:
    return toolkit.ValidationError(details={field: reason})


def _check_definition(dimensions: list[dict], measures: list[dict]) -> None:
    """Keys are unique across dimensions and measures (they are the CSV columns); a category lists
    its values; a region's extra values are Kemendagri codes; value codes are unique."""
    keys = [d["key"] for d in dimensions] + [m["key"] for m in measures]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise _refuse("dimensions", f"keys must be unique across dimensions and measures: {', '.join(duplicates)}")
    for dimension in dimensions:
        codes = [value["code"] for value in dimension["values"]]
        if len(set(codes)) != len(codes):
            raise _refuse("dimensions", f"{dimension['key']}: a value code is listed twice")
        if dimension["kind"] == "category" and not codes:
            raise _refuse("dimensions", f"{dimension['key']}: a category needs its values")
        if dimension["kind"] == "region" and any(not _is_region_code(code) for code in codes):
            raise _refuse("dimensions", f"{dimension['key']}: region values are Kemendagri codes (36.73, 36.73.01)")
        if dimension["kind"] in ("year", "month") and codes:
            raise _refuse("dimensions", f"{dimension['key']}: a {dimension['kind']} takes any {dimension['kind']}, "
                                        "list no values")


def _is_region_code(code: str) -> bool:
    parts = code.split(".")
    return (1 <= len(parts) <= 4 and all(p.isdigit() and p.isascii() for p in parts)
            and [len(p) for p in parts] == [2, 2, 2, 4][:len(parts)])


def _definition(dataset: Dataset, dimensions: list[dict], measures: list[dict]) -> None:
    """Replace the dataset's dimensions and measures (slots numbered in the order given)."""
    if dataset.id is not None:
        # The old rows go first: the new ones reuse their (dataset, position) and (dataset, key).
        dataset.dimensions, dataset.measures = [], []
        toolkit.db.session.flush()
    dataset.dimensions = [
        Dimension(position=n, key=d["key"], label_id=d["label"]["id"].strip(), label_en=d["label"]["en"].strip(),
                  kind=d["kind"], values=[{"code": v["code"], "label_id": v["label"]["id"].strip(),
                                           "label_en": v["label"]["en"].strip()} for v in d["values"]])
        for n, d in enumerate(dimensions, start=1)
    ]
    dataset.measures = [
        Measure(position=n, key=m["key"], label_id=m["label"]["id"].strip(), label_en=m["label"]["en"].strip(),
                unit=m["unit"], decimals=m["decimals"])
        for n, m in enumerate(measures, start=1)
    ]


def _owner(body: dict, actor: toolkit.Account, current: str | None = None) -> str:
    """The OPD that owns the dataset: an officer's own; an admin names any active OPD."""
    wanted = body.get("opd") or current or actor.opd_code
    if not wanted:
        raise _refuse("opd", "required: the OPD that owns the dataset")
    opd = toolkit.opd(wanted)
    if opd is None or not opd.active:
        raise _refuse("opd", f"unknown OPD: {wanted[:20]}")
    if not manages(actor, opd_code=wanted):
        raise toolkit.Forbidden(
            message={"id": "Petugas hanya mengelola dataset OPD-nya sendiri.",
                     "en": "Officers manage only their own OPD's datasets."},
            details={"opd": wanted})
    return wanted


def _apply_metadata(dataset: Dataset, body: dict) -> None:
    for field in _METADATA:
        if field in body:
            value = body[field]
            setattr(dataset, field, list(dict.fromkeys(value)) if field == "tags" else value.strip())
    if "title" in body:
        dataset.title_id, dataset.title_en = body["title"]["id"].strip(), body["title"]["en"].strip()
    if "description" in body:
        dataset.description_id, dataset.description_en = body["description"]["id"], body["description"]["en"]


def _snapshot(dataset: Dataset) -> dict[str, Any]:
    """What the audit keeps of a dataset (metadata, not data)."""
    return {"name": dataset.name, "title": dataset.title_id, "opd": dataset.opd_code, "state": dataset.state,
            "dimensions": [d.key for d in dataset.dimensions], "measures": [m.key for m in dataset.measures]}


def create_dataset(body: dict, actor: toolkit.Account) -> Dataset:
    """A new draft dataset of the actor's OPD (or the OPD an admin names); 409 if the name is taken."""
    opd_code = _owner(body, actor)
    if find_dataset(body["name"]) is not None:
        raise _name_taken(body["name"])
    _check_definition(body["dimensions"], body["measures"])
    now = toolkit.utcnow()
    dataset = Dataset(name=body["name"], opd_code=opd_code, state="draft", created_by=actor.id,
                      created_at=now, updated_at=now, tags=[], description_id="", description_en="")
    _apply_metadata(dataset, body)
    _definition(dataset, body["dimensions"], body["measures"])
    toolkit.db.session.add(dataset)
    try:
        toolkit.db.session.flush()
    except IntegrityError:  # created by someone else since the check above
        toolkit.db.session.rollback()
        raise _name_taken(body["name"]) from None
    toolkit.audit("sikondang.dataset.create", "sikondang_dataset", str(dataset.id), after=_snapshot(dataset), actor=actor)
    toolkit.db.session.commit()
    return dataset


def _name_taken(name: str) -> toolkit.Conflict:
    return toolkit.Conflict("dataset_exists", {"id": "Nama dataset sudah dipakai.", "en": "The dataset name is taken."},
                            details={"name": name})


def update_dataset(dataset: Dataset, body: dict, actor: toolkit.Account) -> Dataset:
    """Change metadata, the definition (only before the first upload: the rows depend on it) or the
    state (publishing needs data)."""
    before = _snapshot(dataset)
    if "opd" in body:
        dataset.opd_code = _owner(body, actor, dataset.opd_code)
    if "dimensions" in body or "measures" in body:
        if dataset.revision_count:
            raise toolkit.Conflict(
                "definition_locked",
                {"id": "Dimensi dan ukuran tidak dapat diubah setelah data diunggah; buat dataset baru.",
                 "en": "Dimensions and measures cannot change once data is uploaded; create a new dataset."},
                details={"revision_count": dataset.revision_count})
        dimensions = body.get("dimensions") or _as_body_dimensions(dataset)
        measures = body.get("measures") or _as_body_measures(dataset)
        _check_definition(dimensions, measures)
        _definition(dataset, dimensions, measures)
    _apply_metadata(dataset, body)
    state = body.get("state")
    if state == "published" and dataset.state != "published":
        if not dataset.revision_count:
            raise toolkit.Conflict("dataset_without_data",
                                   {"id": "Unggah data sebelum menerbitkan dataset.",
                                    "en": "Upload data before publishing the dataset."})
        dataset.published_at = toolkit.utcnow()
    if state:
        dataset.state = state
    dataset.updated_at = toolkit.utcnow()
    toolkit.db.session.flush()
    toolkit.audit("sikondang.dataset.update", "sikondang_dataset", str(dataset.id), before=before,
                  after=_snapshot(dataset), actor=actor)
    toolkit.db.session.commit()
    return dataset


def delete_dataset(dataset: Dataset, actor: toolkit.Account) -> str:
    """Take a dataset away; returns what happened: ``deleted``, ``withdrawn`` or ``already_withdrawn``.

    A dataset that was never published is deleted with everything it holds (definition, rows,
    revisions, imports): nobody outside its OPD ever saw it. One that was published is
    **withdrawn**, never erased: people and harvesters may hold its numbers and links, so it stays
    (with its revisions, for the record) but is gone for the public (410) and reported as
    ``state: deleted`` by the CKAN API; an officer may publish it again. Audited either way.
    Waits for an upload of the dataset being loaded (its lock), so neither sees half of the other.
    """
    dataset = lock_dataset(dataset.id)
    before = _snapshot(dataset)
    if dataset.state == "withdrawn":
        toolkit.db.session.rollback()
        return "already_withdrawn"
    if dataset.published_at is None:
        session = toolkit.db.session
        for table in (Observation, Revision, ImportJob):
            session.execute(delete(table).where(table.dataset_id == dataset.id))
        toolkit.audit("sikondang.dataset.delete", "sikondang_dataset", str(dataset.id), before=before, actor=actor)
        session.delete(dataset)
        session.commit()
        return "deleted"
    dataset.state = "withdrawn"
    dataset.updated_at = toolkit.utcnow()
    toolkit.db.session.flush()
    toolkit.audit("sikondang.dataset.withdraw", "sikondang_dataset", str(dataset.id), before=before,
                  after=_snapshot(dataset), actor=actor)
    toolkit.db.session.commit()
    return "withdrawn"


def _as_body_dimensions(dataset: Dataset) -> list[dict]:
    return [{"key": d.key, "label": {"id": d.label_id, "en": d.label_en}, "kind": d.kind,
             "values": [{"code": v["code"], "label": {"id": v["label_id"], "en": v["label_en"]}} for v in d.values]}
            for d in dataset.dimensions]


def _as_body_measures(dataset: Dataset) -> list[dict]:
    return [{"key": m.key, "label": {"id": m.label_id, "en": m.label_en}, "unit": m.unit, "decimals": m.decimals}
            for m in dataset.measures]


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere (its own wildcards escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_statement(*, q: str | None = None, tag: str | None = None, topic: str | None = None,
                     opd: str | None = None, user: toolkit.Account | None = None, include_drafts: bool = False):
    """The SELECT of datasets matching the search: published ones, plus the drafts ``user`` manages
    when ``include_drafts`` is asked."""
    stmt = select(Dataset)
    if include_drafts and user is not None and manages(user, opd_code=None):
        visible = [Dataset.state == "published"]
        if user.has_role("admin"):
            visible.append(Dataset.state != "published")
        elif user.opd_code:
            visible.append(Dataset.opd_code == user.opd_code)
        stmt = stmt.where(or_(*visible))
    else:
        stmt = stmt.where(Dataset.state == "published")
    if q:
        words = [w for w in q.split() if w][:8]
        for word in words:
            pattern = _like(word)
            stmt = stmt.where(or_(Dataset.title_id.ilike(pattern, escape="\\"), Dataset.title_en.ilike(pattern, escape="\\"),
                                  Dataset.description_id.ilike(pattern, escape="\\"),
                                  Dataset.description_en.ilike(pattern, escape="\\"),
                                  Dataset.name.ilike(pattern, escape="\\")))
    if tag:
        # Tags are validated lowercase words, so their quoted form in the JSON text is unambiguous.
        stmt = stmt.where(cast(Dataset.tags, String).like(_like(f'"{tag}"'), escape="\\"))
    if topic:
        stmt = stmt.where(Dataset.topic == topic)
    if opd:
        stmt = stmt.where(Dataset.opd_code == opd.upper())
    return stmt


def list_datasets(*, limit: int, cursor: str | None, user: toolkit.Account | None = None, **filters) -> dict[str, Any]:
    """A page of datasets, most recently updated first: ``{"items": [Dataset...], "next_cursor"}``."""
    stmt = search_statement(user=user, **filters)
    items, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Dataset.updated_at, Dataset.id],
                                          limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}
