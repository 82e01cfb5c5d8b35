"""Shops: the application, the owner's edits, the public page and the UMKM office's view."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate
from sqlalchemy import func, select

from ragem import toolkit

from plugins.gelati import identifiers, payments
from plugins.gelati.models import CATEGORIES, SHOP_STATES, Review
from plugins.gelati.schemas.fields import LONG_TEXT, NAME_TEXT, REGION_CODE, SHORT_TEXT, all_optional, rupiah


class _Normalised(fields.String):
    """A text field turned into its normal form by ``normalise`` (``ValueError`` -> 422)."""

    normalise = staticmethod(lambda text: text)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.normalise(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class NibField(_Normalised):
    """NIB: 13 digits."""

    normalise = staticmethod(identifiers.nib)


class PirtField(_Normalised):
    """P-IRT number: 15 digits (a dash before the last two is fine)."""

    normalise = staticmethod(identifiers.pirt)


class HalalField(_Normalised):
    """Halal certificate number: ID + 17 digits (BPJPH) or 14 digits (MUI)."""

    normalise = staticmethod(identifiers.halal)


class PhoneField(fields.String):
    """An Indonesian mobile number, stored in E.164."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return toolkit.normalise_phone(text, field=attr or "phone")
        except toolkit.ApiError:
            raise ValidationError("an Indonesian mobile number (08..., +62...)") from None


class DeliveryFeeSchema(toolkit.BaseSchema):
    """What the shop charges to deliver to one kecamatan."""

    kecamatan_code = fields.String(required=True, validate=REGION_CODE)
    fee = rupiah(required=True)


class ShopWriteSchema(toolkit.BaseSchema):
    """``POST /my-shop``: apply to open a shop (``PATCH`` takes any of these fields)."""

    name = fields.String(required=True, validate=NAME_TEXT)
    description = fields.String(required=True, validate=LONG_TEXT)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    kelurahan_code = fields.String(required=True, validate=REGION_CODE,
                                   metadata={"description": "Kemendagri code of the shop's kelurahan"})
    address = fields.String(required=True, validate=SHORT_TEXT, metadata={"description": "street address (sealed)"})
    phone = PhoneField(required=True, metadata={"description": "the shop's phone (sealed; shown to its buyers)"})
    nib = NibField(required=True, validate=validate.Length(max=20), metadata={"description": "Nomor Induk Berusaha: 13 digits"})
    pirt_number = PirtField(load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={"description": "P-IRT: 15 digits"})
    halal_number = HalalField(load_default=None, allow_none=True, validate=validate.Length(max=24),
                              metadata={"description": "halal certificate: ID + 17 digits, or 14 digits"})
    pickup_enabled = fields.Boolean(load_default=True)
    delivery_enabled = fields.Boolean(load_default=False)
    delivery_fees = fields.List(fields.Nested(DeliveryFeeSchema), load_default=list,
                                validate=validate.Length(max=20))
    bank_name = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=2, max=60)])
    bank_account = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Regexp(r"^\d{6,20}$", error="6 to 20 digits"),
                                 metadata={"description": "account for bank transfers (sealed)"})


ShopUpdateSchema = all_optional(ShopWriteSchema, "ShopUpdateSchema",
                                "``PATCH /my-shop``: any field of the application; a rejected shop is submitted again.")


def _rating(shop) -> dict:
    average, count = toolkit.db.session.execute(
        select(func.avg(Review.rating), func.count(Review.id)).where(Review.shop_id == shop.id)).one()
    return {"average": round(float(average), 2) if average is not None else None, "count": count}


class RatingSchema(toolkit.BaseSchema):
    """The average of a shop's reviews."""

    average = fields.Float(allow_none=True, required=True)
    count = fields.Integer(required=True)


class ShopSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A shop's public page."""

    computed = {"rating": _rating, "payment_methods": payments.offered_by}

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True)
    kelurahan_code = fields.String(required=True)
    kecamatan_code = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SHOP_STATES))
    pickup_enabled = fields.Boolean(required=True)
    delivery_enabled = fields.Boolean(required=True)
    delivery_fees = fields.List(fields.Nested(DeliveryFeeSchema), required=True)
    payment_methods = fields.List(fields.String(), required=True)
    rating = fields.Nested(RatingSchema, required=True)
    halal_number = fields.String(allow_none=True, required=True)
    created_at = toolkit.UtcDateTime(required=True)


class OwnShopSchema(ShopSchema):
    """The shop as its owner and the UMKM office see it: contact, identifiers and verification."""

    address = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    nib = fields.String(required=True)
    pirt_number = fields.String(allow_none=True, required=True)
    status_reason = fields.String(allow_none=True, required=True)
    reviewed_at = toolkit.UtcDateTime(allow_none=True, required=True)
    bank_name = fields.String(allow_none=True, required=True)
    bank_account = fields.String(allow_none=True, required=True)
    changed_at = toolkit.UtcDateTime(required=True)


class OfficeShopSchema(OwnShopSchema):
    """A shop in the UMKM office's list (with the owner's account id)."""

    owner_id = fields.String(allow_none=True, required=True)


class ShopListArgsSchema(toolkit.PageArgsSchema):
    """``GET /shops``: verified shops, optionally of one kecamatan or category."""

    kecamatan = fields.String(load_default=None, validate=REGION_CODE)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))


class OfficeShopArgsSchema(toolkit.PageArgsSchema):
    """``GET /office/shops``: every shop, optionally by status (oldest application first)."""

    status = toolkit.CommaSeparated(SHOP_STATES, load_default=None)


ShopPageSchema = toolkit.page_schema(ShopSchema, "GelatiShopPage")
OfficeShopPageSchema = toolkit.page_schema(OfficeShopSchema, "GelatiOfficeShopPage")
