"""What the complaint routes accept and answer: filing, the detail with its timeline, lists and transitions."""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_dump, validate, validates_schema

from ragem import toolkit
from ragem.toolkit import CommaSeparated, FromModel

from plugins.rabeg.access import is_staff_for
from plugins.rabeg.models import ASSISTED_CHANNELS, CHANNELS, TimelineEntry
from plugins.rabeg.photos import MAX_PER_ITEM as MAX_PHOTOS
from plugins.rabeg.schemas.fields import ID, LAT_RANGE, LON_RANGE, NOT_BLANK, DateOrDateTime, check_range
from plugins.rabeg.schemas.photos import PhotoSchema
from plugins.rabeg.services.public import is_published
from plugins.rabeg.services.sla import sla_block


class ComplaintCreateSchema(toolkit.BaseSchema):
    """A new complaint (unknown fields are refused)."""

    category = fields.String(required=True, validate=validate.Length(min=1, max=40),
                             metadata={"example": "JALAN_RUSAK"})
    description = fields.String(required=True, validate=validate.Length(min=10, max=4000))
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(*LAT_RANGE),
                       metadata={"description": "latitude inside Kota Serang"})
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(*LON_RANGE),
                       metadata={"description": "longitude inside Kota Serang"})
    kelurahan = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20),
                              metadata={"description": "Kemendagri code of the kelurahan", "example": "36.73.01.1001"})
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    show_name_publicly = fields.Boolean(load_default=False)
    anonymous = fields.Boolean(load_default=False, metadata={
        "description": "officers and the public never learn who filed it (only where the category allows it)"})
    private = fields.Boolean(load_default=False, metadata={
        "description": "keep it out of the public list, map and Open311 (the OPD still handles it; "
                       "PUT /complaints/{id}/privacy changes it later)"})
    answers = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=60)), load_default=None,
                          allow_none=True, metadata={"description": "answers to the category's questions by code"})
    # The limit is checked by the filing service (its 422 names the photos field); maxItems tells
    # generated clients the same number.
    photos = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True,
                         metadata={"description": "ids from POST /photos, shown in this order",
                                   "maxItems": MAX_PHOTOS})


class AssistedComplaintCreateSchema(ComplaintCreateSchema):
    """A complaint an officer records for its complainant: the app's fields (the photos are the officer's
    uploads), the channel it came in by and who brought it. Never anonymous, never named publicly."""

    class Meta:
        exclude = ("show_name_publicly", "anonymous")

    channel = fields.String(required=True, validate=validate.OneOf(ASSISTED_CHANNELS),
                            metadata={"description": "how the complaint reached the office"})
    complainant_name = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK])
    complainant_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40), metadata={
        "description": "an Indonesian mobile number (any common notation). When it is the verified phone of an "
                       "account, the complaint is that account's; otherwise updates are texted to it",
        "example": "0812-3456-7890"})


class ComplainantErasureSchema(toolkit.BaseSchema):
    """Why a complainant's name and phone are erased (their request, as the officer took it)."""

    reason = fields.String(required=True, validate=[validate.Length(min=1, max=300), NOT_BLANK],
                           metadata={"example": "permintaan pelapor melalui telepon"})


class PrivacySchema(toolkit.BaseSchema):
    """The reporter's choice: keep their complaint out of the public view, or let it back in."""

    private = fields.Boolean(required=True)


