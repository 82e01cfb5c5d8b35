"""Filing a complaint: checking it, routing it to the responsible OPD and starting its clocks."""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg import photos as photo_service
from plugins.rabeg.models import CHANNELS, Category, Complaint, IdempotencyRecord, Photo, TimelineEntry
from plugins.rabeg.services.complainant_sms import text_complainant
from plugins.rabeg.services.questions import check_answers
from plugins.rabeg.services.sla import set_deadlines

SOURCES = CHANNELS
MAX_MEDIA_URLS = 5

MSG_KEY_REUSED = {
    "id": "Idempotency-Key ini sudah dipakai untuk pengaduan dengan isi lain. Kirim pengaduan baru dengan kunci baru.",
    "en": "This Idempotency-Key was already used for a complaint with another body. Send a new complaint with a new key.",
}

MSG_ASSIGNED = {
    "id": "Pengaduan Anda telah diterima dan langsung diteruskan ke {opd}.",
    "en": "Your complaint was received and sent straight to {opd}.",
}
#: The first timeline entry of a complaint an officer recorded for its complainant.
MSG_RECORDED = {
    "id": "Pengaduan dicatat oleh petugas {opd} atas nama pelapor ({channel}).",
    "en": "Complaint recorded by an officer of {opd} on the complainant's behalf ({channel}).",
}
CHANNEL_NAMES = {
    "in_person": {"id": "datang langsung", "en": "in person"},
    "phone": {"id": "melalui telepon", "en": "by phone"},
    "letter": {"id": "melalui surat", "en": "by letter"},
    "social_media": {"id": "melalui media sosial", "en": "from social media"},
}


@dataclass(frozen=True)
class OnBehalf:
    """Who an officer records a complaint for: ``filed_by`` (the officer), the complainant's
    ``name`` and ``phone`` (E.164, or ``None``) and the ``account_id`` the phone is verified on,
    if any: then the complaint is that account's and the name and phone are not copied."""

    filed_by: toolkit.Account
    name: str
    phone: str | None
    account_id: str | None


def active_category(code: str) -> Category:
    """The active category ``code``; 422 when there is none."""
    category = toolkit.db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))
    if category is None:
        raise toolkit.ValidationError(
            message={"id": "Kategori pengaduan tidak dikenal.", "en": "Unknown complaint category."},
            details={"category": code[:40]},
        )
    return category


def route(category: Category, kelurahan_code: str | None) -> str:
    """The OPD that answers for ``category`` at ``kelurahan_code``: a kecamatan override, else the category's."""
    if kelurahan_code:
        region = toolkit.region(kelurahan_code)
        kecamatan = region.parent_code if region is not None else None
        override = (category.routing_overrides or {}).get(kecamatan)
        if override:
            return override
    return category.opd_code


def _kecamatan(kelurahan_code: str | None) -> str | None:
    """The kecamatan code of a kelurahan (kept on the complaint for filters and KPIs)."""
    region = toolkit.region(kelurahan_code) if kelurahan_code else None
    return region.parent_code if region is not None else None


def _check_location(lat, lon, kelurahan: str | None) -> None:
    """Coordinates come in pairs; a kelurahan must be one of Kota Serang's; some location is required."""
    if (lat is None) != (lon is None):
        raise toolkit.ValidationError(
            message={"id": "Lintang dan bujur harus diisi bersama.", "en": "Latitude and longitude go together."},
            details={"lat": "required with lon", "lon": "required with lat"},
        )
    if kelurahan is not None:
        region = toolkit.region(kelurahan)
        if region is None or region.level != "kelurahan":
            raise toolkit.ValidationError(
                message={"id": "Kelurahan tidak dikenal di Kota Serang.", "en": "Unknown kelurahan in Kota Serang."},
                details={"kelurahan": kelurahan},
            )
    if lat is None and kelurahan is None:
        raise toolkit.ValidationError(
            message={"id": "Isi lokasi: titik peta atau kelurahan.", "en": "Give a location: a map point or a kelurahan."},
            details={"location": "lat/lon or kelurahan required"},
        )


