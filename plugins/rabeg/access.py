"""Who may see and act on a complaint: the permissions of RABEG and the checks built on them."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.models import Complaint

FILE, HANDLE, ADMIN = "rabeg.file", "rabeg.handle", "rabeg.admin"
#: Record a complaint on a complainant's behalf (``services.assisted``): officers of any OPD and admins.
ASSIST = "rabeg.assist"


def is_staff_for(user: toolkit.Account, complaint: Complaint) -> bool:
    """Admins (rabeg.admin) and officers of the assigned OPD (rabeg.handle)."""
    if toolkit.can(user, ADMIN, complaint):
        return True
    return toolkit.can(user, HANDLE, complaint) and getattr(user, "opd_code", None) == complaint.opd_code


def load_complaint(complaint_id: int) -> Complaint | None:
    """The complaint with ``complaint_id`` or ``None`` (ids outside the column's range included)."""
    return toolkit.db.session.get(Complaint, complaint_id) if 0 < complaint_id < 2**31 else None


def visible_complaint(complaint_id: int, user: toolkit.Account) -> Complaint:
    """The complaint for its reporter, the assigned OPD's officers or an admin; 404 for anyone else."""
    complaint = load_complaint(complaint_id)
    if complaint is None or not (complaint.reporter_id == user.id or is_staff_for(user, complaint)):
        # 404, not 403: others must not learn that the number exists.
        raise toolkit.NotFound(details={"complaint_id": complaint_id})
    return complaint


def staff_complaint(complaint_id: int, user: toolkit.Account) -> Complaint:
    """The complaint for the assigned OPD's officers and admins; 403 for its reporter, 404 for others."""
    complaint = visible_complaint(complaint_id, user)
    if not is_staff_for(user, complaint):
        raise toolkit.Forbidden(
            message={"id": "Hanya petugas OPD yang ditugaskan yang dapat melakukan ini.",
                     "en": "Only officers of the assigned agency can do this."},
            details={"required_permission": HANDLE},
        )
    return complaint


def reported_complaint(complaint_id: int, user: toolkit.Account, refusal: dict[str, str]) -> Complaint:
    """The complaint for its reporter alone; 403 with ``refusal`` (the Indonesian and English
    message) for the OPD's staff, 404 for anyone else."""
    complaint = visible_complaint(complaint_id, user)
    if complaint.reporter_id != user.id:
        raise toolkit.Forbidden(message=refusal, details={"complaint_id": complaint_id})
    return complaint
