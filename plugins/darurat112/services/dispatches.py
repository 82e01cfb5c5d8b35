"""An agency's side of a dispatch: its officers move it along (acknowledged, en route, on scene,
completed) or cancel it; the command centre may cancel too."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112.access import AGENCY, is_command_centre
from plugins.darurat112.models import DISPATCH_DONE, DISPATCH_STATES, Dispatch, Incident
from plugins.darurat112.services import timeline

MSG_BACKWARDS = {"id": "Status tugas tidak dapat mundur atau diubah setelah selesai.",
                 "en": "A dispatch's status cannot go back or change once it has ended."}
MSG_NOT_YOURS = {"id": "Hanya petugas instansi yang dikirim yang dapat memperbarui tugas ini.",
                 "en": "Only officers of the dispatched agency can update this dispatch."}
#: Steps the reporter is told about (acknowledgement is internal to the command centre).
PUBLIC_STEPS = ("en_route", "on_scene", "completed", "cancelled")


def agency_dispatch(dispatch_id: int, user: toolkit.Account) -> Dispatch:
    """The dispatch for its agency's officers (and the command centre); 404 for anyone else."""
    dispatch = toolkit.db.session.get(Dispatch, dispatch_id) if 0 < dispatch_id < 2**31 else None
    if dispatch is None or not (
            is_command_centre(user) or (toolkit.can(user, AGENCY) and user.opd_code == dispatch.agency_code)):
        raise toolkit.NotFound(details={"dispatch_id": dispatch_id})
    return dispatch


def update_state(dispatch_id: int, user: toolkit.Account, *, state: str, note: str | None = None) -> Dispatch:
    """Move a dispatch forward (steps may be skipped: a team can report ``on_scene`` straight away) or
    cancel it; 409 ``dispatch_state`` going back or after it ended. Only the agency's officers move it
    forward; the command centre may only cancel."""
    dispatch = agency_dispatch(dispatch_id, user)
    own_agency = user.opd_code == dispatch.agency_code and toolkit.can(user, AGENCY)
    if not own_agency and state != "cancelled":
        raise toolkit.Forbidden(message=MSG_NOT_YOURS, details={"agency": dispatch.agency_code})
    order = DISPATCH_STATES.index
    if dispatch.state in DISPATCH_DONE or (state != "cancelled" and order(state) <= order(dispatch.state)):
        raise toolkit.Conflict("dispatch_state", MSG_BACKWARDS, details={"from": dispatch.state, "to": state})
    now = toolkit.utcnow()
    dispatch.state = state
    setattr(dispatch, f"{state}_at", now)
    incident = toolkit.db.session.get(Incident, dispatch.incident_id)
    if state == "on_scene" and incident.on_scene_at is None:
        incident.on_scene_at = now
    name = timeline.agency_name(dispatch.agency_code)
    message = {lang: text.format(agency=name[lang]) for lang, text in timeline.MSG_DISPATCH_STATE[state].items()}
    data = {"dispatch_id": dispatch.id, "agency": dispatch.agency_code, "state": state}
    actor = "agency" if own_agency else "command_centre"
    if state in PUBLIC_STEPS:
        timeline.public_step(incident, kind="dispatch_update", actor=actor, actor_id=user.id, message=message,
                             data=data)
    else:
        timeline.append(incident, kind="dispatch_update", actor=actor, actor_id=user.id, message=message, data=data)
    if note and note.strip():
        timeline.append(incident, kind="note", actor=actor, actor_id=user.id, message=note.strip())
    toolkit.audit("darurat112.dispatch.update", "darurat112_dispatch", str(dispatch.id), after=data, actor=user)
    toolkit.db.session.commit()
    return dispatch


def my_agency_dispatches(user: toolkit.Account, *, active: bool, limit: int, cursor: str | None):
    """The dispatches of the officer's own agency, newest first (only those still running with ``active``)."""
    stmt = select(Dispatch).where(Dispatch.agency_code == (user.opd_code or ""))
    if active:
        stmt = stmt.where(Dispatch.state.not_in(DISPATCH_DONE))
    return toolkit.paginate(toolkit.db.session, stmt, [Dispatch.created_at, Dispatch.id], limit=limit, cursor=cursor)
