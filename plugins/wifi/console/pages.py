"""The Wi-Fi service in the console (``/console/p/wifi/...``): the hotspots with their silence state
and status, and the suspensions of citizens and devices. Views and actions call the same service
functions and schemas as the ``/admin`` API routes."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from marshmallow import fields

from ragem import toolkit

from plugins.wifi.access import MANAGE
from plugins.wifi.schemas.fields import ID
from plugins.wifi.schemas.hotspots import HotspotAdminSchema, HotspotUpdateSchema
from plugins.wifi.schemas.policies import (
    SuspensionArgsSchema,
    SuspensionCreateSchema,
    SuspensionLiftSchema,
    SuspensionSchema,
)
from plugins.wifi.services import hotspots, suspensions

FOLDER = str(Path(__file__).resolve().parent)

STATUS_NAMES = {
    "active": {"id": "aktif", "en": "active"},
    "maintenance": {"id": "dalam perawatan (log-in ditolak)", "en": "under maintenance (log-ins refused)"},
    "retired": {"id": "tidak dipakai lagi", "en": "retired"},
}
KIND_NAMES = {"user": {"id": "warga", "en": "citizen"}, "device": {"id": "perangkat", "en": "device"}}
WORDS = {"statuses": STATUS_NAMES, "kinds": KIND_NAMES}


class LiftFormSchema(SuspensionLiftSchema):
    """``POST /suspensions/<id>/lift``'s body and, from the list's form, which suspension."""

    suspension_id = fields.Integer(required=True, validate=ID)


def wib(value) -> str:
    """An API timestamp (``...Z``) as Kota Serang reads it: ``2026-12-06 10:30 WIB``."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return (moment.replace(tzinfo=None) + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M WIB")


def hotspots_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """Every hotspot, by id, silent ones marked with the time they went quiet."""
    items, next_cursor = hotspots.list_all(**query)
    shown = HotspotAdminSchema(many=True).dump(items)
    return {"hotspots": shown, "next_cursor": next_cursor, "silent_count": sum(1 for h in shown if h["silent"]),
            "words": WORDS, "wib": wib}


def hotspot_view(account: toolkit.Account, *, hotspot_id: int) -> dict[str, Any]:
    """One hotspot as ``GET /admin/hotspots`` shows it, with the status form."""
    return {"hotspot": HotspotAdminSchema().dump(hotspots.get_hotspot(hotspot_id)), "words": WORDS, "wib": wib}


def suspensions_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """Suspensions, newest first (those in force by default), with the forms to add and lift one."""
    items, next_cursor = suspensions.list_suspensions(**query)
    return {"suspensions": SuspensionSchema(many=True).dump(items), "next_cursor": next_cursor,
            "active": query["active"], "words": WORDS, "wib": wib}


def _status(account, form, *, hotspot_id):
    hotspots.update_hotspot(account, hotspot_id, **form)


def _suspend(account, form):
    suspensions.suspend(account, **form)


def _lift(account, form):
    suspensions.lift(account, form.pop("suspension_id"), **form)


def console_pages() -> list[toolkit.ConsolePage]:
    """Hotspots (listed), a hotspot's page (reached from the list) and the suspensions (listed), for
    the Wi-Fi's admins (``wifi.manage``)."""
    return [
        toolkit.ConsolePage("hotspots", {"id": "Hotspot Wi-Fi", "en": "Wi-Fi hotspots"}, hotspots_view,
                            "hotspots.html", FOLDER, permission=MANAGE, query=toolkit.PageArgsSchema),
        toolkit.ConsolePage(
            "hotspot", {"id": "Hotspot", "en": "Hotspot"}, hotspot_view, "hotspot.html", FOLDER, permission=MANAGE,
            path="<int:hotspot_id>", actions=[
                toolkit.ConsoleAction("status", _status, HotspotUpdateSchema(only=("status", "quiet_hours")), done={
                    "id": "Hotspot diubah.", "en": "The hotspot was changed."}),
            ]),
        toolkit.ConsolePage(
            "suspensions", {"id": "Penangguhan Wi-Fi", "en": "Wi-Fi suspensions"}, suspensions_view,
            "suspensions.html", FOLDER, permission=MANAGE, query=SuspensionArgsSchema, actions=[
                toolkit.ConsoleAction("suspend", _suspend, SuspensionCreateSchema, done={
                    "id": "Penangguhan berlaku.", "en": "The suspension is in force."}),
                toolkit.ConsoleAction("lift", _lift, LiftFormSchema, done={
                    "id": "Penangguhan dicabut.", "en": "The suspension was lifted."}),
            ]),
    ]
