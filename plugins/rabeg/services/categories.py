"""Managing complaint categories (admins): who answers for each, where, how fast, what to ask, and
whether the public sees its complaints.

Every change is checked as a whole before anything is written (OPDs and kecamatan must exist,
targets are positive, questions are valid Open311 attributes) and audited with before and after.
Complaints already filed keep their OPD and deadlines: a change applies to new filings.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.models import Category
from plugins.rabeg.services.questions import check_definitions

NAME_MAX = 120  # the column's width


def list_categories(*, include_inactive: bool = False) -> list[Category]:
    """The categories by code (active ones only unless asked)."""
    stmt = select(Category).order_by(Category.code)
    if not include_inactive:
        stmt = stmt.where(Category.active.is_(True))
    return list(toolkit.db.session.scalars(stmt))


def get_category(code: str) -> Category:
    """The category with ``code`` (active or not); 404 if there is none."""
    category = toolkit.db.session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise toolkit.NotFound(
            message={"id": "Kategori tidak ditemukan.", "en": "Category not found."}, details={"code": code[:40]})
    return category


def _problems(data: dict[str, Any]) -> dict[str, Any]:
    """What is wrong with the fields in ``data`` (empty when all is well)."""
    problems: dict[str, Any] = {}
    name = data.get("name")
    if name is not None and any(len(name[lang].strip()) == 0 or len(name[lang]) > NAME_MAX for lang in ("id", "en")):
        problems["name"] = f"1-{NAME_MAX} characters in each language"
    if "opd" in data and not _active_opd(data["opd"]):
        problems["opd"] = f"unknown or inactive OPD {data['opd']}"
    overrides = data.get("routing_overrides")
    if overrides is not None:
        wrong = {}
        for kecamatan, opd in overrides.items():
            region = toolkit.region(kecamatan)
            if region is None or region.level != "kecamatan":
                wrong[kecamatan] = "not a kecamatan code of Kota Serang"
            elif not _active_opd(opd):
                wrong[kecamatan] = f"unknown or inactive OPD {opd}"
        if wrong:
            problems["routing_overrides"] = wrong
    return problems


def _active_opd(code: Any) -> bool:
    opd = toolkit.opd(code)
    return opd is not None and bool(opd.active)


def _check(data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` (questions included); returns it with the questions normalised."""
    problems = _problems(data)
    checked = dict(data)
    if "questions" in data:
        try:
            checked["questions"] = check_definitions(data["questions"])
        except toolkit.ValidationError as exc:
            problems.update(exc.details)
    if problems:
        raise toolkit.ValidationError(
            message={"id": "Data kategori tidak valid.", "en": "Invalid category data."}, details=problems)
    return checked


def _apply(category: Category, data: dict[str, Any]) -> None:
    if "name" in data:
        category.name_id, category.name_en = data["name"]["id"].strip(), data["name"]["en"].strip()
    if "opd" in data:
        category.opd_code = data["opd"]
    if "routing_overrides" in data:
        category.routing_overrides = dict(data["routing_overrides"])
    for kind in ("first_response", "resolution"):
        target = data.get(f"{kind}_target")
        if target is not None:
            setattr(category, f"{kind}_target", target["value"])
            setattr(category, f"{kind}_unit", target["unit"])
    for field in ("allows_anonymous", "complaints_public", "questions", "active"):
        if field in data:
            setattr(category, field, data[field])
    category.updated_at = toolkit.utcnow()


def _audited(category: Category) -> dict[str, Any]:
    """The category as it goes into the audit log (JSON-ready: the fields an admin sets)."""
    return {
        "code": category.code, "name": {"id": category.name_id, "en": category.name_en}, "opd": category.opd_code,
        "routing_overrides": dict(category.routing_overrides or {}),
        "first_response_target": {"value": category.first_response_target, "unit": category.first_response_unit},
        "resolution_target": {"value": category.resolution_target, "unit": category.resolution_unit},
        "allows_anonymous": category.allows_anonymous,
        "complaints_public": category.complaints_public,
        "questions": [{**q, "values": q.get("values")} for q in category.questions or []],
        "active": category.active,
    }


def create_category(data: dict[str, Any], actor: toolkit.Account) -> Category:
    """Add a category; 409 if the code is taken, 422 if anything in it is invalid."""
    session = toolkit.db.session
    if session.scalar(select(Category.id).where(Category.code == data["code"])) is not None:
        raise toolkit.Conflict(
            message={"id": "Kode kategori sudah dipakai.", "en": "The category code is taken."},
            details={"code": data["code"]})
    checked = _check(data)
    category = Category(code=data["code"], routing_overrides={}, questions=[], allows_anonymous=False,
                        complaints_public=True, active=True)
    _apply(category, checked)
    session.add(category)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # the same code was added meanwhile
        raise toolkit.Conflict(
            message={"id": "Kode kategori sudah dipakai.", "en": "The category code is taken."},
            details={"code": data["code"]}) from None
    toolkit.audit("rabeg.category.create", "rabeg_category", category.code, after=_audited(category), actor=actor)
    session.commit()
    return category


def update_category(code: str, data: dict[str, Any], actor: toolkit.Account) -> Category:
    """Change the fields given in ``data``; 404 unknown code, 422 invalid or empty change."""
    if not data:
        raise toolkit.ValidationError(
            message={"id": "Tidak ada yang diubah.", "en": "Nothing to change."}, details={"body": "no fields"})
    category = get_category(code)
    checked = _check(data)
    before = _audited(category)
    _apply(category, checked)
    after = _audited(category)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    toolkit.audit("rabeg.category.update", "rabeg_category", category.code,
                  before={k: before[k] for k in changed}, after=changed, actor=actor)
    toolkit.db.session.commit()
    return category
