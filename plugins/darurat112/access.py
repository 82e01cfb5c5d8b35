"""Who may see and act on an incident: the permissions of the 112 service and the checks built on them.

- citizens (``darurat112.report``) raise incidents and see only their own;
- the command centre (``darurat112.command``): officers of the command-centre OPDs
  (``RAGEM_DARURAT112_COMMAND_CENTRE_OPDS``, DISKOMINFO by default) and admins; they see all;
- agencies (``darurat112.agency``): any officer, but only for incidents dispatched to their OPD;
- supervisors (``darurat112.supervise``): admins and the accounts an admin granted it to
  (``services/staff.py``, ``POST /staff-grants``);
- the telephony system (``darurat112.telephony``): the accounts an admin granted it to;
- alerting officers (``darurat112.alert``): officers of ``RAGEM_DARURAT112_ALERTING_OPDS`` (BPBD and
  DISKOMINFO by default) and admins issue public alerts.
"""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112 import settings
from plugins.darurat112.models import GRANTABLE, Dispatch, Incident
from plugins.darurat112.services import staff

REPORT, COMMAND, AGENCY = "darurat112.report", "darurat112.command", "darurat112.agency"
SUPERVISE, TELEPHONY = "darurat112.supervise", "darurat112.telephony"
ALERT = "darurat112.alert"

PERMISSIONS = (
    toolkit.Permission(REPORT, {"id": "Melaporkan keadaan darurat", "en": "Report emergencies"},
                       ("citizen", "officer", "admin")),
    # Officers of other OPDs are refused by ``grant`` below: only the command centre's may.
    toolkit.Permission(COMMAND, {"id": "Menerima panggilan dan mengirim bantuan (pusat komando 112)",
                                 "en": "Take calls and dispatch (112 command centre)"}, ("officer", "admin")),
    toolkit.Permission(AGENCY, {"id": "Menangani kejadian yang dikirim ke instansi sendiri",
                                "en": "Handle incidents dispatched to own agency"}, ("officer",)),
    toolkit.Permission(SUPERVISE, {"id": "Mengawasi pusat komando 112 (daftar blokir)",
                                   "en": "Supervise the 112 command centre (block list)"}, ("admin",)),
    toolkit.Permission(TELEPHONY, {"id": "Sistem telepon 112: membaca daftar blokir",
                                   "en": "112 telephony system: read the block list"}, ()),
    # Officers of other OPDs are refused by ``grant``: only the alerting OPDs' (BPBD, DISKOMINFO).
    toolkit.Permission(ALERT, {"id": "Menerbitkan peringatan dini publik (CAP)",
                               "en": "Issue public alerts (CAP)"}, ("officer", "admin")),
)


def grant(user: toolkit.Account, permission: str) -> bool | None:
    """The ``ragem_permission_check`` answer: command-centre rights only for its OPDs' officers (and
    admins), supervision and telephony for the accounts holding a grant in force; ``None`` elsewhere."""
    if permission == COMMAND:
        if user.has_role("admin"):
            return None
        return None if user.opd_code in settings.COMMAND_CENTRE_OPDS.value() else False
    if permission == ALERT:
        if user.has_role("admin"):
            return None
        return None if user.opd_code in settings.ALERTING_OPDS.value() else False
    if permission in GRANTABLE and staff.holds(user.id, permission):
        return True
    return None


def is_command_centre(user: toolkit.Account) -> bool:
    """Call-takers, dispatchers (and admins): they see every incident."""
    return toolkit.can(user, COMMAND)


def agency_dispatched(user: toolkit.Account, incident: Incident) -> bool:
    """Whether ``incident`` was (or is) dispatched to the officer's own agency."""
    if user.opd_code is None or not toolkit.can(user, AGENCY):
        return False
    return toolkit.db.session.scalar(
        select(Dispatch.id).where(Dispatch.incident_id == incident.id, Dispatch.agency_code == user.opd_code).limit(1)
    ) is not None


def is_staff_for(user: toolkit.Account, incident: Incident) -> bool:
    """The command centre, or an agency the incident was dispatched to: they read internal steps."""
    return is_command_centre(user) or agency_dispatched(user, incident)


def load_incident(incident_id: int) -> Incident | None:
    """The incident with ``incident_id`` or ``None`` (ids outside the column's range included)."""
    return toolkit.db.session.get(Incident, incident_id) if 0 < incident_id < 2**31 else None


def visible_incident(incident_id: int, user: toolkit.Account) -> Incident:
    """The incident for its reporter, the command centre or an agency it was dispatched to; 404 for
    anyone else (others must not learn that the number exists)."""
    incident = load_incident(incident_id)
    if incident is None or not (
            (incident.reporter_id is not None and incident.reporter_id == user.id) or is_staff_for(user, incident)):
        raise toolkit.NotFound(details={"incident_id": incident_id})
    return incident


def own_incident(incident_id: int, user: toolkit.Account) -> Incident:
    """The incident for its reporter alone; 404 for anyone else."""
    incident = load_incident(incident_id)
    if incident is None or incident.reporter_id is None or incident.reporter_id != user.id:
        raise toolkit.NotFound(details={"incident_id": incident_id})
    return incident


def command_incident(incident_id: int) -> Incident:
    """The incident for the command centre (the route's guard checked the permission); 404 when unknown."""
    incident = load_incident(incident_id)
    if incident is None:
        raise toolkit.NotFound(details={"incident_id": incident_id})
    return incident