class IdempotencyHeaderSchema(Schema):
    """The optional ``Idempotency-Key`` header (other headers are ignored)."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key", load_default=None,
        # No control characters: the key is stored, and PostgreSQL refuses NUL in text (a 500).
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"^[^\x00-\x1f\x7f]*$",
                                                                   error="no control characters")],
        metadata={"description": "a retry with the same key and body returns the first complaint (200) instead of "
                                 "filing again; the same key with another body is 422 idempotency_key_reused"},
    )


def _public_message(entry: TimelineEntry) -> str | None:
    """A message RAGEM wrote (in both languages) in the caller's language; someone's own words as written."""
    if entry.public_message_en:
        return toolkit.translate({"id": entry.public_message, "en": entry.public_message_en})
    return entry.public_message


class TimelineEntrySchema(FromModel, toolkit.BaseSchema):
    """One step in a complaint's life; ``internal_note`` only reaches the OPD's officers and admins."""

    computed = {
        "public_message": _public_message,
        # The photos posted with this response (the complaint's photos are loaded once for all entries).
        "photos": lambda entry: [photo.id for photo in entry.complaint.photos if photo.timeline_entry_id == entry.id],
    }

    at = toolkit.UtcDateTime(required=True)
    kind = fields.String(required=True, metadata={
        "description": "transition | response | note (staff only) | confirmation | duplicate | moderation | reroute | "
                       "escalation | support"})
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(required=True)
    public_message = fields.String(allow_none=True)
    internal_note = fields.String(allow_none=True)
    photos = fields.List(fields.Integer(), metadata={"description": "ids of the photos posted with this response "
                                                                    "(see the complaint's `photos`)"})


class DeadlineSchema(toolkit.BaseSchema):
    """One service-level deadline and where the complaint stands against it now."""

    due = toolkit.UtcDateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("on_track", "at_risk", "breached", "met")),
                           metadata={"description": "met (done on time), breached (done late, or open past due), "
                                                    "at_risk (open, 75% of the time used), on_track"})


class SlaSchema(toolkit.BaseSchema):
    """The first-response and resolution deadlines (a rejection counts as the resolution)."""

    first_response = fields.Nested(DeadlineSchema, required=True)
    resolution = fields.Nested(DeadlineSchema, required=True)


class ReporterContactSchema(toolkit.BaseSchema):
    """The reporter, for the officers of the assigned OPD (read from the profile; logged for the reporter),
    or the complainant without an account an officer recorded the complaint for."""

    name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True, metadata={
        "description": "E.164, e.g. +6281234567890; null only for a complainant an officer recorded without a phone"})


class ComplaintSummarySchema(FromModel, toolkit.BaseSchema):
    """A complaint in a list."""

    computed = {
        "category": lambda complaint: complaint.category.code,
        "sla": sla_block,
        "supporters_count": lambda complaint: complaint.supporters_count or 0,
    }

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    category = fields.String(required=True)
    opd = fields.String(required=True, attribute="opd_code")
    state = fields.String(required=True)
    channel = fields.String(required=True, attribute="source", validate=validate.OneOf(CHANNELS), metadata={
        "description": "how it came in: app, open311, or recorded by an officer: in_person, phone, letter, "
                       "social_media"})
    description = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    first_response_due = toolkit.UtcDateTime(required=True)
    resolution_due = toolkit.UtcDateTime(required=True)
    sla = fields.Nested(SlaSchema, required=True)
    supporters_count = fields.Integer(required=True, metadata={"description": 'citizens who said "me too"'})


class ComplaintSchema(ComplaintSummarySchema):
    """A complaint with its location and timeline, as the caller may see it.

    Only the assigned OPD's staff and admins read internal notes and moderated photos; anyone else
    who may open the complaint (its reporter: ``access.visible_complaint`` keeps the rest out) gets
    the complaint without them.
    """

    computed = {
        **ComplaintSummarySchema.computed,
        "answers": lambda complaint: complaint.answers or {},
        "duplicate_of": lambda complaint: complaint.duplicate_of.public_number if complaint.duplicate_of else None,
        "reopen_count": lambda complaint: complaint.reopen_count or 0,
        "reroute_count": lambda complaint: complaint.reroute_count or 0,
        "public": is_published,
        # Set by services.reporter.complaint_detail for the assigned OPD's officers; absent: nobody.
        "reporter": lambda complaint: getattr(complaint, "reporter_contact", None),
    }

    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    kelurahan = fields.String(allow_none=True, attribute="kelurahan_code")
    address = fields.String(allow_none=True)
    show_name_publicly = fields.Boolean(required=True)
    private = fields.Boolean(required=True, metadata={"description": "the reporter keeps it out of the public view"})
    public = fields.Boolean(required=True, metadata={
        "description": "the public list, map and Open311 show it (masked): not private, in a category whose "
                       "complaints are public"})
    first_responded_at = toolkit.UtcDateTime(allow_none=True)
    resolved_at = toolkit.UtcDateTime(allow_none=True)
    escalated = fields.Boolean(required=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema), required=True)
    anonymous = fields.Boolean(required=True)
    answers = fields.Dict(keys=fields.String(), required=True,
                          metadata={"description": "answers to the category's questions, by question code"})
    photos = fields.List(fields.Nested(PhotoSchema), required=True)
    moderated_description = fields.String(allow_none=True, metadata={
        "description": "the text the public sees instead of `description` (the original, kept) after moderation"})
    duplicate_of = fields.String(allow_none=True, metadata={"description": "public number of the original complaint"})
    closed_at = toolkit.UtcDateTime(allow_none=True)
    confirmation = fields.String(allow_none=True, metadata={"description": "the reporter's verdict: fixed | not_fixed"})
    confirmed_at = toolkit.UtcDateTime(allow_none=True)
    rating = fields.Integer(allow_none=True, metadata={"description": "the reporter's rating, 1-5"})
    reopen_count = fields.Integer(required=True)
    reroute_count = fields.Integer(required=True)
    reporter = fields.Nested(ReporterContactSchema, allow_none=True, metadata={
        "description": "name and phone of the reporter, only in the detail (GET) and only for officers of the "
                       "assigned OPD, never for an anonymous complaint; null for everyone else"})

    @post_dump(pass_original=True)
    def _only_what_the_caller_may_see(self, data: dict[str, Any], complaint, **_kwargs) -> dict[str, Any]:
        """Leave out, unless the caller is the OPD's staff, internal notes and moderated (hidden) photos."""
        if is_staff_for(toolkit.current_user(), complaint):
            return data
        hidden = {photo["id"] for photo in data["photos"] if photo["hidden"]}
        data["photos"] = [photo for photo in data["photos"] if not photo["hidden"]]
        data["timeline"] = [
            {**{key: value for key, value in entry.items() if key != "internal_note"},
             "photos": [photo_id for photo_id in entry["photos"] if photo_id not in hidden]}
            for entry in data["timeline"] if entry["kind"] != "note"
        ]
        return data


