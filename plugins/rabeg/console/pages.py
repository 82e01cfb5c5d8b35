"""The console pages of RABEG (``/console/p/rabeg/...``): views and actions stay thin, the rules are
the services' (``services.queues``, ``services.responses``, ``services.lifecycle``...)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import ADMIN, HANDLE
from plugins.rabeg.console.assist import CHANNEL_NAMES, assist_page
from plugins.rabeg.calendar import WIB
from plugins.rabeg.models import Category
from plugins.rabeg.photos import MAX_PER_ITEM, max_bytes
from plugins.rabeg.schemas.complaints import ComplaintSchema, ComplaintSummarySchema, QueueArgsSchema, TransitionSchema
from plugins.rabeg.schemas.lifecycle import (
    DuplicateSchema,
    ModerationSchema,
    NoteCreateSchema,
    RerouteSchema,
    ResponseFormSchema,
)
from plugins.rabeg.services import duplicates, lifecycle, moderation, queues, reporter, reroute, responses
from plugins.rabeg.services.lifecycle import REJECT_REASONS, STATE_NAMES, TRANSITIONS
from plugins.rabeg.services.templates import list_templates

FOLDER = str(Path(__file__).resolve().parent)

SLA_NAMES = {
    "on_track": {"id": "sesuai jadwal", "en": "on track"},
    "at_risk": {"id": "mendekati batas", "en": "at risk"},
    "breached": {"id": "lewat batas", "en": "breached"},
    "met": {"id": "terpenuhi", "en": "met"},
}
KIND_NAMES = {
    "transition": {"id": "Perubahan status", "en": "State change"},
    "response": {"id": "Tanggapan", "en": "Response"},
    "note": {"id": "Catatan internal", "en": "Internal note"},
    "confirmation": {"id": "Konfirmasi pelapor", "en": "Reporter's confirmation"},
    "duplicate": {"id": "Duplikat", "en": "Duplicate"},
    "moderation": {"id": "Moderasi", "en": "Moderation"},
    "reroute": {"id": "Pengalihan OPD", "en": "Transfer"},
    "escalation": {"id": "Eskalasi", "en": "Escalation"},
    "support": {"id": "Dukungan warga", "en": "Citizen support"},
}
REASON_NAMES = {
    "not_our_responsibility": {"id": "bukan kewenangan kami", "en": "not our responsibility"},
    "invalid": {"id": "tidak valid", "en": "invalid"},
}
#: Every state by name (the lifecycle's names cover the states an officer moves a complaint to).
STATES = {"submitted": {"id": "diterima", "en": "submitted"}, **STATE_NAMES}
CHANNELS = {"app": {"id": "aplikasi", "en": "app"}, "open311": {"id": "Open311", "en": "Open311"}, **CHANNEL_NAMES}
WORDS = {"states": STATES, "sla": SLA_NAMES, "kinds": KIND_NAMES, "reasons": REASON_NAMES, "channels": CHANNELS}


def wib(value: str | datetime | None) -> str:
    """An API timestamp (``2026-12-06T03:30:00Z`` or naive UTC) as Kota Serang reads it: ``2026-12-06 10:30 WIB``."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return (moment.replace(tzinfo=None) + WIB).strftime("%Y-%m-%d %H:%M WIB")


def queue_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """The OPD's queue (``scope=all``: every OPD, admins) with the API's filters and sort orders."""
    is_admin = toolkit.can(account, ADMIN)
    if is_admin and not getattr(account, "opd_code", None):
        # An admin of no OPD has no own queue: the page opens on every OPD's instead of a refusal.
        query = {**query, "scope": "all"}
    page = queues.opd_queue(account, **query)
    categories = toolkit.db.session.execute(
        select(Category.code, Category.name_id, Category.name_en).order_by(Category.code)).all()
    return {
        "complaints": ComplaintSummarySchema(many=True).dump(page["items"]),
        "next_cursor": page["next_cursor"],
        "categories": [{"code": c.code, "name": {"id": c.name_id, "en": c.name_en}} for c in categories],
        "is_admin": is_admin, "scope": query.get("scope"),
        "words": WORDS, "wib": wib,
    }