def _check_media_urls(media_urls: list[str] | None) -> list[str] | None:
    """Open311 ``media_url`` links: at most five absolute http(s) URLs (kept as given, never fetched)."""
    if not media_urls:
        return None
    if len(media_urls) > MAX_MEDIA_URLS or not all(
            isinstance(u, str) and len(u) <= 1000 and u.lower().startswith(("http://", "https://")) for u in media_urls):
        raise toolkit.ValidationError(details={"media_url": f"at most {MAX_MEDIA_URLS} http(s) URLs"})
    return list(media_urls)


def _display_name(reporter: toolkit.Account | None, complaint_hint: str) -> str | None:
    """The reporter's profile name, read (and logged in their access record) to show it publicly."""
    name = toolkit.read_profile("rabeg", reporter, ["name"], purpose=f"name shown publicly on {complaint_hint}")["name"]
    return (name or "").strip()[:120] or None


@dataclass
class Filing:
    """A complaint as filed, every part checked (``check``): what ``build`` makes the complaint of."""

    category: Category
    description: str
    lat: float | None
    lon: float | None
    kelurahan: str | None
    address: str | None
    show_name: bool
    anonymous: bool
    private: bool
    answers: dict
    photos: list[Photo]
    source: str
    api_key_id: int | None
    contact: dict | None
    open311_token: str | None
    media_urls: list[str] | None
    on_behalf: OnBehalf | None = None

    @property
    def reporter_id(self) -> str | None:
        """The account the complaint belongs to: the reporter's, or the complainant's linked one."""
        return self.on_behalf.account_id if self.on_behalf else None


def file_complaint(*, reporter: toolkit.Account | None, idempotency_key: str | None = None, category: str, description: str,
                   lat=None, lon=None, kelurahan=None, address=None, show_name_publicly=False,
                   answers: dict | None = None, photos: list[int] | None = None, anonymous: bool = False,
                   private: bool = False, source: str = "app", api_key_id: int | None = None, contact: dict | None = None,
                   open311_token: str | None = None, media_urls: list[str] | None = None,
                   on_behalf: OnBehalf | None = None) -> tuple[Complaint, bool]:
    """File a complaint, routed at once to its OPD with deadlines running (the same way for every source).

    Three steps: ``check`` what was sent, ``build`` the complaint, ``save_once`` it under the
    Idempotency-Key.

    :param reporter: the citizen's account, or ``None`` for a third-party Open311 filing with no
        account: then there is no idempotency record and no inbox message, the audit entry has no
        actor, photos cannot be attached and the name is never shown.
    :param answers: ``{question code: answer}`` for the category's questions (checked, stored normalised).
    :param photos: ids of the reporter's uploaded, unattached photos (at most five), kept in this order.
    :param anonymous: officers and the public never learn who filed it (only if the category allows it);
        it forces ``show_name_publicly`` off. The reporter still sees it in their own list.
    :param show_name_publicly: capture the profile name now (``reporter_display_name``) for the public view.
    :param private: keep the complaint out of the public view (list, map, Open311 GET); the OPD handles
        it as any other, and the reporter may change it later (``services.privacy``).
    :param source: ``app`` or ``open311``; ``api_key_id`` and ``open311_token`` record the Open311 client.
    :param contact: contact details an Open311 client sent (``email``, ``first_name``, ``last_name``,
        ``phone``...): personal data, never public, cleared on erasure.
    :param media_urls: Open311 ``media_url`` links, stored as given in ``Complaint.media_urls`` (a
        public link the client hosts, not a photo of ours: it is never fetched and is not personal data).
    :param on_behalf: an officer records the complaint for someone else (``services.assisted``, with
        ``reporter=None`` and ``source`` the channel): the officer's Idempotency-Key and uploaded photos,
        the complainant's linked account (or sealed name and phone, told by SMS).
    :returns: ``(complaint, created)``; ``created`` is ``False`` when ``idempotency_key`` was
        already used by this reporter with the same filing (the first complaint is returned,
        nothing new is filed).
    :raises ApiError: 422 ``idempotency_key_reused`` when this reporter already used
        ``idempotency_key`` for a different filing (nothing is filed).
    """
    # Who sent the filing: the key of a retry and the uploaded photos are theirs.
    sender = on_behalf.filed_by if on_behalf else reporter
    if sender is None:
        idempotency_key = None  # only an account can retry "as itself"
    assisted = {"channel": source, "complainant": [on_behalf.name, on_behalf.phone]} if on_behalf else {}
    fingerprint = filing_fingerprint(
        category=category, description=description, lat=lat, lon=lon, kelurahan=kelurahan, address=address,
        show_name_publicly=show_name_publicly, answers=answers, photos=photos, anonymous=anonymous, private=private,
        **assisted,
    ) if idempotency_key else None
    earlier = _filed_before(sender, idempotency_key, fingerprint)
    if earlier is not None:
        return earlier, False
    try:
        filing = check(sender, category=category, description=description, lat=lat, lon=lon, kelurahan=kelurahan,
                       address=address, show_name_publicly=show_name_publicly, answers=answers, photos=photos,
                       anonymous=anonymous, private=private, source=source, api_key_id=api_key_id, contact=contact,
                       open311_token=open311_token, media_urls=media_urls)
        filing.on_behalf = on_behalf
        if on_behalf is not None:
            filing.show_name = False  # the complainant never chose to be named publicly
    except toolkit.ValidationError:
        # A retry racing the first filing waited on its photo lock (the last check), and then found the
        # photos taken by that very complaint: answer with it, as for any retry, instead of "photo already used".
        earlier = _filed_before(sender, idempotency_key, fingerprint)
        if earlier is None:
            raise
        return earlier, False
    return save_once(build(filing, reporter), filing, reporter=sender, idempotency_key=idempotency_key,
                     fingerprint=fingerprint)


