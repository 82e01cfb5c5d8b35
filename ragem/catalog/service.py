"""Catalog rules: what citizens and admins see, and switching a service on or off."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app

from ragem.audit.service import record as audit
from ragem.catalog.models import ServiceState
from ragem.catalog.state import cache, snapshot
from ragem.errors import ApiError, NotFound
from ragem.extensions import db
from ragem.i18n import language, translate
from ragem.plugins import PluginRecord
from ragem.timeutil import utcnow

AVAILABLE, MAINTENANCE = "available", "maintenance"


def _registry():
    return current_app.extensions["ragem.plugins"]


def catalog_item(record: PluginRecord) -> dict[str, Any]:
    """One service as the catalog shows it, texts in the request's language."""
    info = record.info
    state = snapshot(info.slug)
    return {
        "slug": info.slug,
        "name": translate(info.name),
        "description": translate(info.description),
        "opd": info.opd,
        "icon": info.icon,
        "version": info.version,
        "critical": info.critical,
        "status": AVAILABLE if state.enabled else MAINTENANCE,
        "maintenance_message": translate(state.message) if not state.enabled and state.message else None,
    }


def citizen_catalog() -> list[dict[str, Any]]:
    """Services a citizen can use now (switched-off ones are hidden). Message gateways (plugins
    implementing ``ragem_message_gateways``) are infrastructure, not services: admins see them."""
    registry = _registry()
    items = [catalog_item(r) for r in registry.services() if not registry.impls("ragem_message_gateways", r)]
    return [item for item in items if item["status"] == AVAILABLE]


def cached_citizen_catalog(dump) -> Response:
    """The citizens' catalog as a ready JSON response, cached per language and switch state.

    :param dump: turns the catalog items into the response body (the view's schema).
    """
    return _cached_body("citizen", lambda: dump(citizen_catalog()))


def _cached_body(audience: str, build) -> Response:
    """``build()`` as a JSON response, made once per audience, language and switch state."""
    state_cache = cache()
    state_cache.get()  # refresh the switches first, so the version below is current
    key = (audience, language(), state_cache.version)
    bodies = current_app.extensions.setdefault("ragem.catalog_bodies", {})
    body = bodies.get(key)
    if body is None:
        body = current_app.json.dumps(build()).encode()
        if len(bodies) > 8:  # old versions: only the current state's bodies are ever read again
            bodies.clear()
        bodies[key] = body
    return Response(body, status=200, mimetype="application/json")


def admin_catalog() -> list[dict[str, Any]]:
    """Every started service with its switch, reason and last change (as this worker enforces it)."""
    states = cache().get()
    items = []
    for record in _registry().services():
        item = catalog_item(record)
        state = states.get(record.slug)
        item.update(
            enabled=state.enabled if state else True,
            reason=state.reason if state else None,
            message=state.admin_message if state else None,
            updated_at=state.updated_at if state else None,
            updated_by=state.updated_by if state else None,
        )
        items.append(item)
    return items


def cached_admin_catalog(dump) -> Response:
    """The admins' list of services as a ready JSON response, cached like the citizens' catalog.

    Built from the same switch snapshot the gate enforces (at most ``RAGEM_STATE_TTL`` old; the
    worker that toggles drops it at once), so it is rebuilt only when a switch changes.
    """
    return _cached_body("admin", lambda: dump(admin_catalog()))


def _state_dict(row: ServiceState | None) -> dict[str, Any]:
    if row is None:
        return {"enabled": True, "message": None}
    return {"enabled": row.enabled, "message": {"id": row.message_id, "en": row.message_en} if row.message_id else None}


def set_service_state(
    slug: str,
    *,
    enabled: bool,
    reason: str,
    message: dict | None = None,
    confirm: bool = False,
    actor: Any = None,
) -> dict[str, Any]:
    """Switch service ``slug`` on or off, persist and audit it; every worker sees it within the TTL.

    :raises NotFound: no started service has this slug.
    :raises ApiError: ``confirmation_required`` (422) when disabling a critical service without
        ``confirm``.
    """
    record = _registry().record_for_slug(slug)
    if record is None or record.status != "enabled":
        raise NotFound(details={"slug": slug})
    if not enabled and record.info.critical and not confirm:
        raise ApiError("confirmation_required", status=422, details={"slug": slug, "critical": True})
    row = db.session.get(ServiceState, slug)
    before = _state_dict(row)
    if row is None:
        row = ServiceState(slug=slug)
        db.session.add(row)
    row.enabled = enabled
    row.reason = reason
    row.message_id = (message or {}).get("id")
    row.message_en = (message or {}).get("en")
    row.updated_at = utcnow()
    row.updated_by = getattr(actor, "id", None)
    after = _state_dict(row)
    audit(
        "service.enable" if enabled else "service.disable",
        "service",
        slug,
        before=before,
        after=after,
        reason=reason,
        actor=actor,
    )
    db.session.commit()
    cache().invalidate()
    return next(item for item in admin_catalog() if item["slug"] == slug)


def plugin_list() -> list[dict[str, Any]]:
    """Every plugin the platform tried to load: started, switched off, excluded or failed."""
    registry = _registry()
    items = []
    for record in sorted(registry.records.values(), key=lambda r: r.slug):
        status = record.status
        reason = record.reason
        if status == "enabled" and record.info and not snapshot(record.slug).enabled:
            status = "disabled"
            row = db.session.get(ServiceState, record.slug)
            reason = row.reason if row else None
        items.append(
            {
                "name": record.name,
                "slug": record.slug,
                "version": record.version,
                "distribution": record.distribution,
                "status": status,
                "reason": reason,
                "hooks": registry.hook_names(record),
                "critical": bool(record.info and record.info.critical),
            }
        )
    return items
