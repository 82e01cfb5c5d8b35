"""What the 112 service does for a citizen's data rights: summary, export and erasure of their incidents.

Erasure anonymises rather than deletes: an emergency call is a record the city must keep (who was
sent where, when, and how it ended). The incident stays and loses every link to the person: the
account, the name and number to call back. Blocks on the account and on its numbers are deleted. The timeline never names a citizen (``actor`` is
``reporter``), so it has nothing to rewrite and stays append-only.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select, update

from ragem import toolkit

from plugins.darurat112.models import OPEN_STATES, Block, IncidentIdempotencyRecord, Incident, IncidentPhoto, \
    IncidentTimelineEntry, StaffGrant

SLUG = "darurat112"
KEPT_REASON = "emergency records are kept as the law requires; the reporter's name, number and account are removed"


def summary(user) -> dict | None:
    """The citizen's open incidents: how many, and the three most recent."""
    open_filter = (Incident.reporter_id == user.id) & Incident.state.in_(OPEN_STATES)
    count = toolkit.db.session.scalar(select(func.count()).select_from(Incident).where(open_filter)) or 0
    if not count:
        return None
    latest = toolkit.db.session.scalars(
        select(Incident).where(open_filter).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(3))
    return {"open_incidents": int(count),
            "latest": [{"id": i.id, "number": i.number, "state": i.state, "created_at": toolkit.isoformat_z(i.created_at)}
                       for i in latest]}


def export(user) -> dict | None:
    """Every incident the citizen raised: what they sent, where, the name and number kept to call them
    back, and what they were told (the public timeline)."""
    session = toolkit.db.session
    incidents = list(session.scalars(select(Incident).where(Incident.reporter_id == user.id).order_by(Incident.id)))
    if not incidents:
        return None
    ids = [i.id for i in incidents]
    steps: dict[int, list[dict]] = {}
    for entry in session.scalars(select(IncidentTimelineEntry).where(
            IncidentTimelineEntry.incident_id.in_(ids), IncidentTimelineEntry.public.is_(True))
            .order_by(IncidentTimelineEntry.at, IncidentTimelineEntry.id)):
        steps.setdefault(entry.incident_id, []).append(
            {"at": toolkit.isoformat_z(entry.at), "kind": entry.kind, "message": entry.message})
    photos = dict(session.execute(select(IncidentPhoto.incident_id, func.count()).where(
        IncidentPhoto.incident_id.in_(ids)).group_by(IncidentPhoto.incident_id)).all())
    return {"incidents": [
        {"number": i.number, "type": i.type, "state": i.state, "outcome": i.outcome, "lat": i.lat, "lon": i.lon,
         "accuracy_m": i.accuracy_m, "address": i.address, "description": i.description,
         "caller_name": i.caller_name, "caller_msisdn": i.caller_msisdn, "photos": photos.get(i.id, 0),
         "created_at": toolkit.isoformat_z(i.created_at), "closed_at": toolkit.isoformat_z(i.closed_at),
         "timeline": steps.get(i.id, [])}
        for i in incidents]}


def erase(user) -> toolkit.ErasureReport:
    """Anonymise the citizen's incidents and photos (kept); delete their retry keys, the block on their
    account and the blocks on their numbers (the profile's phone and every number their incidents were
    raised from): a blocked number is the person's data, and a block is a day's measure, not a record."""
    session = toolkit.db.session
    # Before the incidents lose their numbers: the keyed hashes of every number the account used.
    numbers = set(session.scalars(select(Incident.caller_msisdn_hash).where(
        Incident.reporter_id == user.id, Incident.caller_msisdn_hash.is_not(None))))
    phone = toolkit.read_profile(SLUG, user, ["phone"], purpose="erase the blocks on the account's number",
                                 with_caller=True).get("phone")
    if phone:
        numbers.add(toolkit.lookup_hash(phone))
    session.execute(update(IncidentPhoto).where(IncidentPhoto.uploader_id == user.id).values(uploader_id=None))
    anonymised = session.execute(
        update(Incident).where(Incident.reporter_id == user.id)
        .values(reporter_id=None, caller_name_ciphertext=None, caller_msisdn_hash=None,
                caller_msisdn_ciphertext=None).execution_options(synchronize_session=False)
    ).rowcount
    deleted = session.execute(delete(IncidentIdempotencyRecord).where(IncidentIdempotencyRecord.user_id == user.id)
                              .execution_options(synchronize_session=False)).rowcount
    deleted += session.execute(delete(Block).where(Block.kind == "account", Block.value == user.id)
                               .execution_options(synchronize_session=False)).rowcount
    # A supervisor's or a telephony system's grants end with the account (the audit log keeps who held what).
    deleted += session.execute(delete(StaffGrant).where(StaffGrant.account_id == user.id)
                               .execution_options(synchronize_session=False)).rowcount
    if numbers:
        deleted += session.execute(delete(Block).where(Block.kind == "msisdn", Block.value_hash.in_(sorted(numbers)))
                                   .execution_options(synchronize_session=False)).rowcount
    return toolkit.ErasureReport(deleted=deleted, anonymised=anonymised, kept_reason=KEPT_REASON)