def filing_fingerprint(**fields) -> str:
    """SHA-256 (hex) of the filing's fields as canonical JSON (sorted keys, no spaces): what tells a
    retry (the same filing again) from another filing sent with the same Idempotency-Key.

    The fields are the ones the route validated, defaults filled in: a retry that leaves out
    ``"anonymous": false`` or orders its keys differently is the same filing.
    """
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check(reporter: toolkit.Account | None, *, category: str, description: str, lat, lon, kelurahan, address, show_name_publicly,
          answers: dict | None, photos: list[int] | None, anonymous: bool, private: bool, source: str,
          api_key_id: int | None, contact: dict | None, open311_token: str | None,
          media_urls: list[str] | None) -> Filing:
    """Check every part of a filing (arguments as in ``file_complaint``; ``reporter`` is whoever sent
    it, whose uploaded photos it may attach); 422 naming the first wrong part.

    The photos come last: checking them locks them until the filing commits.
    """
    if source not in SOURCES:
        raise ValueError(f"source is one of {SOURCES}")
    description = description.strip()
    if len(description) < 10:
        raise toolkit.ValidationError(details={"description": "at least 10 characters"})
    _check_location(lat, lon, kelurahan)
    cat = active_category(category)
    if anonymous and not cat.allows_anonymous:
        raise toolkit.ValidationError(
            message={"id": "Kategori ini tidak menerima laporan anonim.",
                     "en": "This category does not accept anonymous reports."},
            details={"anonymous": f"not allowed for {cat.code}"},
        )
    clean_answers = check_answers(cat.questions or [], answers)
    media = _check_media_urls(media_urls)
    attachable = photo_service.check_attachable(photos, uploader=reporter)
    return Filing(
        category=cat, description=description, lat=lat, lon=lon, kelurahan=kelurahan,
        address=(address or "").strip() or None,
        show_name=bool(show_name_publicly) and not anonymous and reporter is not None,
        anonymous=bool(anonymous), private=bool(private), answers=clean_answers, photos=attachable, source=source,
        api_key_id=api_key_id, contact=contact or None, open311_token=open311_token, media_urls=media,
    )


