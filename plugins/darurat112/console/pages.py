"""The console pages of 112 (``/console/p/darurat112/...``): views and actions stay thin, the rules
are the services' (``services.queue``, ``services.command``, ``services.dispatches``,
``services.blocks``; the alerts page lives in ``alerts.py``)."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, fields, validate

from ragem import toolkit

from plugins.darurat112.access import AGENCY, ALERT, COMMAND, SUPERVISE, command_incident
from plugins.darurat112.console import alerts as alert_page
from plugins.darurat112.models import CHANNELS, OPEN_STATES, OUTCOMES, PRIORITIES, TYPES
from plugins.darurat112.schemas.alerts import AlertArgsSchema
from plugins.darurat112.schemas.blocks import CallerBlockArgsSchema, CallerBlockLiftSchema, CallerBlockSchema
from plugins.darurat112.schemas.command import (
    IncidentCloseSchema, IncidentDispatchCreateSchema, IncidentMarkSchema, IncidentTriageSchema,
)
from plugins.darurat112.schemas.dispatches import AgencyDispatchArgsSchema, AgencyDispatchSchema, AgencyDispatchUpdateSchema
from plugins.darurat112.schemas.incidents import IncidentSchema, IncidentSummarySchema
from plugins.darurat112.services import blocks, command, dispatches, queue

FOLDER = str(Path(__file__).resolve().parent)
WIB = timedelta(hours=7)
#: How many incidents the queue page shows: more open at once is a disaster, and the API pages on.
QUEUE_SIZE = 100
#: Seconds between two polls of the change feed by an open queue page.
POLL_SECONDS = 2
#: The rows are sent again after this many seconds even when nothing changed, so the ages shown
#: (how long a caller has waited) are never more than a minute behind.
AGE_REFRESH_SECONDS = 60

STATES = {
    "held": {"id": "ditahan (pelapor diblokir)", "en": "held (blocked reporter)"},
    "new": {"id": "baru", "en": "new"},
    "claimed": {"id": "ditangani", "en": "claimed"},
    "dispatched": {"id": "bantuan dikirim", "en": "dispatched"},
    "closed": {"id": "selesai", "en": "closed"},
}
TYPE_NAMES = {
    "medical": {"id": "Medis", "en": "Medical"}, "fire": {"id": "Kebakaran", "en": "Fire"},
    "traffic_accident": {"id": "Kecelakaan lalu lintas", "en": "Traffic accident"},
    "crime": {"id": "Kejahatan", "en": "Crime"}, "disaster": {"id": "Bencana", "en": "Disaster"},
    "fallen_tree": {"id": "Pohon tumbang", "en": "Fallen tree"},
    "electrical_hazard": {"id": "Bahaya listrik", "en": "Electrical hazard"},
    "animal": {"id": "Hewan", "en": "Animal"}, "other": {"id": "Lainnya", "en": "Other"},
}
CHANNEL_NAMES = {"phone": {"id": "telepon", "en": "phone"}, "app": {"id": "aplikasi", "en": "app"},
                 "sms": {"id": "SMS", "en": "SMS"}, "walk_in": {"id": "datang langsung", "en": "walk-in"}}
OUTCOME_NAMES = {
    "resolved": {"id": "tertangani", "en": "resolved"},
    "no_action_needed": {"id": "tidak perlu tindakan", "en": "no action needed"},
    "false_alarm": {"id": "alarm palsu", "en": "false alarm"}, "prank": {"id": "iseng", "en": "prank"},
    "silent": {"id": "panggilan diam", "en": "silent call"}, "duplicate": {"id": "duplikat", "en": "duplicate"},
    "cancelled": {"id": "dibatalkan pelapor", "en": "cancelled by the reporter"},
}
KIND_NAMES = {
    "created": {"id": "Laporan masuk", "en": "Raised"}, "held": {"id": "Ditahan", "en": "Held"},
    "claimed": {"id": "Ditangani", "en": "Claimed"}, "triaged": {"id": "Triase", "en": "Triage"},
    "information": {"id": "Informasi pelapor", "en": "Reporter's information"},
    "note": {"id": "Catatan internal", "en": "Internal note"}, "photo": {"id": "Foto", "en": "Photo"},
    "dispatched": {"id": "Bantuan dikirim", "en": "Dispatched"},
    "dispatch_update": {"id": "Kabar instansi", "en": "Agency update"},
    "merged": {"id": "Digabung", "en": "Merged"}, "closed": {"id": "Ditutup", "en": "Closed"},
}
ACTOR_NAMES = {
    "reporter": {"id": "pelapor", "en": "reporter"}, "command_centre": {"id": "pusat komando", "en": "command centre"},
    "agency": {"id": "instansi", "en": "agency"}, "system": {"id": "sistem", "en": "system"},
}
DISPATCH_NAMES = {
    "dispatched": {"id": "dikirim", "en": "dispatched"}, "acknowledged": {"id": "diterima instansi", "en": "acknowledged"},
    "en_route": {"id": "dalam perjalanan", "en": "en route"}, "on_scene": {"id": "di lokasi", "en": "on scene"},
    "completed": {"id": "selesai", "en": "completed"}, "cancelled": {"id": "dibatalkan", "en": "cancelled"},
}
#: The states an agency moves its dispatch to (steps may be skipped; the service refuses going back).
DISPATCH_NEXT = ("acknowledged", "en_route", "on_scene", "completed", "cancelled")
#: The queue page's filter form: each filter's label, and the words of the flagged filter's choices.
FILTER_NAMES = {
    "state": {"id": "Status", "en": "State"}, "type": {"id": "Jenis", "en": "Type"},
    "channel": {"id": "Saluran", "en": "Channel"}, "kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "flagged": {"id": "Pelapor diblokir", "en": "Blocked reporter"}, "all": {"id": "Semua", "en": "All"},
    "apply": {"id": "Terapkan", "en": "Apply"}, "clear": {"id": "Hapus filter", "en": "Clear filters"},
}
FLAGGED_NAMES = {"true": {"id": "Hanya pelapor diblokir", "en": "Blocked reporters only"},
                 "false": {"id": "Tanpa pelapor diblokir", "en": "No blocked reporter"}}
WORDS = {"dispatch_states": DISPATCH_NAMES, "states": STATES, "types": TYPE_NAMES, "channels": CHANNEL_NAMES, "outcomes": OUTCOME_NAMES,
         "kinds": KIND_NAMES, "actors": ACTOR_NAMES, "filters": FILTER_NAMES, "flagged": FLAGGED_NAMES}


def wib(value: str | datetime | None) -> str:
    """An API timestamp as Kota Serang reads it: ``2026-12-06 10:30 WIB``."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return (moment.replace(tzinfo=None) + WIB).strftime("%Y-%m-%d %H:%M WIB")


