"""RABEG's assisted filing in the console (``/console/p/rabeg/assist``): an officer records a
complaint brought in person, by phone, by letter or from social media through the same service
function and schema as ``POST /complaints/assisted``."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import ASSIST, is_staff_for, load_complaint
from plugins.rabeg.models import ASSISTED_CHANNELS, Category
from plugins.rabeg.schemas.complaints import AssistedComplaintCreateSchema
from plugins.rabeg.services import assisted

CHANNEL_NAMES = {
    "in_person": {"id": "datang langsung", "en": "in person"},
    "phone": {"id": "telepon", "en": "phone"},
    "letter": {"id": "surat", "en": "letter"},
    "social_media": {"id": "media sosial", "en": "social media"},
}


class AssistArgsSchema(toolkit.BaseSchema):
    """``?filed=<id>``: the complaint this officer just recorded, shown as a receipt on the form."""

    filed = fields.Integer(load_default=None, validate=validate.Range(min=1))


class AssistFormSchema(AssistedComplaintCreateSchema):
    """The API's schema without the photo ids (the console form has no photo upload)."""

    class Meta(AssistedComplaintCreateSchema.Meta):
        exclude = ("show_name_publicly", "anonymous", "photos", "answers")


def _receipt(account: toolkit.Account, complaint_id: int | None) -> dict[str, Any] | None:
    # Only the officer who recorded it gets the receipt: the number is what they tell the complainant.
    complaint = load_complaint(complaint_id) if complaint_id else None
    if complaint is None or complaint.filed_by_id != account.id:
        return None
    return {"public_number": complaint.public_number, "opd": complaint.opd_code,
            "linked": complaint.reporter_id is not None}


def assist_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """The empty form with the categories and channels (and the receipt of the last one recorded)."""
    categories = toolkit.db.session.execute(
        select(Category.code, Category.name_id, Category.name_en).order_by(Category.code)).all()
    return {
        "categories": [{"code": c.code, "name": {"id": c.name_id, "en": c.name_en}} for c in categories],
        "channels": [(code, CHANNEL_NAMES[code]) for code in ASSISTED_CHANNELS],
        "receipt": _receipt(account, query.get("filed")),
    }


def _record(account, form):
    """File it; then to its page when this officer may handle it, else back to the form with its number."""
    complaint, _created = assisted.file_on_behalf(account, **form)
    if is_staff_for(account, complaint):
        return toolkit.ConsoleRedirect("complaint", {"complaint_id": complaint.id})
    return toolkit.ConsoleRedirect("assist", {"filed": complaint.id})


def assist_page(folder: str) -> toolkit.ConsolePage:
    """The assisted filing form, listed for everyone who holds ``rabeg.assist``."""
    return toolkit.ConsolePage(
        "assist", {"id": "Catat pengaduan warga", "en": "Record a complaint"}, assist_view, "assist.html", folder,
        permission=ASSIST, query=AssistArgsSchema,
        actions=[toolkit.ConsoleAction("record", _record, AssistFormSchema, done={
            "id": "Pengaduan tercatat dan diteruskan ke OPD yang berwenang.",
            "en": "The complaint was recorded and sent to the responsible agency."})],
    )
