"""Schemas of the profile API."""
from __future__ import annotations

from marshmallow import fields, pre_load, validate

from ragem.auth.accounts import refuse_fields
from ragem.auth.schemas import OwnerProofSchema
from ragem.pagination import PageArgsSchema
from ragem.schemas import BaseSchema, UtcDateTime


class ProfileSummarySchema(BaseSchema):
    """The citizen's overview: one section per available service, keyed by its slug."""

    sections = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "service slug -> the section that service contributes", "example": {"rabeg": {"open": 2}}},
    )


class NamedRegionSchema(BaseSchema):
    """A region of Kota Serang: Kemendagri code and name."""

    code = fields.String(required=True, metadata={"example": "36.73.01"})
    name = fields.String(required=True, metadata={"example": "Serang"})


class KelurahanSchema(NamedRegionSchema):
    """The citizen's kelurahan and the kecamatan it belongs to."""

    kecamatan = fields.Nested(NamedRegionSchema, allow_none=True, required=True)


class OpdRefSchema(BaseSchema):
    """The OPD an officer belongs to."""

    code = fields.String(required=True, metadata={"example": "DPUPR"})
    name = fields.String(allow_none=True, required=True)


class MeSchema(BaseSchema):
    """The logged-in account. The NIK is always masked here (only the export shows it in full)."""

    id = fields.String(required=True, metadata={"description": "the account's UUID"})
    name = fields.String(required=True)
    nik = fields.String(allow_none=True, required=True, metadata={"example": "************1234"})
    phone = fields.String(required=True, metadata={"example": "+6281234567890"})
    email = fields.String(allow_none=True, required=True)
    birth_date = fields.Date(allow_none=True, required=True, metadata={"description": "derived from the NIK"})
    sex = fields.String(allow_none=True, required=True, metadata={"description": "M or F, derived from the NIK"})
    kelurahan = fields.Nested(KelurahanSchema, allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    preferred_language = fields.String(required=True, metadata={"example": "id"})
    preferred_channel = fields.String(required=True, metadata={
        "example": "whatsapp", "description": "where texts go first: sms or whatsapp"})
    roles = fields.List(fields.String(), required=True)
    opd = fields.Nested(OpdRefSchema, allow_none=True, required=True)
    phone_verified = fields.Boolean(required=True)
    email_verified = fields.Boolean(
        required=True,
        metadata={"description": "the email logs in and receives reset codes only once verified (POST /api/v1/me/email/verify)"},
    )
    created_at = UtcDateTime(required=True)


_NOT_BLANK = validate.Regexp(r"\s*\S", error="Must not be blank.")  # re.match: anchored at the start


class MeUpdateSchema(BaseSchema):
    """``PATCH /api/v1/me``: only these fields; anything else is refused with ``field_not_editable``.

    ``nik`` is accepted only while the account has none; ``null`` clears kelurahan or address. The
    email changes with ``POST /api/v1/me/email`` (proof of the owner, then a code to the address).
    """

    name = fields.String(validate=[validate.Length(min=1, max=120), _NOT_BLANK])
    kelurahan = fields.String(
        allow_none=True, validate=validate.Length(max=20),
        metadata={"description": "Kemendagri code of a kelurahan of Kota Serang", "example": "36.73.01.1001"},
    )
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    preferred_language = fields.String(validate=validate.OneOf(["id", "en"]))
    preferred_channel = fields.String(validate=validate.OneOf(["sms", "whatsapp"]), metadata={
        "description": "where texts (one-time codes too) go first; a code WhatsApp did not deliver in time "
                       "follows by SMS"})
    nik = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "16 digits; only while the account has no NIK yet", "example": "3673014101900001"},
    )

    @pre_load
    def refuse_other_fields(self, data, **kwargs):
        """Name every field that may not be set here (roles, phone, ids...), instead of a bare 'Unknown field'."""
        if isinstance(data, dict):
            refused = [name for name in data if name not in self.fields]
            if refused:
                refuse_fields(refused)
        return data


class PhoneChangeSchema(OwnerProofSchema):
    """The new phone number, and proof of the owner (``password`` or ``current_phone_code``); a
    one-time code is then sent to the new number."""

    phone = fields.String(required=True, validate=validate.Length(min=8, max=20), metadata={"example": "081234567890"})


