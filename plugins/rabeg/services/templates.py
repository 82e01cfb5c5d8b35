"""Response templates: ready answers per category (or any) and target state, kept by Diskominfo admins."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.rabeg.access import ADMIN
from plugins.rabeg.models import Category, Complaint, ResponseTemplate
from plugins.rabeg.seed import category_codes

# category code (None: any), target state (None: any), title, Indonesian body, English body
TEMPLATES = (
    (None, "in_progress", "Sedang ditangani",
     "Terima kasih atas laporan Anda. Petugas kami sedang menangani masalah ini.",
     "Thank you for your report. Our officers are working on it."),
    (None, "resolved", "Sudah ditangani",
     "Masalah yang Anda laporkan sudah kami tangani. Mohon konfirmasi apakah sudah beres.",
     "The problem you reported has been dealt with. Please confirm whether it is fixed."),
    (None, "rejected", "Bukan kewenangan kami",
     "Laporan ini bukan kewenangan Pemerintah Kota Serang. Silakan hubungi instansi yang berwenang.",
     "This report is not the responsibility of the Kota Serang government. Please contact the responsible agency."),
    (None, None, "Mohon informasi tambahan",
     "Mohon kirimkan informasi tambahan (lokasi yang lebih tepat atau foto) agar kami dapat menindaklanjuti.",
     "Please send more information (a more precise location or a photo) so that we can follow up."),
    ("JALAN_RUSAK", "resolved", "Jalan sudah diperbaiki",
     "Lubang jalan yang Anda laporkan sudah ditambal oleh tim DPUPR.",
     "The pothole you reported has been patched by the DPUPR team."),
    ("PJU", "resolved", "Lampu sudah diganti",
     "Lampu penerangan jalan yang Anda laporkan sudah diperbaiki dan menyala kembali.",
     "The street light you reported has been repaired and is on again."),
    ("SAMPAH", "resolved", "Sampah sudah diangkut",
     "Tumpukan sampah yang Anda laporkan sudah diangkut oleh petugas kebersihan.",
     "The rubbish you reported has been collected."),
)


def ensure_templates(session=None) -> int:
    """Add the seeded templates that are missing (matched by title), never touching changed ones; returns how many."""
    session = session or toolkit.db.session
    existing = set(session.scalars(select(ResponseTemplate.title)))
    codes = dict(session.execute(select(Category.code, Category.id)).all())
    added = 0
    for code, state, title, body_id, body_en in TEMPLATES:
        if title in existing or (code is not None and code not in codes):
            continue
        session.add(ResponseTemplate(category_id=codes.get(code) if code else None, state=state, title=title,
                                     body_id=body_id, body_en=body_en, active=True))
        added += 1
    if added:
        session.flush()
    return added


def _audited(template: ResponseTemplate, category_code: str | None) -> dict[str, Any]:
    """A template as it goes into the audit log (JSON-ready)."""
    return {"id": template.id, "category": category_code, "state": template.state, "title": template.title,
            "body_id": template.body_id, "body_en": template.body_en, "active": template.active}


def _category_id(code: str | None) -> int | None:
    """The id of category ``code`` (``None`` for "any category"); 422 for an unknown code."""
    if code is None:
        return None
    category_id = toolkit.db.session.scalar(select(Category.id).where(Category.code == code))
    if category_id is None:
        raise toolkit.ValidationError(
            message={"id": "Kategori pengaduan tidak dikenal.", "en": "Unknown complaint category."},
            details={"category": code[:40]},
        )
    return category_id


def list_templates(user: toolkit.Account, *, category: str | None = None, state: str | None = None,
                   include_inactive: bool = False) -> dict[str, list[ResponseTemplate]]:
    """Templates fitting ``category`` and ``state`` (those for any category/state included), titles A-Z."""
    stmt = select(ResponseTemplate).options(selectinload(ResponseTemplate.category))
    if category is not None:
        category_id = _category_id(category)
        stmt = stmt.where(or_(ResponseTemplate.category_id.is_(None), ResponseTemplate.category_id == category_id))
    if state is not None:
        stmt = stmt.where(or_(ResponseTemplate.state.is_(None), ResponseTemplate.state == state))
    if not (include_inactive and toolkit.can(user, ADMIN)):
        stmt = stmt.where(ResponseTemplate.active.is_(True))
    rows = toolkit.db.session.scalars(stmt.order_by(ResponseTemplate.title, ResponseTemplate.id)).all()
    return {"items": rows}


def _load(template_id: int) -> ResponseTemplate:
    template = toolkit.db.session.get(ResponseTemplate, template_id) if 0 < template_id < 2**31 else None
    if template is None:
        raise toolkit.NotFound(details={"template_id": template_id})
    return template


def create_template(actor: toolkit.Account, *, title: str, body_id: str, body_en: str, category: str | None = None,
                    state: str | None = None) -> ResponseTemplate:
    """Add a template (admins); audited."""
    template = ResponseTemplate(category_id=_category_id(category), state=state, title=title.strip(),
                                body_id=body_id.strip(), body_en=body_en.strip(), active=True)
    toolkit.db.session.add(template)
    toolkit.db.session.flush()
    toolkit.audit("rabeg.template.create", "rabeg_response_template", str(template.id),
                  after=_audited(template, category), actor=actor)
    toolkit.db.session.commit()
    return template


def update_template(template_id: int, actor: toolkit.Account, **changes: Any) -> ResponseTemplate:
    """Change a template's fields (admins; ``category``/``state`` ``None`` means any); audited."""
    template = _load(template_id)
    codes = category_codes()
    before = _audited(template, codes.get(template.category_id))
    if "category" in changes:
        template.category_id = _category_id(changes.pop("category"))
    for name, value in changes.items():
        setattr(template, name, value.strip() if isinstance(value, str) else value)
    after = _audited(template, codes.get(template.category_id))
    toolkit.audit("rabeg.template.update", "rabeg_response_template", str(template.id), before=before, after=after,
                  actor=actor)
    toolkit.db.session.commit()
    return template


def deactivate_template(template_id: int, actor: toolkit.Account) -> ResponseTemplate:
    """Withdraw a template (kept for the record, no longer offered); audited."""
    return update_template(template_id, actor, active=False)


def template_message(template_id: int, complaint: Complaint, target_state: str) -> str:
    """The Indonesian text of an active template that fits ``complaint``'s category and ``target_state``; 422 if not."""
    template = toolkit.db.session.get(ResponseTemplate, template_id) if 0 < template_id < 2**31 else None
    fits = (template is not None and template.active
            and template.category_id in (None, complaint.category_id) and template.state in (None, target_state))
    if not fits:
        raise toolkit.ValidationError(
            message={"id": "Templat tanggapan tidak ada atau tidak cocok untuk pengaduan ini.",
                     "en": "The response template does not exist or does not fit this complaint."},
            details={"template_id": template_id},
        )
    return template.body_id
