"""The reporter's choice to keep their complaint out of the public view (or to let it back in)."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import reported_complaint
from plugins.rabeg.models import Complaint


def set_private(complaint_id: int, user: toolkit.Account, *, private: bool) -> Complaint:
    """Mark the reporter's complaint private (or public again): audited, nobody notified.

    A private complaint leaves the public list, the map and Open311 GET at once; the OPD handles it
    as before and it still counts in the KPIs. A complaint in a category whose complaints are never
    public stays unpublished whatever its reporter chooses.

    Only the reporter: others who cannot see the complaint get 404, the OPD's staff 403.
    """
    complaint = reported_complaint(complaint_id, user, {"id": "Hanya pelapor yang dapat mengubah pilihan ini.",
                                                         "en": "Only the reporter can change this."})
    if complaint.private != private:
        before = complaint.private
        complaint.private = private
        complaint.updated_at = toolkit.utcnow()
        # An anonymous report's audit entry names no one: admins read the audit log.
        toolkit.audit("rabeg.complaint.privacy", "rabeg_complaint", str(complaint.id),
                      before={"private": before}, after={"private": private},
                      actor=toolkit.ANONYMOUS_CITIZEN if complaint.anonymous else user)
    toolkit.db.session.commit()
    return complaint
