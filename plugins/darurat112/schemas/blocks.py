"""What the block-list routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.darurat112.models import BLOCK_KINDS
from plugins.darurat112.schemas.fields import SHORT_TEXT


class BlockedNumberStatusSchema(toolkit.BaseSchema):
    """Whether the telephony system should connect a number."""

    msisdn = fields.String(required=True, metadata={"example": "+6281234567890"})
    blocked = fields.Boolean(required=True)
    until = toolkit.UtcDateTime(allow_none=True, required=True)
    block_id = fields.Integer(allow_none=True, required=True)


class CallerBlockSchema(FromModel, toolkit.BaseSchema):
    """A block on a number or an account."""

    # A blocked number is shown masked: enough to recognise it, and the telephony system's check
    # (GET blocked-numbers/<msisdn>) answers for a full number it already knows.
    computed = {"active": lambda b: b.lifted_at is None and b.expires_at > toolkit.utcnow(),
                "value": lambda b: toolkit.mask_phone(b.value) if b.kind == "msisdn" else b.value}

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(BLOCK_KINDS))
    value = fields.String(required=True, metadata={"description": "the number, masked (`+62812*****890`), or the account id"})
    nuisance_count = fields.Integer(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    expires_at = toolkit.UtcDateTime(required=True)
    lifted_at = toolkit.UtcDateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class CallerBlockArgsSchema(toolkit.PageArgsSchema):
    """``active=true`` (the default): only blocks in force; ``kind`` one of msisdn, account."""

    active = fields.Boolean(load_default=True)
    kind = fields.String(load_default=None, validate=validate.OneOf(BLOCK_KINDS))


class CallerBlockLiftSchema(toolkit.BaseSchema):
    """Why the supervisor lifts the block (audited)."""

    reason = fields.String(required=True, validate=SHORT_TEXT)


BlockPageSchema = toolkit.page_schema(CallerBlockSchema, "Darurat112BlockPage")