class AccountErasureSchema(OwnerProofSchema):
    """Proof of the owner before the account is erased (``password`` or ``current_phone_code``)."""


class PhoneChangeStartedSchema(BaseSchema):
    """Where the code went and until when it is valid."""

    phone = fields.String(required=True, metadata={"description": "the new number in E.164"})
    expires_at = UtcDateTime(required=True)


class PhoneVerifySchema(BaseSchema):
    """The new phone number and the code sent to it."""

    phone = fields.String(required=True, validate=validate.Length(min=8, max=20))
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="Six digits."))


class EmailChangeSchema(OwnerProofSchema):
    """The new email address, and proof of the owner (``password`` or ``current_phone_code``); a
    code is then emailed to the new address."""

    email = fields.Email(required=True, validate=validate.Length(max=254), metadata={"example": "siti@example.id"})


class EmailChangeStartedSchema(BaseSchema):
    """Where the code went and until when it is valid."""

    email = fields.String(required=True)
    expires_at = UtcDateTime(required=True)


class EmailVerifySchema(BaseSchema):
    """The email address and the code emailed to it."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$", error="Six digits."))


class EmailRemovalSchema(OwnerProofSchema):
    """Proof of the owner before the email is taken off the account."""


class ServiceRefSchema(BaseSchema):
    """A service by slug and name (in the request's language)."""

    slug = fields.String(required=True)
    name = fields.String(required=True)


class FieldUseSchema(BaseSchema):
    """One field a service read and the purpose it declared for it."""

    field = fields.String(required=True, metadata={"example": "phone"})
    purpose = fields.String(allow_none=True, required=True, metadata={"example": "menghubungi pelapor"})


class OfficerRefSchema(BaseSchema):
    """Who read for the service: only the OPD, never the officer's own identity."""

    opd = fields.String(allow_none=True, required=True)
    opd_name = fields.String(allow_none=True, required=True)
    label = fields.String(required=True, metadata={"example": "Petugas Dinas Pekerjaan Umum dan Penataan Ruang"})


class AccessEntrySchema(BaseSchema):
    """One read of the citizen's profile by a service."""

    id = fields.Integer(required=True)
    service = fields.Nested(ServiceRefSchema, required=True)
    # Named "fields" in JSON; the attribute cannot be, it would shadow marshmallow's ``fields``.
    fields_read = fields.List(fields.Nested(FieldUseSchema), required=True, attribute="fields", data_key="fields")
    purpose = fields.String(required=True, metadata={"description": "why the service read, as it said at the time"})
    officer = fields.Nested(OfficerRefSchema, allow_none=True, required=True)
    at = UtcDateTime(required=True)


class AccessLogQuerySchema(PageArgsSchema, BaseSchema):
    """``GET /api/v1/me/access-log`` query."""


class AccessLogPageSchema(BaseSchema):
    """A page of the access record, newest first."""

    items = fields.List(fields.Nested(AccessEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ExportSchema(BaseSchema):
    """Everything RAGEM holds on the citizen. The only response with the NIK in full."""

    exported_at = fields.String(required=True)
    account = fields.Dict(required=True, metadata={"description": "the account, NIK in full, no password hash"})
    roles = fields.List(fields.Dict(), required=True)
    sessions = fields.List(fields.Dict(), required=True, metadata={"description": "log-in sessions (no token hashes)"})
    notifications = fields.List(fields.Dict(), required=True)
    messages = fields.List(fields.Dict(), required=True, metadata={"description": "SMS/push sent to the account (no bodies)"})
    one_time_codes = fields.List(fields.Dict(), required=True, metadata={"description": "codes sent (never the code)"})
    delivery_attempts = fields.List(fields.Dict(), required=True, metadata={
        "description": "each try at delivering a message to the account: channel, provider, status (no text)"})
    access_log = fields.List(fields.Dict(), required=True)
    connected_apps = fields.List(fields.Dict(), required=True, metadata={
        "description": "OPD systems the citizen signs in to with RAGEM, and the scopes each may read"})
    files = fields.List(fields.Dict(), required=True, metadata={"description": "metadata of uploaded files"})
    audit = fields.List(fields.Dict(), required=True)
    services = fields.Dict(
        keys=fields.String(), values=fields.Raw(), required=True,
        metadata={"description": "service slug -> that service's export (switched-off services included)"},
    )
