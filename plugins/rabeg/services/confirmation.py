"""The reporter's verdict after resolution: fixed (the complaint closes) or not fixed (it reopens), with a rating."""
from __future__ import annotations

from typing import Any

from ragem import toolkit

from plugins.rabeg.access import reported_complaint
from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.services.followers import notify_followers
from plugins.rabeg.services.lifecycle import STATE_NAMES, add_entry, change_state, refused, title
from plugins.rabeg.services.sla import restart_resolution

REOPENED_FOR_STAFF = {
    "id": "Pelapor menyatakan masalah belum beres; pengaduan dibuka kembali dengan tenggat penyelesaian baru.",
    "en": "The reporter says the problem is not fixed; the complaint is reopened with a new resolution deadline.",
}


def confirm(complaint_id: int, user: toolkit.Account, *, fixed: bool, rating: int, comment: str | None = None) -> Complaint:
    """Record the reporter's verdict on a resolved complaint (once per resolution): close it or reopen it.

    Only the reporter: others who cannot see the complaint get 404, the OPD's staff 403; 409 unless resolved.
    """
    complaint = reported_complaint(complaint_id, user, {"id": "Hanya pelapor yang dapat mengonfirmasi penyelesaian.",
                                                         "en": "Only the reporter can confirm the resolution."})
    to = "closed" if fixed else "reopened"
    if complaint.state != "resolved":
        raise refused(complaint.state, to)
    now = toolkit.utcnow()
    verdict = "fixed" if fixed else "not_fixed"
    values: dict[str, Any] = {"confirmation": verdict, "confirmed_at": now, "rating": rating}
    if fixed:
        values["closed_at"] = now
    else:
        values["reopen_count"] = Complaint.reopen_count + 1
        # No longer resolved: the resolution clock starts again below.
        values["resolved_at"] = None
    before = change_state(complaint, to, now, **values)
    if not fixed:
        restart_resolution(complaint, toolkit.db.session.get(Category, complaint.category_id), now)
    # The reporter's own words: shown to the reporter and the OPD, not sent to the supporters.
    # An anonymous report's timeline names no one (as at filing): officers read the timeline.
    add_entry(complaint, None if complaint.anonymous else user, now, kind="confirmation", from_state=before,
              to_state=to, public_message=comment, internal_note=f"confirmation: {verdict}, rating {rating}")
    names = STATE_NAMES[to]
    notify_followers(complaint, kind=f"rabeg.complaint.{to}", title=title(complaint, names),
                     body={"id": f"Pelapor menyatakan masalah {'sudah' if fixed else 'belum'} beres; "
                                 f"status: {names['id']}.",
                           "en": f"The reporter says the problem is {'' if fixed else 'not '}fixed; the complaint is "
                                 f"now {names['en']}."})
    if not fixed:
        _tell_officers(complaint)
    toolkit.db.session.commit()
    return complaint


def _tell_officers(complaint: Complaint) -> None:
    """Put the reopened complaint in the inbox of every officer of its OPD."""
    for officer_id in toolkit.account_ids_with_role("officer", opd=complaint.opd_code):
        toolkit.notify(officer_id, kind="rabeg.complaint.reopened", service="rabeg",
                       title=title(complaint, STATE_NAMES["reopened"]), body=REOPENED_FOR_STAFF,
                       data={"complaint_id": complaint.id})