class TransitionSchema(toolkit.BaseSchema):
    """An officer's state change, with what the reporter reads and what only officers read."""

    to = fields.String(required=True, validate=validate.OneOf(
        ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")))
    public_message = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=4000))
    internal_note = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=4000))
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("not_our_responsibility", "invalid")),
                           metadata={"description": "required when rejecting (duplicates: POST .../duplicate)"})
    template_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                                 metadata={"description": "a response template for this category and target state; "
                                                          "its Indonesian text is the public message when none is given"})


class QueueArgsSchema(toolkit.PageArgsSchema):
    """The officer queue: ``scope=my-opd`` (``all`` for admins), filters, sorted by a deadline or newest first.

    ``filed_from`` is inclusive and ``filed_to`` exclusive; a bare date is a WIB calendar day and
    ``filed_to=<date>`` includes that whole day. A datetime without a zone is UTC.
    """

    scope = fields.String(load_default="my-opd", validate=validate.OneOf(("my-opd", "all")))
    state = CommaSeparated(("open", "all", "submitted", "assigned", "in_progress", "resolved", "closed", "rejected",
                            "reopened"), load_default=None,
                           metadata={"description": "comma-separated states; `open` (the default) is submitted, "
                                                    "assigned, in_progress and reopened; `all` is every state"})
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40),
                             metadata={"example": "JALAN_RUSAK"})
    kecamatan = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                              metadata={"example": "36.73.01"})
    kelurahan = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                              metadata={"example": "36.73.01.1001"})
    sla = fields.String(load_default=None, validate=validate.OneOf(("on_track", "at_risk", "breached", "met")),
                        metadata={"description": "status of the resolution deadline now"})
    channel = CommaSeparated(CHANNELS, load_default=None,
                             metadata={"description": "comma-separated channels: app, open311, or recorded by an "
                                                      "officer: in_person, phone, letter, social_media"})
    filed_from = DateOrDateTime(load_default=None, metadata={"description": "filed at or after (inclusive)",
                                                             "example": "2026-11-01"})
    filed_to = DateOrDateTime(load_default=None, end_of_day=True,
                              metadata={"description": "filed before (exclusive; a date includes that day)",
                                        "example": "2026-11-30"})
    sort = fields.String(load_default="resolution_due",
                         validate=validate.OneOf(("resolution_due", "first_response_due", "created_at")),
                         metadata={"description": "deadlines nearest first; created_at newest first"})

    @validates_schema
    def _filed_range(self, data, **_kwargs):
        check_range(data, "filed_from", "filed_to")


class AssistedReceiptSchema(ComplaintSummarySchema):
    """What the officer who recorded a complaint gets back: its number for the complainant, where it went,
    and whether it joined the complainant's account (otherwise updates go to the phone by SMS).

    The officer sees the complaint itself afterwards only if it is their OPD's (or they are an admin).
    """

    computed = {**ComplaintSummarySchema.computed, "linked": lambda complaint: complaint.reporter_id is not None}

    linked = fields.Boolean(required=True, metadata={
        "description": "the phone is a verified account's: the citizen follows the complaint in the app"})


ComplaintPageSchema = toolkit.page_schema(ComplaintSummarySchema, "RabegComplaintPage")
