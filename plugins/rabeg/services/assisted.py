"""Assisted filing: an officer records a complaint a citizen brought in person, by phone, by letter
or through social media, on that citizen's behalf.

Citizens who find the app hard go to an office instead; their complaints must enter RABEG all the
same, with the same categories, routing, deadlines, photos and timeline as the app's. Any officer
(of whichever OPD the citizen walked into) or admin may record one (``rabeg.assist``); it is routed
by its category like any other, so it may well go to another OPD, whose officers alone then see it.

The complainant needs no account. Their name, and their phone if they gave one, are written down:
- when the phone is the **verified** phone of an active account, the complaint is that account's
  (it is in the citizen's own list, they follow it in the app and may confirm the resolution) and
  nothing of the person is copied into the complaint: the officers read the name and phone from the
  profile, logged in the citizen's access log, as for a complaint filed in the app;
- otherwise the name and phone are kept sealed in the complaint, shown only to the officers of the
  assigned OPD, and every update is texted to that phone (``services.complainant_sms``). Once
  someone verifies that phone on an account, those complaints become the account's
  (``link_recorded_complaints``).
"""
from __future__ import annotations

from sqlalchemy import update

from ragem import toolkit

from plugins.rabeg.access import ASSIST
from plugins.rabeg.models import ASSISTED_CHANNELS, Complaint
from plugins.rabeg.services import filing

NAME_MAX = 120


def file_on_behalf(officer: toolkit.Account, *, channel: str, complainant_name: str,
                   complainant_phone: str | None = None, category: str, description: str, lat=None, lon=None,
                   kelurahan: str | None = None, address: str | None = None, answers: dict | None = None,
                   photos: list[int] | None = None, private: bool = False,
                   idempotency_key: str | None = None) -> tuple[Complaint, bool]:
    """Record a complaint for its complainant; routed, timed and told like one filed in the app.

    :param officer: the officer or admin recording it (``rabeg.assist``; 403 otherwise). The
        timeline's first entry names them as its actor and says on whose behalf and by which channel.
    :param channel: ``in_person``, ``phone``, ``letter`` or ``social_media`` (422 otherwise).
    :param complainant_name: the complainant's name as they gave it (required).
    :param complainant_phone: an Indonesian mobile number in any common notation (422
        ``invalid_phone`` otherwise), or ``None``; links the complaint to the account verified on it.
    :param photos: ids of photos the officer uploaded (``POST /photos``), at most five.
    :param private: keep it out of the public view, if the complainant asks.
    :param idempotency_key: the officer's key: a retry answers with the first complaint.
    :returns: ``(complaint, created)`` as ``filing.file_complaint``.
    """
    if not toolkit.can(officer, ASSIST):
        raise toolkit.Forbidden(
            message={"id": "Hanya petugas OPD atau admin yang dapat mencatat pengaduan atas nama warga.",
                     "en": "Only agency officers and admins can record complaints on a citizen's behalf."},
            details={"required_permission": ASSIST},
        )
    if channel not in ASSISTED_CHANNELS:
        raise toolkit.ValidationError(
            message={"id": "Saluran pengaduan tidak dikenal.", "en": "Unknown complaint channel."},
            details={"channel": f"one of {', '.join(ASSISTED_CHANNELS)}"},
        )
    name = " ".join((complainant_name or "").split())
    if not name or len(name) > NAME_MAX:
        raise toolkit.ValidationError(
            message={"id": "Tulis nama pelapor.", "en": "Give the complainant's name."},
            details={"complainant_name": f"1 to {NAME_MAX} characters"},
        )
    phone = None
    if complainant_phone is not None and complainant_phone.strip():
        phone = toolkit.normalise_phone(complainant_phone, field="complainant_phone")
    on_behalf = filing.OnBehalf(filed_by=officer, name=name, phone=phone,
                                account_id=toolkit.account_id_with_verified_phone(phone) if phone else None)
    return filing.file_complaint(
        reporter=None, idempotency_key=idempotency_key, category=category, description=description, lat=lat, lon=lon,
        kelurahan=kelurahan, address=address, answers=answers, photos=photos, private=private, source=channel,
        on_behalf=on_behalf,
    )


def link_recorded_complaints(account_id: str) -> int:
    """Give a newly verified account the complaints officers recorded for its phone before it had one.

    They become the account's (its list, its inbox, its data rights) and the sealed name and phone
    copied into them are dropped: from now on the officers read them from the profile, logged, and
    the updates reach the app instead of SMS. Called on the core's ``verified`` user event; the
    phone is matched by its keyed hash, never read. Returns how many complaints were linked.
    """
    phone_hash = toolkit.verified_phone_hash(account_id)
    if phone_hash is None:
        return 0
    result = toolkit.db.session.execute(
        update(Complaint)
        .where(Complaint.complainant_phone_hash == phone_hash, Complaint.reporter_id.is_(None),
               Complaint.filed_by_id.is_not(None))
        .values(reporter_id=account_id, complainant_name_ciphertext=None, complainant_phone_ciphertext=None,
                complainant_phone_hash=None)
        .execution_options(synchronize_session=False)
    )
    toolkit.db.session.commit()
    return result.rowcount or 0