def build(filing: Filing, reporter: toolkit.Account | None) -> Complaint:
    """The complaint of ``filing``, routed to its OPD, with its deadlines, photos and first two timeline
    entries (submitted, then assigned), added to the session and flushed; nothing is committed."""
    session = toolkit.db.session
    cat = filing.category
    opd = route(cat, filing.kelurahan)
    now = toolkit.utcnow()
    on_behalf = filing.on_behalf
    complaint = Complaint(
        public_number=uuid.uuid4().hex[:24], reporter_id=reporter.id if reporter else filing.reporter_id,
        category_id=cat.id,
        opd_code=opd, state="assigned", description=filing.description, lat=filing.lat, lon=filing.lon,
        kelurahan_code=filing.kelurahan, address=filing.address, show_name_publicly=filing.show_name,
        private=filing.private,
        created_at=now, escalated=False, kecamatan_code=_kecamatan(filing.kelurahan), answers=filing.answers,
        anonymous=filing.anonymous, source=filing.source, api_key_id=filing.api_key_id, contact=filing.contact,
        open311_token=filing.open311_token, media_urls=filing.media_urls, supporters_count=0,
    )
    if on_behalf is not None:
        complaint.filed_by_id = on_behalf.filed_by.id
        if on_behalf.account_id is None:
            # A linked account's name and phone are read from its profile (logged), never copied here.
            complaint.complainant_name, complaint.complainant_phone = on_behalf.name, on_behalf.phone
    set_deadlines(complaint, cat, now)
    session.add(complaint)
    session.flush()
    # The number needs the id: the random placeholder above only satisfies the unique column until here.
    complaint.public_number = f"RBG-{now.year}-{complaint.id:06d}"
    if filing.show_name:
        complaint.reporter_display_name = _display_name(reporter, complaint.public_number)
    photo_service.attach([p.id for p in filing.photos], uploader=on_behalf.filed_by if on_behalf else reporter,
                         complaint=complaint, kind="report")
    opd_name = _opd_name(opd)
    # An anonymous report's timeline names no one: officers read the timeline.
    actor_id = reporter.id if reporter is not None and not filing.anonymous else None
    recorded = None
    if on_behalf is not None:
        # The officer who recorded it is the actor; on whose behalf: the complaint's account or complainant.
        actor_id = on_behalf.filed_by.id
        # An admin belongs to no OPD: admins are Diskominfo's.
        officer_opd = _opd_name(on_behalf.filed_by.opd_code or "DISKOMINFO")
        recorded = {lang: MSG_RECORDED[lang].format(opd=officer_opd[lang], channel=CHANNEL_NAMES[filing.source][lang])
                    for lang in ("id", "en")}
    session.add(TimelineEntry(complaint_id=complaint.id, actor_id=actor_id, at=now, from_state=None,
                              to_state="submitted", public_message=recorded["id"] if recorded else None,
                              public_message_en=recorded["en"] if recorded else None))
    session.add(TimelineEntry(
        complaint_id=complaint.id, actor_id=None, at=now, from_state="submitted", to_state="assigned",
        public_message=MSG_ASSIGNED["id"].format(opd=opd_name["id"]),
        public_message_en=MSG_ASSIGNED["en"].format(opd=opd_name["en"]),
        internal_note=f"routed to {opd} ({'kecamatan override' if opd != cat.opd_code else 'category default'})",
    ))
    return complaint


