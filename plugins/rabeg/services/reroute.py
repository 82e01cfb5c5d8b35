"""Re-routing: a Diskominfo admin sends a complaint to another OPD (a routing error, counted in the KPIs)."""
from __future__ import annotations

from sqlalchemy import func, update

from ragem import toolkit

from plugins.rabeg.access import ADMIN, staff_complaint
from plugins.rabeg.models import OPEN_STATES, Complaint
from plugins.rabeg.services.followers import notify_followers
from plugins.rabeg.services.lifecycle import add_entry, title

REROUTED = {"id": "dialihkan", "en": "transferred"}


def reroute(complaint_id: int, actor: toolkit.Account, *, opd: str, reason: str) -> Complaint:
    """Hand an open complaint to OPD ``opd`` (admins; audited with the reason); its deadlines keep running."""
    # Staff first: an officer of another OPD learns nothing (404); the assigned OPD's officers get 403.
    complaint = staff_complaint(complaint_id, actor)
    if not toolkit.can(actor, ADMIN):
        raise toolkit.Forbidden(
            message={"id": "Hanya admin Diskominfo yang dapat mengalihkan pengaduan.",
                     "en": "Only Diskominfo admins can transfer complaints."},
            details={"required_permission": ADMIN},
        )
    target = toolkit.opd(opd)
    if target is None or not target.active:
        raise toolkit.ValidationError(
            message={"id": "OPD tidak dikenal.", "en": "Unknown agency."}, details={"opd": opd[:20]},
        )
    if target.code == complaint.opd_code:
        raise toolkit.ValidationError(
            message={"id": "Pengaduan sudah ditangani OPD ini.", "en": "The complaint is already with this agency."},
            details={"opd": opd},
        )
    if complaint.state not in OPEN_STATES:
        raise toolkit.Conflict(
            message={"id": "Hanya pengaduan yang masih terbuka yang dapat dialihkan.",
                     "en": "Only open complaints can be transferred."},
            details={"state": complaint.state},
        )
    now, before = toolkit.utcnow(), complaint.opd_code
    # Compare-and-set on the OPD and state read above: of two admins re-routing at once only one
    # applies and the other changes nothing (409), so the count and what followers hear stay right.
    changed = toolkit.db.session.execute(
        update(Complaint).where(Complaint.id == complaint.id, Complaint.opd_code == before,
                                Complaint.state == complaint.state)
        .values(opd_code=target.code, reroute_count=func.coalesce(Complaint.reroute_count, 0) + 1, updated_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed != 1:
        toolkit.db.session.rollback()
        raise toolkit.Conflict(
            message={"id": "Pengaduan berubah bersamaan; silakan coba lagi.",
                     "en": "The complaint changed meanwhile; try again."},
            details={"complaint_id": complaint_id},
        )
    toolkit.db.session.refresh(complaint, ["opd_code", "reroute_count", "updated_at"])
    names = {"id": target.name_id, "en": target.name_en}
    message = {"id": f"Pengaduan Anda kini ditangani oleh {names['id']}.",
               "en": f"Your complaint is now handled by {names['en']}."}
    add_entry(complaint, actor, now, kind="reroute", public_message=message,
              internal_note=f"re-routed {before} -> {target.code}: {reason.strip()}")
    toolkit.audit("rabeg.complaint.reroute", "rabeg_complaint", str(complaint.id), before={"opd": before},
                  after={"opd": target.code, "reroute_count": complaint.reroute_count}, reason=reason.strip(),
                  actor=actor)
    notify_followers(complaint, kind="rabeg.complaint.rerouted", title=title(complaint, REROUTED), body=message)
    for officer_id in toolkit.account_ids_with_role("officer", opd=target.code):
        toolkit.notify(officer_id, kind="rabeg.complaint.rerouted", service="rabeg",
                       title=title(complaint, {"id": "dialihkan ke OPD Anda", "en": "transferred to your agency"}),
                       body={"id": f"Dialihkan dari {before} oleh admin Diskominfo.",
                             "en": f"Transferred from {before} by a Diskominfo admin."},
                       data={"complaint_id": complaint.id})
    toolkit.db.session.commit()
    return complaint
