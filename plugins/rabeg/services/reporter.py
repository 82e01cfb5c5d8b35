"""Who filed a complaint, for the officers who must reach them, and for no one else.

A complaint keeps only its reporter's account id. The officers of the assigned OPD read the
reporter's name and phone through ``toolkit.read_profile_by_id`` each time they open the
complaint, so every read lands in the citizen's access log (``GET /api/v1/me/access-log``), naming
"an officer of <OPD>" and the complaint. An anonymous complaint reveals its reporter to no one,
admins included; nor does any complaint to another OPD's officers, other citizens or the public.

A complaint an officer recorded for a complainant without an account (``services.assisted``)
keeps the name and phone the officer wrote down, sealed; the same officers read them from there,
under the same rule.
"""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import HANDLE, visible_complaint
from plugins.rabeg.models import Complaint

#: What an officer needs to call the reporter back; declared in ``plugin.ragem_profile_fields``.
CONTACT_FIELDS = ("name", "phone")


def _officer_of_assigned_opd(user: toolkit.Account, complaint: Complaint) -> bool:
    """Whether ``user`` is an officer of the OPD the complaint is assigned to (with ``rabeg.handle``)."""
    return (
        user.has_role("officer")
        and user.opd_code is not None
        and user.opd_code == complaint.opd_code
        and toolkit.can(user, HANDLE, complaint)
    )


def may_reach_reporter(user: toolkit.Account, complaint: Complaint) -> bool:
    """Whether ``user`` is an officer of the OPD the complaint is assigned to, and the complaint
    names its reporter (not anonymous, account not erased). Admins handle complaints without
    calling citizens: they are not shown the reporter unless they are such an officer too."""
    return (
        not complaint.anonymous
        and complaint.reporter_id is not None
        and complaint.reporter_id != user.id
        and _officer_of_assigned_opd(user, complaint)
    )


def reporter_contact(complaint: Complaint, user: toolkit.Account) -> dict | None:
    """``{"name", "phone"}`` of the reporter for an officer who may reach them (read and logged
    now), else ``None``; ``None`` too when the reporter's account is gone. For a complainant without
    an account, the name and phone (``None`` if not given) an officer recorded, to the same officers."""
    if complaint.reporter_id is None and complaint.complainant_name is not None:
        if complaint.anonymous or not _officer_of_assigned_opd(user, complaint):
            return None
        return {"name": complaint.complainant_name, "phone": complaint.complainant_phone}
    if not may_reach_reporter(user, complaint):
        return None
    purpose = (f"petugas menindaklanjuti pengaduan {complaint.public_number} "
               f"(an officer following up complaint {complaint.public_number})")
    return toolkit.read_profile_by_id("rabeg", complaint.reporter_id, CONTACT_FIELDS, purpose, officer=user)


def complaint_detail(complaint_id: int, user: toolkit.Account) -> Complaint:
    """The complaint as ``user`` may open it (404 for anyone who may not), carrying
    ``reporter_contact`` for the officers of the assigned OPD and ``None`` for everyone else."""
    complaint = visible_complaint(complaint_id, user)
    # A plain attribute, not a column: it lives for this answer only and is never stored.
    complaint.reporter_contact = reporter_contact(complaint, user)
    return complaint