def age(value: str | None) -> str:
    """How long ago ``value`` was, in minutes (``12 mnt``) or hours and minutes (``2 j 05 mnt``)."""
    if not value:
        return ""
    then = datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    minutes = max(0, int((toolkit.utcnow().replace(tzinfo=None) - then).total_seconds() // 60))
    return f"{minutes} mnt" if minutes < 60 else f"{minutes // 60} j {minutes % 60:02d} mnt"


def _is_kecamatan(code: str) -> None:
    """Refuse a code that is not one of Kota Serang's kecamatan (a kelurahan's would match nothing)."""
    # The length first: a code longer than any region's is refused without asking the database.
    region = toolkit.region(code) if len(code) <= 20 else None
    if region is None or region.level != "kecamatan":
        raise ValidationError("Not a kecamatan of Kota Serang.")


class QueueFilterSchema(toolkit.BaseSchema):
    """The queue page's filters (a GET form, all optional): the API's ``GET /queue`` filters a
    call-taker narrows the live queue with. ``state`` offers only the open states (the queue page is
    the open incidents); a repeated parameter selects several values."""

    state = fields.List(fields.String(validate=validate.OneOf(OPEN_STATES)), load_default=None)
    type = fields.List(fields.String(validate=validate.OneOf(TYPES)), load_default=None)
    channel = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=None)
    kecamatan = fields.String(load_default=None, validate=_is_kecamatan,
                              metadata={"example": "36.73.02"})
    flagged = fields.Boolean(load_default=None)


def _filter_values(query: dict[str, Any]) -> dict[str, Any]:
    """The loaded filters as query-string values (lists repeat, ``flagged`` as ``true``/``false``),
    to carry them in the poll and refresh addresses and to refill the form."""
    values: dict[str, Any] = {}
    for name, value in query.items():
        if value is None or value == []:
            continue
        values[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return values


def _kecamatan_names() -> dict[str, str]:
    """Kota Serang's kecamatan by code, in code order (the filter's choices, the rows' names)."""
    return {region.code: region.name for region in toolkit.regions(level="kecamatan")}


def _rows(query: dict[str, Any]) -> dict[str, Any]:
    """The queue's rows as the API's ``GET /queue`` lists them with these filters (its first ``QUEUE_SIZE``)."""
    items, next_cursor = queue.queue(agency=None, limit=QUEUE_SIZE, cursor=None, **query)
    return {"incidents": IncidentSummarySchema(many=True).dump(items), "more": next_cursor is not None,
            "kecamatan_names": _kecamatan_names()}


def _now_seconds() -> int:
    return int(toolkit.utcnow().timestamp())


def queue_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """The open incidents that pass the filters, most urgent first, and the change-feed cursor the
    page polls from (the poll address carries the filters)."""
    # The cursor first: a change made while the rows are read comes again on the first poll.
    cursor = queue.changes(None)["cursor"]
    return {**_rows(query), "cursor": cursor, "changed": True, "shown": _now_seconds(), "poll_seconds": POLL_SECONDS,
            "filters": _filter_values(query), "poll": False, "words": WORDS, "wib": wib, "age": age}


def queue_changes_view(account: toolkit.Account, *, since: str, shown: int, query: dict[str, Any]) -> dict[str, Any]:
    """One poll of the change feed: the queue's rows again, filtered as the page is, when an incident
    changed (or the rows shown since ``shown`` are older than ``AGE_REFRESH_SECONDS``), else only the
    next address (the page keeps its rows)."""
    feed = queue.changes(since)
    now = _now_seconds()
    # Any change sends the rows again, matching the filters or not: an incident that stops matching
    # (a "new" one claimed) must leave the filtered table too.
    changed = bool(feed["items"]) or now - shown >= AGE_REFRESH_SECONDS
    rows = _rows(query) if changed else {"incidents": [], "more": False, "kecamatan_names": {}}
    return {**rows, "cursor": feed["cursor"], "changed": changed, "shown": now if changed else shown,
            "poll_seconds": 0 if feed["more"] else POLL_SECONDS, "filters": _filter_values(query), "poll": True,
            "words": WORDS, "wib": wib, "age": age}


def incident_view(account: toolkit.Account, *, incident_id: int) -> dict[str, Any]:
    """One incident as the API's detail shows it to the command centre, with what may be done next."""
    incident = command_incident(incident_id)
    shown = IncidentSchema().dump(incident)
    return {
        "incident": shown, "priorities": PRIORITIES, "types": TYPES,
        "close_outcomes": [o for o in OUTCOMES if o in ("resolved", "no_action_needed", "false_alarm")],
        "agencies": _agencies(),
        "words": WORDS, "wib": wib, "age": age,
    }


#: The agencies offered as boxes to tick; any other active OPD can be typed by its code.
EMERGENCY_AGENCIES = ("DAMKAR", "POLRESTA", "DINKES", "BPBD", "DISHUB", "SATPOLPP")


def _agencies() -> list[dict[str, str]]:
    """The usual emergency agencies that exist (active) in this city's OPD list, with their names."""
    shown = []
    for code in EMERGENCY_AGENCIES:
        row = toolkit.opd(code)
        if row is not None and row.active:
            shown.append({"code": code, "name": toolkit.translate({"id": row.name_id, "en": row.name_en})})
    return shown


def blocks_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """Blocks on numbers and accounts (those in force unless ``active=false``), newest first."""
    items, next_cursor = blocks.list_blocks(**query)
    return {"blocks": CallerBlockSchema(many=True).dump(items), "next_cursor": next_cursor,
            "active": query["active"], "wib": wib}


def dispatches_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """The dispatches of the officer's own agency, newest first (running ones unless ``active=false``)."""
    items, next_cursor = dispatches.my_agency_dispatches(account, **query)
    return {"dispatches": AgencyDispatchSchema(many=True).dump(items), "next_cursor": next_cursor,
            "active": query["active"], "next_states": DISPATCH_NEXT, "words": WORDS, "wib": wib}


# The actions: each one is the API route's service call with the API route's schema.

def _claim(account, form, *, incident_id):
    command.claim(incident_id, account)


def _triage(account, form, *, incident_id):
    command.triage(incident_id, account, **form)


def _mark(account, form, *, incident_id):
    command.mark(incident_id, account, **form)


def _dispatch(account, form, *, incident_id):
    command.dispatch(incident_id, account, **form)


def _close(account, form, *, incident_id):
    command.close(incident_id, account, **form)


def _update_dispatch(account, form):
    dispatches.update_state(form.pop("dispatch_id"), account, **form)


def _cancel_dispatch(account, form, *, incident_id):
    # The command centre may only cancel (the service refuses anything else from it); the dispatch
    # must be this incident's, or the address and the form would disagree.
    dispatch = dispatches.agency_dispatch(form["dispatch_id"], account)
    if dispatch.incident_id != incident_id:
        raise toolkit.NotFound(details={"dispatch_id": form["dispatch_id"]})
    dispatches.update_state(dispatch.id, account, state="cancelled", note=form.get("note"))


def _lift(account, form):
    blocks.lift(form.pop("block_id"), account, **form)


class BlockLiftFormSchema(CallerBlockLiftSchema):
    """The lift form: the API's body plus the block's id (the API has it in the address)."""

    block_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class DispatchUpdateFormSchema(AgencyDispatchUpdateSchema):
    """The agency's update form: the API's body plus the dispatch's id (the API has it in the address)."""

    dispatch_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class DispatchCancelFormSchema(toolkit.BaseSchema):
    """The command centre's cancel button on an incident's page."""

    dispatch_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    note = AgencyDispatchUpdateSchema._declared_fields["note"]


def console_pages() -> list[toolkit.ConsolePage]:
    """The live queue (listed), its change poll and an incident's page (reached from the queue) for
    the command centre; the agency's dispatches for its officers; public alerts for the alerting OPDs;
    the block list for supervisors."""
    done = lambda id_text, en_text: {"id": id_text, "en": en_text}  # noqa: E731
    return [
        toolkit.ConsolePage("queue", {"id": "Antrean 112", "en": "112 queue"}, queue_view, "queue.html", FOLDER,
                            permission=COMMAND, query=QueueFilterSchema),
        toolkit.ConsolePage("queue-changes", {"id": "Antrean 112", "en": "112 queue"}, queue_changes_view,
                            "queue.html", FOLDER, permission=COMMAND, path="<string:since>/<int:shown>",
                            query=QueueFilterSchema),
        toolkit.ConsolePage(
            "incident", {"id": "Kejadian 112", "en": "112 incident"}, incident_view, "incident.html", FOLDER,
            permission=COMMAND, path="<int:incident_id>",
            actions=[
                toolkit.ConsoleAction("claim", _claim, done=done("Kejadian Anda tangani.", "You claimed the incident.")),
                toolkit.ConsoleAction("triage", _triage, IncidentTriageSchema,
                                      done=done("Triase disimpan.", "The triage was saved.")),
                toolkit.ConsoleAction("mark", _mark, IncidentMarkSchema,
                                      done=done("Kejadian ditutup dan ditandai.", "The incident was closed and marked.")),
                toolkit.ConsoleAction("dispatch", _dispatch, IncidentDispatchCreateSchema,
                                      done=done("Bantuan dikirim.", "Help was dispatched.")),
                toolkit.ConsoleAction("close", _close, IncidentCloseSchema,
                                      done=done("Kejadian ditutup.", "The incident was closed.")),
                toolkit.ConsoleAction("cancel-dispatch", _cancel_dispatch, DispatchCancelFormSchema,
                                      done=done("Pengiriman instansi dibatalkan.", "The agency's dispatch was cancelled.")),
            ],
        ),
        toolkit.ConsolePage("dispatches", {"id": "Tugas 112 instansi", "en": "Agency's 112 dispatches"},
                            dispatches_view, "dispatches.html", FOLDER, permission=AGENCY,
                            query=AgencyDispatchArgsSchema,
                            actions=[toolkit.ConsoleAction("update", _update_dispatch, DispatchUpdateFormSchema,
                                                           done=done("Kabar tugas disimpan.", "The dispatch was updated."))]),
        toolkit.ConsolePage("alerts", {"id": "Peringatan dini", "en": "Public alerts"},
                            lambda account, query: alert_page.alerts_view(account, query=query, wib=wib),
                            "alerts.html", FOLDER, permission=ALERT, query=AlertArgsSchema, actions=[
                                toolkit.ConsoleAction("issue", alert_page.issue, alert_page.AlertFormSchema,
                                                      done=done("Peringatan diterbitkan.", "The alert was issued.")),
                                toolkit.ConsoleAction("cancel", alert_page.cancel, alert_page.AlertCancelFormSchema,
                                                      done=done("Peringatan dicabut.", "The alert was withdrawn.")),
                            ]),
        toolkit.ConsolePage("blocks", {"id": "Daftar blokir 112", "en": "112 block list"}, blocks_view, "blocks.html",
                            FOLDER, permission=SUPERVISE, query=CallerBlockArgsSchema,
                            actions=[toolkit.ConsoleAction("lift", _lift, BlockLiftFormSchema,
                                                           done=done("Blokir dicabut.", "The block was lifted."))]),
    ]
