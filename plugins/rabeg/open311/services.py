"""RABEG categories as GeoReport services: the service list and each service's definition.

``service_code`` is the category code (``JALAN_RUSAK``); names follow the request's language
(Indonesian unless ``Accept-Language`` prefers English). A category's extra questions are the
service's attributes, so ``metadata`` is true exactly when it has questions.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Category
from plugins.rabeg.open311.formats import Open311Error

DATATYPE_DESCRIPTIONS = {
    "string": {"id": "Teks satu baris", "en": "One line of text"},
    "text": {"id": "Teks, boleh beberapa baris", "en": "Text, several lines allowed"},
    "number": {"id": "Angka, mis. 3 atau 2.5", "en": "A number, e.g. 3 or 2.5"},
    "datetime": {"id": "Tanggal dan jam dengan zona waktu, mis. 2026-11-28T09:15:00+07:00",
                 "en": "Date and time with its zone, e.g. 2026-11-28T09:15:00+07:00"},
    "singlevaluelist": {"id": "Pilih satu", "en": "Choose one"},
    "multivaluelist": {"id": "Pilih satu atau lebih", "en": "Choose one or more"},
}


def active_categories() -> list[Category]:
    """The categories citizens can file under, by code."""
    return list(toolkit.db.session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.code)))


def find_category(code: str | None) -> Category | None:
    """The active category ``code``, or ``None``."""
    if not code or len(code) > 40:
        return None
    return toolkit.db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))


def category_name(category: Category) -> str:
    """The category's name in the request's language."""
    return toolkit.translate({"id": category.name_id, "en": category.name_en})


def opd_name(code: str) -> str:
    """The OPD's name in the request's language (its code if the OPD is unknown)."""
    row = toolkit.opd(code)
    return toolkit.translate({"id": row.name_id, "en": row.name_en}) if row else code


def service(category: Category) -> dict[str, Any]:
    """One entry of ``GET services``."""
    agency = opd_name(category.opd_code)
    description = toolkit.translate({
        "id": f"{category.name_id}. Laporan langsung diteruskan ke {agency}.",
        "en": f"{category.name_en}. Reports go straight to {agency}.",
    })
    return {
        "service_code": category.code,
        "service_name": category_name(category),
        "description": description,
        "metadata": bool(category.questions),
        "type": "realtime",  # routed at once: the service_request_id comes back with the POST
        "keywords": ", ".join(dict.fromkeys([category.name_id.lower(), category.name_en.lower(), category.code.lower()])),
        "group": agency,
    }


def service_list() -> list[dict[str, Any]]:
    """``GET services``: every active category."""
    return [service(c) for c in active_categories()]


def ordered_questions(category: Category) -> list[dict[str, Any]]:
    """The category's questions in the order they are shown (their ``order``, then code)."""
    return sorted(category.questions or [], key=lambda q: (q.get("order", 0), q.get("code", "")))


def attribute(question: dict[str, Any], position: int) -> dict[str, Any]:
    """A question as a GeoReport attribute (``order`` is its 1-based position, unique as the spec asks)."""
    item = {
        "variable": True,
        "code": question["code"],
        "datatype": question["datatype"],
        "required": bool(question.get("required")),
        "datatype_description": toolkit.translate(DATATYPE_DESCRIPTIONS.get(question["datatype"])),
        "order": position,
        "description": toolkit.translate(question.get("description")) or question["code"],
    }
    if question["datatype"] in ("singlevaluelist", "multivaluelist"):
        item["values"] = [{"key": v["key"], "name": toolkit.translate(v["name"])} for v in question.get("values") or []]
    return item


def service_definition(code: str) -> dict[str, Any]:
    """``GET services/{code}``: the attributes of a service (empty for one without metadata); 404 if unknown."""
    category = find_category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code[:40]!r} was not found")
    return {
        "service_code": category.code,
        "attributes": [attribute(q, i) for i, q in enumerate(ordered_questions(category), start=1)],
    }