def complaint_view(account: toolkit.Account, *, complaint_id: int) -> dict[str, Any]:
    """One complaint as the API's detail shows it to this officer (404 for another OPD's officer)."""
    complaint = reporter.complaint_detail(complaint_id, account)
    shown = ComplaintSchema().dump(complaint)
    # The templates a response may use now: this category (or any) and the current state (or any).
    templates = list_templates(account, category=shown["category"], state=shown["state"])["items"]
    return {
        "complaint": shown,
        "category_name": {"id": complaint.category.name_id, "en": complaint.category.name_en},
        "next_states": sorted(TRANSITIONS.get(shown["state"], ())),
        "reject_reasons": REJECT_REASONS,
        "templates": [{"id": t.id, "title": t.title, "state": t.state} for t in templates],
        "is_admin": toolkit.can(account, ADMIN),
        "max_photos": MAX_PER_ITEM, "max_photo_mb": max(1, max_bytes() // (1024 * 1024)),
        "words": WORDS, "wib": wib,
    }


# The actions: each one is the API route's service call with the API route's schema.

def _respond(account, form, *, complaint_id):
    # The form carries the photo files, the API their ids: stored and attached in one service call.
    responses.respond_with_uploads(complaint_id, account, uploads=form.pop("photos", None) or (), **form)


def _note(account, form, *, complaint_id):
    responses.add_note(complaint_id, account, **form)


def _transition(account, form, *, complaint_id):
    lifecycle.transition(complaint_id, account, **form)


def _duplicate(account, form, *, complaint_id):
    duplicates.mark_duplicate(complaint_id, account, **form)


def _moderate(account, form, *, complaint_id):
    moderation.moderate(complaint_id, account, **form)


def _reroute(account, form, *, complaint_id):
    reroute.reroute(complaint_id, account, **form)


def _done(id_text: str, en_text: str) -> dict[str, str]:
    return {"id": id_text, "en": en_text}


def console_pages() -> list[toolkit.ConsolePage]:
    """The queue (listed), a complaint's page (reached from the queue) and the assisted filing form."""
    return [
        assist_page(FOLDER),
        toolkit.ConsolePage("queue", {"id": "Antrean pengaduan", "en": "Complaint queue"}, queue_view, "queue.html",
                            FOLDER, permission=HANDLE, query=QueueArgsSchema),
        toolkit.ConsolePage(
            "complaint", {"id": "Pengaduan", "en": "Complaint"}, complaint_view, "complaint.html", FOLDER,
            permission=HANDLE, path="<int:complaint_id>",
            actions=[
                toolkit.ConsoleAction("respond", _respond, ResponseFormSchema,
                                      done=_done("Tanggapan terkirim ke pelapor.", "The response was sent to the reporter.")),
                toolkit.ConsoleAction("note", _note, NoteCreateSchema,
                                      done=_done("Catatan internal disimpan.", "The internal note was saved.")),
                toolkit.ConsoleAction("transition", _transition, TransitionSchema,
                                      done=_done("Status pengaduan diubah.", "The complaint's state was changed.")),
                toolkit.ConsoleAction("duplicate", _duplicate, DuplicateSchema,
                                      done=_done("Ditandai sebagai duplikat.", "Marked as a duplicate.")),
                toolkit.ConsoleAction("moderate", _moderate, ModerationSchema,
                                      done=_done("Tampilan publik disesuaikan.", "What the public sees was adjusted.")),
                toolkit.ConsoleAction("reroute", _reroute, RerouteSchema, permission=ADMIN,
                                      done=_done("Pengaduan dialihkan.", "The complaint was transferred.")),
            ],
        ),
    ]