def save_once(complaint: Complaint, filing: Filing, *, reporter: toolkit.Account | None,
              idempotency_key: str | None, fingerprint: str | None = None) -> tuple[Complaint, bool]:
    """Record the Idempotency-Key (with the filing's ``fingerprint``), audit, tell the reporter (in the
    app, or by SMS a complainant without an account) and commit: ``(complaint, True)``. ``reporter`` is
    whoever sent the filing: the key and the audit entry are theirs (the officer's, for an assisted one).

    Two retries with the same key may race this far; the unique key lets one win, and the other
    drops its complaint and answers with the winner's: ``(first complaint, False)``, or 422
    ``idempotency_key_reused`` when the winner filed something else.
    """
    session = toolkit.db.session
    if idempotency_key:
        session.add(IdempotencyRecord(user_id=reporter.id, key=idempotency_key, complaint_id=complaint.id,
                                      fingerprint=fingerprint, created_at=complaint.created_at))
        try:
            # Here, not at a later autoflush: the unique key decides a race between retries.
            session.flush()
        except IntegrityError:
            earlier = _race_winner(reporter, idempotency_key, fingerprint)
            if earlier is None:
                raise
            return earlier, False
    toolkit.audit("rabeg.complaint.file", "rabeg_complaint", str(complaint.id),
                  after={"opd": complaint.opd_code, "category": filing.category.code, "source": filing.source,
                         "anonymous": filing.anonymous, "private": filing.private,
                         **({"on_behalf": "account" if complaint.reporter_id else "complainant"}
                            if filing.on_behalf else {})},
                  actor=toolkit.ANONYMOUS_CITIZEN if filing.anonymous and reporter is not None else reporter)
    if complaint.reporter_id is not None:
        opd_name = _opd_name(complaint.opd_code)
        toolkit.notify(
            complaint.reporter_id, kind="rabeg.complaint.assigned", service="rabeg",
            title={"id": f"Pengaduan {complaint.public_number} diterima",
                   "en": f"Complaint {complaint.public_number} received"},
            body={k: MSG_ASSIGNED[k].format(opd=opd_name[k]) for k in ("id", "en")},
            data={"complaint_id": complaint.id},
        )
    elif complaint.complainant_phone:  # a complainant without an account hears it by SMS
        opd_name = _opd_name(complaint.opd_code)
        text_complainant(complaint, kind="rabeg.complaint.assigned", title=f"Pengaduan {complaint.public_number} diterima",
                         body=MSG_ASSIGNED["id"].format(opd=opd_name["id"]))
    try:
        session.commit()
    except IntegrityError:
        earlier = _race_winner(reporter, idempotency_key, fingerprint) if idempotency_key else None
        if earlier is None:
            raise
        return earlier, False
    return complaint, True


def _opd_name(code: str) -> dict[str, str]:
    """The OPD's name in both languages (its code when the OPD is unknown)."""
    row = toolkit.opd(code)
    return {"id": row.name_id, "en": row.name_en} if row else {"id": code, "en": code}


def _filed_before(reporter: toolkit.Account | None, key: str | None, fingerprint: str | None) -> Complaint | None:
    """The complaint ``reporter`` already filed with Idempotency-Key ``key``, if any.

    :raises ApiError: 422 ``idempotency_key_reused`` when that filing's fingerprint is not
        ``fingerprint`` (a record without one, written before fingerprints were kept, matches any).
    """
    if not key:
        return None
    record = toolkit.db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == reporter.id, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.fingerprint is not None and record.fingerprint != fingerprint:
        # The IETF Idempotency-Key draft: a key reused with another payload is a 422.
        raise toolkit.ApiError("idempotency_key_reused", MSG_KEY_REUSED, status=422,
                               details={"Idempotency-Key": "already used for a complaint with another body"})
    return toolkit.db.session.get(Complaint, record.complaint_id)


def _race_winner(reporter: toolkit.Account | None, idempotency_key: str, fingerprint: str | None) -> Complaint | None:
    """After a unique-key error: drop this filing; the complaint of a retry that won the race with the same key
    (422 ``idempotency_key_reused`` when the winner filed something else)."""
    toolkit.db.session.rollback()
    return _filed_before(reporter, idempotency_key, fingerprint)
